"""Platform correctness (issue 9), through the real endpoints: Teams tenants on new 1:1 chats,
schema-valid activities of every shape, a failed turn answered with an apology, Slack requests
checked before they are read, and absurd record ids in button payloads."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.store import directory
from bot.store.models import OutboxMessage
from tests.conftest import STAFF_CSV, BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock, card_of, slack_signature
from tests.nominations.support import deliver, dms_to, text_of

TENANT = "tenant-0001"

# --- 1. Teams: new 1:1 chats carry the tenant -------------------------------------------------


async def _add_to_team(env: BotEnv, member_aad: str, email: str) -> None:
    """Add the bot to a team whose roster has one person, as Teams does."""
    env.connector.members = {
        f"29:{member_aad}": {"id": f"29:{member_aad}", "aadObjectId": member_aad, "email": email}
    }
    env.connector.channels["team-x"] = [{"id": "19:gen@thread.tacv2", "name": None}]
    before = len(env.connector.calls_to("GET conversations/*/pagedmembers"))
    status, _ = await env.teams.send(
        env.teams.activity(
            member_aad,
            type="conversationUpdate",
            conversation_id="19:gen@thread.tacv2",
            conversation_type="channel",
            membersAdded=[{"id": env.teams.bot_id}],
            channelData={"team": {"id": "team-x", "name": "X"}, "tenant": {"id": TENANT}},
        )
    )
    assert status in (200, 201)
    await env.connector.wait_for("GET conversations/*/pagedmembers", before + 1)
    for _ in range(100):
        async with env.runtime.db.session() as session:
            person = await directory.person_by_identity(session, "teams", member_aad)
        if person is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the roster was not linked")


async def _teams_only(env: BotEnv, email: str) -> int:
    """Remove the person's Slack link so Teams is where their messages go."""
    async with env.runtime.db.session() as session:
        person = await directory.person_by_email(session, email)
        assert person is not None
        slack = await directory.identity_of(session, person.id, "slack")
        if slack is not None:
            await session.delete(slack)
        return person.id


async def _message(env: BotEnv, email: str, key: str, text: str) -> None:
    from tests.core.test_delivery import enqueue_to

    await enqueue_to(env, email, key, text)
    await deliver(env)


async def test_a_person_linked_from_the_roster_gets_a_chat_in_the_teams_tenant(
    staffed: BotEnv,
) -> None:
    await _add_to_team(staffed, "aad-finn", "finn.csw@example.gov.uk")
    await _teams_only(staffed, "finn.csw@example.gov.uk")
    await _message(staffed, "finn.csw@example.gov.uk", "m1", "first")
    creates = staffed.connector.calls_to("POST conversations")
    assert len(creates) == 1
    body = creates[0].params["body"]
    assert body["tenantId"] == TENANT
    assert body["channelData"]["tenant"]["id"] == TENANT
    assert [a["summary"] for a in staffed.connector.activities()] == ["first"]
    async with staffed.runtime.db.session() as session:
        dead = await session.execute(select(OutboxMessage).where(OutboxMessage.status == "dead"))
        assert dead.scalars().first() is None


async def test_teams_messages_keep_the_tenant_in_their_conversation_reference(
    staffed: BotEnv,
) -> None:
    staffed.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }
    status, _ = await staffed.teams.say("aad-sam", "help")
    assert status in (200, 201)
    async with staffed.runtime.db.session() as session:
        person = await directory.person_by_identity(session, "teams", "aad-sam")
        assert person is not None
        identity = await directory.identity_of(session, person.id, "teams")
    assert identity is not None and identity.conversation is not None
    assert identity.conversation["reference"]["conversation"]["tenantId"] == TENANT


async def _legacy_roster_link(env: BotEnv, email: str) -> None:
    """What a bot deployed before the fix has stored for someone linked from a roster: no
    tenant on the person, none on the team's channel."""
    async with env.runtime.db.session() as session:
        person = await directory.person_by_email(session, email)
        assert person is not None
        await directory.link_identity(
            session,
            person,
            "teams",
            "aad-legacy",
            env.clock(),
            {
                "member_id": "29:aad-legacy",
                "service_url": env.connector.url,
                "bot": {"id": "28:qabot", "name": "QA bot"},
            },
        )
        slack = await directory.identity_of(session, person.id, "slack")
        if slack is not None:
            await session.delete(slack)
        await directory.record_channel(
            session,
            platform="teams",
            conversation_id="19:old@thread.tacv2",
            name="Old",
            team_external_id="team-old",
            reference={
                "serviceUrl": env.connector.url,
                "channelId": "msteams",
                "conversation": {"id": "19:old@thread.tacv2", "conversationType": "channel"},
            },
            now=env.clock(),
        )


