"""The approval gate: nothing reaches a channel before someone with the QA role approves, and a
forged press from anyone else is refused (through Slack's real endpoint), logged, and changes
nothing."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.broadcasts.store import APPROVED, DONE, DRAFT, SENDING, Broadcast
from bot.cards import blockkit
from bot.store.models import AuditEntry
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
    review_of,
    with_team_channels,
)
from tests.conftest import BotEnv
from tests.harness import button

__all__ = ["qa_env"]


async def test_nothing_is_sent_before_approval_and_a_forged_approval_is_refused(
    qa: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    await with_team_channels(qa, 3, teams_too=False)
    cards = await compose(qa, QUINN)
    review = review_of(cards)
    (draft,) = await broadcasts(qa)
    assert draft.status == DRAFT
    assert await broadcast_rows(qa, draft.id) == []
    posted_before = len(qa.slack_api.calls_to("chat.postMessage"))

    # Sam (a practitioner) presses a copy of the Approve button through Slack's endpoint.
    approve = button(blockkit.render_message(review)["blocks"], "Approve and send")
    caplog.set_level(logging.WARNING, logger="bot.broadcasts.flows")
    status, _ = await qa.slack.press("USAM", approve)
    assert status == 200
    await drain(qa)
    (still,) = await broadcasts(qa)
    assert still.status == DRAFT and still.approved_by_id is None
    assert await broadcast_rows(qa, draft.id) == []
    assert "does not have the QA role" in caplog.text and SAM in caplog.text
    refusals = [
        c.params
        for c in qa.slack_api.calls[posted_before:]
        if "Only the QA team" in json.dumps(c.params)
    ]
    assert refusals, [c.method for c in qa.slack_api.calls[posted_before:]]
    # Nothing went to a team channel.
    channels = {c.params.get("channel") for c in qa.slack_api.calls_to("chat.postMessage")}
    assert not channels & {"C0000000", "C0000001", "C0000002"}

    # The same forged data on the console: the same refusal.
    (answer,) = await press(qa, SAM, "bcast.approve", {"b": draft.id})
    assert answer.name == "broadcast_refused", card_text(answer)

    # Quinn (QA team) approves: one message per channel, and the approval is in the audit log.
    (done,) = await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    assert done.name == "broadcast_note" and "3 recipient" in card_text(done), card_text(done)
    await drain(qa)
    rows = await broadcast_rows(qa, draft.id)
    assert sorted(r.route for r in rows) == ["team:Team 000", "team:Team 001", "team:Team 002"]
    assert all(r.status == "sent" and r.sent_ref and r.sent_ref["ts"] for r in rows)
    to_channels = [
        c.params["channel"]
        for c in qa.slack_api.calls_to("chat.postMessage")
        if c.params["channel"].startswith("C000000")
    ]
    assert sorted(to_channels) == ["C0000000", "C0000001", "C0000002"]
    async with qa.runtime.db.session() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "broadcast.approved" in actions
    (sent,) = await broadcasts(qa)
    # Sending, or already done: the live report follows the deliveries within seconds.
    assert sent.status in (SENDING, DONE) and sent.recipients == 3

    # Approving again changes nothing and sends nothing more.
    (again,) = await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    assert "cannot be changed" in card_text(again)
    await drain(qa)
    assert len(await broadcast_rows(qa, draft.id)) == 3


async def test_the_privacy_screen_holds_a_newsletter_naming_a_child(qa: BotEnv) -> None:
    await with_team_channels(qa, 2, teams_too=False)
    cards = await compose(qa, QUINN, b0="Jayden Smith, born 03/04/2015, lives at 12 High Street.")
    names = [c.name for c in cards]
    assert "broadcast_privacy" in names and "broadcast_review" not in names, names
    assert await broadcasts(qa) == []


async def test_a_schedule_in_the_past_is_refused_and_a_future_one_waits(qa: BotEnv) -> None:
    from bot.broadcasts.store import APPROVED

    await with_team_channels(qa, 2, teams_too=False)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    (form,) = await press(qa, QUINN, "bcast.schedule", {"b": draft.id})
    assert form.name == "broadcast_schedule"
    (bad,) = await press(
        qa, QUINN, "bcast.schedule_save", {"b": draft.id}, {"day": "2020-01-01", "at": "09:00"}
    )
    assert any(getattr(i, "error", None) for i in bad.inputs), card_text(bad)
    (ok,) = await press(
        qa, QUINN, "bcast.schedule_save", {"b": draft.id}, {"day": "2026-11-24", "at": "09:00"}
    )
    assert ok.name == "broadcast_scheduled", card_text(ok)
    assert ok.title == "Scheduled for Tuesday 24 November 2026 at 09:00 (London time)"
    await qa.runtime.bot.run_sweeps(["broadcasts.send_due"])
    assert await broadcast_rows(qa, draft.id) == []
    (waiting,) = await broadcasts(qa)
    assert waiting.status == APPROVED
    qa.clock.advance(days=1)
    await qa.runtime.bot.run_sweeps(["broadcasts.send_due"])
    assert len(await broadcast_rows(qa, draft.id)) == 2


async def test_an_audience_that_reaches_no_one_is_not_approved(qa: BotEnv) -> None:
    assert qa.runtime.bot.framework.channels.teams == {}
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    (answer,) = await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    assert "No one to send it to" in card_text(answer)
    (still,) = await broadcasts(qa)
    assert still.status == DRAFT


async def test_the_approver_can_accept_the_proposed_time(qa: BotEnv) -> None:
    await with_team_channels(qa, 2)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    proposed = qa.clock() + timedelta(days=1)
    async with qa.runtime.db.session() as session:  # as `qabot newsletter send --at` keeps it
        stored = await session.get(Broadcast, draft.id)
        assert stored is not None
        stored.send_at = proposed
    (scheduled,) = await press(qa, QUINN, "bcast.schedule", {"b": draft.id})
    local = proposed.astimezone(qa.runtime.bot.tz)
    assert f"{local:%H:%M}" in card_text(scheduled), card_text(scheduled)
    # A forged "proposed" time in the button is ignored: the time on the draft is used.
    (note,) = await press(
        qa, QUINN, "bcast.approve", {"b": draft.id, "proposed": True, "at": "2020-01-01"}
    )
    assert note.name == "broadcast_scheduled", card_text(note)
    assert f"at {local:%H:%M} (London time)" in note.title
    await drain(qa)
    assert await broadcast_rows(qa, draft.id) == []  # not before its time
    (approved,) = await broadcasts(qa)
    assert approved.status == APPROVED and approved.send_at == proposed
    qa.clock.advance(days=1, minutes=1)
    await qa.runtime.bot.run_sweeps(["broadcasts.send_due"])
    await drain(qa)
    assert len(await broadcast_rows(qa, draft.id)) == 4  # 2 channels on 2 platforms
