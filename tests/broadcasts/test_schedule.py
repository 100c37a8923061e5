"""A scheduled broadcast's card: once scheduled, the review card is replaced in place by
"Scheduled for ..." with who scheduled it and Send now, Change time and Cancel; it becomes the
live report when the broadcast is sent, or "Cancelled by ..." when it is cancelled. A forged or
out-of-date press changes nothing, and the audit log records each step."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.broadcasts.store import APPROVED, CANCELLED, Broadcast
from bot.cards import blockkit
from bot.cards.model import Card
from bot.store.models import AuditEntry, OutboxMessage
from tests.allocations.support import at
from tests.broadcasts.support import (
    QUINN,
    SAM,
    broadcast_rows,
    broadcasts,
    card_text,
    compose,
    drain,
    press,
    qa_env,
    with_team_channels,
)
from tests.conftest import BotEnv
from tests.harness import button
from tests.nominations.support import slack_state

__all__ = ["qa_env"]


async def audit_actions(env: BotEnv) -> list[str]:
    async with env.runtime.db.session() as session:
        found = await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))
        return [a for a in found.scalars() if a.startswith("broadcast.")]


async def review_message(env: BotEnv) -> tuple[str, str, list[dict[str, Any]]]:
    """The channel, ts and blocks of the digest's review card as posted to the QA channel."""
    async with env.runtime.db.session() as session:
        found = await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.card_name == "broadcast_review")
            .order_by(OutboxMessage.id.desc())
        )
        row = found.scalars().first()
    assert row is not None and row.sent_ref, "the review card was not posted"
    blocks = blockkit.render_message(Card.model_validate(row.payload))["blocks"]
    return row.sent_ref["channel"], row.sent_ref["ts"], blocks


def updates_of(env: BotEnv, channel: str, ts: str) -> list[dict[str, Any]]:
    """What Slack was asked to show in place of one message, oldest first."""
    return [
        c.params
        for c in env.slack_api.accepted
        if c.method == "chat.update" and (c.params["channel"], c.params["ts"]) == (channel, ts)
    ]


async def open_and_submit(
    env: BotEnv, user: str, pressed: dict[str, Any], channel: str, ts: str, day: str, time: str
) -> None:
    """Press a button that opens the time form (a modal on Slack) and submit it."""
    before = len(env.slack_api.calls_to("views.open"))
    status, _ = await env.slack.press(user, pressed, message={"ts": ts}, channel=channel)
    assert status == 200
    await env.slack_api.wait_for("views.open", before + 1)
    view = env.slack_api.calls_to("views.open")[-1].params["view"]
    status, body = await env.slack.submit_view(
        user, view, slack_state(view, {"day": day, "at": time})
    )
    assert status == 200, body


