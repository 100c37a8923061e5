"""Sends a crash may have cut off after Slack accepted them: every Slack post carries its
outbox key as message metadata, and a claimed row whose send had started is looked for in its
conversation's history before it is sent again. Also: long dedupe keys, and dead-letter levels."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from bot.store import directory
from bot.store.models import OutboxMessage
from bot.store.outbox import DEDUPE_KEY_MAX, stored_key
from tests.conftest import BotEnv
from tests.core.test_delivery import enqueue_to, note, rows

SAM = "sam.sw@example.gov.uk"
SAM_DM = "DSAM"  # the app's direct message with USAM, where posts to USAM land


async def cut_off(env: BotEnv, *keys: str) -> None:
    """Leave the rows of ``keys`` as a process killed mid-send leaves them: claimed by a
    claimant that is gone, their send started, nothing recorded."""
    async with env.runtime.db.session() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key.in_(keys))
            .values(
                status="sending",
                claimed_by=env.runtime.db.claimant.id + 1,
                claimed_at=env.clock(),
                attempted_at=env.clock(),
            )
        )


def posted_by_the_dead_process(env: BotEnv, key: str) -> str:
    """Slack accepted the post before the process died: it is in the DM's history."""
    ts = f"{env.clock().timestamp() + 0.5:.6f}"
    env.slack_api.conversations.setdefault(SAM_DM, []).append(
        {
            "type": "message",
            "ts": ts,
            "text": "hello",
            "metadata": {"event_type": "qabot_outbox", "event_payload": {"key": key}},
        }
    )
    return ts


async def drain(env: BotEnv) -> None:
    await env.runtime.worker.drain_once()  # type: ignore[union-attr]


async def test_every_slack_post_carries_its_outbox_key_as_metadata(staffed: BotEnv) -> None:
    await enqueue_to(staffed, SAM, "nudge:1")
    await drain(staffed)
    (call,) = staffed.slack_api.calls_to("chat.postMessage")
    assert call.params["metadata"] == {
        "event_type": "qabot_outbox",
        "event_payload": {"key": "nudge:1"},
    }
    # A row sent normally is never looked for.
    assert staffed.slack_api.calls_to("conversations.history") == []


