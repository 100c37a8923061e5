"""The quotas' pure rules: who is short of a quota, which nudge point is current, and what a
logged item's form must hold. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.activities import ActivityType, CycleQuota
from bot.domain.framework import Framework
from bot.domain.quotas import ItemKind, Quota, QuotaPeriod
from bot.domain.workdays import WorkingCalendar, add_months
from bot.quotas import schedule
from bot.quotas.schedule import Turn

FEEDBACK_SOURCES: tuple[tuple[str, str], ...] = (
    ("child", "Child"),
    ("young_person", "Young person"),
    ("parent", "Parent"),
    ("carer", "Carer"),
    ("professional", "Professional"),
)
FEEDBACK_KINDS: tuple[tuple[str, str], ...] = (
    ("compliment", "Compliment"),
    ("complaint", "Complaint"),
    ("comment", "Comment"),
)
NOTES_MAX = 1500
THEME_MAX = 200

# The fields each kind's form has, besides the date: (field id, required).
FORM_FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    "feedback": (
        ("subject", True),
        ("source", True),
        ("feedback_kind", True),
        ("case_ref", False),
        ("themes", False),
    ),
    "dip_review": (("team", True), ("theme", True), ("notes", True)),
    "observation": (("subject", True), ("theme", False), ("notes", False)),
    "manager_audit": (("case_ref", True), ("notes", False)),
    "multi_agency_audit": (("theme", True), ("notes", True)),
    "follow_up_call": (("case_ref", False), ("notes", False)),
    "safeguarding_conversation": (("case_ref", False), ("theme", True), ("notes", False)),
}
# What the person types after `log` for each kind.
KIND_WORDS: dict[str, ItemKind] = {
    "feedback": "feedback",
    "family feedback": "feedback",
    "dip review": "dip_review",
    "dip": "dip_review",
    "observation": "observation",
    "practice observation": "observation",
    "audit": "manager_audit",
    "case audit": "manager_audit",
    "monthly audit": "manager_audit",
    "multi-agency audit": "multi_agency_audit",
    "multi agency audit": "multi_agency_audit",
    "call": "follow_up_call",
    "follow-up call": "follow_up_call",
    "follow up call": "follow_up_call",
    "safeguarding conversation": "safeguarding_conversation",
    "conversation": "safeguarding_conversation",
}


@dataclass(frozen=True)
class Counted:
    """One person, team or the partnership a quota counts, with its tally."""

    key: int | None  # person id, team id, or None for the partnership
    label: str
    count: int
    target: int
    group: str = ""  # the team or service it belongs to, for grids

    @property
    def met(self) -> bool:
        return self.count >= self.target


@dataclass(frozen=True)
class Stage:
    name: str
    day: date
    last: bool


def tally(
    subjects: Iterable[tuple[int | None, str, str]], counts: Mapping[int | None, int], target: int
) -> list[Counted]:
    """(key, label, group) of each subject with its count for the period."""
    return [
        Counted(key, label, counts.get(key, 0), target, group) for key, label, group in subjects
    ]


def gaps(counted: Sequence[Counted]) -> list[Counted]:
    return [c for c in counted if not c.met]


def current_stage(
    quota: Quota, period: QuotaPeriod, today: date, cal: WorkingCalendar
) -> Stage | None:
    """The latest nudge point reached by ``today`` in the period (None before the first)."""
    days = quota.nudge_days(period, cal)
    reached = [(name, day) for name, day in days if day <= today]
    if not reached or today > period.end:
        return None
    name, day = reached[-1]
    return Stage(name, day, last=(name, day) == days[-1])


def names_list(names: Sequence[str], limit: int = 8) -> str:
    """ "Sam Social, Priya Patel and 3 others"."""
    shown = list(names[:limit])
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} other{'s' if rest > 1 else ''}"
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return shown[0] if shown else ""


def check_date(day: date | None, today: date, period_start: date | None = None) -> str | None:
    """Why a logged item's date cannot be used, or None."""
    if day is None:
        return "Give the date as YYYY-MM-DD."
    if day > today:
        return "The date cannot be in the future."
    if day.year < today.year - 2:
        return "That date is more than two years ago."
    return None


def check_choice(value: str, allowed: Iterable[tuple[str, str]]) -> str | None:
    return None if value in {key for key, _ in allowed} else "Choose one of the options."


def quotas_counting(quotas: Iterable[Quota], kind: str) -> list[Quota]:
    return [quota for quota in quotas if quota.counts == kind]