async def test_a_link_stored_before_the_fix_uses_the_configured_tenant(
    database: Database, clock: FakeClock
) -> None:
    env = await start_env(database, clock, microsoft_app_tenant_id=TENANT)
    try:
        await env.import_staff(STAFF_CSV)
        await _legacy_roster_link(env, "bea.csw@example.gov.uk")
        await _message(env, "bea.csw@example.gov.uk", "m1", "hello")
        creates = env.connector.calls_to("POST conversations")
        assert [c.params["body"]["channelData"]["tenant"]["id"] for c in creates] == [TENANT]
        assert [a["summary"] for a in env.connector.activities()] == ["hello"]
    finally:
        await stop_env(env)


async def test_a_link_stored_before_the_fix_uses_the_tenant_teams_sent_since(
    staffed: BotEnv,
) -> None:
    """No tenant configured (a multi-tenant registration): the tenant any later activity from
    Teams carried is used."""
    await _legacy_roster_link(staffed, "bea.csw@example.gov.uk")
    # The team's channel is seen again (a rename), now with its tenant recorded.
    await staffed.teams.send(
        staffed.teams.activity(
            "aad-someone",
            type="conversationUpdate",
            conversation_id="19:old@thread.tacv2",
            conversation_type="channel",
            channelData={
                "team": {"id": "team-old", "name": "Old"},
                "eventType": "channelRenamed",
                "channel": {"id": "19:old@thread.tacv2", "name": "Renamed"},
                "tenant": {"id": TENANT},
            },
        )
    )
    await _message(staffed, "bea.csw@example.gov.uk", "m1", "hello")
    creates = staffed.connector.calls_to("POST conversations")
    assert [c.params["body"]["tenantId"] for c in creates] == [TENANT]
    assert [a["summary"] for a in staffed.connector.activities()] == ["hello"]


async def test_without_any_known_tenant_no_chat_is_created_with_a_null_one(
    staffed: BotEnv,
) -> None:
    await _legacy_roster_link(staffed, "bea.csw@example.gov.uk")
    await _message(staffed, "bea.csw@example.gov.uk", "m1", "hello")
    assert staffed.connector.calls_to("POST conversations") == []
    async with staffed.runtime.db.session() as session:
        row = (
            await session.execute(select(OutboxMessage).where(OutboxMessage.dedupe_key == "m1"))
        ).scalar_one()
    assert row.status == "dead"
    assert "tenant" in (row.last_error or "")


# --- 2. Teams: every schema-valid activity is handled, a failed turn is answered ------------


def _without(activity: dict[str, Any], *path: str) -> dict[str, Any]:
    node = activity
    for key in path[:-1]:
        node = node[key]
    node.pop(path[-1], None)
    return activity


async def _reply_to(env: BotEnv, conversation: str, count: int = 1) -> list[dict[str, Any]]:
    await deliver(env)
    found = [
        c.params["body"]
        for c in env.connector.calls
        if c.method == "POST conversations/*/activities"
        and c.params["path"] == f"conversations/{conversation}/activities"
    ]
    assert len(found) >= count, [c.method for c in env.connector.calls]
    return found


@pytest.mark.parametrize(
    "missing",
    [("recipient",), ("from", "name"), ("channelData",), ("locale",), ("timestamp",)],
    ids=["no-recipient", "no-from-name", "no-channelData", "no-locale", "no-timestamp"],
)
async def test_a_schema_valid_teams_message_is_answered(
    staffed: BotEnv, missing: tuple[str, ...]
) -> None:
    activity = _without(staffed.teams.activity("aad-sam", text="help"), *missing)
    staffed.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }
    status, _ = await staffed.teams.send(activity)
    assert status in (200, 201)
    replies = await _reply_to(staffed, "a:personal-aad-sam")
    assert "my tasks" in json.dumps(card_of(replies[-1]))


