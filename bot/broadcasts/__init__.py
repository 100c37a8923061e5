"""Broadcasts: the QA digest drafted from data, newsletters and 7-minute briefings, approved
by the QA team and delivered exactly once to team channels and people (docs/broadcasts.md)."""
