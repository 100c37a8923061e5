"""A dispute walked up the Somerset RPD ladder on the console, through the bot's own turn
handling: the risk question, the form, escalation, resolution and the RPD case note; a
stranger's forged payload and a stale card."""

from __future__ import annotations

from datetime import date

from bot.cards.model import Card
from tests.allocations.support import (
    HELEN,
    PRIYA,
    QUINN,
    SAM,
    TESS,
    at,
    card_text,
    messages_to,
    press,
    press_button,
    qa_env,
    rows,
    say,
)
from tests.conftest import BotEnv

__all__ = ["qa_env"]

CHRIS = "chris.csw@example.gov.uk"


async def raise_dispute(env: BotEnv, **inputs: str) -> Card:
    (question,) = await say(env, SAM, "rpd")
    assert question.name == "dispute_risk"
    (form,) = await press_button(env, SAM, question, "No")
    assert form.name == "dispute_form", card_text(form)
    values = {
        "other_email": PRIYA,
        "other_name": "",
        "other_agency": "Yeovil CiC",
        "case_reference": "1187342",
        "category": "Threshold decision",
        "resolution_sought": "A joint visit this week to agree the threshold.",
        **inputs,
    }
    cards = await press_button(env, SAM, form, "Raise it", **values)
    assert [c.name for c in cards] == ["dispute", "dispute_case_note"], card_text(cards[0])
    return cards[0]


async def test_a_dispute_walks_up_the_ladder_and_ends_with_the_rpd_case_note(
    qa: BotEnv,
) -> None:
    env = qa
    env.clock.set(at(date(2026, 12, 1), 10))  # a Tuesday
    card = await raise_dispute(env)
    text = card_text(card)
    assert "Stage 1: conversation between the practitioners" in text
    assert "due Tue 08 Dec 2026 (5 working days left)" in text
    # The other practitioner is told; the managers are not, yet.
    assert [m.card_name for m in await messages_to(env, PRIYA)] == ["dispute"]
    assert await messages_to(env, TESS) == []

    (form,) = await press_button(env, SAM, card, "Not resolved")
    (escalated, note) = await press_button(
        env, SAM, form, "Escalate to the next stage", text="We could not agree on a visit."
    )
    assert "Escalated to Stage 2: the managers" in card_text(escalated)
    (to_tess,) = await messages_to(env, TESS)
    # One card per person, kept up to date in place (under one card key).
    assert (to_tess.card_name, to_tess.card_key) == ("dispute", "dispute:1")
    assert "Stage 2: the managers" in to_tess.payload["fallback"]
    # Nobody beyond the next stage's people hears about it.
    for email in (HELEN, QUINN, CHRIS):
        assert await messages_to(env, email) == []

    env.clock.set(at(date(2026, 12, 3), 11))
    tess_card = Card.model_validate(to_tess.payload)
    (form,) = await press_button(env, TESS, tess_card, "Resolved")
    (closed, note) = await press_button(
        env, TESS, form, "Record it resolved", text="Joint visit on Friday; threshold agreed."
    )
    assert "Resolved" in card_text(closed)
    assert note.name == "dispute_case_note"
    body = note.body[1].text  # type: ignore[union-attr]
    assert body == (
        "RPD case note: Resolving Professional Differences, dispute 1\n"
        "Case reference: 1187342\n"
        "Status: Resolved at Stage 2: the managers\n"
        "Raised by: Sam Social (Practitioner, Somerset)\n"
        "With: Priya Patel (Practitioner, Yeovil CiC)\n"
        "Category: Threshold decision\n"
        "Resolution sought: A joint visit this week to agree the threshold.\n"
        "History:\n"
        "- 01/12/2026 Stage 1: conversation between the practitioners. Raised by Sam Social "
        "(Practitioner)\n"
        "- 01/12/2026 Stage 1: conversation between the practitioners. Escalated by Sam Social "
        "(Practitioner): We could not agree on a visit.\n"
        "- 03/12/2026 Stage 2: the managers. Resolved by Tess Manager (Team manager): Joint "
        "visit on Friday; threshold agreed.\n"
        "Agreed outcome: Joint visit on Friday; threshold agreed.\n"
        "To record: An RPD case note with the managers' agreed action plan."
    )
    # Every copy of the dispute card is brought up to date in place.
    updates = await rows_updates(env)
    assert updates, "no in-place update queued"


async def rows_updates(env: BotEnv) -> list[object]:
    from sqlalchemy import select

    from bot.store.models import OutboxMessage

    async with env.runtime.db.session() as session:
        result = await session.execute(
            select(OutboxMessage).where(OutboxMessage.card_key == "dispute:1")
        )
        return list(result.scalars())


