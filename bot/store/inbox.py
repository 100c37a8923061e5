"""The inbox: platform requests saved as received, before they are acknowledged.

A Slack interaction must be acknowledged within three seconds and a Teams message turn should
not keep the connector waiting, yet what the person sent must never be lost once the platform
has been told it arrived. So the request is first saved here, cheaply, and handled afterwards
by the inbox worker (bot/scheduler/inbox_worker.py).

Saving is a group commit: every request that arrives while one batch is being written joins
the next, so a burst of presses costs a handful of commits, not one each. Handling is made
exactly-once by the turn itself (the entry id is the turn's dedupe key, recorded in
``inbound_events`` in the turn's own unit of work); entries are deleted, also in batches, once
handled, and any left behind by a stopped process are handled again when it starts.

Each entry records the process handling it (its claimant, bot.store.db.Claimant): the one
that saved it, or the one that took it over. On PostgreSQL, where replicas share the inbox,
a replica takes over entries that are unclaimed (handed back by a process that stopped) or
whose claimant is dead, with ``FOR UPDATE SKIP LOCKED`` so two replicas never take the same.

The inbox is a journal, not part of the schema Alembic manages: it holds only requests not yet
handled (what people sent stays there only until then, and is never logged) and is created
when missing. On SQLite it is a file of its own beside the database
(``qabot.db`` -> ``qabot.db-inbox``), so saving a request never waits for the one writer a
SQLite file allows, which a turn may be holding; on PostgreSQL it is a table in the database.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Integer,
    MetaData,
    String,
    Text,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

from bot.store.db import Claimant, Database, sqlite_pragmas
from bot.store.models import NAMING, UTCDateTime

log = logging.getLogger(__name__)

# An entry handled this many times without being settled is dropped (and logged): it is the
# request that stopped the process each time.
MAX_ATTEMPTS = 3
# Ids per DELETE (well under SQLite's limit on bound parameters).
SETTLE_CHUNK = 500


class JournalBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class InboxEntry(JournalBase):
    __tablename__ = "inbox"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[int | None] = mapped_column(Integer)


@dataclass(frozen=True)
class Received:
    """A saved request, as the worker hands it to a channel."""

    id: str
    platform: str
    kind: str
    body: str
    received_at: datetime
    attempts: int = 0
    # The text of a file the request carries, fetched before it is handled (not saved: a
    # request replayed after a stop fetches it again).
    attachment: str | None = None


def wall_clock() -> datetime:
    # The inbox keeps real time even when the bot runs on a simulated clock: it is about
    # which process saw a request when, not about the framework's calendar.
    return datetime.now(UTC)


class Inbox:
    def __init__(
        self,
        engine: AsyncEngine,
        claimant: Claimant,
        *,
        owns_engine: bool = False,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.engine = engine
        self.claimant = claimant
        self.clock = clock
        self._owns_engine = owns_engine
        self._to_save: list[tuple[dict[str, object], asyncio.Future[None]]] = []
        self._to_settle: list[str] = []
        self._writer: asyncio.Task[None] | None = None

    @classmethod
    def beside(cls, db: Database) -> Inbox:
        """The inbox for a database: its own file next to a SQLite file, else the database."""
        if not db.is_sqlite:
            return cls(db.engine, db.claimant)
        url = make_url(db.url)
        database = url.database or ""
        if database in ("", ":memory:"):
            engine = create_async_engine(
                "sqlite+aiosqlite://", poolclass=StaticPool, connect_args={"timeout": 30}
            )
        else:
            engine = create_async_engine(
                url.set(database=database + "-inbox"),
                pool_size=1,
                max_overflow=0,
                connect_args={"timeout": 30},
            )
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return cls(engine, db.claimant, owns_engine=True)

    async def start(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(JournalBase.metadata.create_all)
            await conn.run_sync(_add_claimant_column)

    async def flushed(self) -> None:
        """Wait until every save and settle asked for so far has been written."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def close(self) -> None:
        await self.flushed()
        if self._to_settle:  # left over from a failed write: one more try
            self._wake_writer()
            await self.flushed()
        if self._owns_engine:
            await self.engine.dispose()

    async def save(self, platform: str, kind: str, body: str) -> Received:
        """Save a request; returns once it is committed (with the others that came with it)."""
        received = Received(uuid.uuid4().hex, platform, kind, body, self.clock())
        row: dict[str, object] = {
            "id": received.id,
            "platform": platform,
            "kind": kind,
            "body": body,
            "received_at": received.received_at,
            "attempts": 0,
            "claimed_by": self.claimant.id,
        }
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._to_save.append((row, done))
        self._wake_writer()
        await done
        return received

    def settle(self, entry_id: str) -> None:
        """Forget a handled entry (deleted with the next batch written)."""
        self._to_settle.append(entry_id)
        self._wake_writer()

    async def unsettled(self, received_before: datetime) -> list[Received]:
        """Take over the entries received before a time that no live process is handling
        (unclaimed, or claimed by a process that is gone), oldest first, each counted as one
        more attempt; entries that have had too many are dropped and logged."""
        claimed_by = InboxEntry.claimed_by
        free = or_(claimed_by.is_(None), self.claimant.is_orphaned(claimed_by))
        stale = (InboxEntry.received_at < received_before) & free
        candidates = select(InboxEntry.id).where(stale)
        if self.engine.dialect.name == "postgresql":
            # Replicas recovering at once each take different entries, and none waits.
            candidates = candidates.with_for_update(skip_locked=True)
        async with self.engine.begin() as conn:
            taken = (
                await conn.execute(
                    update(InboxEntry)
                    .where(InboxEntry.id.in_(candidates.scalar_subquery()), stale)
                    .values(attempts=InboxEntry.attempts + 1, claimed_by=self.claimant.id)
                    .returning(*InboxEntry.__table__.columns)
                )
            ).all()
            rows = sorted(taken, key=lambda r: r.received_at)
            poisoned = [r.id for r in rows if r.attempts > MAX_ATTEMPTS]
            if poisoned:
                await conn.execute(delete(InboxEntry).where(InboxEntry.id.in_(poisoned)))
        for row in rows:
            if row.id in poisoned:
                log.error(
                    "dropped %s %s request %s, received %s: handling it failed %d times",
                    row.platform,
                    row.kind,
                    row.id,
                    row.received_at.isoformat(),
                    MAX_ATTEMPTS,
                )
        return [
            Received(r.id, r.platform, r.kind, r.body, r.received_at, r.attempts)
            for r in rows
            if r.id not in poisoned
        ]

    async def hand_back(self, entry_ids: Collection[str]) -> None:
        """Release entries this process will not handle (it is stopping), for a replica or
        the next start to take over at once."""
        ordered = sorted(entry_ids)
        async with self.engine.begin() as conn:
            for start in range(0, len(ordered), SETTLE_CHUNK):
                await conn.execute(
                    update(InboxEntry)
                    .where(
                        InboxEntry.id.in_(ordered[start : start + SETTLE_CHUNK]),
                        InboxEntry.claimed_by == self.claimant.id,
                    )
                    .values(claimed_by=None)
                )

    async def count(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count(InboxEntry.id)))).scalar_one())

    def _wake_writer(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="inbox-writer")

    async def _write(self) -> None:
        # Runs after the current callbacks, so the requests that arrived with this one share
        # its commit; while it writes, the next batch gathers.
        while self._to_save or self._to_settle:
            batch, self._to_save = self._to_save, []
            settled, self._to_settle = self._to_settle, []
            try:
                async with self.engine.begin() as conn:
                    if batch:
                        await conn.execute(insert(InboxEntry), [row for row, _ in batch])
                    for start in range(0, len(settled), SETTLE_CHUNK):
                        chunk = settled[start : start + SETTLE_CHUNK]
                        await conn.execute(delete(InboxEntry).where(InboxEntry.id.in_(chunk)))
            except Exception as exc:
                log.exception("could not write %d inbox entries", len(batch))
                for _, done in batch:
                    if not done.done():
                        done.set_exception(InboxUnavailable(str(exc)))
                # Settling is retried with the next batch: a handled entry left behind is only
                # handled again (harmlessly, the turn's dedupe key stops it) after a restart.
                self._to_settle.extend(settled)
                if not self._to_save:
                    return
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)


class InboxUnavailable(Exception):
    """The inbox could not save a request (the caller handles it at once instead)."""


def _add_claimant_column(connection: Connection) -> None:
    """Inboxes created before entries had claimants get the column (the journal is not under
    Alembic; it is created when missing)."""
    columns = {c["name"] for c in inspect(connection).get_columns(InboxEntry.__tablename__)}
    if "claimed_by" not in columns:
        maybe = "IF NOT EXISTS " if connection.dialect.name == "postgresql" else ""
        connection.exec_driver_sql(f"ALTER TABLE inbox ADD COLUMN {maybe}claimed_by INTEGER")