async def test_on_slack_the_review_card_becomes_the_scheduled_card_then_the_report(
    qa: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    await with_team_channels(qa, 2, teams_too=False)
    qa.clock.set(at(date(2027, 1, 4), 10, 0))  # the digest's drafting day
    await qa.runtime.bot.run_sweeps(["broadcasts.draft_digest"])
    await drain(qa)
    channel, ts, review = await review_message(qa)
    (draft,) = await broadcasts(qa)

    # Schedule: the form opens as a modal; once saved, the review card shows the schedule.
    await open_and_submit(
        qa, "UQUINN", button(review, "Schedule"), channel, ts, "2027-01-06", "09:30"
    )
    await drain(qa)
    shown = updates_of(qa, channel, ts)[-1]
    text = json.dumps(shown)
    assert "Scheduled for Wednesday 6 January 2027 at 09:30 (London time)" in text, text
    assert "Scheduled by Quinn Improvement" in text
    scheduled_blocks = shown["blocks"]
    for label in ("Send now", "Change time", "Cancel"):
        button(scheduled_blocks, label)
    assert "Approve and send" not in text
    (waiting,) = await broadcasts(qa)
    assert waiting.status == APPROVED and await broadcast_rows(qa, draft.id) == []

    # Sam (not QA) presses a copy of Cancel: refused, logged, nothing changes.
    caplog.set_level(logging.INFO)
    status, _ = await qa.slack.press("USAM", button(scheduled_blocks, "Cancel"), channel=channel)
    assert status == 200
    assert "does not have the QA role" in caplog.text and SAM in caplog.text
    (still,) = await broadcasts(qa)
    assert still.status == APPROVED

    # The old review card's Approve and send is out of date: nothing is sent.
    await qa.slack.press(
        "UQUINN", button(review, "Approve and send"), message={"ts": ts}, channel=channel
    )
    await drain(qa)
    assert await broadcast_rows(qa, draft.id) == []
    assert "out-of-date card was pressed" in caplog.text
    assert "That card was out of date" in json.dumps(updates_of(qa, channel, ts)[-1])

    # Change time: the same card shows the new time.
    await open_and_submit(
        qa, "UQUINN", button(scheduled_blocks, "Change time"), channel, ts, "2027-01-07", "10:00"
    )
    await drain(qa)
    text = json.dumps(updates_of(qa, channel, ts)[-1])
    assert "Scheduled for Thursday 7 January 2027 at 10:00 (London time)" in text, text
    changed_blocks = updates_of(qa, channel, ts)[-1]["blocks"]

    # Send now on a card still showing the old time: out of date, nothing is sent.
    await qa.slack.press(
        "UQUINN", button(scheduled_blocks, "Send now"), message={"ts": ts}, channel=channel
    )
    await drain(qa)
    assert await broadcast_rows(qa, draft.id) == []

    # Send now on the current card: it is sent, and the card becomes the live report.
    await qa.slack.press(
        "UQUINN", button(changed_blocks, "Send now"), message={"ts": ts}, channel=channel
    )
    await drain(qa)
    (sent,) = await broadcasts(qa)
    assert sent.status != APPROVED and sent.queued_at is not None
    assert len(await broadcast_rows(qa, draft.id)) == sent.recipients > 0
    await qa.runtime.bot.run_sweeps(["broadcasts.reports"])
    await drain(qa)
    last = json.dumps(updates_of(qa, channel, ts)[-1])
    assert "Delivery: " in last and f"of {sent.recipients}" in last, last
    assert await audit_actions(qa) == [
        "broadcast.drafted",
        "broadcast.approved",
        "broadcast.scheduled",
        "broadcast.rescheduled",
        "broadcast.sent_now",
    ]


async def test_on_teams_the_proposed_time_then_the_sweep_sends_it_into_the_same_card(
    qa: BotEnv,
) -> None:
    await with_team_channels(qa, 1)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    proposed = qa.clock() + timedelta(days=1)
    async with qa.runtime.db.session() as session:  # as `qabot newsletter send --at` keeps it
        stored = await session.get(Broadcast, draft.id)
        assert stored is not None
        stored.send_at = proposed
    qa.connector.members["29:aad-quinn"] = {
        "id": "29:aad-quinn",
        "aadObjectId": "aad-quinn",
        "email": QUINN,
    }
    status, body = await qa.teams.execute(
        "aad-quinn", "bcast.approve", {"b": draft.id, "proposed": True}, reply_to_id="act-7"
    )
    assert status == 200, body
    card = json.dumps(body)
    assert "Scheduled for" in card and "Scheduled by Quinn Improvement" in card, card
    assert "Change time" in card and "Approve and send" not in card

    await drain(qa)
    # The answer to the press replaced the card; it is not replaced a second time.
    assert not [c for c in qa.connector.accepted if c.params["path"].endswith("/act-7")]

    qa.clock.advance(days=1, minutes=1)
    await qa.runtime.bot.run_sweeps(["broadcasts.send_due"])
    await drain(qa)
    replaced = [
        c.params
        for c in qa.connector.accepted
        if c.method.startswith("PUT") and c.params["path"].endswith("/activities/act-7")
    ]
    assert replaced and "Delivery: December news" in json.dumps(replaced[-1]), replaced


async def test_cancelled_by_someone_and_nothing_is_sent(qa: BotEnv) -> None:
    await with_team_channels(qa, 2, teams_too=False)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    (card,) = await press(
        qa, QUINN, "bcast.schedule_save", {"b": draft.id}, {"day": "2026-12-10", "at": "09:00"}
    )
    assert card.name == "broadcast_scheduled", card_text(card)
    cancel = next(b for b in card.buttons if b.label == "Cancel")

    (refused,) = await press(qa, SAM, cancel.verb, dict(cancel.data))
    assert refused.name == "broadcast_refused"
    (done,) = await press(qa, QUINN, cancel.verb, dict(cancel.data))
    assert done.name == "broadcast_cancelled"
    assert "Cancelled by Quinn Improvement" in card_text(done), card_text(done)
    (gone,) = await broadcasts(qa)
    assert gone.status == CANCELLED

    # Nothing is sent at the time it was scheduled for, and its buttons are out of date now.
    qa.clock.advance(days=30)
    await qa.runtime.bot.run_sweeps(["broadcasts.send_due"])
    send_now = next(b for b in card.buttons if b.label == "Send now")
    (stale,) = await press(qa, QUINN, send_now.verb, dict(send_now.data))
    assert "out of date" in card_text(stale) and "Cancelled by" in card_text(stale)
    assert await broadcast_rows(qa, draft.id) == []
    assert "broadcast.cancelled" in await audit_actions(qa)
    (after,) = await broadcasts(qa)
    assert after.status == CANCELLED and after.queued_at is None
