"""APScheduler 3: level-triggered sweeps and the heartbeat /readyz checks (each process its
own scheduler's).

Sweeps ask the store what is due now and write it to the outbox under dedupe keys, so a
missed tick or a restart delays a message by one sweep at most and never repeats it. With
several replicas on PostgreSQL only the holder of an advisory lock runs the sweeps; when it
dies its connection ends, the server releases the lock, and another replica takes it at its
next tick.

Stopping waits for a tick under way (briefly) and cancels it quietly, so a stop never logs a
``CancelledError`` traceback from APScheduler's executor.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import QABot
from bot.store import retention
from bot.store.models import ServiceState

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "scheduler.heartbeat"
RETENTION_KEY = "retention.day"
SWEEP_LOCK_ID = 7247002

SWEEPS = Counter("qabot_sweeps_total", "Scheduled sweep passes this process ran (as leader)")


class Scheduler:
    def __init__(
        self, bot: QABot, *, interval_seconds: int, retention: retention.Policy | None = None
    ) -> None:
        self.bot = bot
        self.interval = interval_seconds
        self.retention = retention
        self.scheduler = AsyncIOScheduler(timezone=bot.tz)
        self._lock_conn: AsyncConnection | None = None
        self._ticking: asyncio.Task[None] | None = None
        self._closing = False
        # This process's own last beat: /readyz reads it, so one replica's beat cannot hide
        # another's dead scheduler (the shared row in the store only says that some beat).
        self.last_beat: datetime | None = None

    def start(self) -> None:
        self.scheduler.add_job(
            self._scheduled_tick,
            IntervalTrigger(seconds=self.interval, timezone=self.bot.tz),
            id="sweeps",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=self.interval,
            next_run_time=datetime.now(self.bot.tz),
        )
        self.scheduler.start()
        log.info("scheduler started: sweeps every %ss (%s)", self.interval, self.bot.tz.key)

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def _scheduled_tick(self) -> None:
        """The job APScheduler runs: a tick that a stop can cancel without a traceback."""
        if self._closing:
            return
        self._ticking = asyncio.current_task()
        try:
            await self.tick()
        except asyncio.CancelledError:
            if not self._closing:
                raise
            log.debug("scheduler tick cancelled by the stop")
        except Exception:
            log.exception("scheduler tick failed; it runs again at the next interval")
        finally:
            self._ticking = None

    async def tick(self) -> None:
        await self.beat()
        if not await self._is_leader():
            return
        written = await self.bot.run_sweeps()
        SWEEPS.inc()
        if written:
            log.info("sweeps queued %d message(s)", written)
        await self.daily_retention()

    async def daily_retention(self) -> retention.Pruned | None:
        """The retention pass, once a day (the first tick of the day of the replica holding
        the sweeps); None when it has already run today or there is no policy."""
        if self.retention is None:
            return None
        now = self.bot.clock()
        today = now.astimezone(self.bot.tz).date().isoformat()
        async with self.bot.db.session() as session:
            state = await session.get(ServiceState, RETENTION_KEY)
            if state is not None and state.value == today:
                return None
        pruned = await retention.prune(
            self.bot.db,
            now,
            outbox_days=self.retention.outbox_days,
            audit_days=self.retention.audit_days,
        )
        async with self.bot.db.session() as session:
            state = await session.get(ServiceState, RETENTION_KEY)
            if state is None:
                session.add(ServiceState(key=RETENTION_KEY, value=today, updated_at=now))
            else:
                state.value, state.updated_at = today, now
        return pruned

    async def beat(self) -> None:
        now = self.bot.clock()
        async with self.bot.db.session() as session:
            state = await session.get(ServiceState, HEARTBEAT_KEY)
            if state is None:
                session.add(ServiceState(key=HEARTBEAT_KEY, value=now.isoformat(), updated_at=now))
            else:
                state.value = now.isoformat()
                state.updated_at = now
        self.last_beat = now

    async def _is_leader(self) -> bool:
        db = self.bot.db
        if not db.is_postgres:
            return True
        if self._lock_conn is None:
            self._lock_conn = await db.engine.connect()
        result = await self._lock_conn.exec_driver_sql(
            f"SELECT pg_try_advisory_lock({SWEEP_LOCK_ID})"
        )
        held = bool(result.scalar())
        await self._lock_conn.commit()
        return held

    async def close(self, within: float = 1.0) -> None:
        """Stop ticking: a tick under way gets ``within`` seconds, then is cancelled (a
        sweep's unit of work rolls back and its dedupe keys make the next run repeat it)."""
        self._closing = True  # a tick APScheduler starts from here on returns at once
        ticking = self._ticking
        if ticking is not None and not ticking.done():
            await asyncio.wait({ticking}, timeout=within)
            if not ticking.done():
                ticking.cancel()
                await asyncio.wait({ticking})
        # Only now: APScheduler's shutdown cancels a running job at once, whatever it is doing.
        self.shutdown()
        if self._lock_conn is not None:
            conn, self._lock_conn = self._lock_conn, None
            try:
                await conn.close()
            except Exception:
                log.warning("could not release the sweep lock cleanly")


async def last_heartbeat(bot: QABot) -> datetime | None:
    """The latest beat of any replica (the shared row): for operators, not for /readyz."""
    async with bot.db.session() as session:
        result = await session.execute(
            select(ServiceState.updated_at).where(ServiceState.key == HEARTBEAT_KEY)
        )
        return result.scalar_one_or_none()
