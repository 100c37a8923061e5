"""Every activity shape the Bot Framework schema allows, POSTed to /api/messages of a running
bot (unauthenticated local mode): never a 5xx, a schema-valid activity is accepted, no
unexplained traceback, and a message from someone in the directory is always answered."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import BotEnv
from tests.core.fuzz_support import failures, fuzz_settings, outbox_count, staffed_bot
from tests.core.platform_shapes import activity_schema, schema_activities, teams_activities
from tests.harness import FakeClock

FUZZ = fuzz_settings(150)
SAM = "aad-sam"
OK = {200, 201, 202}


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotEnv]:
    """One bot for all of a test's examples."""
    async with staffed_bot(tmp_path, clock) as env:
        env.connector.members[f"29:{SAM}"] = {
            "id": f"29:{SAM}",
            "aadObjectId": SAM,
            "email": "sam.sw@example.gov.uk",
        }
        env.connector.file_url("rows.csv", b"case,who\n1,sam\n")
        yield env


def _valid(activity: dict[str, Any]) -> bool:
    return jsonschema.Draft7Validator(activity_schema()).is_valid(activity)


async def _check(env: BotEnv, caplog: pytest.LogCaptureFixture, activity: dict[str, Any]) -> Any:
    caplog.clear()
    status, body = await env.teams.send(activity)
    assert status < 500, (status, body)
    if _valid(activity):
        assert status in OK, (status, body)
    else:
        assert status in OK | {400}, (status, body)
    assert failures(caplog.records) == []
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
    before = await outbox_count(bot)
    with caplog.at_level(logging.WARNING):
        _, body = await _check(bot, caplog, activity)
    if activity["type"] == "invoke" and activity.get("name") == "adaptiveCard/action":
        assert isinstance(body, dict) and body.get("statusCode") == 200, body
    elif activity["type"] == "message":
        assert await outbox_count(bot) > before, "a message from Sam was left unanswered"
