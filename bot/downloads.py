"""Answers for the bot's time-limited download links (the library export, a dispute's case
note, a broadcast's delivery report): the file itself, or a plain 404 that names nothing."""

from __future__ import annotations

from aiohttp import web


def file_response(name: str, text: str, content_type: str = "text/csv") -> web.Response:
    """``text`` as a download called ``name``, never cached. A byte-order mark goes first so
    spreadsheet programs read a CSV as UTF-8."""
    return web.Response(
        body=("\ufeff" + text).encode("utf-8"),
        content_type=content_type,
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def gone(explanation: str) -> web.Response:
    """An unknown, forged or expired link: 404 with a sentence on how to get a new one."""
    return web.Response(status=404, text=explanation, content_type="text/plain")
