"""Working days in England: weekends, England and Wales bank holidays and council closure days.

"Within N working days" counts from the next working day after the trigger, so 10 working days
from Friday 19 December 2025 is Wednesday 7 January 2026 (DOMAIN.md section 9).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
_ONE_DAY = timedelta(days=1)


@cache
def _england_and_wales() -> holidays.HolidayBase:
    # Expands year by year on first use; substitute days ("Boxing Day (observed)") included.
    return holidays.country_holidays("GB", subdiv="ENG")


def end_of_month(d: date) -> date:
    """The last calendar day of d's month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, n: int) -> date:
    """d moved n calendar months, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    month_index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last_day))


@dataclass(frozen=True)
class Quarter:
    """A quarter of a year that starts in ``first_month`` (4 for the financial year)."""

    index: int
    start: date
    end: date
    first_month: int

    @property
    def label(self) -> str:
        year = self.start.year if self.start.month >= self.first_month else self.start.year - 1
        if self.first_month == 1:
            return f"Q{self.index} {year}"
        return f"Q{self.index} {year}-{(year + 1) % 100:02d}"

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return self.label


class CalendarSettings(Protocol):
    """What a calendar needs from configuration (``bot.domain.framework.CalendarRules``)."""

    @property
    def closure_days(self) -> tuple[date, ...]: ...

    @property
    def quarter_start_month(self) -> int: ...


@dataclass(frozen=True)
class WorkingCalendar:
    closure_days: frozenset[date] = frozenset()
    quarter_start_month: int = 4
    _bank_holidays: holidays.HolidayBase = field(
        default_factory=_england_and_wales, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not 1 <= self.quarter_start_month <= 12:
            raise ValueError("quarter_start_month must be between 1 and 12")

    @classmethod
    def from_settings(cls, settings: CalendarSettings) -> WorkingCalendar:
        return cls(frozenset(settings.closure_days), settings.quarter_start_month)

    # Days

    def is_bank_holiday(self, d: date) -> bool:
        return d in self._bank_holidays

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.closure_days and not self.is_bank_holiday(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before d."""
        d -= _ONE_DAY
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def on_or_after(self, d: date) -> date:
        """d if it is a working day, else the next one."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def on_or_before(self, d: date) -> date:
        """d if it is a working day, else the previous one."""
        return d if self.is_working_day(d) else self.previous_working_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d (before d if n is negative); d itself when n is 0."""
        step = self.next_working_day if n > 0 else self.previous_working_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after a up to and including b; negative when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            count += self.is_working_day(d)
            d += _ONE_DAY
        return count

    # Months and quarters

    @staticmethod
    def end_of_month(d: date) -> date:
        return end_of_month(d)

    @staticmethod
    def add_months(d: date, n: int) -> date:
        return add_months(d, n)

    def last_working_day_of_month(self, d: date) -> date:
        return self.on_or_before(end_of_month(d))

    def quarter_of(self, d: date) -> Quarter:
        months_in = (d.month - self.quarter_start_month) % 12
        first = add_months(date(d.year, d.month, 1), -(months_in % 3))
        return Quarter(
            index=months_in // 3 + 1,
            start=first,
            end=add_months(first, 3) - _ONE_DAY,
            first_month=self.quarter_start_month,
        )

    # Working hours

    def is_within_working_hours(
        self, dt: datetime, start: time, end: time, tz: ZoneInfo = LONDON
    ) -> bool:
        """True when dt, read as local time in tz, is on a working day in [start, end)."""
        local = _local(dt, tz)
        return self.is_working_day(local.date()) and start <= local.time() < end

    def next_working_moment(
        self, dt: datetime, start: time, end: time, tz: ZoneInfo = LONDON
    ) -> datetime:
        """dt itself inside working hours, else the start of the next working hours (in tz)."""
        if self.is_within_working_hours(dt, start, end, tz):
            return dt
        local = _local(dt, tz)
        day = local.date()
        if not (self.is_working_day(day) and local.time() < start):
            day = self.next_working_day(day)
        # Building from the wall-clock time picks the right UTC offset on either side of a change.
        return datetime.combine(day, start, tzinfo=tz)


def _local(dt: datetime, tz: ZoneInfo) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("working hours need an aware datetime")
    return dt.astimezone(tz)
