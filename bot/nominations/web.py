"""The library export download: ``GET /library/export/<token>`` answers with the CSV while the
link is valid (30 minutes), and a plain explanation otherwise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.nominations.dialogs.export import download

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

EXPIRED = (
    "This download link has expired or is not valid. Ask the QA bot for a new one: "
    "type “library export”."
)


def add_routes(app: web.Application, runtime: Runtime) -> None:
    async def export(request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        found = await download(runtime.bot.db, runtime.framework, token, runtime.bot.clock())
        if found is None:
            log.warning("library export refused: unknown or expired link from %s", request.remote)
            return web.Response(status=404, text=EXPIRED, content_type="text/plain")
        name, text = found
        return web.Response(
            # A byte-order mark so spreadsheet programs read the file as UTF-8.
            body=("\ufeff" + text).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    app.router.add_get("/library/export/{token}", export)