# --- the QA calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """An activity whose cycle opens in a month, with its deadline, the cycle's quotas, the
    teams due (an interval per team) and whose turn each rotation gives."""

    key: str
    name: str
    opens_on: date
    due_on: date
    quotas: str
    cadence: str = ""
    teams: tuple[str, ...] = ()
    turns: tuple[Turn, ...] = ()
    opens_itself: bool = False
    # The cycle's own day (the first of its month, or its interval's day), whose turn it is.
    cycle_on: date | None = None
    # How it starts: "sample" (allocate cycle with a cohort), "allocate" (a CSV) or "leads"
    # (the leads run it; they are reminded).
    start: str = "sample"

    @property
    def cycle_key(self) -> str:
        return f"{self.key}:{self.opens_on.isoformat()}"

    def turn_text(self) -> str:
        """ "Team: Front Door; lead: Hana Head"."""
        parts = [f"{t.label}: {t.member.label}" for t in self.turns]
        if self.teams:
            parts.insert(0, "teams due: " + ", ".join(self.teams))
        return "; ".join(parts)


MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()


def parse_month(text: str, today: date) -> date | None:
    """ "december", "dec", "12", "2027-01" or "" (this month) -> the first day of that month,
    the next one to come when no year is given."""
    words = text.strip().lower()
    if not words:
        return today.replace(day=1)
    if len(words) == 7 and words[4] == "-" and words[:4].isdigit() and words[5:].isdigit():
        year, number = int(words[:4]), int(words[5:])
        return date(year, number, 1) if 1 <= number <= 12 and 2000 < year < 2100 else None
    month = int(words) if words.isdigit() and len(words) <= 2 else None
    if month is None:
        found = [
            i for i, name in enumerate(MONTH_NAMES, 1) if len(words) >= 3 and name.startswith(words)
        ]
        month = found[0] if len(found) == 1 else None
    if month is None or not 1 <= month <= 12:
        return None
    year = today.year if month >= today.month else today.year + 1
    return date(year, month, 1)


def month_schedule(
    framework: Framework,
    first: date,
    cal: WorkingCalendar,
    directory: schedule.Directory | None = None,
) -> list[CalendarEntry]:
    """The activities whose cycle opens in ``first``'s month (by ``months`` or by an interval),
    with whose turn it is; none in a quiet month. A per-team interval is listed only in a
    month where some team is due."""
    if first.month in framework.calendar.quiet_months:
        return []
    found = directory or schedule.Directory()
    entries: list[CalendarEntry] = []
    for activity in framework.activities:
        for cycle_on in schedule.cycles_in_month(framework, activity, first):
            teams = schedule.teams_due(activity, first, found.teams)
            if activity.every is not None and activity.every.per == "team" and not teams:
                continue
            opens = schedule.opening_day(cycle_on, cal)
            quotas = [q for q in framework.cycle_quotas if q.activity == activity.key]
            entries.append(
                CalendarEntry(
                    key=activity.key,
                    name=activity.name,
                    opens_on=opens,
                    due_on=activity.deadline.due(opens, cal),
                    quotas=describe_cycle_quotas(quotas),
                    cadence=schedule.cadence(activity),
                    teams=teams,
                    turns=schedule.turns_at(framework, activity, cycle_on, found),
                    opens_itself=activity.opens_itself,
                    cycle_on=cycle_on,
                    start=_how_it_starts(activity, bool(quotas)),
                )
            )
    return sorted(entries, key=lambda e: e.opens_on)


def _how_it_starts(activity: ActivityType, has_cycle_quotas: bool) -> str:
    if has_cycle_quotas or activity.requires_moderation:
        return "sample"
    led_in_turn = any(r.of == "role" for r in activity.rotations)
    return "leads" if activity.leads and not led_in_turn else "allocate"


def describe_cycle_quotas(quotas: Sequence[CycleQuota]) -> str:
    parts: list[str] = []
    for quota in quotas:
        where = f" in {quota.service}" if quota.service else ""
        whom = {"cohort": ""}.get(
            quota.per, f" per {' or '.join(r.value.replace('_', ' ') for r in quota.roles)}"
        )
        parts.append(f"{quota.per_cycle}{whom}{where}")
    return "; ".join(parts)


def quota_deadlines(
    quotas: Sequence[Quota], first: date, cal: WorkingCalendar
) -> list[tuple[Quota, QuotaPeriod]]:
    """The quotas whose period ends in ``first``'s month."""
    last = add_months(first, 1) - timedelta(days=1)
    found: list[tuple[Quota, QuotaPeriod]] = []
    for quota in quotas:
        if quota.period == "rolling":
            continue
        period = quota.period_of(last, cal)
        if first <= period.end <= last:
            found.append((quota, period))
    return found
