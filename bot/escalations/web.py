"""Downloads of case notes and reports: ``GET /disputes/download/<token>`` answers with the
file while the link is valid (30 minutes), and a plain explanation otherwise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.downloads import file_response, gone
from bot.escalations import store

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

EXPIRED = (
    "This download link has expired or is not valid. Ask the QA bot for a new one: open the "
    "dispute and press Case note, or type “disputes report”."
)


def add_routes(app: web.Application, runtime: Runtime) -> None:
    async def download(request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        found = None
        if token and len(token) <= 200:
            async with runtime.bot.db.session() as session:
                found = await store.download_by_token(session, token)
                if found is not None and found.expires_at <= runtime.bot.clock():
                    found = None
        if found is None:
            log.warning("dispute download refused: unknown or expired link")
            return gone(EXPIRED)
        log.info("dispute download %s by person %s", found.file_name, found.person_id)
        return file_response(found.file_name, found.content, found.content_type)

    app.router.add_get("/disputes/download/{token}", download)
