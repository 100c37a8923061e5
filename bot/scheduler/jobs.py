"""APScheduler 3: level-triggered sweeps and the heartbeat /readyz checks.

Sweeps ask the store what is due now and write it to the outbox under dedupe keys, so a
missed tick or a restart delays a message by one sweep at most and never repeats it. With
several replicas on PostgreSQL only the holder of an advisory lock runs the sweeps.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import QABot
from bot.store.models import ServiceState

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "scheduler.heartbeat"
SWEEP_LOCK_ID = 7247002


class Scheduler:
    def __init__(self, bot: QABot, *, interval_seconds: int) -> None:
        self.bot = bot
        self.interval = interval_seconds
        self.scheduler = AsyncIOScheduler(timezone=bot.tz)
        self._lock_conn: AsyncConnection | None = None

    def start(self) -> None:
        self.scheduler.add_job(
            self.tick,
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

    async def tick(self) -> None:
        await self.beat()
        if not await self._is_leader():
            return
        written = await self.bot.run_sweeps()
        if written:
            log.info("sweeps queued %d message(s)", written)

    async def beat(self) -> None:
        now = self.bot.clock()
        async with self.bot.db.session() as session:
            state = await session.get(ServiceState, HEARTBEAT_KEY)
            if state is None:
                session.add(ServiceState(key=HEARTBEAT_KEY, value=now.isoformat(), updated_at=now))
            else:
                state.value = now.isoformat()
                state.updated_at = now

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

    async def close(self) -> None:
        self.shutdown()
        if self._lock_conn is not None:
            await self._lock_conn.close()
            self._lock_conn = None


async def last_heartbeat(bot: QABot) -> datetime | None:
    async with bot.db.session() as session:
        result = await session.execute(
            select(ServiceState.updated_at).where(ServiceState.key == HEARTBEAT_KEY)
        )
        return result.scalar_one_or_none()
