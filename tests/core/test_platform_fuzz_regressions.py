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


async def test_two_messages_in_a_conversation_with_a_very_long_id_are_both_answered(
    staffed: BotEnv,
) -> None:
    """The store keeps 300 characters of a key: both used to be taken for one message."""
    _sam(staffed)
    conversation = "a:" + "x" * 600
    for text in ("help", "my tasks"):
        status, _ = await staffed.teams.send(
            staffed.teams.activity("aad-sam", text=text, conversation_id=conversation)
        )
        assert status in (200, 201)
    names = [m.card_name for m in await _outbox(staffed)]
    assert "help" in names and len(names) >= 2, names


def _mentioning(env: BotEnv, text: str | None, mention: dict[str, Any]) -> dict[str, Any]:
    activity = env.teams.activity(
        "aad-sam", text=text, conversation_type="channel", conversation_id="19:gen@thread.tacv2"
    )
    activity["entities"] = [{"type": "mention", **mention}]
    return activity


BOT = {"id": "28:qabot", "name": "QA bot"}


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("<at>QA bot</at> help", {"mentioned": BOT, "text": "<at>QA bot</at>"}),
        ("<at>QA bot</at> help", {"mentioned": "28:qabot", "text": "<at>QA bot</at>"}),
        ("<at>QA bot</at> help", {"mentioned": {"name": "QA bot"}}),
        ("<at>QA bot</at> help", {"mentioned": BOT, "text": 7}),
        (None, {"mentioned": BOT, "text": "<at>QA bot</at>"}),
        ("<at>QA (bot) [1]</at> help", {"mentioned": BOT, "text": "<at>QA (bot) [1]</at>"}),
        ("<at>QA bot</at> help", {"mentioned": BOT}),
    ],
    ids=[
        "as-teams-sends-it",
        "mentioned-string",
        "mentioned-without-id",
        "text-number",
        "no-message-text",
        "brackets-in-name",
        "no-mention-text",
    ],
)
async def test_any_mention_entity_is_read_without_failing(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture, text: str | None, mention: dict[str, Any]
) -> None:
    """An Entity only needs a ``type``; botbuilder's mention removal failed on the rest, and
    used the bot's name as a regular expression."""
    _sam(staffed)
    with caplog.at_level(logging.WARNING):
        status, _ = await staffed.teams.send(_mentioning(staffed, text, mention))
    assert status in (200, 201)
    assert _errors(caplog) == []
    names = [m.card_name for m in await _outbox(staffed)]
    # A mention that names the bot is taken out of the text; one that does not say whom it
    # names is left in (and the text is then not a command).
    names_the_bot = isinstance(mention.get("mentioned"), dict) and "id" in mention["mentioned"]
    assert names == (["help"] if names_the_bot else ["unknown_command"]), names


ODD_CHANNEL_DATA: list[dict[str, Any]] = [
    {"team": [["x"], True]},
    {"team": "team-x"},
    {"team": {"id": 7, "name": ["X"]}},
    {"team": {"id": "team-x"}, "eventType": "channelCreated", "channel": "19:new"},
]


async def test_installs_with_channel_data_of_any_shape_do_not_fail(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """``channelData`` has no shape in the Activity schema (a list as ``team`` used to fail)."""
    for kind in ("installationUpdate", "conversationUpdate"):
        for channel_data in ODD_CHANNEL_DATA:
            activity = staffed.teams.activity(
                "aad-sam",
                type=kind,
                conversation_type="channel",
                conversation_id="19:gen@thread.tacv2",
                membersAdded=[{"id": staffed.teams.bot_id}],
                channelData=channel_data,
            )
            with caplog.at_level(logging.WARNING):
                status, _ = await staffed.teams.send(activity)
            assert status in (200, 201), (kind, channel_data)
    assert _errors(caplog) == []


async def test_nul_characters_in_an_activity_do_not_fail_the_turn(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """JSON allows "\\u0000" in a string; PostgreSQL cannot store it."""
    _sam(staffed)
    activity = staffed.teams.activity("aad-sam", text="he\x00lp")
    activity["from"]["id"] = "29:aad-\x00sam"
    activity["conversation"]["id"] = "a:personal-\x00aad-sam"
    with caplog.at_level(logging.WARNING):
        status, _ = await staffed.teams.send(activity)
    assert status in (200, 201)
    assert _errors(caplog) == []
    assert [m.card_name for m in await _outbox(staffed)] == ["help"]


async def test_a_failed_member_lookup_does_not_leave_someone_out_of_the_directory(
    staffed: BotEnv,
) -> None:
    """Who someone is could not be checked (the connector did not answer): the next message
    checks again rather than answering "not in the directory" for a minute."""
    _sam(staffed)
    unreachable = staffed.teams.activity("aad-sam", text="help")
    unreachable["serviceUrl"] = "http://127.0.0.1:9"
    await staffed.teams.send(unreachable)
    await staffed.teams.say("aad-sam", "help")
    names = [m.card_name for m in await _outbox(staffed)]
    assert names[-1] == "help", names


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
        {"type": "block_actions", "user": USER, "actions": [{"action_id": "a"}], "view": None},
    ],
    ids=[
        "no-actions",
        "action-without-id",
        "action-id-number",
        "view-without-callback",
        "view-without-type",
        "closed-view-without-type",
        "view-null",
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
