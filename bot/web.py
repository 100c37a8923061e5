"""The aiohttp application: platform endpoints and operations endpoints."""

from __future__ import annotations

import contextlib
import html
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from bot.scheduler.delivery import backlog
from bot.tryout.clock import DemoClock
from bot.tryout.web import add_routes as add_tryout_routes

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

REQUESTS = Counter("qabot_http_requests_total", "HTTP requests", ["route", "status"])
LATENCY = Histogram(
    "qabot_http_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
BACKLOG = Gauge("qabot_outbox_backlog", "Outbox messages waiting to be sent")

RUNTIME_KEY = web.AppKey("runtime", object)
# Slack and Teams requests are far smaller, but a 300 KB text field sent with JSON's \u escapes
# (allowed, and what many serialisers write for non-ASCII text) takes up to six times that.
MAX_BODY = 4 * 1024 * 1024


@web.middleware
async def _observe(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    route = (
        request.match_info.route.resource.canonical if request.match_info.route.resource else "?"
    )
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        LATENCY.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(route, str(status)).inc()


def build_web_app(runtime: Runtime) -> web.Application:
    app = web.Application(middlewares=[_observe], client_max_size=MAX_BODY)
    app[RUNTIME_KEY] = runtime

    def acknowledging() -> contextlib.AbstractContextManager[None]:
        # Platform requests being answered: the inbox worker lets them go first.
        return runtime.inbox.acknowledging if runtime.inbox else contextlib.nullcontext()

    async def teams(request: web.Request) -> web.StreamResponse:
        with acknowledging():
            return await runtime.teams.handle_http(request)

    async def slack(request: web.Request) -> web.StreamResponse:
        if runtime.slack is None:
            return web.json_response(
                {"error": "Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"},
                status=404,
            )
        with acknowledging():
            return await runtime.slack.handle_http(request)

    async def healthz(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.StreamResponse:
        problems = await readiness_problems(runtime)
        if problems:
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready"})

    async def metrics(_request: web.Request) -> web.StreamResponse:
        try:
            BACKLOG.set(await backlog(runtime.bot.db))
        except Exception:
            log.warning("could not read the outbox backlog for /metrics")
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def privacy(_request: web.Request) -> web.StreamResponse:
        return web.Response(text=privacy_page(runtime), content_type="text/html")

    async def terms(_request: web.Request) -> web.StreamResponse:
        return web.Response(text=terms_page(runtime), content_type="text/html")

    app.router.add_post("/api/messages", teams)
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/terms", terms)
    app.router.add_post("/slack/events", slack)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    for area in runtime.areas:
        if area.add_routes is not None:
            area.add_routes(app, runtime)
    if runtime.settings.tryout and isinstance(runtime.clock, DemoClock):
        add_tryout_routes(app, runtime, runtime.clock)
    return app


async def readiness_problems(runtime: Runtime) -> list[str]:
    problems: list[str] = []
    try:
        await runtime.bot.db.ping()
    except Exception as exc:
        return [f"database unreachable: {type(exc).__name__}"]
    # This process's own scheduler: another replica's beat must not hide that it stopped.
    beat = runtime.scheduler.last_beat if runtime.scheduler is not None else None
    allowed = timedelta(seconds=max(3 * runtime.settings.sweep_interval_seconds, 60))
    if beat is None:
        problems.append("scheduler has not run yet")
    elif runtime.bot.clock() - beat > allowed:
        problems.append(f"scheduler heartbeat is stale (last {beat.isoformat()})")
    waiting = await backlog(runtime.bot.db)
    BACKLOG.set(waiting)
    if waiting > runtime.settings.outbox_backlog_limit:
        problems.append(
            f"outbox backlog {waiting} is above {runtime.settings.outbox_backlog_limit}"
        )
    return problems


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<body style='font-family:sans-serif;max-width:40em;margin:2em auto'>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def privacy_page(runtime: Runtime) -> str:
    authority = runtime.framework.authority
    return _page(
        f"{authority.bot_name}: privacy notice",
        [
            f"{authority.bot_name} is run by {authority.name} to support its quality assurance "
            "framework in Microsoft Teams and Slack.",
            "It keeps the staff directory (name, work email, team, roles, line manager), the QA "
            "work allocated to each person, good-practice nominations and votes, and a log of "
            "what was done, for the council's quality assurance under its public task.",
            "Children are referred to only by their case-record number. Please never type a "
            "child's name, date of birth, address or other identifying details: the bot checks "
            "free text and warns you. The case management system remains the record.",
            "Message text is not written to the bot's logs. Ask your QA team or the council's "
            "data protection officer about retention and your rights.",
        ],
    )


def terms_page(runtime: Runtime) -> str:
    authority = runtime.framework.authority
    return _page(
        f"{authority.bot_name}: terms of use",
        [
            f"This bot is for staff and partners of {authority.name} who are in its directory.",
            "Use it for quality assurance work only, in line with the council's information "
            "governance and acceptable use policies.",
        ],
    )
