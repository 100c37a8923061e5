"""Wires the bot together from settings: store, bot, channels, delivery, scheduler, web."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from datetime import datetime

import aiohttp
from aiohttp import web

from bot.app import QABot, system_clock
from bot.areas import AREAS, build_router
from bot.background import cancel_and_wait
from bot.channels.base import Sender
from bot.channels.slack import SlackChannel
from bot.channels.teams import TeamsChannel
from bot.config import Settings, load_framework
from bot.domain import privacy
from bot.domain.framework import Framework
from bot.scheduler import ratelimit
from bot.scheduler.delivery import DeliveryWorker
from bot.scheduler.inbox_worker import InboxWorker
from bot.scheduler.jobs import Scheduler
from bot.store.db import Database
from bot.store.inbox import Inbox
from bot.store.retention import Policy
from bot.web import build_web_app

log = logging.getLogger(__name__)


class Runtime:
    def __init__(
        self,
        settings: Settings,
        framework: Framework | None = None,
        *,
        clock: Callable[[], datetime] = system_clock,
        db_schema: str | None = None,
        run_scheduler: bool = True,
        run_delivery: bool = True,
    ) -> None:
        self.settings = settings
        self.framework = framework or load_framework(settings.framework)
        self.clock = clock
        self.db = Database(settings.database_url, schema=db_schema)
        platforms = {"teams"} | ({"slack"} if settings.slack_enabled else set())
        self.areas = AREAS
        self.bot = QABot(
            db=self.db,
            router=build_router(),
            framework=self.framework,
            tz=settings.tz,
            clock=clock,
            platforms=platforms,
            public_url=settings.public_url,
            teams_local=not settings.teams_authenticated,
        )
        self.run_scheduler = run_scheduler
        self.run_delivery = run_delivery
        self.http: aiohttp.ClientSession | None = None
        self.slack: SlackChannel | None = None
        self._teams: TeamsChannel | None = None
        self.worker: DeliveryWorker | None = None
        self.scheduler: Scheduler | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: web.AppRunner | None = None
        self.inbox: InboxWorker | None = None
        self._socket_mode: asyncio.Task[None] | None = None

    @property
    def teams(self) -> TeamsChannel:
        assert self._teams is not None, "runtime not started"
        return self._teams

    async def start(self) -> None:
        await self.db.upgrade()
        await self.db.claimant.register()
        connector = aiohttp.TCPConnector(limit=200, limit_per_host=100, ttl_dns_cache=300)
        self.http = aiohttp.ClientSession(connector=connector)
        # Requests are saved to the inbox before they are acknowledged; the worker that handles
        # them starts with the web server (bot/store/inbox.py).
        self.inbox = InboxWorker(
            Inbox.beside(self.db),
            lanes=1 if self.db.is_sqlite else 4,
            recover_every=self.settings.reclaim_interval_seconds,
        )
        await self.inbox.inbox.start()
        self._teams = TeamsChannel(self.bot, self.settings, self.http, self.inbox)
        senders: dict[str, Sender] = {"teams": self._teams.sender}
        limiters = {
            "teams": ratelimit.LimiterPool(ratelimit.TEAMS_CONVERSATION, ratelimit.TEAMS_APP)
        }
        if self.settings.slack_enabled:
            self.slack = SlackChannel(self.bot, self.settings, self.http, self.inbox)
            senders["slack"] = self.slack.sender
            limiters["slack"] = ratelimit.LimiterPool(
                ratelimit.SLACK_CONVERSATION, ratelimit.SLACK_APP
            )
        self.worker = DeliveryWorker(
            self.db,
            senders,
            limiters,
            self.framework,
            self.clock,
            signal=self.bot.outbox_signal,
            max_attempts=self.settings.delivery_max_attempts,
            platforms=self.bot.platforms,
            teams_needs_linked_channel=self.bot.teams_local,
            # Live delivery reports: the areas' Router.delivered listeners, a few seconds after
            # each batch.
            after_batch=self.bot.after_delivery,
            watch_kinds=self.bot.delivery_kinds(),
            reported_elsewhere=self.bot.kinds_reporting_failures(),
        )
        if self.run_delivery:
            self._tasks.append(asyncio.create_task(self.worker.run(), name="delivery"))
        if self.bot.teams_local:
            log.info(
                "Teams local mode (no MICROSOFT_APP_ID): channel posts reach only the Teams "
                "channels the app has been added to; the others get no Teams copy"
            )
        self.scheduler = Scheduler(
            self.bot,
            interval_seconds=self.settings.sweep_interval_seconds,
            retention=Policy(
                outbox_days=self.settings.outbox_retention_days,
                audit_days=self.settings.audit_retention_days,
            ),
        )
        if self.run_scheduler:
            self.scheduler.start()
        else:
            await self.scheduler.beat()

    async def serve(self, host: str | None = None, port: int | None = None) -> None:
        # The privacy screen's name lists take ~0.5 s to read: before the first request, not in
        # the first nomination's turn.
        privacy.load_word_lists()
        app = build_web_app(self)
        # Requests under way at a stop get a moment to be answered (see stop()).
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=min(1.5, self.settings.stop_seconds / 3)
        )
        await self._runner.setup()
        # Port 0 asks the system for a free port (tests); only None means "use the setting".
        port = self.settings.port if port is None else port
        site = web.TCPSite(self._runner, host or self.settings.host, port)
        if self.inbox is not None:
            # Only one process uses a SQLite file's inbox, so whatever is in it was left.
            await self.inbox.start(recover_all=self.db.is_sqlite)
        await site.start()
        if self.slack is not None and self.settings.slack_app_token:
            self._socket_mode = asyncio.create_task(
                self.slack.run_socket_mode(self.settings.slack_app_token), name="socket-mode"
            )
        # Start-up leaves ~170k long-lived objects; keep them out of the collector's view so a
        # full collection never stops the event loop for ~100 ms under load.
        gc.collect()
        gc.freeze()

    async def settled(self) -> None:
        """Wait until every request acknowledged so far has been handled, and the platform
        calls it made (a modal opening) have returned."""
        if self.inbox is not None:
            await self.inbox.idle()
        for channel in (self.slack, self._teams):
            if channel is not None:
                await channel.background.settled()

    @property
    def port(self) -> int | None:
        """The port the endpoints listen on (the one the system chose for port 0)."""
        if self._runner is None or not self._runner.addresses:
            return None
        return int(self._runner.addresses[0][1])

    async def finish_delivery(self, within_seconds: float = 10) -> None:
        """Stop the delivery worker once its pass is done, and wait for it (at most
        ``within_seconds``); what is still queued stays in the outbox."""
        if self.worker is None:
            return
        self.worker.stop()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=within_seconds)

    async def stop(self) -> None:
        """Stop within ``QABOT_STOP_SECONDS``, whatever is queued: take no more requests, let
        the turns and sends under way finish, hand back what is queued (the inbox and the
        outbox keep it for the next start or another replica), and log one line."""
        started = time.monotonic()
        deadline = started + self.settings.stop_seconds

        def left(share: float = 1.0) -> float:
            return max(0.0, (deadline - time.monotonic()) * share)

        if self.worker is not None:
            self.worker.stop()  # no new send from here on
        if self._socket_mode is not None:
            await cancel_and_wait([self._socket_mode])
        if self._runner is not None:
            # Take no more requests (kept-alive connections included), answering those under
            # way; everything acknowledged is in the inbox by now.
            await self._runner.cleanup()
        requests_back = 0
        if self.inbox is not None:
            requests_back = await self.inbox.stop(within=left(0.6))
        for channel in (self.slack, self._teams):
            if channel is not None:
                await channel.background.close(timeout=left(0.5))
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=left(0.8))
        await cancel_and_wait(self._tasks)
        self._tasks.clear()
        messages_back = 0
        if self.worker is not None:
            await self.worker.stop_telling()
            try:
                messages_back = await self.worker.release_unsent()
            except Exception:
                log.warning(
                    "could not hand back claimed messages; they are taken over once "
                    "this process is known to be gone"
                )
        if self.scheduler is not None:
            await self.scheduler.close(within=min(1.0, left(0.5)))
        if self.http is not None:
            await self.http.close()
        if self.inbox is not None:
            await self.inbox.inbox.close()
        await self.db.dispose()
        log.info(
            "stopped in %.1fs; handed back %d saved request(s) and %d message(s) to send later",
            time.monotonic() - started,
            requests_back,
            messages_back,
        )
