"""The one ladder engine: stage clocks, the order of stages, caps, and what is due when.

Every ladder runs on it, whichever area owns it: the professional-disagreement ladders of
bot/escalations and the Inadequate re-audit ladder of bot/allocations. Pure: no store, no I/O.
A stage's clock counts English working days from the next working day, or calendar months
(landing on the next working day); a ladder may cap its total time, let one start at a later
stage, and repeat its last stage as a cycle.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, NamedTuple

from bot.domain.ladders import LadderBase, LadderStage
from bot.domain.workdays import WorkingCalendar, add_months

DeadlineStep = Literal["none", "ask", "escalate"]


class ScheduledStage(NamedTuple):
    """A stage of a ladder and the day it falls due, if nobody ends it sooner."""

    stage_index: int
    stage: LadderStage
    started_on: date
    due_on: date | None


def stage_due_on(calendar: WorkingCalendar, started_on: date, stage: LadderStage) -> date | None:
    """The stage's deadline: its working days counted from the next working day, or its months
    on (the next working day if that is not one); None when the stage has no timescale."""
    if stage.working_days is not None:
        return calendar.add_working_days(started_on, stage.working_days)
    if stage.months is not None:
        return calendar.on_or_after(add_months(started_on, stage.months))
    return None


def total_due_on(calendar: WorkingCalendar, opened_on: date, ladder: LadderBase) -> date | None:
    """When the ladder's cap on the whole process passes, if it has one."""
    if ladder.total_working_days is None:
        return None
    return calendar.add_working_days(opened_on, ladder.total_working_days)


def next_stage_index(ladder: LadderBase, index: int) -> int | None:
    """The stage after ``index``: None at the last, unless the ladder repeats its last stage."""
    if index + 1 < len(ladder.stages):
        return index + 1
    return len(ladder.stages) - 1 if ladder.repeat_last_stage else None


def stage_at(ladder: LadderBase, index: int) -> LadderStage:
    """The stage at ``index``; past the end of a repeating ladder, its last stage."""
    return ladder.stages[min(index, len(ladder.stages) - 1)]


def may_start_at(ladder: LadderBase, index: int) -> bool:
    return index in ladder.start_choices


def deadline_step(ladder: LadderBase, index: int, due_on: date | None, today: date) -> DeadlineStep:
    """At a stage deadline (the day after the due date) the bot asks whether to escalate, or
    escalates by itself where the stage says so; the last stage can only be asked about."""
    if due_on is None or today <= due_on:
        return "none"
    stage = ladder.stages[index]
    if stage.auto_escalate and index + 1 < len(ladder.stages):
        return "escalate"
    return "ask"


def reminder_due(calendar: WorkingCalendar, due_on: date | None, today: date) -> bool:
    """The stage owner is reminded in the morning summary on the working day before the
    deadline and on the day itself."""
    if due_on is None:
        return False
    return 0 <= calendar.working_days_between(today, due_on) <= 1


def clock_words(calendar: WorkingCalendar, due_on: date | None, today: date) -> str:
    if due_on is None:
        return "no fixed timescale"
    left = calendar.working_days_between(today, due_on)
    when = due_on.strftime("%a %d %b %Y")
    if left < 0:
        return f"overdue since {when}"
    if left == 0:
        return f"due today, {when}"
    days = "working day" if left == 1 else "working days"
    return f"due {when} ({left} {days} left)"


def schedule(
    calendar: WorkingCalendar, ladder: LadderBase, start_index: int, started_on: date
) -> tuple[ScheduledStage, ...]:
    """Each stage from ``start_index`` to the last, if nobody ends one and each next stage
    starts the day the one before falls due. Stops at the first stage with no timescale (after
    listing it): when that stage ends cannot be known."""
    scheduled: list[ScheduledStage] = []
    day = started_on
    for index in range(start_index, len(ladder.stages)):
        stage = ladder.stages[index]
        due = stage_due_on(calendar, day, stage)
        scheduled.append(ScheduledStage(index, stage, day, due))
        if due is None:
            break
        day = due
    return tuple(scheduled)
