"""Structured logging. Message text is never logged at INFO: log ids, verbs and counts."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text", *, shown: str | None = None) -> None:
    """Log at ``level``; ``shown`` raises the level printed to the terminal only (a one-off
    command shows warnings, not its migrations and start-up lines), so records still reach
    other handlers at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    if shown is not None:
        handler.setLevel(shown.upper())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Third-party loggers that would print request bodies or message text at INFO/DEBUG.
    for noisy in (
        "slack_bolt",
        "slack_sdk",
        "botbuilder",
        "msrest",
        "msal",
        "urllib3",
        "aiohttp.access",
        "apscheduler.executors.default",
        "apscheduler.scheduler",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


@contextmanager
def logs_to_file(path: Path) -> Iterator[None]:
    """While a person chats in this terminal, log lines go to ``path`` instead of stderr, so
    they never interleave with the conversation; stderr is restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:]
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(
        saved[0].formatter
        if saved and saved[0].formatter
        else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    root.handlers[:] = [handler]
    try:
        yield
    finally:
        root.handlers[:] = saved
        handler.close()
