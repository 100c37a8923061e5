"""Engine, sessions and migrations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
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
        await self.engine.dispose()


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
