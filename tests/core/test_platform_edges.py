"""Installation, authentication and the less common Slack surfaces."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from bot.store import directory
from bot.store.models import ChannelLink, OutboxMessage
from tests.conftest import BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock


async def test_teams_personal_install_links_the_person(staffed: BotEnv) -> None:
    staffed.connector.members["29:aad-priya"] = {
        "id": "29:aad-priya",
        "aadObjectId": "aad-priya",
        "email": "Priya.SW@example.gov.uk",
    }
    activity = staffed.teams.activity(
        "aad-priya",
        type="conversationUpdate",
        membersAdded=[{"id": staffed.teams.bot_id}],
    )
    status, _ = await staffed.teams.send(activity)
    assert status in (200, 201)
    async with staffed.runtime.db.session() as session:
        person = await directory.person_by_identity(session, "teams", "aad-priya")
        assert person is not None and person.email == "priya.sw@example.gov.uk"
        identity = await directory.identity_of(session, person.id, "teams")
    assert identity is not None and identity.conversation is not None
    reference = identity.conversation["reference"]
    assert reference["conversation"]["id"] == "a:personal-aad-priya"
    assert reference["serviceUrl"] == staffed.connector.url


async def test_teams_team_install_records_channels_and_links_the_roster(staffed: BotEnv) -> None:
    staffed.connector.members = {
        "29:aad-bea": {
            "id": "29:aad-bea",
            "aadObjectId": "aad-bea",
            "email": "bea.csw@example.gov.uk",
        },
        "29:aad-out": {"id": "29:aad-out", "aadObjectId": "aad-out", "email": "outsider@else.org"},
    }
    staffed.connector.channels["team-csw"] = [
        {"id": "19:general@thread.tacv2", "name": None},
        {"id": "19:votes@thread.tacv2", "name": "csw-group"},
    ]
    activity = staffed.teams.activity(
        "aad-bea",
        type="conversationUpdate",
        conversation_id="19:general@thread.tacv2",
        conversation_type="channel",
        membersAdded=[{"id": staffed.teams.bot_id}],
        channelData={
            "team": {"id": "team-csw", "name": "CSW group"},
            "eventType": "teamMemberAdded",
            "tenant": {"id": "tenant-0001"},
        },
    )
    status, _ = await staffed.teams.send(activity)
    assert status in (200, 201)
    for _ in range(50):  # the roster is read after the turn has been answered
        async with staffed.runtime.db.session() as session:
            links = {c.name: c for c in (await session.execute(select(ChannelLink))).scalars()}
            bea = await directory.person_by_identity(session, "teams", "aad-bea")
        if "csw-group" in links and bea is not None:
            break
        await asyncio.sleep(0.05)
    assert links["csw-group"].conversation_id == "19:votes@thread.tacv2"
    assert bea is not None and bea.email == "bea.csw@example.gov.uk"
    # A post to the CSW group's route now reaches that Teams channel.
    from tests.core.test_delivery import note

    async with staffed.runtime.db.session() as session:
        ctx = staffed.runtime.bot.context(session, None)
        await ctx.outbox.to_route("csw_group", note("vote now"), key="v1", kind="vote")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    posts = [c for c in staffed.connector.calls if c.params["path"].endswith("/activities")]
    assert posts[-1].params["path"] == "conversations/19:votes@thread.tacv2/activities"


async def test_teams_proactive_message_creates_the_personal_chat_once(staffed: BotEnv) -> None:
    """Someone linked from the roster but never messaged gets a 1:1 chat created for them."""
    staffed.connector.members = {
        "29:aad-finn": {
            "id": "29:aad-finn",
            "aadObjectId": "aad-finn",
            "email": "finn.csw@example.gov.uk",
        },
    }
    staffed.connector.channels["team-x"] = [{"id": "19:gen@thread.tacv2", "name": None}]
    await staffed.teams.send(
        staffed.teams.activity(
            "aad-finn",
            type="conversationUpdate",
            conversation_id="19:gen@thread.tacv2",
            conversation_type="channel",
            membersAdded=[{"id": staffed.teams.bot_id}],
            channelData={"team": {"id": "team-x", "name": "X"}, "tenant": {"id": "tenant-0001"}},
        )
    )
    await staffed.connector.wait_for("GET conversations/*/pagedmembers")
    await asyncio.sleep(0.2)
    from tests.core.test_delivery import enqueue_to

    # Finn's Slack link is removed so Teams is his only platform.
    async with staffed.runtime.db.session() as session:
        finn = await directory.person_by_email(session, "finn.csw@example.gov.uk")
        slack = await directory.identity_of(session, finn.id, "slack")  # type: ignore[union-attr]
        await session.delete(slack)
    await enqueue_to(staffed, "finn.csw@example.gov.uk", "m1", "first")
    await enqueue_to(staffed, "finn.csw@example.gov.uk", "m2", "second")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    creates = staffed.connector.calls_to("POST conversations")
    assert len(creates) == 1
    assert creates[0].params["body"]["members"] == [{"id": "29:aad-finn"}]
    summaries = [a["summary"] for a in staffed.connector.activities()]
    assert summaries[-2:] == ["first", "second"]


async def test_teams_request_without_a_valid_token_is_refused_when_an_app_id_is_set(
    database: Database,
) -> None:
    env = await start_env(
        database,
        FakeClock(__import__("tests.conftest", fromlist=["DEFAULT_NOW"]).DEFAULT_NOW),
        microsoft_app_id="11111111-2222-3333-4444-555555555555",
        microsoft_app_password="not-a-real-secret",
        microsoft_app_tenant_id="tenant-0001",
    )
    try:
        activity = env.teams.activity("aad-sam", text="help")
        status, _ = await env.teams.send(activity)
        assert status == 401
        status, _ = await env.teams.send(activity, headers={"Authorization": "Bearer not.a.jwt"})
        assert status == 401
        assert env.connector.activities() == []
    finally:
        await stop_env(env)


async def test_slack_app_mention_is_answered_in_the_thread(staffed: BotEnv) -> None:
    event = {
        "type": "app_mention",
        "user": "USAM",
        "channel": "C0TEAM",
        "ts": "1700000001.000100",
        "text": "<@UQABOT> my tasks",
    }
    status, _ = await staffed.slack.event(event)
    assert status == 200
    calls = await staffed.slack_api.wait_for("chat.postMessage")
    assert calls[0].params["channel"] == "C0TEAM"
    assert calls[0].params["thread_ts"] == "1700000001.000100"
    assert "nothing open right now" in json.dumps(calls[0].params["blocks"])


async def test_slack_app_home_shows_my_tasks(staffed: BotEnv) -> None:
    status, _ = await staffed.slack.event(
        {"type": "app_home_opened", "user": "USAM", "tab": "home", "channel": "DSAM"}
    )
    assert status == 200
    (call,) = await staffed.slack_api.wait_for("views.publish")
    assert call.params["user_id"] == "USAM"
    assert call.params["view"]["type"] == "home"
    assert "My tasks" in json.dumps(call.params["view"]["blocks"])


async def test_bot_messages_and_channel_chatter_are_ignored(staffed: BotEnv) -> None:
    await staffed.slack.event(
        {
            "type": "message",
            "channel": "C0TEAM",
            "channel_type": "channel",
            "user": "USAM",
            "text": "help",
            "ts": "1.1",
        }
    )
    await staffed.slack.event(
        {
            "type": "message",
            "channel": "DSAM",
            "channel_type": "im",
            "bot_id": "BQABOT",
            "text": "help",
            "ts": "1.2",
        }
    )
    await asyncio.sleep(0.2)
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    assert staffed.slack_api.calls_to("chat.postMessage") == []


async def test_two_workers_never_send_the_same_message(staffed: BotEnv) -> None:
    """Two delivery workers (as two replicas would run) drain one outbox: each row sent once."""
    from bot.scheduler.delivery import DeliveryWorker
    from tests.core.test_delivery import note

    runtime = staffed.runtime
    runtime.worker.stop()  # type: ignore[union-attr]  # only the two workers below send
    await asyncio.sleep(0.05)
    async with runtime.db.session() as session:
        ctx = runtime.bot.context(session, None)
        people = await directory.active_people(session)
        for i in range(60):
            person = people[i % len(people)]
            await ctx.outbox.to_person(person.id, note(f"n{i}"), key=f"n{i}", kind="reminder")
    second = DeliveryWorker(
        runtime.db,
        runtime.worker.senders,
        {},
        runtime.framework,
        runtime.clock,  # type: ignore[union-attr]
        batch_size=7,
    )
    first = DeliveryWorker(
        runtime.db,
        runtime.worker.senders,
        {},
        runtime.framework,
        runtime.clock,  # type: ignore[union-attr]
        batch_size=5,
    )
    for _ in range(20):
        await asyncio.gather(first.drain_once(), second.drain_once())
    texts = [c.params["text"] for c in staffed.slack_api.calls_to("chat.postMessage")]
    assert sorted(texts) == sorted(f"n{i}" for i in range(60))
    async with runtime.db.session() as session:
        statuses = {r.status for r in (await session.execute(select(OutboxMessage))).scalars()}
    assert statuses == {"sent"}


@pytest.mark.parametrize("body", [b"", b"[]", b'{"type": ""}'])
async def test_teams_bodies_that_are_not_activities_get_400(env: BotEnv, body: bytes) -> None:
    async with env.http.post(
        f"{env.base_url}/api/messages", data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
