"""Activity types of a QA framework (audits, evaluations, moderations ...) and their rules.

Every activity has a deadline rule, working-day reminders before the deadline and an escalation
chain after it. ``start`` is the day the clock starts: the allocation, the completion of the
activity this one follows, or, for rules relative to a target, the target day itself (the Team
Spotlight day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.ladder_engine import stage_due_on
from bot.domain.ladders import InadequateLadder
from bot.domain.roles import Role
from bot.domain.workdays import WorkingCalendar, add_months

EscalationTarget = Literal[
    "line_manager", "head_of_service", "assistant_director", "director", "qa_team"
]
Grade = Literal["outstanding", "good", "requires_improvement", "inadequate"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Deadline rules


class WorkingDaysAfter(_Frozen):
    """Due on the n-th working day after the start."""

    kind: Literal["working_days"]
    days: int = Field(ge=1, le=260)

    def due(self, start: date, cal: WorkingCalendar) -> date:
        return cal.add_working_days(start, self.days)


class WeeksAfter(_Frozen):
    """Due n calendar weeks after the start, or the next working day after that."""

    kind: Literal["weeks"]
    weeks: int = Field(ge=1, le=104)

    def due(self, start: date, cal: WorkingCalendar) -> date:
        return cal.on_or_after(start + timedelta(weeks=self.weeks))


class MonthsAfter(_Frozen):
    """Due n calendar months after the start (clamped to month end), or the next working day."""

    kind: Literal["months"]
    months: int = Field(ge=1, le=36)

    def due(self, start: date, cal: WorkingCalendar) -> date:
        return cal.on_or_after(add_months(start, self.months))


class EndOfMonth(_Frozen):
    """Due on the last working day of the start's month; next month's if too few days remain."""

    kind: Literal["end_of_month"]
    min_working_days: int = Field(default=0, ge=0, le=20)

    def due(self, start: date, cal: WorkingCalendar) -> date:
        due = cal.last_working_day_of_month(start)
        if cal.working_days_between(start, due) < self.min_working_days:
            due = cal.last_working_day_of_month(add_months(start.replace(day=1), 1))
        return due


class EndOfQuarter(_Frozen):
    """Due on the last working day of the start's quarter; next quarter's if too few remain."""

    kind: Literal["end_of_quarter"]
    min_working_days: int = Field(default=0, ge=0, le=60)

    def due(self, start: date, cal: WorkingCalendar) -> date:
        quarter = cal.quarter_of(start)
        due = cal.on_or_before(quarter.end)
        if cal.working_days_between(start, due) < self.min_working_days:
            due = cal.on_or_before(cal.quarter_of(quarter.end + timedelta(days=1)).end)
        return due


class RelativeToTarget(_Frozen):
    """Due a fixed offset before (negative) or after the target day, e.g. Team Spotlight T-5 WD.

    A calendar-day offset that lands on a non-working day moves towards the target day.
    """

    kind: Literal["relative_to_target"]
    offset: int = Field(ge=-260, le=260)
    unit: Literal["working_days", "calendar_days"] = "working_days"

    def due(self, start: date, cal: WorkingCalendar) -> date:
        if self.unit == "working_days":
            return cal.add_working_days(start, self.offset)
        day = start + timedelta(days=self.offset)
        return cal.on_or_before(day) if self.offset < 0 else cal.on_or_after(day)


DeadlineRule = Annotated[
    WorkingDaysAfter | WeeksAfter | MonthsAfter | EndOfMonth | EndOfQuarter | RelativeToTarget,
    Field(discriminator="kind"),
]


# Cadences that are not calendar months


class Interval(_Frozen):
    """A cycle every ``weeks`` weeks or every ``months`` months from ``starts`` (North
    Somerset's team action plans every six weeks; Somerset's Team Diagnostic every 18 months
    per team; the partnership's Section 11 audit every two years).

    With ``per = "team"`` each team has its own turn once per interval: the case-holding teams,
    in name order, are spread evenly over the interval.
    """

    weeks: int | None = Field(default=None, ge=1, le=104)
    months: int | None = Field(default=None, ge=1, le=60)
    # The first cycle (its Monday or the first of its month); a local default when no seed
    # gives one.
    starts: date
    per: Literal["framework", "team"] = "framework"
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_unit(self) -> Interval:
        if (self.weeks is None) == (self.months is None):
            raise ValueError("an interval is every N weeks or every N months: give exactly one")
        if self.months is not None and self.starts.day != 1:
            raise ValueError("an interval in months starts on the first day of a month")
        if self.weeks is not None and self.per == "team":
            raise ValueError('per = "team" needs an interval in months')
        return self

    def occurrences(self, first: date, last: date) -> list[date]:
        """The days a cycle opens between ``first`` and ``last`` (per team: every month from
        ``starts``, each month being the turn of the teams ``teams_due`` gives)."""
        found: list[date] = []
        if self.weeks is not None:
            every = timedelta(weeks=self.weeks)
            gap = (first - self.starts).days
            day = self.starts + max(0, -(-gap // every.days)) * every
            while day <= last:
                found.append(day)
                day += every
            return found
        assert self.months is not None
        month = first.replace(day=1)
        # Per team, any month may be some team's turn (``teams_due`` says whose).
        step = 1 if self.per == "team" else self.months
        while month <= last:
            since = months_between(self.starts, month)
            if since >= 0 and since % step == 0 and month >= first.replace(day=1):
                found.append(month)
            month = add_months(month, 1)
        return found

    def teams_due(self, month: date, teams: Sequence[str]) -> list[str]:
        """``per = "team"``: the teams whose turn falls in ``month`` (teams in name order,
        spread evenly over the interval)."""
        assert self.months is not None
        since = months_between(self.starts, month.replace(day=1))
        if since < 0:
            return []
        ordered = sorted(teams)
        slot = since % self.months
        return [
            team
            for i, team in enumerate(ordered)
            if (i * self.months) // max(1, len(ordered)) == slot
        ]


def months_between(start: date, month: date) -> int:
    return (month.year - start.year) * 12 + month.month - start.month


class Rotation(_Frozen):
    """Who takes their turn at each cycle: the teams (MAPE: "each child will be selected from
    a different team", seed 000; a fixed order from the seed, as North Somerset's Team
    Spotlight calendar gives) or the holders of ``roles`` (the Team Spotlight lead rotating in
    the senior leadership team, seed 004). The bot keeps whose turn it was."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=40)
    of: Literal["team", "role"]
    roles: tuple[Role, ...] = ()
    # A fixed order (team names from the seed); empty: the directory's teams or the role
    # holders in name order.
    order: tuple[str, ...] = ()
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _roles_for_people(self) -> Rotation:
        if (self.of == "role") != bool(self.roles):
            raise ValueError('roles are given exactly when the rotation is of = "role"')
        if self.of == "role" and self.order:
            raise ValueError("a rotation of role holders takes them in name order")
        return self


# Activity types


class EscalationStep(_Frozen):
    after_working_days: int = Field(ge=1, le=120)
    to: EscalationTarget


class ActivityType(_Frozen):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    source: str = ""
    deadline: DeadlineRule
    # The work may not happen before this (Dudley: audit meeting at least a week after allocation).
    earliest: DeadlineRule | None = None
    # Working days before the due date; 0 is a reminder on the day.
    reminders: tuple[int, ...] = (3, 1, 0)
    escalation: tuple[EscalationStep, ...] = ()
    # Every completed item is moderated (else only a sample, see ModerationRate).
    requires_moderation: bool = False
    # Started, with its own clock, when an item to be moderated is completed.
    moderation_activity: str | None = None
    # Somerset: who evaluated last cycle moderates this one, and vice versa.
    alternate_roles: bool = False
    # Other activities started when this one is completed (a report after a moderation).
    follow_on_activities: tuple[str, ...] = ()
    follow_up_check_weeks: int | None = Field(default=None, ge=1, le=52)
    roles_allowed: tuple[Role, ...] = ()
    own_team_allowed: bool = False
    stretch_target: bool = False
    action_default_weeks: int = Field(default=4, ge=1, le=52)
    # The latest an action arising from the activity may be due (West Sussex: 4 weeks).
    action_max_weeks: int | None = Field(default=None, ge=1, le=52)
    # Calendar months in which a cycle opens; empty when an event starts it.
    months: tuple[int, ...] = ()
    # Or a cycle every N weeks or months (never both).
    every: Interval | None = None
    # Whose turn it is at each cycle (a team, a lead).
    rotations: tuple[Rotation, ...] = ()
    # The cycle opens itself (allocated by the bot from the cohort the QA team uploaded)
    # instead of the QA team being asked to start it.
    opens_itself: bool = False
    # Who leads a cycle: reminded in their morning summary at the start of its month and
    # ``calendar.lead_reminder_working_days`` before it opens. A rotation of role holders
    # names the one lead whose turn it is instead.
    leads: tuple[Role, ...] = ()

    @field_validator("reminders")
    @classmethod
    def _reminders_sorted(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(r < 0 for r in value):
            raise ValueError(
                "reminders are working days before the due date and cannot be negative"
            )
        return tuple(sorted(set(value), reverse=True))

    @field_validator("escalation")
    @classmethod
    def _escalation_increasing(
        cls, value: tuple[EscalationStep, ...]
    ) -> tuple[EscalationStep, ...]:
        days = [step.after_working_days for step in value]
        if days != sorted(set(days)):
            raise ValueError("escalation steps must come later and later (after_working_days)")
        return value

    @field_validator("months")
    @classmethod
    def _months_valid(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= m <= 12 for m in value) or len(set(value)) != len(value):
            raise ValueError("months must be distinct numbers from 1 to 12")
        return value

    @model_validator(mode="after")
    def _moderation_consistent(self) -> ActivityType:
        if self.requires_moderation and self.moderation_activity is None:
            raise ValueError("requires_moderation needs a moderation_activity")
        if self.alternate_roles and not self.requires_moderation:
            raise ValueError("alternate_roles needs requires_moderation")
        if self.key == self.moderation_activity or self.key in self.follow_on_activities:
            raise ValueError("an activity cannot follow itself")
        if self.months and self.every is not None:
            raise ValueError("an activity recurs by months or by an interval (every), not both")
        if (self.rotations or self.opens_itself) and not (self.months or self.every):
            raise ValueError("rotations and opens_itself need a cadence (months or every)")
        if len({r.key for r in self.rotations}) != len(self.rotations):
            raise ValueError("rotation keys must be distinct")
        if self.leads and not self.recurs:
            raise ValueError("leads are reminded of a recurring cycle: give months or every")
        return self

    @property
    def recurs(self) -> bool:
        return bool(self.months) or self.every is not None

    @property
    def next_activities(self) -> tuple[str, ...]:
        """Keys of the activities started when this one is completed."""
        first = (self.moderation_activity,) if self.moderation_activity else ()
        return first + self.follow_on_activities


class CycleQuota(_Frozen):
    """How many of an activity a cycle needs.

    ``per`` says what the count applies to: ``cohort`` cases sampled from the service's cohort
    (every service when ``service`` is None), or each ``auditor`` holding one of ``roles``
    (allocated by a cycle that opens itself). A quota naming a service overrides one that does
    not. Items counted per practitioner or team are ``[[quotas]]``.
    """

    activity: str
    service: str | None = None
    per_cycle: int = Field(ge=0)
    per: Literal["cohort", "auditor"] = "cohort"
    roles: tuple[Role, ...] = ()
    # per = "auditor": each auditor's per_cycle cases come every cycle_months months (from the
    # framework year's start). A cohort quota's cycle is its activity's months or interval.
    cycle_months: int | None = Field(default=None, ge=1, le=36)
    source: str = ""

    @model_validator(mode="before")
    @classmethod
    def _not_per_person_or_team(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("per") in ("practitioner", "team"):
            raise ValueError(
                f"a cycle quota per {data['per']} is never allocated: count logged items with "
                '[[quotas]], or give the activity every = { months = N, per = "team" }'
            )
        return data

    @model_validator(mode="after")
    def _roles_for_auditors(self) -> CycleQuota:
        if (self.per == "auditor") != bool(self.roles):
            raise ValueError("roles are given exactly when the quota is per auditor")
        if self.per == "cohort" and self.cycle_months is not None:
            raise ValueError(
                "cycle_months is for a quota per auditor; a cohort quota's cycle is its "
                "activity's months or every"
            )
        return self

    @property
    def every_months(self) -> int:
        return self.cycle_months or 1


class ModerationRate(_Frozen):
    """Share of completed ``activity`` items, in ``service``, that are moderated (Dudley 20%)."""

    activity: str
    service: str | None = None
    share: float = Field(gt=0, le=1)
    always_for_grades: tuple[Grade, ...] = ("inadequate",)
    source: str = ""


class ScheduledEscalation(NamedTuple):
    on: date
    step: EscalationStep


# Rules


def due_date(activity: ActivityType, start: date, cal: WorkingCalendar) -> date:
    return activity.deadline.due(start, cal)


def earliest_date(activity: ActivityType, start: date, cal: WorkingCalendar) -> date | None:
    return activity.earliest.due(start, cal) if activity.earliest else None


def reminder_dates(
    activity: ActivityType,
    start: date,
    cal: WorkingCalendar,
    *,
    allocated_on: date | None = None,
) -> tuple[date, ...]:
    """Reminder days, earliest first; none on or before the allocation day.

    The allocation day defaults to ``start``, except for deadlines relative to a target day,
    whose start is the target and which keep every reminder unless ``allocated_on`` is given.
    """
    if allocated_on is None and not isinstance(activity.deadline, RelativeToTarget):
        allocated_on = start
    due = due_date(activity, start, cal)
    days = {cal.add_working_days(due, -before) for before in activity.reminders}
    return tuple(sorted(d for d in days if allocated_on is None or d > allocated_on))


def escalation_dates(
    activity: ActivityType, start: date, cal: WorkingCalendar
) -> tuple[ScheduledEscalation, ...]:
    due = due_date(activity, start, cal)
    return tuple(
        ScheduledEscalation(cal.add_working_days(due, step.after_working_days), step)
        for step in activity.escalation
    )


def follow_up_check_date(
    activity: ActivityType, completed_on: date, cal: WorkingCalendar
) -> date | None:
    """Dudley: the auditor checks the file two weeks after completing the audit."""
    if activity.follow_up_check_weeks is None:
        return None
    return cal.on_or_after(completed_on + timedelta(weeks=activity.follow_up_check_weeks))


def action_due_date(activity: ActivityType, agreed_on: date, cal: WorkingCalendar) -> date:
    """Default due date of an action arising from the activity (West Sussex: at most 4 weeks)."""
    return cal.on_or_after(agreed_on + timedelta(weeks=activity.action_default_weeks))


def action_latest_date(
    activity: ActivityType, agreed_on: date, cal: WorkingCalendar
) -> date | None:
    """The latest due date an action may have, or None when the framework sets no maximum."""
    if activity.action_max_weeks is None:
        return None
    return cal.on_or_after(agreed_on + timedelta(weeks=activity.action_max_weeks))


def inadequate_moderation_due(
    ladder: InadequateLadder, graded_on: date, cal: WorkingCalendar
) -> date | None:
    """West Sussex: an Inadequate grade is moderated immediately (the ladder's first stage's
    clock), not by month end; None when the moderation keeps the activity's own clock."""
    return stage_due_on(cal, graded_on, ladder.stages[0])


def reference_problems(
    activities: Iterable[ActivityType],
    quotas: Iterable[CycleQuota] = (),
    rates: Iterable[ModerationRate] = (),
    ladder: InadequateLadder | None = None,
) -> list[str]:
    """Activity keys that are referred to but not defined."""
    by_key = {a.key: a for a in activities}
    refs: list[tuple[str, str]] = []
    for a in by_key.values():
        refs += [(f"activity {a.key!r}", key) for key in a.next_activities]
    refs += [(f"the quota for {q.service or 'every service'}", q.activity) for q in quotas]
    rates = tuple(rates)
    refs += [(f"the moderation rate for {r.service or 'every service'}", r.activity) for r in rates]
    if ladder is not None and ladder.reaudit_activity is not None:
        refs.append(("the inadequate ladder", ladder.reaudit_activity))
    problems = [
        f"{where} refers to unknown activity {key!r}" for where, key in refs if key not in by_key
    ]
    for rate in rates:
        sampled = by_key.get(rate.activity)
        if sampled is not None and sampled.moderation_activity is None:
            problems.append(
                f"activity {rate.activity!r} has a moderation rate but no moderation_activity"
            )
    return problems
