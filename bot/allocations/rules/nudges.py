"""Which nudge a piece of work needs today: pure rules over dates, no I/O.

The sweeps are level-triggered: each time they run they ask "which stage is current today?"
rather than "what was scheduled for this minute?". A stage has a stable key (``due-3wd``,
``overdue``, ``escalation-1`` ...); the store remembers the keys already acted on, so a stage
is sent once, late rather than never when a tick was missed, and superseded by the next stage
when the person was away or the bot was down for longer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.domain.activities import EscalationStep
from bot.domain.workdays import WorkingCalendar

# An allocation nobody has accepted (or handed back) after this many working days is mentioned
# in the person's morning summary as waiting for their reply.
REPLY_AFTER_WORKING_DAYS = 2


@dataclass(frozen=True)
class Stage:
    key: str
    text: str
    urgent: bool = False


def reminder_stage(
    due: date, reminders: Sequence[int], allocated_on: date, today: date, cal: WorkingCalendar
) -> int | None:
    """The reminder (working days before the due date) that is current today, if any.

    That is the latest reminder day on or before today, counting only days after the
    allocation, and only up to the due date itself.
    """
    if today > due:
        return None
    last_working = cal.on_or_before(due)
    current: int | None = None
    for before in sorted(set(reminders), reverse=True):
        day = cal.add_working_days(last_working, -before)
        if allocated_on < day <= today:
            current = before
    return current


def due_stage(
    due: date, reminders: Sequence[int], allocated_on: date, today: date, cal: WorkingCalendar
) -> Stage | None:
    """The reminder or overdue stage of open work today."""
    if today > due:
        late = cal.working_days_between(due, today)
        days = "working day" if late == 1 else "working days"
        return Stage("overdue", f"overdue: it was due {day_label(due)} ({late} {days} ago)", True)
    before = reminder_stage(due, reminders, allocated_on, today, cal)
    if before is None:
        return None
    left = cal.working_days_between(today, due)
    if left <= 0:
        return Stage(f"due-{before}wd", f"due today ({day_label(due)})", True)
    days = "working day" if left == 1 else "working days"
    return Stage(f"due-{before}wd", f"due in {left} {days} ({day_label(due)})")


def reply_stage(allocated_on: date, due: date | None, today: date, cal: WorkingCalendar) -> bool:
    """True when work allocated a while ago still waits for Accept (or Can't do)."""
    if due is not None and today > due:
        return False
    return cal.working_days_between(allocated_on, today) >= REPLY_AFTER_WORKING_DAYS


def escalations_due(
    due: date, steps: Sequence[EscalationStep], today: date, cal: WorkingCalendar
) -> list[tuple[int, EscalationStep]]:
    """Escalation steps (numbered from 1) whose day has come for work due on ``due``."""
    return [
        (number, step)
        for number, step in enumerate(steps, start=1)
        if cal.add_working_days(due, step.after_working_days) <= today
    ]


@lru_cache(maxsize=4096)
def day_label(d: date) -> str:
    """``Fri 4 Dec 2026``: unambiguous in English, short enough for a card. Cached: a morning
    summary puts thousands of dates into words, most of them the same few hundred."""
    return f"{d:%a} {d.day} {d:%b %Y}"
