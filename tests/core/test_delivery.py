"""The outbox and the delivery worker: dedupe, rate limits, Retry-After, retries, dead letters."""

from __future__ import annotations

import asyncio
import itertools
import json

from sqlalchemy import select

from bot.cards.model import Card, TextBlock
from bot.store import directory
from bot.store.models import OutboxMessage
from tests.conftest import BotEnv


def note(text: str) -> Card:
    return Card(name="note", title="Note", fallback=text, body=[TextBlock(text=text)])


async def enqueue_to(env: BotEnv, email: str, key: str, text: str = "hello") -> None:
    async with env.runtime.db.session() as session:
        person = await directory.person_by_email(session, email)
        assert person is not None
        ctx = env.runtime.bot.context(session, None)
        await ctx.outbox.to_person(person.id, note(text), key=key, kind="reminder")


async def rows(env: BotEnv) -> list[OutboxMessage]:
    async with env.runtime.db.session() as session:
        return list(
            (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
        )


async def test_same_dedupe_key_is_sent_once(staffed: BotEnv) -> None:
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "nudge:alloc:42:due-1wd")
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "nudge:alloc:42:due-1wd")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    assert len(staffed.slack_api.calls_to("chat.postMessage")) == 1
    assert [r.status for r in await rows(staffed)] == ["sent"]


async def test_retry_after_is_honoured_and_nothing_is_dropped(staffed: BotEnv) -> None:
    staffed.slack_api.fail_next("chat.postMessage", status=429, retry_after=1)
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "k1", "first")
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "k2", "second")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    calls = staffed.slack_api.calls_to("chat.postMessage")
    # The first try was refused, then both went out, the retry not before Retry-After.
    assert len(calls) == 3
    assert calls[1].at - calls[0].at >= 0.95
    assert [c.params["text"] for c in calls[1:]] == ["first", "second"]
    assert {r.status for r in await rows(staffed)} == {"sent"}


async def test_transient_failure_is_retried_with_backoff(staffed: BotEnv) -> None:
    staffed.slack_api.fail_next("chat.postMessage", status=500)
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "k1")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    (row,) = await rows(staffed)
    assert row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at > staffed.clock()
    staffed.clock.advance(seconds=10)
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    (row,) = await rows(staffed)
    assert row.status == "sent"
    assert len(staffed.slack_api.calls_to("chat.postMessage")) == 2


async def test_message_that_keeps_failing_is_dead_lettered_and_qa_team_told(
    staffed: BotEnv,
) -> None:
    staffed.slack_api.fail_next("chat.postMessage", status=500, times=8)
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "k1")
    for _ in range(8):
        await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
        staffed.clock.advance(minutes=15)
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    statuses = {r.dedupe_key: r.status for r in await rows(staffed)}
    assert statuses["k1"] == "dead"
    notice = staffed.slack_api.calls_to("chat.postMessage")[-1]
    assert notice.params["channel"] == "C0QATEAM01"  # Somerset's QA team channel
    assert "could not be delivered" in notice.params["text"]
    assert "sam.sw@example.gov.uk" in json.dumps(notice.params["blocks"])


async def test_permanent_error_is_dead_at_once(staffed: BotEnv) -> None:
    staffed.slack_api.fail_next(
        "chat.postMessage", status=200, body={"ok": False, "error": "account_inactive"}
    )
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "k1")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    by_key = {r.dedupe_key: r for r in await rows(staffed)}
    assert by_key["k1"].status == "dead"
    assert by_key["k1"].last_error == "account_inactive"


async def test_teams_429_and_503_are_retried(staffed: BotEnv) -> None:
    staffed.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }
    await staffed.teams.say("aad-sam", "help")  # links Sam's Teams identity and reference
    await staffed.connector.wait_for("POST conversations/*/activities")
    staffed.connector.fail_next("POST conversations/*/activities", status=429, retry_after=0.5)
    staffed.connector.fail_next("POST conversations/*/activities", status=503)
    await enqueue_to(staffed, "sam.sw@example.gov.uk", "teams-k1", "reminder text")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    staffed.clock.advance(seconds=30)
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    by_key = {r.dedupe_key: r for r in await rows(staffed)}
    assert by_key["teams-k1"].status == "sent"
    sent = staffed.connector.activities()
    assert sent[-1]["summary"] == "reminder text"


async def test_broadcast_respects_per_channel_limit_but_runs_channels_in_parallel(
    staffed: BotEnv,
) -> None:
    """40 posts to 40 different channels go out together; 3 to one channel are spaced ~1 s."""
    from bot.domain.framework import ChannelRoute

    runtime = staffed.runtime
    teams = {f"Team {i}": ChannelRoute(slack=f"C{i:05d}") for i in range(40)}
    channels = runtime.framework.channels.model_copy(update={"teams": teams})
    runtime.bot.framework = runtime.framework.model_copy(update={"channels": channels})
    async with runtime.db.session() as session:
        ctx = runtime.bot.context(session, None)
        for i in range(40):
            await ctx.outbox.to_route(
                f"team:Team {i}", note(f"digest {i}"), key=f"d{i}", kind="digest"
            )
        for j in range(3):
            await ctx.outbox.to_route("team:Team 0", note(f"extra {j}"), key=f"e{j}", kind="digest")
    loop = asyncio.get_running_loop()
    started = loop.time()
    # A pass claims only what the app limit lets out in a couple of seconds (30 on Slack).
    while await runtime.worker.drain_once():  # type: ignore[union-attr]
        pass
    elapsed = loop.time() - started
    calls = staffed.slack_api.calls_to("chat.postMessage")
    assert len(calls) == 43
    to_team0 = [c.at for c in calls if c.params["channel"] == "C00000"]
    assert len(to_team0) == 4
    gaps = [round(b - a, 2) for a, b in itertools.pairwise(to_team0)]
    assert all(g >= 0.9 for g in gaps), gaps
    # Not serialised: 40 channels x 1 message take about as long as one channel's 4 messages.
    assert elapsed < 8
