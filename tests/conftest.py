"""Fixtures: a fresh database per test on SQLite and on PostgreSQL, fake platform servers,
and a running bot wired to them."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.config import load_framework, load_settings
from bot.runtime import Runtime
from tests.fakes import FakeConnector, FakeSlackApi
from tests.harness import BOT_TOKEN, SIGNING_SECRET, FakeClock, SlackClient, TeamsClient

POSTGRES_URL = os.environ.get(
    "QABOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("QABOT_REQUIRE_POSTGRES") == "1"
# Monday 23 November 2026, 10:00 in London (GMT).
DEFAULT_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass
class Database:
    url: str
    schema: str | None


async def _postgres_schema() -> str:
    import asyncpg

    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
    except Exception as exc:
        message = f"PostgreSQL at {dsn} is not reachable: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(message + " (QABOT_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema


async def _drop_schema(schema: str) -> None:
    import asyncpg

    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        yield Database(f"sqlite+aiosqlite:///{tmp_path / 'qabot.db'}", None)
        return
    schema = await _postgres_schema()
    try:
        yield Database(POSTGRES_URL, schema)
    finally:
        await _drop_schema(schema)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(DEFAULT_NOW)


@dataclass
class BotEnv:
    runtime: Runtime
    base_url: str
    slack_api: FakeSlackApi
    connector: FakeConnector
    slack: SlackClient
    teams: TeamsClient
    http: aiohttp.ClientSession
    clock: FakeClock

    async def import_staff(self, csv_text: str) -> object:
        from bot.admin import import_staff

        return await import_staff(self.runtime, csv_text)


STAFF_CSV = """email,name,roles,team,service,manager_email,slack_user_id
helen.hos@example.gov.uk,Helen Head,head_of_service,Leadership,SW,,UHELEN
tess.tm@example.gov.uk,Tess Manager,team_manager,Taunton CP,SW,helen.hos@example.gov.uk,UTESS
sam.sw@example.gov.uk,Sam Social,practitioner,Taunton CP,SW,tess.tm@example.gov.uk,USAM
priya.sw@example.gov.uk,Priya Patel,practitioner,Yeovil CiC,SW,tess.tm@example.gov.uk,UPRIYA
chris.csw@example.gov.uk,Chris Consultant,csw,CSW group,SW,helen.hos@example.gov.uk,UCHRIS
bea.csw@example.gov.uk,Bea Consultant,csw,CSW group,SW,helen.hos@example.gov.uk,UBEA
finn.csw@example.gov.uk,Finn Consultant,csw,CSW group,SW,helen.hos@example.gov.uk,UFINN
quinn.qa@example.gov.uk,Quinn Improvement,qa_team,SIT,SW,helen.hos@example.gov.uk,UQUINN
"""


async def start_env(
    database: Database, clock: FakeClock, *, framework: str = "somerset", **settings: object
) -> BotEnv:
    slack_api = FakeSlackApi()
    connector = FakeConnector()
    await slack_api.start()
    await connector.start()
    values: dict[str, object] = {
        "database_url": database.url,
        "framework": framework,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack_api.api_url,
        "microsoft_app_id": "",
        **settings,
    }
    config = load_settings(**values)
    runtime = Runtime(
        config,
        load_framework(framework),
        clock=clock,
        db_schema=database.schema,
        run_scheduler=False,
    )
    await runtime.start()
    await runtime.serve("127.0.0.1", 0)
    base_url = f"http://127.0.0.1:{runtime.port}"
    http = aiohttp.ClientSession()
    return BotEnv(
        runtime=runtime,
        base_url=base_url,
        slack_api=slack_api,
        connector=connector,
        slack=SlackClient(http, base_url, settle=runtime.settled),
        teams=TeamsClient(http, base_url, connector.url, settle=runtime.settled),
        http=http,
        clock=clock,
    )


async def stop_env(env: BotEnv) -> None:
    await env.http.close()
    await env.runtime.stop()
    await env.slack_api.stop()
    await env.connector.stop()


@pytest.fixture
async def env(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    bot_env = await start_env(database, clock)
    try:
        yield bot_env
    finally:
        await stop_env(bot_env)


@pytest.fixture
async def staffed(env: BotEnv) -> BotEnv:
    """A running bot with a small directory (Slack ids linked through the CSV)."""
    report = await env.import_staff(STAFF_CSV)
    assert not report.errors, report.errors  # type: ignore[attr-defined]
    for uid, email in [
        ("UHELEN", "helen.hos@example.gov.uk"),
        ("USAM", "sam.sw@example.gov.uk"),
        ("UCHRIS", "chris.csw@example.gov.uk"),
    ]:
        env.slack_api.users[uid] = email
    return env
