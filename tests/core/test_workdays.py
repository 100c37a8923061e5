from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.framework import CalendarRules
from bot.domain.workdays import WorkingCalendar, add_months, end_of_month

LONDON = ZoneInfo("Europe/London")
NINE, FIVE = time(9, 0), time(17, 0)
CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 12, 19), True),  # Friday
        (date(2025, 12, 20), False),  # Saturday
        (date(2025, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day (observed): 26 Dec 2026 is a Saturday
        (date(2027, 12, 27), False),  # Christmas Day (observed)
        (date(2027, 12, 28), False),  # Boxing Day (observed)
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2026, 8, 31), False),  # Summer bank holiday
        (date(2026, 8, 28), True),
    ],
)
def test_working_days_follow_england_and_wales_bank_holidays(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_closure_days_are_not_working_days() -> None:
    cal = WorkingCalendar(frozenset({date(2026, 12, 24)}))
    assert not cal.is_working_day(date(2026, 12, 24))
    assert cal.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 29)
    assert CAL.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)


def test_calendar_from_framework_settings() -> None:
    rules = CalendarRules(quarter_start_month=9, closure_days=(date(2026, 12, 24),))
    cal = WorkingCalendar.from_settings(rules)
    assert not cal.is_working_day(date(2026, 12, 24))
    assert cal.quarter_of(date(2026, 9, 1)).label == "Q1 2026-27"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 12, 19), 10, date(2026, 1, 7)),  # DOMAIN.md worked example
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # over Christmas and the observed Boxing Day
        (date(2027, 12, 24), 1, date(2027, 12, 29)),  # two observed days in 2027
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # over Easter 2027
        (date(2026, 12, 26), 1, date(2026, 12, 29)),  # from a Saturday
        (date(2026, 12, 29), -1, date(2026, 12, 24)),
        (date(2027, 1, 7), -5, date(2026, 12, 30)),
        (date(2026, 12, 26), 0, date(2026, 12, 26)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_working_days_between_counts_after_a_up_to_and_including_b() -> None:
    assert CAL.working_days_between(date(2025, 12, 19), date(2026, 1, 7)) == 10
    assert CAL.working_days_between(date(2026, 1, 7), date(2025, 12, 19)) == -10
    assert CAL.working_days_between(date(2026, 12, 24), date(2026, 12, 24)) == 0
    assert CAL.working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 0
    assert CAL.working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1


def test_adding_then_counting_gives_back_n_on_every_start_day() -> None:
    day = date(2026, 11, 1)
    for _ in range(120):  # November 2026 to February 2027: Christmas and both New Years
        for n in (0, 1, 4, 10, 20):
            assert CAL.working_days_between(day, CAL.add_working_days(day, n)) == n
            if CAL.is_working_day(day):
                assert CAL.add_working_days(CAL.add_working_days(day, n), -n) == day
        day += timedelta(days=1)


def test_next_and_previous_working_day_are_strict() -> None:
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert CAL.previous_working_day(date(2026, 12, 29)) == date(2026, 12, 24)
    assert CAL.next_working_day(date(2026, 12, 21)) == date(2026, 12, 22)
    assert CAL.previous_working_day(date(2027, 3, 30)) == date(2027, 3, 25)


def test_months() -> None:
    assert end_of_month(date(2028, 2, 3)) == date(2028, 2, 29)
    assert CAL.end_of_month(date(2026, 8, 3)) == date(2026, 8, 31)
    assert CAL.last_working_day_of_month(date(2026, 8, 3)) == date(2026, 8, 28)  # 31st: holiday
    assert CAL.last_working_day_of_month(date(2027, 1, 5)) == date(2027, 1, 29)  # 31st: Sunday
    assert CAL.last_working_day_of_month(date(2027, 12, 1)) == date(2027, 12, 31)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert CAL.add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


@pytest.mark.parametrize(
    ("first_month", "day", "label", "start", "end"),
    [
        (4, date(2026, 10, 1), "Q3 2026-27", date(2026, 10, 1), date(2026, 12, 31)),
        (4, date(2027, 2, 15), "Q4 2026-27", date(2027, 1, 1), date(2027, 3, 31)),
        (4, date(2027, 3, 31), "Q4 2026-27", date(2027, 1, 1), date(2027, 3, 31)),
        (4, date(2027, 4, 1), "Q1 2027-28", date(2027, 4, 1), date(2027, 6, 30)),
        (1, date(2026, 8, 15), "Q3 2026", date(2026, 7, 1), date(2026, 9, 30)),
        (9, date(2027, 8, 31), "Q4 2026-27", date(2027, 6, 1), date(2027, 8, 31)),
        (9, date(2099, 12, 1), "Q2 2099-00", date(2099, 12, 1), date(2100, 2, 28)),
    ],
)
def test_quarters(first_month: int, day: date, label: str, start: date, end: date) -> None:
    quarter = WorkingCalendar(quarter_start_month=first_month).quarter_of(day)
    assert (quarter.label, quarter.start, quarter.end) == (label, start, end)
    assert quarter.contains(start) and quarter.contains(end) and quarter.contains(day)
    assert not quarter.contains(start - timedelta(days=1))
    assert not quarter.contains(end + timedelta(days=1))


def test_quarter_start_month_is_checked() -> None:
    with pytest.raises(ValueError, match="quarter_start_month"):
        WorkingCalendar(quarter_start_month=13)


def _london(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def test_working_hours_boundaries() -> None:
    assert CAL.is_within_working_hours(_london(2026, 12, 23, 9, 0), NINE, FIVE, LONDON)
    assert CAL.is_within_working_hours(_london(2026, 12, 23, 16, 59, 59), NINE, FIVE, LONDON)
    assert not CAL.is_within_working_hours(_london(2026, 12, 23, 17, 0), NINE, FIVE, LONDON)
    assert not CAL.is_within_working_hours(_london(2026, 12, 23, 8, 59), NINE, FIVE, LONDON)
    assert not CAL.is_within_working_hours(_london(2026, 12, 28, 11, 0), NINE, FIVE, LONDON)


def test_working_hours_are_read_in_london_time_after_the_clocks_go_forward() -> None:
    # Clocks went forward on Sunday 29 March 2026: 08:30 UTC is 09:30 BST on the Monday.
    monday = datetime(2026, 3, 30, 8, 30, tzinfo=UTC)
    assert CAL.is_within_working_hours(monday, NINE, FIVE, LONDON)
    friday = datetime(2026, 3, 27, 8, 30, tzinfo=UTC)  # 08:30 GMT
    assert not CAL.is_within_working_hours(friday, NINE, FIVE, LONDON)
    assert CAL.next_working_moment(friday, NINE, FIVE, LONDON) == datetime(
        2026, 3, 27, 9, 0, tzinfo=UTC
    )
    # Friday evening GMT -> Monday 09:00 BST, which is 08:00 UTC.
    evening = datetime(2026, 3, 27, 17, 30, tzinfo=UTC)
    moment = CAL.next_working_moment(evening, NINE, FIVE, LONDON)
    assert moment == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert moment.astimezone(LONDON).hour == 9


def test_next_working_moment_after_the_clocks_go_back() -> None:
    # Clocks went back on Sunday 25 October 2026: Monday 09:00 is GMT, so 09:00 UTC.
    friday_evening = _london(2026, 10, 23, 18, 0)  # BST
    moment = CAL.next_working_moment(friday_evening, NINE, FIVE, LONDON)
    assert moment == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)
    # 16:30 UTC on the Monday is 16:30 GMT: still working hours (it would not be in BST).
    assert CAL.is_within_working_hours(
        datetime(2026, 10, 26, 16, 30, tzinfo=UTC), NINE, FIVE, LONDON
    )
    assert not CAL.is_within_working_hours(
        datetime(2026, 10, 23, 16, 30, tzinfo=UTC), NINE, FIVE, LONDON
    )


def test_next_working_moment_skips_bank_holidays_and_keeps_moments_inside_hours() -> None:
    christmas_eve_evening = _london(2026, 12, 24, 17, 0)
    assert CAL.next_working_moment(christmas_eve_evening, NINE, FIVE, LONDON) == _london(
        2026, 12, 29, 9, 0
    )
    early = _london(2026, 12, 29, 7, 15)
    assert CAL.next_working_moment(early, NINE, FIVE, LONDON) == _london(2026, 12, 29, 9, 0)
    inside = _london(2026, 12, 29, 10, 0)
    assert CAL.next_working_moment(inside, NINE, FIVE, LONDON) is inside


def test_working_hours_need_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.is_within_working_hours(datetime(2026, 12, 29, 10, 0), NINE, FIVE, LONDON)
