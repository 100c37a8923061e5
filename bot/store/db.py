"""Engine, sessions and migrations."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import BigInteger, ColumnElement, MetaData, event, literal_column, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)


class Database:
    """One engine and session factory for the process."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False) -> None:
        self.url = url
        self.schema = schema
        self.engine: AsyncEngine = create_async_engine(url, echo=echo, **_engine_args(url, schema))
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.claimant = Claimant(self)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends cleanly, rolled back otherwise."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to run on every start)."""
        async with self.engine.begin() as conn:
            if self.is_postgres:
                # One replica migrates at a time.
                await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7247001)")
            await conn.run_sync(_run_upgrade, self.schema)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.claimant.close()
        await self.engine.dispose()


# The first key of the two-key advisory locks that mark a process as alive (the second is
# its claimant id). 7247001 is the migration lock, 7247002 the sweep lock.
CLAIMANT_LOCK_SPACE = 7247003


class Claimant:
    """This process, as the owner of the outbox rows and inbox entries it has claimed.

    Claimed rows carry the claimant's id, so what a process had claimed when it died can be
    taken over at once rather than after a timeout. With SQLite this process is the only user
    of the store, so any claim but its own is an orphan. On PostgreSQL each process holds a
    session advisory lock ``(CLAIMANT_LOCK_SPACE, id)`` for as long as it lives; the server
    releases it when the process's connection ends, however it ends (kill -9 included), so a
    claim whose id holds no lock is an orphan.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self.id = _new_claimant_id()
        self._lock_conn: AsyncConnection | None = None

    async def register(self) -> None:
        """Take the liveness lock (PostgreSQL; nothing to do on SQLite)."""
        if not self._db.is_postgres or self._lock_conn is not None:
            return
        conn = await self._db.engine.connect()
        try:
            while True:
                held = await conn.scalar(
                    text("SELECT pg_try_advisory_lock(:space, :id)"),
                    {"space": CLAIMANT_LOCK_SPACE, "id": self.id},
                )
                await conn.commit()
                if held:
                    break
                self.id = _new_claimant_id()  # another live process drew the same id
        except BaseException:
            await conn.close()
            raise
        self._lock_conn = conn

    def is_orphaned(self, claimed_by: Any) -> ColumnElement[bool]:
        """True for a claim whose claimant is no longer alive (a null claimant is unknown,
        and is not orphaned by this test)."""
        if not self._db.is_postgres:
            return claimed_by != self.id  # type: ignore[no-any-return]
        live = (
            select(literal_column("objid").cast(BigInteger()))
            .select_from(text("pg_locks"))
            .where(
                text(
                    "locktype = 'advisory' AND objsubid = 2 AND granted"
                    f" AND classid = {CLAIMANT_LOCK_SPACE}"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            )
        )
        return claimed_by.is_not(None) & claimed_by.not_in(live)  # type: ignore[no-any-return]

    async def close(self) -> None:
        if self._lock_conn is not None:
            conn, self._lock_conn = self._lock_conn, None
            try:
                await conn.close()
            except Exception:
                log.warning("could not release the claimant lock cleanly")


def _new_claimant_id() -> int:
    # Positive 31-bit: it is the second key of an advisory lock (int4) and pg_locks shows it
    # as an oid. The pid keeps ids readable in logs; the random part keeps them unique across
    # hosts.
    return (os.getpid() << 12 | secrets.randbits(12)) & 0x7FFFFFFF or 1


def _engine_args(url: str, schema: str | None) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # SQLite has one writer. One pooled connection makes units of work queue in asyncio
        # rather than nap in SQLite's busy handler (1, 2, 5 ... 100 ms) while another writes,
        # which under load cost far more than the queueing. Never nest units of work.
        return {
            "connect_args": {"timeout": 30},
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": 60,
        }
    args: dict[str, Any] = {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}
    if schema:
        args["connect_args"] = {"server_settings": {"search_path": schema}}
    return args


def sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    script_location = Path(str(resources.files("bot.store").joinpath("migrations")))
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _run_upgrade(connection: Connection, schema: str | None) -> None:
    cfg = alembic_config(connection)
    cfg.attributes["schema"] = schema
    command.upgrade(cfg, "head")


def run_upgrade_blocking(url: str) -> None:
    async def _go() -> None:
        db = Database(url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(_go())


def make_revision(url: str, message: str, metadata: MetaData) -> None:
    """Autogenerate a migration against a database at head (a developer's command).

    ``metadata`` must know every table: the caller imports each area's store first.
    """

    def _revise(connection: Connection) -> None:
        cfg = alembic_config(connection)
        cfg.attributes["target_metadata"] = metadata
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)

    async def _go() -> None:
        db = Database(url)
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(_revise)
        finally:
            await db.dispose()

    asyncio.run(_go())
