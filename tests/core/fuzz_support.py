"""What the platform fuzz tests (test_platform_fuzz_slack.py, test_platform_fuzz_teams.py)
share: hypothesis settings, one running bot for all of a test's examples, and what they check
after each request."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from sqlalchemy import func, select

from bot.store.models import OutboxMessage
from tests.conftest import (
    POSTGRES_URL,
    STAFF_CSV,
    BotEnv,
    Database,
    _drop_schema,
    _postgres_schema,
    start_env,
    stop_env,
)
from tests.harness import FakeClock


def fuzz_settings(examples: int) -> settings:
    """``examples`` per test unless FUZZ_N says otherwise; FUZZ_RANDOM=1 for a random search."""
    return settings(
        max_examples=int(os.environ.get("FUZZ_N", str(examples))),
        deadline=None,
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
        database=None,
        # No shrinking: each example is a request to a running bot, and the failing one is
        # printed.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@asynccontextmanager
async def staffed_bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotEnv]:
    """A running bot with the harness's staff (SQLite: the endpoints are what is under test;
    FUZZ_POSTGRES=1 for PostgreSQL, which enforces column types and lengths)."""
    schema = await _postgres_schema() if os.environ.get("FUZZ_POSTGRES") == "1" else None
    database = (
        Database(POSTGRES_URL, schema)
        if schema
        else Database(f"sqlite+aiosqlite:///{tmp_path / 'qabot.db'}", None)
    )
    env = await start_env(database, clock)
    try:
        report = await env.import_staff(STAFF_CSV)
        assert not report.errors  # type: ignore[attr-defined]
        yield env
    finally:
        await stop_env(env)
        if schema:
            await _drop_schema(schema)


def failures(records: list[logging.LogRecord]) -> list[str]:
    """ERROR lines from handling the request (the delivery worker's verdict on a reply that
    cannot be sent, say to an activity without a serviceUrl, is not about the request)."""
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.ERROR and r.name != "bot.scheduler.delivery"
    ]


async def outbox_count(env: BotEnv) -> int:
    async with env.runtime.db.session() as session:
        query = select(func.count()).select_from(OutboxMessage)
        return int((await session.execute(query)).scalar_one())
