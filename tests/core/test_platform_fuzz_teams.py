"""Every activity shape the Bot Framework schema allows, POSTed to /api/messages of a running
bot (unauthenticated local mode): never a 5xx, a schema-valid activity is accepted, no
unexplained traceback, and a message from someone in the directory is always answered."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
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
from tests.core.platform_shapes import activity_schema, schema_activities, teams_activities
from tests.harness import FakeClock

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_N", "150")),
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    database=None,
    # No shrinking: each example is a request to a running bot, and the failing one is printed.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SAM = "aad-sam"
OK = {200, 201, 202}


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotEnv]:
    """One bot for all of a test's examples (SQLite: the endpoints are what is under test;
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
        env.connector.members[f"29:{SAM}"] = {
            "id": f"29:{SAM}",
            "aadObjectId": SAM,
            "email": "sam.sw@example.gov.uk",
        }
        env.connector.file_url("rows.csv", b"case,who\n1,sam\n")
        yield env
    finally:
        await stop_env(env)
        if schema:
            await _drop_schema(schema)


def _valid(activity: dict[str, Any]) -> bool:
    return jsonschema.Draft7Validator(activity_schema()).is_valid(activity)


def _unexplained(records: list[logging.LogRecord]) -> list[str]:
    """ERROR lines other than a failed turn's (which quotes the reference it was answered with)."""
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.ERROR and "reference" not in r.getMessage()
    ]


def _failures(records: list[logging.LogRecord]) -> list[str]:
    """ERROR lines from handling the request (the delivery worker's verdict on a reply that
    cannot be sent, say to an activity without a serviceUrl, is not about the request)."""
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.ERROR and r.name != "bot.scheduler.delivery"
    ]


async def _outbox_count(env: BotEnv) -> int:
    async with env.runtime.db.session() as session:
        return int(
            (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
        )


async def _check(env: BotEnv, caplog: pytest.LogCaptureFixture, activity: dict[str, Any]) -> Any:
    caplog.clear()
    status, body = await env.teams.send(activity)
    assert status < 500, (status, body)
    if _valid(activity):
        assert status in OK, (status, body)
    else:
        assert status in OK | {400}, (status, body)
    assert _failures(caplog.records) == []
    return status, body


@FUZZ
@given(data=st.data())
async def test_any_activity_is_accepted_without_a_failure(
    bot: BotEnv, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    activity = data.draw(
        teams_activities(
            service_url=bot.connector.url, file_url=bot.connector.url + "/files/rows.csv"
        )
    )
    with caplog.at_level(logging.WARNING):
        await _check(bot, caplog, activity)


@settings(FUZZ, max_examples=FUZZ.max_examples // 4)
@given(activity=schema_activities())
async def test_activities_straight_from_the_schema_never_fail(
    bot: BotEnv, caplog: pytest.LogCaptureFixture, activity: dict[str, Any]
) -> None:
    with caplog.at_level(logging.WARNING):
        await _check(bot, caplog, activity)


@settings(FUZZ, max_examples=FUZZ.max_examples // 3)
@given(data=st.data())
async def test_a_message_from_a_known_person_is_always_answered(
    bot: BotEnv, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    activity = data.draw(
        teams_activities(
            service_url=bot.connector.url,
            file_url=bot.connector.url + "/files/rows.csv",
            known=SAM,
            kind=data.draw(st.sampled_from(["message", "invoke"])),
        )
    )
    before = await _outbox_count(bot)
    with caplog.at_level(logging.WARNING):
        _, body = await _check(bot, caplog, activity)
    if activity["type"] == "invoke" and activity.get("name") == "adaptiveCard/action":
        assert isinstance(body, dict) and body.get("statusCode") == 200, body
    elif activity["type"] == "message":
        assert await _outbox_count(bot) > before, "a message from Sam was left unanswered"
