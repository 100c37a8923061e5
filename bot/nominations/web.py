"""The library export download: ``GET /library/export/<token>`` answers with the CSV while the
link is valid (30 minutes), and a plain explanation otherwise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.downloads import file_response, gone
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
            return gone(EXPIRED)
        name, text = found
        return file_response(name, text)

    app.router.add_get("/library/export/{token}", export)
