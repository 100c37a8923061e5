"""Reminders, escalations and digests from the level-triggered sweeps: only on working days in
working hours, one summary a person a morning, muted by acting and never by ignoring, paused
while someone is away, and never repeated or lost across a restart."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from bot.allocations.dialogs.support import calendar_of
from bot.areas import build_router
from bot.config import load_framework
from bot.dialogs.base import Context, SummaryItem
from bot.domain.simulation import SimulationInputs
from bot.simulation.harness import simulate
from bot.store.models import OutboxMessage
from tests.allocations.support import (
    BEA,
    CHRIS,
    HELEN,
    LONDON,
    TESS,
    allocate_csv,
    allocations,
    at,
    away,
    card_text,
    messages_to,
    person_id,
    press,
    qa_env,  # noqa: F401 (the qa fixture)
    rows,
    running,
    settle,
    sweep,
)
from tests.conftest import STAFF_CSV, BotEnv, Database
from tests.harness import FakeClock

SOMERSET = load_framework("somerset")
CAL = calendar_of(SOMERSET)
CHRIS_PE = f"2045871,Taunton CP,practice_evaluation,{CHRIS},,PE"
TESS_PE = f"2045872,Yeovil CiC,practice_evaluation,{TESS},,PE"


def local(row: OutboxMessage) -> datetime:
    return row.next_attempt_at.astimezone(LONDON)


def days_of(found: list[OutboxMessage]) -> list[date]:
    return [local(r).date() for r in found]


async def run_days(env: BotEnv, first: date, last: date, *times: time) -> None:
    """Sweep at each of ``times`` (London) on every day from first to last, weekends too."""
    day = first
    while day <= last:
        for moment in times or (time(9, 45),):
            await sweep(env, at(day, moment.hour, moment.minute))
        day += timedelta(days=1)


async def test_reminders_only_on_working_days_in_working_hours_over_christmas(qa: BotEnv) -> None:
    env = qa
    await settle(env)
    env.clock.set(at(date(2026, 12, 7), 10))
    await allocate_csv(env, [CHRIS_PE])
    (pe,) = await allocations(env)
    assert pe.due_on == date(2026, 12, 29)  # three weeks is Mon 28 Dec, Boxing Day (observed)
    # Every three hours, day and night, weekends and bank holidays included.
    await run_days(
        env, date(2026, 12, 7), date(2027, 1, 8), *(time(h, 40) for h in range(0, 24, 3))
    )
    sent = [
        r for r in await rows(env) if r.kind in ("reminder", "escalation", "digest", "compliance")
    ]
    assert sent
    for row in sent:
        when = local(row)
        assert CAL.is_working_day(when.date()), (row.card_name, when)
        assert time(9, 30) <= when.time() < time(17, 0), (row.card_name, when)
    chris = await messages_to(env, CHRIS, "reminder")
    assert days_of(chris) == [
        date(2026, 12, 9),  # not accepted two working days on
        date(2026, 12, 18),  # 5 working days before (25 and 28 Dec are bank holidays)
        date(2026, 12, 23),  # 2 working days before
        date(2026, 12, 29),  # due today
        date(2026, 12, 30),  # overdue
        date(2026, 12, 31),  # escalated to the line manager (2 working days)
        date(2027, 1, 6),  # escalated to the head of service (5 working days)
    ]
    assert "due in 5 working days (Tue 29 Dec 2026)" in chris[1].reason
    helen = await messages_to(env, HELEN)
    assert [(r.kind, local(r).date()) for r in helen] == [
        # She leads the January Stocktake (seed 000's calendar): a line in her morning summary
        # five working days before it opens and again on its first working day.
        ("reminder", date(2026, 12, 23)),
        ("escalation", date(2026, 12, 31)),
        ("reminder", date(2027, 1, 4)),
        ("digest", date(2027, 1, 4)),
        # The quotas area's end-of-quarter compliance summary for her service (one message).
        ("compliance", date(2027, 1, 4)),
        ("escalation", date(2027, 1, 6)),
    ]


async def test_one_summary_a_morning_whatever_is_due(qa: BotEnv) -> None:
    env = qa
    await settle(env)
    await allocate_csv(
        env,
        [
            CHRIS_PE,
            f"2045873,Yeovil CiC,practice_evaluation,{CHRIS},,PE",
            f"2045874,Yeovil CiC,mape,{CHRIS},,MAPE",
        ],
    )
    mape = (await allocations(env))[-1]
    await press(env, CHRIS, "alloc.accept", {"a": mape.id})
    await run_days(env, date(2026, 12, 7), date(2026, 12, 7), time(9, 0), time(9, 45), time(14, 0))
    (summary,) = await messages_to(env, CHRIS, "reminder")
    assert local(summary).time() == time(9, 45)  # not at 09:00: the summary waits until 09:30
    assert summary.payload["fallback"].count("due in 5 working days") == 2
    # Each piece of work is one line, whatever is due for it today.
    assert summary.payload["fallback"].count("case 2045871") == 1
    body = " ".join(block.get("text", "") for block in summary.payload["body"])
    assert "Also open" in body and "(MAPE), case 2045874: due Mon 25 Jan 2027" in body


async def test_acting_mutes_a_reminder_and_ignoring_never_does(qa: BotEnv) -> None:
    env = qa
    await settle(env)
    await allocate_csv(env, [CHRIS_PE, TESS_PE])
    chris_pe, _ = await allocations(env)
    await press(env, CHRIS, "alloc.accept", {"a": chris_pe.id})
    await run_days(env, date(2026, 11, 25), date(2026, 12, 7))
    assert [r.reason for r in await messages_to(env, CHRIS, "reminder")] == [
        "Practice Evaluation, case 2045871: due in 5 working days (Mon 14 Dec 2026)"
    ]  # accepting muted the "please reply" nudge Tess gets for ignoring hers
    assert "please accept it" in (await messages_to(env, TESS, "reminder"))[0].reason

    # Chris presses Done on his morning summary and records the outcome; Tess ignores hers.
    (summary,) = await messages_to(env, CHRIS, "reminder")
    done = next(b for b in summary.payload["buttons"] if b["label"] == "Done 2045871")
    (form,) = await press(env, CHRIS, done["verb"], done["data"])
    await press(env, CHRIS, "alloc.outcome", {"a": chris_pe.id}, {"grade": "good"})
    await run_days(env, date(2026, 12, 8), date(2026, 12, 16))
    assert len(await messages_to(env, CHRIS, "reminder")) == 1
    tess_days = days_of(await messages_to(env, TESS, "reminder"))
    assert tess_days == [
        date(2026, 11, 25),
        # She leads December's team action plan update (seed 000's calendar).
        date(2026, 12, 1),
        date(2026, 12, 7),
        date(2026, 12, 10),
        date(2026, 12, 14),
        date(2026, 12, 15),
        date(2026, 12, 16),
    ]
    assert form.name == "allocation_outcome_form"
    assert [r.kind for r in await messages_to(env, HELEN)] == ["escalation"]  # about Tess only
    assert "Chris" not in (await messages_to(env, HELEN))[0].reason


async def test_a_person_away_for_two_weeks(qa: BotEnv) -> None:
    env = qa
    await settle(env)
    await allocate_csv(env, [CHRIS_PE])
    await away(env, CHRIS, date(2026, 12, 7), date(2026, 12, 18))
    await run_days(env, date(2026, 11, 24), date(2026, 12, 22))
    chris = await messages_to(env, CHRIS, "reminder")
    # Paused while away (the reminders of 7, 10 and 14 Dec), then the state of play on return.
    assert days_of(chris) == [date(2026, 11, 25), date(2026, 12, 21)]
    back = chris[1].payload["fallback"]
    assert "overdue" in back and "now escalated to your head of service, " in back
    helen = await messages_to(env, HELEN, "escalation")
    # His line manager hears on the first working day it is overdue, once for that step ...
    assert days_of(helen) == [date(2026, 12, 15), date(2026, 12, 21)]
    assert "Chris is away until Fri 18 Dec 2026" in helen[0].reason
    assert "head of service" in helen[1].reason
    # It reached the line manager the framework names: no "in place of" (issue 10).
    assert "in place of" not in card_text(helen[0].payload)
    assert "sent to Helen Head" in helen[0].reason


async def test_an_escalation_skips_a_manager_who_is_away(qa: BotEnv) -> None:
    env = qa
    await settle(env)
    await allocate_csv(env, [TESS_PE])
    await away(env, HELEN, date(2026, 12, 14), date(2026, 12, 31))
    await run_days(env, date(2026, 12, 16), date(2026, 12, 16))
    assert await messages_to(env, HELEN) == []
    (to_qa,) = await rows(env, kind="escalation", platform="slack")
    assert to_qa.route == "qa_team"
    assert "no line manager found" not in to_qa.reason
    assert "Tess Manager: Practice Evaluation, case 2045872" in to_qa.reason
    # It names who it went to, and why (issue 10).
    assert (
        "for the line manager, but Helen Head, Tess's line manager, is away, "
        "so it went to the QA team"
    ) in card_text(to_qa.payload)
    assert "sent to the QA team" in to_qa.reason
    # Tess hears the same: not "your line manager" when it went to the QA team.
    (summary,) = await messages_to(env, TESS, "reminder")
    told = summary.payload["fallback"]
    assert (
        "now escalated to the QA team: for your line manager, but Helen Head, Tess's line "
        "manager, is away"
    ) in told
    assert "escalated to your line manager" not in told


async def test_an_escalation_for_someone_with_no_line_manager_says_where_it_went(
    qa: BotEnv,
) -> None:
    env = qa
    await settle(env)
    await allocate_csv(env, [f"2045874,Taunton CP,practice_evaluation,{HELEN},,PE"])
    await run_days(env, date(2026, 12, 16), date(2026, 12, 16))
    (to_qa,) = await rows(env, kind="escalation", platform="slack")
    assert to_qa.route == "qa_team"
    text = card_text(to_qa.payload)
    assert "Helen Head: Practice Evaluation, case 2045874" in text
    assert (
        "for the line manager, but Helen Head has no line manager recorded, "
        "so it went to the QA team"
    ) in text
    assert "comes to you in place of the person the framework escalates it to" in text
    assert "sent to the QA team" in to_qa.reason
    (summary,) = await messages_to(env, HELEN, "reminder")
    assert (
        "now escalated to the QA team: for your line manager, but Helen Head has no line "
        "manager recorded"
    ) in summary.payload["fallback"]


async def test_a_restart_mid_quarter_sends_nothing_twice_and_misses_nothing(
    database: Database, clock: FakeClock
) -> None:
    lines = [CHRIS_PE, TESS_PE, f"2045873,Taunton CP,practice_evaluation,{BEA},,PE"]
    async with running(database, clock) as first:
        await settle(first)
        await allocate_csv(first, lines)
        await run_days(first, date(2026, 11, 23), date(2026, 12, 9), time(9, 45), time(15, 0))
        # Stopped at 09:20 on 10 Dec, before the morning summary ...
        await sweep(first, at(date(2026, 12, 10), 9, 20))
    async with running(database, clock) as second:
        await settle(second)
        # ... started again at 11:00: the summary is late, not lost; earlier ones are not resent.
        await run_days(second, date(2026, 12, 10), date(2026, 12, 10), time(11, 0), time(11, 5))
        await run_days(second, date(2026, 12, 11), date(2026, 12, 21), time(9, 45), time(15, 0))
        sent = await rows(second)
    keys = Counter(r.dedupe_key for r in sent)
    assert max(keys.values()) == 1
    got = Counter(
        (r.kind, r.card_name, r.reason, local(r).date())
        for r in sent
        if r.kind in ("reminder", "escalation", "digest")
    )
    assert max(got.values()) == 1  # nothing twice
    late = [r for r in sent if r.kind == "reminder" and local(r).date() == date(2026, 12, 10)]
    assert {local(r).time() for r in late} == {time(11, 0)}

    # The same allocations, never interrupted, on a fresh database: the same messages.
    staff = STAFF_CSV
    header = "case_ref,team,activity,assignee_email,moderator_email,cycle"
    inputs = SimulationInputs(
        start=date(2026, 11, 23), end=date(2026, 12, 21), allocations="\n".join([header, *lines])
    )
    preview = await simulate(
        SOMERSET,
        staff,
        inputs,
        router=build_router(),
        step_minutes=240,
    )
    expected = Counter(
        (m.kind, m.card, m.reason, m.at.date())
        for m in preview.messages
        if m.kind in ("reminder", "escalation", "digest")
    )
    assert got == expected


async def test_other_areas_reminders_join_the_one_morning_summary(qa: BotEnv) -> None:
    """An area registers its reminders with Router.summary; they arrive inside the same
    morning message as the allocation reminders, once each."""
    env = qa
    await settle(env)
    chris_id = await person_id(env, CHRIS)

    async def feedback_gaps(ctx: Context) -> list[SummaryItem]:
        return [
            SummaryItem(
                chris_id,
                "nudge:test-quota:p-chris:week-6",
                "Family feedback: 2 of your practitioners have none this quarter",
            )
        ]

    env.runtime.bot.router.summary(feedback_gaps)
    env.clock.set(at(date(2026, 12, 7), 10))
    await allocate_csv(env, [CHRIS_PE])
    await run_days(env, date(2026, 12, 9), date(2026, 12, 9), time(9, 45), time(14, 0))
    (summary,) = await messages_to(env, CHRIS, "reminder")
    text = card_text(summary.payload)
    assert "Family feedback: 2 of your practitioners have none this quarter" in text
    assert "please accept it" in text  # the allocation reminder of the same morning
    await run_days(env, date(2026, 12, 10), date(2026, 12, 10))
    later = await messages_to(env, CHRIS, "reminder")
    assert all("Family feedback" not in card_text(r.payload) for r in later[1:])