async def test_the_smallest_schema_valid_activities_never_fail(staffed: BotEnv) -> None:
    """Only type, channelId and conversation are required."""
    conversation = {"id": "a:personal-nobody"}
    shapes: list[dict[str, Any]] = [
        {"type": "message", "channelId": "msteams", "conversation": conversation},
        {"type": "message", "channelId": "msteams", "conversation": conversation, "text": "hi"},
        {"type": "somethingNew", "channelId": "msteams", "conversation": conversation},
        {"type": "typing", "channelId": "msteams", "conversation": conversation},
        {"type": "conversationUpdate", "channelId": "msteams", "conversation": conversation},
        {"type": "installationUpdate", "channelId": "msteams", "conversation": conversation},
        {"type": "invoke", "channelId": "msteams", "conversation": conversation},
        {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "channelId": "msteams",
            "conversation": conversation,
        },
        {"type": "messageReaction", "channelId": "msteams", "conversation": conversation},
        {"type": "event", "name": "x", "channelId": "msteams", "conversation": conversation},
    ]
    for shape in shapes:
        status, body = await staffed.teams.send(shape)
        assert status < 500, (shape, status, body)
    # And the bot still answers a normal message.
    staffed.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }
    await staffed.teams.say("aad-sam", "help")
    await _reply_to(staffed, "a:personal-aad-sam")


def _reference_in(text: str) -> str:
    found = re.search(r"reference ([0-9a-f]{8})", text)
    assert found, text
    return found.group(1)


