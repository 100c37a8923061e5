"""``GET /charts/<token>-<s>-<c>.png`` (a broadcast's chart, drawn by bot.charts) and
``GET /broadcasts/report/<token>.csv`` (a delivery report, while its link is valid). An unknown
or expired token gets a plain 404 that says nothing about what exists."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from aiohttp import web

from bot.broadcasts import flows, store
from bot.broadcasts.content import Content
from bot.downloads import file_response, gone

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("bot.broadcasts.web")
_CHART = re.compile(r"^([A-Za-z0-9_-]{10,40})-(\d{1,3})-(\d{1,3})$")
EXPIRED = "This download link has expired or is not valid. Press Download CSV on the report again."


def add_routes(app: web.Application, runtime: Runtime) -> None:
    async def chart(request: web.Request) -> web.StreamResponse:
        found = _CHART.match(request.match_info.get("name", ""))
        charts = flows.charts_module()
        if found is None or charts is None:
            return _not_found()
        token, s_index, c_index = found.group(1), int(found.group(2)), int(found.group(3))
        async with runtime.bot.db.session() as session:
            broadcast = await store.by_chart_token(session, token)
            content = Content.model_validate(broadcast.content) if broadcast else None
        if content is None or s_index >= len(content.sections):
            log.warning("chart refused: unknown token from %s", request.remote)
            return _not_found()
        section = content.sections[s_index]
        if c_index >= len(section.charts):
            return _not_found()
        png = charts.render_png(section.charts[c_index].distribution())
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "max-age=86400"}
        )

    async def report(request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        async with runtime.bot.db.session() as session:
            broadcast = await store.by_csv_token(session, flows.token_hash(token))
            now = runtime.bot.clock()
            if (
                broadcast is None
                or broadcast.csv_expires_at is None
                or (broadcast.csv_expires_at <= now)
            ):
                log.warning("report download refused: unknown or expired link")
                return gone(EXPIRED)
            ctx = runtime.bot.context(session, None)
            text = await flows.report_csv(ctx, broadcast)
            name = f"broadcast-{broadcast.id}-report.csv"
        return file_response(name, text)

    app.router.add_get("/charts/{name}.png", chart)
    app.router.add_get("/broadcasts/report/{token}.csv", report)


def _not_found() -> web.Response:
    return web.Response(status=404, text="Not found", content_type="text/plain")
