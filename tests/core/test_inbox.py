"""The inbox: what the platforms were told arrived is handled, once, even across a restart."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.cards.blockkit import button_value
from bot.store.db import Database as Store
from bot.store.inbox import MAX_ATTEMPTS, Inbox, InboxEntry, InboxUnavailable
from tests.conftest import STAFF_CSV, BotEnv, Database, FakeClock, start_env, stop_env
from tests.harness import file_share_event

DM_HELP_EVENT = {
    "token": "legacy",
    "team_id": "T0DEMO",
    "api_app_id": "A0QABOT",
    "type": "event_callback",
    "event_id": "EvLEFT1",
    "event_time": 1,
    "event": {
        "type": "message",
        "channel": "DSAM",
        "channel_type": "im",
        "user": "USAM",
        "text": "help",
        "ts": "1700000000.000100",
    },
}


@contextlib.asynccontextmanager
async def standalone_inbox(database: Database) -> AsyncIterator[Inbox]:
    """The inbox of a database, opened the way a bot process opens it."""
    store = Store(database.url, schema=database.schema)
    inbox = Inbox.beside(store)
    await inbox.start()
    try:
        yield inbox
    finally:
        await inbox.close()
        await store.dispose()


def unsettled_client(env: BotEnv) -> BotEnv:
    """The same bot, talked to by clients that do not wait for it to finish handling."""
    return dataclasses.replace(
        env,
        slack=dataclasses.replace(env.slack, settle=None),
        teams=dataclasses.replace(env.teams, settle=None),
    )


def hold_turns(env: BotEnv, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Turns wait until the returned event is set."""
    release = asyncio.Event()
    handle = env.runtime.bot.handle

    async def held(*args: object, **kwargs: object) -> object:
        await release.wait()
        return await handle(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(env.runtime.bot, "handle", held)
    return release


async def dm_replies(env: BotEnv, channel: str = "DSAM") -> list[str]:
    await env.runtime.worker.drain_once()  # type: ignore[union-attr]
    return [
        json.dumps(c.params.get("blocks"))
        for c in env.slack_api.calls
        if c.method == "chat.postMessage" and c.params.get("channel") == channel
    ]


async def test_a_slack_press_is_acknowledged_before_it_is_handled(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = unsettled_client(staffed)
    release = hold_turns(env, monkeypatch)
    status, _ = await env.slack.dm("USAM", "help")
    # Slack has its answer while the dialog has not even started: nothing is lost by that,
    # the request is in the inbox.
    assert status == 200
    assert await env.runtime.inbox.inbox.count() == 1  # type: ignore[union-attr]
    release.set()
    await env.runtime.settled()
    assert any("my tasks" in reply for reply in await dm_replies(env))
    assert await env.runtime.inbox.inbox.count() == 0  # type: ignore[union-attr]


async def test_a_teams_message_is_answered_at_once_and_replied_to_after(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = unsettled_client(staffed)
    release = hold_turns(env, monkeypatch)
    env.connector.members["29:aad-sam"] = {"id": "29:aad-sam", "email": "sam.sw@example.gov.uk"}
    status, _ = await env.teams.say("aad-sam", "help")
    assert status == 200
    assert env.connector.calls_to("POST conversations/*/activities") == []
    release.set()
    await env.runtime.settled()
    calls = await env.connector.wait_for("POST conversations/*/activities")
    assert "my tasks" in json.dumps(calls[0].params["body"])


async def test_requests_left_by_a_stopped_bot_are_handled_when_it_starts_again(
    database: Database, clock: FakeClock
) -> None:
    env = await start_env(database, clock)
    try:
        report = await env.import_staff(STAFF_CSV)
        assert not report.errors  # type: ignore[attr-defined]
    finally:
        await stop_env(env)
    # Acknowledged three minutes ago, then the process stopped before handling it. (On
    # PostgreSQL a starting replica leaves fresher entries to the replicas that saved them.)
    async with standalone_inbox(database) as inbox:
        received = await inbox.save("slack", "message", json.dumps(DM_HELP_EVENT))
        async with inbox.engine.begin() as conn:
            await conn.execute(
                update(InboxEntry)
                .where(InboxEntry.id == received.id)
                .values(received_at=received.received_at - timedelta(minutes=3))
            )

    env = await start_env(database, clock)
    try:
        await env.runtime.settled()
        replies = await dm_replies(env)
        assert len(replies) == 1 and "my tasks" in replies[0]
        assert await env.runtime.inbox.inbox.count() == 0  # type: ignore[union-attr]
    finally:
        await stop_env(env)


async def test_a_request_handled_but_not_yet_forgotten_is_not_handled_twice(
    staffed: BotEnv,
) -> None:
    worker = staffed.runtime.inbox
    assert worker is not None
    received = await worker.inbox.save("slack", "message", json.dumps(DM_HELP_EVENT))
    worker.submit(received, "USAM")
    await staffed.runtime.settled()
    assert len(await dm_replies(staffed)) == 1
    # The process stopped after handling it but before the entry was deleted.
    async with worker.inbox.engine.begin() as conn:
        await conn.execute(
            InboxEntry.__table__.insert().values(
                id=received.id,
                platform="slack",
                kind="message",
                body=received.body,
                received_at=received.received_at,
                attempts=0,
            )
        )
    assert await worker.recover(received.received_at + timedelta(seconds=1)) == 1
    await staffed.runtime.settled()
    assert len(await dm_replies(staffed)) == 1
    assert await worker.inbox.count() == 0


async def test_a_slack_press_saved_and_replayed_opens_its_form_once(staffed: BotEnv) -> None:
    env = staffed
    press = {"action_id": "nominate.save:0", "value": button_value("nominate.save", {})}
    status, _ = await env.slack.press("USAM", press)
    assert status == 200
    opened = [c for c in env.slack_api.calls if c.method == "views.open"]
    assert len(opened) == 1
    worker = env.runtime.inbox
    assert worker is not None
    assert await worker.recover(worker.clock() + timedelta(seconds=1)) == 0
    await env.runtime.settled()
    assert len([c for c in env.slack_api.calls if c.method == "views.open"]) == 1


async def test_a_request_that_stopped_the_bot_each_time_is_dropped_and_logged(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with standalone_inbox(database) as inbox:
        received = await inbox.save("slack", "block_actions", "{}")
    later = received.received_at + timedelta(seconds=1)
    for _ in range(MAX_ATTEMPTS):
        # Each time a new process starts, takes the request over, and dies handling it.
        async with standalone_inbox(database) as inbox:
            assert [r.id for r in await inbox.unsettled(later)] == [received.id]
    async with standalone_inbox(database) as inbox:
        with caplog.at_level(logging.ERROR):
            assert await inbox.unsettled(later) == []
        assert "handling it failed 3 times" in caplog.text
        assert await inbox.count() == 0


async def test_many_requests_at_once_are_all_saved(database: Database) -> None:
    async with standalone_inbox(database) as inbox:
        saved = await asyncio.gather(
            *(inbox.save("teams", "message", json.dumps({"n": n})) for n in range(60))
        )
        assert len({r.id for r in saved}) == 60
        assert await inbox.count() == 60
        for received in saved[:20]:
            inbox.settle(received.id)
        await inbox.save("teams", "message", "{}")  # settling rides with the next batch
        assert await inbox.count() == 41


async def test_when_the_inbox_cannot_save_requests_are_handled_in_the_turn(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = staffed.runtime.inbox
    assert worker is not None

    async def broken_save(*args: object) -> object:
        raise InboxUnavailable("disk full")

    monkeypatch.setattr(worker.inbox, "save", broken_save)
    status, _ = await staffed.slack.dm("USAM", "help")
    assert status == 200
    assert any("my tasks" in reply for reply in await dm_replies(staffed))
    staffed.connector.members["29:aad-sam"] = {"id": "29:aad-sam", "email": "sam.sw@example.gov.uk"}
    status, _ = await staffed.teams.say("aad-sam", "help")
    assert status == 200
    calls = await staffed.connector.wait_for("POST conversations/*/activities")
    assert "my tasks" in json.dumps(calls[-1].params["body"])


async def test_a_slow_file_download_does_not_hold_up_other_people(staffed: BotEnv) -> None:
    env = unsettled_client(staffed)
    env.slack_api.files_held = asyncio.Event()
    url = env.slack_api.file_url("allocations.csv", b"case_number,activity\n")
    upload = file_share_event("UQUINN", url, "allocations.csv")
    status, _ = await env.slack.event(upload)
    assert status == 200
    await env.slack_api.wait_for("files.download")
    # Quinn's file is still downloading; Sam is answered meanwhile.
    await env.slack.dm("USAM", "help")
    posted = await env.slack_api.wait_for("chat.postMessage")
    assert [c.params["channel"] for c in posted] == ["DSAM"]
    env.slack_api.files_held.set()
    await env.runtime.settled()
    await env.runtime.worker.drain_once()  # type: ignore[union-attr]
    channels = [c.params["channel"] for c in env.slack_api.calls_to("chat.postMessage")]
    assert channels == ["DSAM", "DQUINN"]
