"""A calendar meeting or analysis that took place: its lead (or the QA team) marks it held from
the reminder's "Mark as held" or with `calendar held ACTIVITY [date] [note]`; no more
reminders of it, the calendar shows it held (or missed once its due day passed unmarked), a
note is screened for children's details, and the digest counts how many were held."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from bot.cards.model import Card
from bot.quotas.store import CalendarHeld
from tests.allocations.support import (  # noqa: F401
    HELEN,
    QUINN,
    TESS,
    messages_to,
    qa_env,
    running,
)
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock
from tests.nominations.support import deliver, dms_to, slack_button, text_of
from tests.quotas.support import at, audit_actions, card_text, morning, press, say


async def _held(env: BotEnv) -> list[CalendarHeld]:
    async with env.runtime.db.session() as session:
        result = await session.execute(select(CalendarHeld).order_by(CalendarHeld.id))
        return list(result.unique().scalars())


def _button(payload: dict[str, object], label: str) -> tuple[str, dict[str, object]]:
    card = Card.model_validate(payload)
    found = [b for b in card.buttons if b.label == label]
    assert found, [b.label for b in card.buttons]
    return found[0].verb, dict(found[0].data)


async def _stocktake_reminders(env: BotEnv) -> list[dict[str, object]]:
    return [
        m.payload
        for m in await messages_to(env, HELEN, "reminder")
        if "You lead Stocktake" in card_text(m.payload)
    ]


async def test_the_lead_marks_the_stocktake_held_from_the_reminder(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock) as env:
        # Five working days before January's stocktake opens (Mon 4 Jan 2027): Helen, a head
        # of service, leads it; her reminder has the button.
        await morning(env, date(2026, 12, 24))
        (reminder,) = await _stocktake_reminders(env)
        verb, data = _button(reminder, "Mark as held: Stocktake")
        # Someone who neither leads it nor is in the QA team is refused; nothing is kept.
        (refused,) = await press(env, TESS, verb, data)
        assert refused.name == "not_allowed"
        assert "Only the leads of Stocktake (Head of service) or the QA team" in refused.fallback
        assert await _held(env) == []
        (done,) = await press(env, HELEN, verb, data)
        assert done.name == "quota_calendar_held" and done.title == "Marked as held"
        assert "Stocktake (January 2027) was held on Thu 24 Dec 2026" in done.fallback
        (held,) = await _held(env)
        assert (held.activity, held.cycle_on, held.held_on) == (
            "stocktake",
            date(2027, 1, 1),
            date(2026, 12, 24),
        )
        # A second press, by the QA team: already marked, by whom and when.
        (again,) = await press(env, QUINN, verb, data)
        assert again.name == "quota_calendar_already_held"
        assert "by Helen Head (on Thu 24 Dec 2026)" in again.fallback
        assert len(await _held(env)) == 1
        # The month's first working day would remind her again: not once it is held.
        await morning(env, date(2027, 1, 4))
        assert len(await _stocktake_reminders(env)) == 1
        quinn = [card_text(m.payload) for m in await messages_to(env, QUINN, "reminder")]
        assert any("Closing the Loop" in t for t in quinn)  # other leads' lines still go
        assert await audit_actions(env, "calendar.") == ["calendar.held_refused", "calendar.held"]


async def test_the_calendar_shows_held_and_missed_and_the_command_records_a_note(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock) as env:
        await morning(env, date(2027, 2, 2))
        # QPRM on 20 January, typed by the QA team with a short note.
        (done,) = await say(env, QUINN, "calendar held qprm 2027-01-20 Themes agreed for Q4")
        assert done.title == "Marked as held", done.fallback
        assert "Quality and Performance Review Meeting (QPRM) (January 2027)" in done.fallback
        assert "Themes agreed for Q4" in card_text(done)
        (january,) = await say(env, HELEN, "calendar 2027-01")
        lines = card_text(january).splitlines()
        qprm = next(line for line in lines if "Quality and Performance" in line)
        assert "Held Wed 20 Jan 2027, marked by Quinn Improvement" in qprm
        stocktake = next(line for line in lines if "Stocktake" in line)
        assert "Missed: not marked as held by its due day" in stocktake
        # This month's are still to come: neither held nor missed.
        (february,) = await say(env, HELEN, "calendar 2027-02")
        assert "Missed" not in card_text(february) and "Held" not in card_text(february)


async def test_bad_input_to_calendar_held_is_answered_and_nothing_is_kept(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock) as env:
        await morning(env, date(2027, 2, 2))
        (which,) = await say(env, QUINN, "calendar held coffee")
        assert which.name == "calendar_held_which"
        assert "“coffee” is not a meeting" in which.fallback and "stocktake" in which.fallback
        (future,) = await say(env, QUINN, "calendar held stocktake 2027-03-01")
        assert future.name == "calendar_held_future"
        (private,) = await say(
            env, QUINN, "calendar held closing_the_loop today Jayden Smith, 7, was discussed"
        )
        assert private.name == "calendar_held_privacy", private.fallback
        assert "Nothing was recorded" in private.title
        (refused,) = await say(env, TESS, "calendar held stocktake")
        assert refused.name == "not_allowed"
        assert await _held(env) == []


async def test_slack_the_reminders_button_marks_it_held(staffed: BotEnv) -> None:
    env = staffed
    env.clock.set(at(date(2026, 12, 24), 9, 45))
    await env.runtime.bot.run_sweeps()
    await deliver(env)
    (summary,) = [m for m in dms_to(env, "UHELEN") if "You lead Stocktake" in text_of(m)]
    button = slack_button(summary, "Mark as held: Stocktake")
    before = len(env.slack_api.calls)
    status, _ = await env.slack.press("UHELEN", button, message=summary)
    assert status == 200
    await deliver(env)
    answer = json.dumps([c.params for c in env.slack_api.calls[before:]], ensure_ascii=False)
    assert "Stocktake (January 2027) was held on Thu 24 Dec 2026" in answer
    assert [(h.activity, h.cycle_on) for h in await _held(env)] == [("stocktake", date(2027, 1, 1))]