async def test_a_stranger_and_a_typed_number_get_not_found(qa: BotEnv) -> None:
    env = qa
    env.clock.set(at(date(2026, 12, 1), 10))
    card = await raise_dispute(env)
    (forged,) = await press(env, CHRIS, "dispute.step", {"d": 1, "v": 1, "s": "resolve"})
    assert forged.name == "dispute_not_found"
    (typed,) = await say(env, CHRIS, "dispute 1")
    assert typed.name == "dispute_not_found"
    (missing,) = await say(env, SAM, "dispute 99")
    assert missing.name == "dispute_not_found"
    (note,) = await press(env, CHRIS, "dispute.note_text", {"d": 1})
    assert note.name == "dispute_not_found"
    # The party and the QA team can see it.
    (seen,) = await say(env, PRIYA, "dispute 1")
    assert seen.name == "dispute"
    (tasks,) = await say(env, PRIYA, "my tasks")
    assert "Dispute 1" in card_text(tasks)
    (shown,) = await press_button(env, PRIYA, tasks, "Dispute 1")
    assert shown.name == "dispute"
    (shown,) = await press(env, CHRIS, "dispute.show", {"d": 1})
    assert shown.name == "dispute_not_found"
    (listed,) = await say(env, QUINN, "disputes")
    assert "Dispute 1 (1187342)" in card_text(listed)
    (empty,) = await say(env, CHRIS, "disputes")
    assert "No open disputes" in card_text(empty)
    assert card.name == "dispute"


async def test_a_stale_card_answers_with_the_current_state(qa: BotEnv) -> None:
    env = qa
    env.clock.set(at(date(2026, 12, 1), 10))
    card = await raise_dispute(env)
    (form,) = await press_button(env, SAM, card, "Not resolved")
    await press_button(env, SAM, form, "Escalate to the next stage", text="No agreement.")
    # Priya presses Resolved on the card she was sent before the escalation.
    (old,) = await messages_to(env, PRIYA)
    (answer,) = await press_button(env, PRIYA, Card.model_validate(old.payload), "Resolved")
    assert answer.name == "dispute"
    assert "moved on" in card_text(answer) and "Stage 2: the managers" in card_text(answer)


async def test_immediate_risk_tells_the_named_roles_at_once_out_of_hours(qa: BotEnv) -> None:
    env = qa
    saturday_night = at(date(2026, 12, 5), 22, 30)
    env.clock.set(saturday_night)
    (question,) = await say(env, SAM, "rpd")
    (route,) = await press_button(env, SAM, question, "Yes, a child is at risk now")
    assert route.name == "dispute_child_protection"
    text = card_text(route)
    assert "Somerset Direct" in text and "Emergency Duty Team" in text
    assert "Tess Manager (Team manager)" in text and "Helen Head (Head of service)" in text
    for email in (TESS, HELEN):
        (alert,) = await messages_to(env, email)
        assert alert.card_name == "dispute_safety_alert"
        assert alert.next_attempt_at <= saturday_night  # sent now, not on Monday morning
    assert await messages_to(env, PRIYA) == []
    assert await rows(env, card_name="dispute") == []


async def test_a_stage_deadline_over_christmas_counts_working_days_and_asks(
    qa: BotEnv,
) -> None:
    env = qa
    env.clock.set(at(date(2026, 12, 21), 10))  # Monday before Christmas
    card = await raise_dispute(env)
    # 5 working days from Mon 21 Dec: 22, 23, 24, then 25 (Christmas), 28 (Boxing Day observed)
    # are skipped, 29, 30.
    assert "due Wed 30 Dec 2026" in card_text(card)
    env.clock.set(at(date(2026, 12, 30), 10))
    await env.runtime.bot.run_sweeps()
    # On the due day the stage owners are reminded in their one morning summary.
    (summary,) = await messages_to(env, SAM)
    assert summary.card_name == "morning_summary"
    assert "Dispute 1 (Resolving Professional Differences)" in card_text(summary.payload)
    assert "due today, Wed 30 Dec 2026" in card_text(summary.payload)
    env.clock.set(at(date(2026, 12, 31), 10))
    await env.runtime.bot.run_sweeps()
    asked = [
        m for m in await messages_to(env, SAM) if "deadline has passed" in m.payload["fallback"]
    ]
    assert len(asked) == 1
    await env.runtime.bot.run_sweeps()  # level-triggered: not asked twice
    asked = [
        m for m in await messages_to(env, SAM) if "deadline has passed" in m.payload["fallback"]
    ]
    assert len(asked) == 1