async def test_a_cut_off_post_found_in_the_history_is_recorded_not_sent_again(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    await enqueue_to(staffed, SAM, "nudge:1")
    await cut_off(staffed, "nudge:1")
    ts = posted_by_the_dead_process(staffed, "nudge:1")
    with caplog.at_level(logging.INFO):
        await drain(staffed)
    assert staffed.slack_api.calls_to("chat.postMessage") == []
    (history,) = staffed.slack_api.calls_to("conversations.history")
    assert history.params["channel"] == SAM_DM
    (row,) = await rows(staffed)
    assert row.status == "sent"
    assert row.sent_ref == {"channel": SAM_DM, "ts": ts}
    assert "1 already posted" in caplog.text


async def test_a_cut_off_post_not_in_the_history_is_sent(staffed: BotEnv) -> None:
    await enqueue_to(staffed, SAM, "nudge:1")
    await enqueue_to(staffed, SAM, "nudge:2")
    await cut_off(staffed, "nudge:1", "nudge:2")
    posted_by_the_dead_process(staffed, "nudge:2")
    await drain(staffed)
    # One history read for the conversation's two rows; only the missing one is posted.
    assert len(staffed.slack_api.calls_to("conversations.history")) == 1
    posts = staffed.slack_api.calls_to("chat.postMessage")
    assert [c.params["metadata"]["event_payload"]["key"] for c in posts] == ["nudge:1"]
    assert [r.status for r in await rows(staffed)] == ["sent", "sent"]


@pytest.mark.parametrize("error", ["missing_scope", "not_in_channel", "ratelimited"])
async def test_when_the_history_cannot_be_read_the_post_is_sent_with_one_warning(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    if error == "missing_scope":
        staffed.slack_api.scopes = {"chat:write", "im:write"}
    else:
        status = 429 if error == "ratelimited" else 200
        staffed.slack_api.fail_next(
            "conversations.history", status=status, body={"ok": False, "error": error}
        )
    await enqueue_to(staffed, SAM, "nudge:1")
    await enqueue_to(staffed, SAM, "nudge:2")
    await cut_off(staffed, "nudge:1", "nudge:2")
    with caplog.at_level(logging.WARNING):
        await drain(staffed)
    assert len(staffed.slack_api.calls_to("chat.postMessage")) == 2
    assert [r.status for r in await rows(staffed)] == ["sent", "sent"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert error in warnings[0].getMessage() and "2 message(s)" in warnings[0].getMessage()


async def test_a_claimed_row_whose_send_never_started_is_not_looked_for(staffed: BotEnv) -> None:
    await enqueue_to(staffed, SAM, "nudge:1")
    await cut_off(staffed, "nudge:1")
    async with staffed.runtime.db.session() as session:
        await session.execute(update(OutboxMessage).values(attempted_at=None))
    await drain(staffed)
    assert staffed.slack_api.calls_to("conversations.history") == []
    assert len(staffed.slack_api.calls_to("chat.postMessage")) == 1


async def test_a_throttled_post_is_not_in_doubt_but_a_failed_one_is(staffed: BotEnv) -> None:
    # Slack's 429 says nothing was posted; a 500 might have come after the post was stored.
    staffed.slack_api.fail_next("chat.postMessage", status=429, retry_after=60)
    await enqueue_to(staffed, SAM, "nudge:1")
    await drain(staffed)
    (row,) = await rows(staffed)
    assert row.status == "pending" and row.attempted_at is None
    staffed.slack_api.fail_next("chat.postMessage", status=500)
    staffed.clock.advance(minutes=2)
    await drain(staffed)
    (row,) = await rows(staffed)
    assert row.status == "pending" and row.attempted_at is not None
    staffed.clock.advance(minutes=15)
    await drain(staffed)
    assert len(staffed.slack_api.calls_to("conversations.history")) == 1
    (row,) = await rows(staffed)
    assert row.status == "sent"


# --- dedupe keys longer than the column ------------------------------------------------------


def test_a_short_key_is_stored_as_it_is() -> None:
    assert stored_key("nudge:alloc:42") == "nudge:alloc:42"
    assert stored_key("k" * DEDUPE_KEY_MAX) == "k" * DEDUPE_KEY_MAX


def test_long_keys_that_differ_only_at_the_end_stay_distinct_and_fit() -> None:
    first, second = "x" * 400 + "a", "x" * 400 + "b"
    assert stored_key(first) != stored_key(second)
    assert len(stored_key(first)) == DEDUPE_KEY_MAX
    assert stored_key(first) == stored_key(first)


async def test_two_long_keys_sharing_their_first_300_characters_are_both_sent(
    staffed: BotEnv,
) -> None:
    common = "digest:" + "team-with-a-very-long-name/" * 12
    await enqueue_to(staffed, SAM, common + "week-1", "first")
    await enqueue_to(staffed, SAM, common + "week-2", "second")
    await enqueue_to(staffed, SAM, common + "week-2", "second again")
    await drain(staffed)
    texts = [c.params["text"] for c in staffed.slack_api.calls_to("chat.postMessage")]
    assert texts == ["first", "second"]


# --- dead letters ----------------------------------------------------------------------------


async def test_a_reply_with_no_service_url_goes_dead_with_a_warning_not_an_error(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    async with staffed.runtime.db.session() as session:
        ctx = staffed.runtime.bot.context(session, None)
        reference = {"conversation": {"id": "a:1"}, "channelId": "msteams"}
        await ctx.outbox.reply("teams", {"reference": reference}, note("hi"), key="reply:1")
    with caplog.at_level(logging.WARNING):
        await drain(staffed)
    async with staffed.runtime.db.session() as session:
        row = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == "reply:1")
            )
        ).scalar_one()
    assert row.status == "dead"
    dead = [r for r in caplog.records if "is dead" in r.getMessage()]
    assert [r.levelno for r in dead] == [logging.WARNING]


@pytest.mark.parametrize(("kind", "dead_lettered"), [("broadcast", False), ("reminder", True)])
async def test_a_kind_whose_area_reports_failures_is_not_dead_lettered_to_the_qa_team(
    staffed: BotEnv, kind: str, dead_lettered: bool
) -> None:
    # The broadcasts area registers its listener with reports_failures=True: its delivery
    # report names the failed recipients, so the QA team is not told one by one as well.
    refused = {"ok": False, "error": "channel_not_found"}
    staffed.slack_api.fail_next("chat.postMessage", status=200, body=refused)
    async with staffed.runtime.db.session() as session:
        person = await directory.person_by_email(session, SAM)
        assert person is not None
        ctx = staffed.runtime.bot.context(session, None)
        await ctx.outbox.to_person(person.id, note("hi"), key="k1", kind=kind)
    await drain(staffed)
    kinds = {row.dedupe_key: (row.kind, row.status) for row in await rows(staffed)}
    assert kinds["k1"] == (kind, "dead")
    assert any(k == "dead_letter" for k, _ in kinds.values()) is dead_lettered
