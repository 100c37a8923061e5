"""The browser try-out page: chat as anyone in the directory on a clock you move (core)."""
