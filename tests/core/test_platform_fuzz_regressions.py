"""Explicit regression tests for the defects the schema-driven property tests found
(tests/core/test_platform_fuzz_teams.py and test_platform_fuzz_slack.py), on both databases."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.store.models import OutboxMessage
from tests.conftest import BotEnv
from tests.harness import slack_signature


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name != "bot.scheduler.delivery"
    ]


async def _outbox(env: BotEnv) -> list[OutboxMessage]:
    async with env.runtime.db.session() as session:
        return list((await session.execute(select(OutboxMessage))).scalars())


def _sam(env: BotEnv) -> None:
    env.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }


# --- Teams ------------------------------------------------------------------------------------


async def test_a_teams_message_without_a_service_url_is_answered_not_failed(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """serviceUrl is optional in the schema; asking the connector who sent it used to fail."""
    activity = staffed.teams.activity("aad-stranger", text="help")
    del activity["serviceUrl"]
    with caplog.at_level(logging.WARNING):
        status, _ = await staffed.teams.send(activity)
    assert status in (200, 201)
    assert _errors(caplog) == []
    assert [m.card_name for m in await _outbox(staffed)] == ["not_in_directory"]


async def test_a_300_kb_teams_message_with_escaped_text_is_accepted(staffed: BotEnv) -> None:
    """JSON's \\u escapes make 300 KB of accented text 1.8 MB on the wire."""
    _sam(staffed)
    status, _ = await staffed.teams.say("aad-sam", "é" * 150_000)
    assert status in (200, 201)
    assert [m.card_name for m in await _outbox(staffed)] != []


async def test_a_teams_message_in_a_conversation_with_a_very_long_id_is_answered(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    _sam(staffed)
    activity = staffed.teams.activity("aad-sam", text="help", conversation_id="a:" + "x" * 600)
    with caplog.at_level(logging.WARNING):
        status, _ = await staffed.teams.send(activity)
    assert status in (200, 201)
    assert _errors(caplog) == []
    assert "help" in [m.card_name for m in await _outbox(staffed)]


# --- Slack ------------------------------------------------------------------------------------


def _signed(body: bytes) -> dict[str, str]:
    now = int(time.time())
    return {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": slack_signature(body, now)}


async def _post_payload(env: BotEnv, payload: dict[str, Any]) -> int:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _ = await env.slack.post_raw(body, "application/x-www-form-urlencoded", _signed(body))
    return status


USER = {"id": "USAM"}
VIEW = {"id": "V1", "type": "modal", "callback_id": "x", "state": {"values": {}}}


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "user": USER, "actions": []},
        {"type": "block_actions", "user": USER, "actions": [{"type": "button", "value": "v"}]},
        {"type": "block_actions", "user": USER, "actions": [{"action_id": 7}]},
        {"type": "view_submission", "user": USER, "view": {"id": "V1", "type": "modal"}},
        {"type": "view_submission", "user": USER, "view": {"id": "V1", "callback_id": "x"}},
        {"type": "view_closed", "user": USER, "view": {"id": "V1", "callback_id": "x"}},
    ],
    ids=[
        "no-actions",
        "action-without-id",
        "action-id-number",
        "view-without-callback",
        "view-without-type",
        "closed-view-without-type",
    ],
)
async def test_payloads_bolt_cannot_route_get_400_not_500(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture, payload: dict[str, Any]
) -> None:
    with caplog.at_level(logging.WARNING):
        assert await _post_payload(staffed, payload) == 400
    assert _errors(caplog) == []


async def test_well_formed_payloads_of_those_kinds_still_get_200(staffed: BotEnv) -> None:
    pressed = {"type": "static_select", "action_id": "a", "selected_option": {"value": "x"}}
    assert (
        await _post_payload(staffed, {"type": "block_actions", "user": USER, "actions": [pressed]})
        == 200
    )
    assert await _post_payload(staffed, {"type": "view_closed", "user": USER, "view": VIEW}) == 200


@pytest.mark.parametrize("kind", ["user_change", "team_join"])
async def test_events_the_bot_does_not_read_are_acknowledged_whatever_their_user(
    staffed: BotEnv, kind: str
) -> None:
    """user_change and team_join carry ``user`` as an object: a 400 would make Slack retry
    and, in time, turn the event subscription off."""
    event = {"type": kind, "user": {"id": "UNEW", "profile": {}}, "event_ts": "1.0"}
    status, _ = await staffed.slack.event(event)
    assert status == 200