async def test_a_teams_message_whose_turn_fails_is_answered_with_an_apology(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(staffed.runtime.teams, "_turn", broken)
    with caplog.at_level(logging.ERROR):
        status, _ = await staffed.teams.say("aad-sam", "help")
        assert status in (200, 201)
        replies = await _reply_to(staffed, "a:personal-aad-sam")
    text = json.dumps(card_of(replies[-1]))
    assert "Something went wrong" in text
    assert _reference_in(text) in caplog.text


async def test_a_teams_card_action_whose_turn_fails_is_answered_with_an_apology(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(staffed.runtime.teams, "_turn", broken)
    with caplog.at_level(logging.ERROR):
        status, body = await staffed.teams.execute("aad-sam", "tasks.show", {})
    assert status == 200, body
    text = json.dumps(body)
    assert "Something went wrong" in text
    assert _reference_in(text) in caplog.text


async def test_a_slack_event_whose_turn_fails_is_answered_with_an_apology(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(staffed.runtime.slack, "_message", broken)
    with caplog.at_level(logging.ERROR):
        status, _ = await staffed.slack.dm("USAM", "help")
        assert status == 200
        await deliver(staffed)
    replies = [text_of(m) for m in dms_to(staffed, "USAM")]
    assert len(replies) == 1 and "Something went wrong" in replies[0]
    assert _reference_in(replies[0]) in caplog.text


async def test_a_slack_command_whose_turn_fails_is_answered_with_an_apology(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(staffed.runtime.bot, "handle", broken)
    with caplog.at_level(logging.ERROR):
        status, body = await staffed.slack.command("USAM", "help")
    assert status == 200, body
    assert "Something went wrong" in body
    assert _reference_in(body) in caplog.text


# --- 3. Slack: the signature is checked on the raw bytes first ------------------------------

GOOD_COMMAND = urlencode(
    {"team_id": "T0DEMO", "user_id": "USAM", "command": "/qa", "text": "help", "trigger_id": "t"}
).encode()
BODIES: list[tuple[str, bytes, str]] = [
    ("command", GOOD_COMMAND, "application/x-www-form-urlencoded"),
    ("truncated-json", b'{"type": "event_callback", "event": {"ty', "application/json"),
    ("json-array", b'[{"type": "event_callback"}]', "application/json"),
    ("json-string", b'"hello"', "application/json"),
    ("undecodable", b"\xff\xfe\xfa payload=\xc3\x28", "application/x-www-form-urlencoded"),
    ("broken-payload", b"payload=%7B%22type%22%3A", "application/x-www-form-urlencoded"),
    ("payload-array", b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    ("empty", b"", "application/json"),
    ("not-form", b"&&&===&&", "application/x-www-form-urlencoded"),
    ("huge-number", b'{"type": 1e999999}', "application/json"),
]


def _signed(body: bytes, *, ts: str | None = None, secret: str | None = None) -> dict[str, str]:
    timestamp = ts if ts is not None else str(int(time.time()))
    signature = slack_signature(body, timestamp, *(() if secret is None else (secret,)))
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def _unsigned_headers(body: bytes) -> list[tuple[str, dict[str, str]]]:
    now = int(time.time())
    return [
        ("no-headers", {}),
        ("no-signature", {"X-Slack-Request-Timestamp": str(now)}),
        ("forged", _signed(body, secret="not-the-secret")),
        ("stale", _signed(body, ts=str(now - 6 * 60))),
        ("future", _signed(body, ts=str(now + 6 * 60))),
        ("text-timestamp", _signed(body, ts="soon")),
        ("float-timestamp", _signed(body, ts=f"{now}.5")),
        ("huge-timestamp", _signed(body, ts="9" * 40)),
        ("garbled-signature", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0="}),
        ("other-version", {**_signed(body), "X-Slack-Signature": "v1=" + "0" * 64}),
    ]


async def test_unsigned_stale_or_forged_slack_requests_get_401_whatever_their_body(
    staffed: BotEnv,
) -> None:
    outcomes: dict[str, int] = {}
    for name, body, content_type in BODIES:
        for how, headers in _unsigned_headers(body):
            status, _ = await staffed.slack.post_raw(body, content_type, headers)
            outcomes[f"{name}/{how}"] = status
    assert {k: v for k, v in outcomes.items() if v != 401} == {}
    assert staffed.slack_api.calls_to("users.info") == []


def _form(**payload: Any) -> tuple[bytes, str]:
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def _command(**fields: str) -> tuple[bytes, str]:
    return urlencode(fields).encode(), "application/x-www-form-urlencoded"


def _event(event: Any, **envelope: Any) -> tuple[bytes, str]:
    body = {"type": "event_callback", "team_id": "T0DEMO", "event_id": "EvX", **envelope}
    if event is not ...:
        body["event"] = event
    return json.dumps(body).encode(), "application/json"


SIGNED_MALFORMED: list[tuple[str, tuple[bytes, str]]] = [
    ("truncated-json", (BODIES[1][1], "application/json")),
    ("json-array", (BODIES[2][1], "application/json")),
    ("json-string", (BODIES[3][1], "application/json")),
    ("undecodable", (BODIES[4][1], "application/x-www-form-urlencoded")),
    ("broken-payload", (BODIES[5][1], "application/x-www-form-urlencoded")),
    ("payload-array", (BODIES[6][1], "application/x-www-form-urlencoded")),
    ("empty", (b"", "application/json")),
    ("empty-form", (b"", "application/x-www-form-urlencoded")),
    ("command-without-user", _command(command="/qa", text="help", team_id="T0DEMO")),
    ("command-without-command", _command(user_id="USAM", text="help")),
    ("command-empty-user", _command(command="/qa", user_id="", text="help")),
    ("actions-without-user", _form(type="block_actions", actions=[{"action_id": "a"}])),
    ("actions-user-string", _form(type="block_actions", user="USAM", actions=[])),
    ("actions-user-without-id", _form(type="block_actions", user={}, actions=[])),
    ("actions-as-string", _form(type="block_actions", user={"id": "USAM"}, actions="press")),
    ("actions-of-strings", _form(type="block_actions", user={"id": "USAM"}, actions=["x"])),
    (
        "action-value-object",
        _form(
            type="block_actions",
            user={"id": "USAM"},
            actions=[{"action_id": "a", "value": {"verb": "tasks.show"}}],
        ),
    ),
    ("view-without-view", _form(type="view_submission", user={"id": "USAM"})),
    ("view-as-string", _form(type="view_submission", user={"id": "USAM"}, view="v")),
    ("view-without-user", _form(type="view_submission", view={"id": "V1", "callback_id": "x"})),
    (
        "view-state-string",
        _form(
            type="view_submission",
            user={"id": "USAM"},
            view={"id": "V1", "callback_id": "x", "state": "s"},
        ),
    ),
    ("payload-without-type", _form(user={"id": "USAM"})),
    ("unknown-payload-type", _form(type="shortcut_of_the_future", user={"id": "USAM"})),
    ("event-as-string", _event("message")),
    ("event-missing", _event(...)),
    ("event-without-type", _event({"user": "USAM", "text": "help", "channel_type": "im"})),
    (
        "dm-user-object",
        _event({"type": "message", "channel_type": "im", "user": {"id": "USAM"}, "text": "x"}),
    ),
    ("dm-without-channel", _event({"type": "message", "channel_type": "im", "user": "USAM"})),
    (
        "dm-text-number",
        _event(
            {"type": "message", "channel_type": "im", "user": "USAM", "channel": "DSAM", "text": 7}
        ),
    ),
    (
        "dm-files-string",
        _event(
            {
                "type": "message",
                "channel_type": "im",
                "user": "USAM",
                "channel": "DSAM",
                "files": "f",
            }
        ),
    ),
    ("mention-without-channel", _event({"type": "app_mention", "user": "USAM", "text": "hi"})),
    ("home-user-list", _event({"type": "app_home_opened", "user": ["USAM"], "tab": "home"})),
    ("url-verification-without-challenge", (b'{"type": "url_verification"}', "application/json")),
    ("type-number", (b'{"type": 7}', "application/json")),
]


async def test_signed_but_malformed_slack_requests_get_200_or_400_never_500(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes: dict[str, int] = {}
    with caplog.at_level(logging.WARNING):
        for name, (body, content_type) in SIGNED_MALFORMED:
            status, _ = await staffed.slack.post_raw(body, content_type, _signed(body))
            outcomes[name] = status
        await staffed.runtime.settled()
        await deliver(staffed)
    assert {k: v for k, v in outcomes.items() if v not in (200, 400)} == {}
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert tracebacks == [], [r.getMessage() for r in tracebacks]
    # Nothing was done for anyone: no message, no modal, no lookup (Bolt checks its token once).
    assert [c.method for c in staffed.slack_api.calls if c.method != "auth.test"] == []
    # And a proper request still works.
    status, body = await staffed.slack.command("USAM", "help")
    assert status == 200 and "my tasks" in body


# --- 4. Absurd record ids ---------------------------------------------------------------------

ABSURD_IDS: list[Any] = [
    10**30,
    2**31,
    -1,
    -(10**30),
    1.5,
    1e300,
    "1000000000000000000000000000000",
    "-5",
    "12abc",
    True,
    None,
    [1],
    {"id": 1},
]
BUTTONS = [("alloc.done", "a"), ("action.done", "x"), ("alloc.cycle.show", "c")]


def _is_out_of_date(text: str) -> bool:
    return "out of date" in text and "Something went wrong" not in text


async def test_absurd_ids_in_slack_buttons_are_out_of_date(staffed: BotEnv) -> None:
    pressed = 0
    for verb, key in BUTTONS:
        for value in ABSURD_IDS:
            button = {
                "action_id": f"{verb}:0",
                "value": json.dumps({"verb": verb, "data": {key: value}}),
            }
            status, _ = await staffed.slack.press("UQUINN", button)
            assert status == 200
            pressed += 1
    await deliver(staffed)
    replies = [text_of(m) for m in dms_to(staffed, "UQUINN")]
    assert len(replies) == pressed
    assert [r for r in replies if not _is_out_of_date(r)] == []


async def test_absurd_ids_in_teams_card_actions_are_out_of_date(staffed: BotEnv) -> None:
    staffed.connector.members["29:aad-quinn"] = {
        "id": "29:aad-quinn",
        "aadObjectId": "aad-quinn",
        "email": "quinn.qa@example.gov.uk",
    }
    for verb, key in BUTTONS:
        for value in ABSURD_IDS:
            status, body = await staffed.teams.execute("aad-quinn", verb, {key: value})
            assert status == 200, body
            assert _is_out_of_date(json.dumps(body)), (verb, value, body)


async def test_absurd_ids_in_teams_submits_are_out_of_date(staffed: BotEnv) -> None:
    staffed.connector.members["29:aad-quinn"] = {
        "id": "29:aad-quinn",
        "aadObjectId": "aad-quinn",
        "email": "quinn.qa@example.gov.uk",
    }
    sent = 0
    for verb, key in BUTTONS:
        for value in ABSURD_IDS:
            activity = staffed.teams.activity("aad-quinn", value={"verb": verb, key: value})
            status, _ = await staffed.teams.send(activity)
            assert status in (200, 201)
            sent += 1
    replies = await _reply_to(staffed, "a:personal-aad-quinn", sent)
    texts = [json.dumps(card_of(r)) for r in replies]
    assert [t for t in texts if not _is_out_of_date(t)] == []


async def test_an_absurd_allocation_number_typed_is_no_such_allocation(staffed: BotEnv) -> None:
    status, body = await staffed.slack.command("UQUINN", "allocation 99999999999999999999")
    assert status == 200
    assert "No such allocation" in body
