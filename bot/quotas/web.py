"""``GET /calendar/<token>.ics``: a private iCalendar feed. An unknown or rotated token gets a
plain 404 that says nothing about what exists."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.quotas import feeds, store

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("bot.quotas.web")


def add_routes(app: web.Application, runtime: Runtime) -> None:
    async def feed(request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        async with runtime.bot.db.session() as session:
            found = await store.feed_by_hash(session, feeds.token_hash(token))
            if found is None or len(token) > 200:
                log.warning("calendar feed refused: unknown token from %s", request.remote)
                return web.Response(status=404, text="Not found", content_type="text/plain")
            ctx = runtime.bot.context(session, None)
            events = await feeds.events_for(ctx, found)
            body = feeds.render(ctx, await feeds.feed_name(ctx, found), events)
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )

    app.router.add_get("/calendar/{token}.ics", feed)
