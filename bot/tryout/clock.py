"""Demo time: the real clock plus an offset the try-out page moves forward."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import system_clock
from bot.domain.framework import CalendarRules
from bot.domain.workdays import WorkingCalendar

STEPS = {
    "morning": "Next working morning",
    "week": "A week later",
    "quarter": "End of the quarter",
}


class DemoClock:
    """A clock for ``Runtime(clock=...)``; only ever moves forward."""

    def __init__(self, base: Callable[[], datetime] = system_clock) -> None:
        self.base = base
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self.base() + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset += max(moment - self(), timedelta())


def next_moment(step: str, now: datetime, rules: CalendarRules, tz: ZoneInfo) -> datetime:
    """When ``step`` lands: just after the morning summary time of a working day."""
    calendar = WorkingCalendar.from_settings(rules)
    today = now.astimezone(tz).date()
    if step == "morning":
        day = calendar.next_working_day(today)
    elif step == "week":
        day = calendar.on_or_after(today + timedelta(days=7))
    elif step == "quarter":
        day = calendar.on_or_before(calendar.quarter_of(today).end)
        if day <= today:
            day = calendar.on_or_before(calendar.quarter_of(calendar.next_working_day(today)).end)
    else:
        raise ValueError(f"unknown step {step!r}")
    morning = (datetime.combine(day, rules.morning_summary_at) + timedelta(minutes=1)).time()
    return datetime.combine(day, time(morning.hour, morning.minute), tzinfo=tz)
