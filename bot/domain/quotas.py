"""Quotas of a QA framework: what is counted, for whom, per period, the target, who may log it,
who owns a gap and when they are nudged.

Part of the framework file's model (``[[quotas]]``), so it lives in the domain core; the
``bot/quotas`` area counts logged items against these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.domain.roles import Role
from bot.domain.workdays import WorkingCalendar, add_months

# What a logged item is. Each kind has its own short form in chat.
ItemKind = Literal[
    "feedback",
    "dip_review",
    "observation",
    "manager_audit",
    "multi_agency_audit",
    "follow_up_call",
    "safeguarding_conversation",
]
ITEM_KINDS: tuple[ItemKind, ...] = (
    "feedback",
    "dip_review",
    "observation",
    "manager_audit",
    "multi_agency_audit",
    "follow_up_call",
    "safeguarding_conversation",
)
ITEM_LABELS: dict[str, str] = {
    "feedback": "family or professional feedback",
    "dip_review": "dip review",
    "observation": "practice observation",
    "manager_audit": "manager's case audit",
    "multi_agency_audit": "multi-agency audit",
    "follow_up_call": "follow-up call",
    "safeguarding_conversation": "safeguarding conversation",
}
# Who an item is counted for: a practitioner, a team, a person holding one of ``roles``
# (a manager's own audits), a service, or the partnership as a whole.
Per = Literal["practitioner", "team", "role", "service", "partnership"]
Period = Literal["month", "quarter", "year", "months", "rolling"]
# Who is nudged about a gap: the counted person, their line manager, the team's managers,
# the service's heads of service or the QA team.
GapOwner = Literal["self", "line_manager", "team_manager", "head_of_service", "qa_team"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AfterWeeks(_Frozen):
    """A nudge this many weeks into the period (the next working day if that is not one)."""

    after_weeks: int = Field(ge=1, le=104)

    def day(self, start: date, end: date, cal: WorkingCalendar) -> date:
        return cal.on_or_after(start + timedelta(weeks=self.after_weeks))

    @property
    def name(self) -> str:
        return f"week-{self.after_weeks}"


class BeforeEnd(_Frozen):
    """A nudge this many working days before the period's last working day."""

    before_end_working_days: int = Field(ge=0, le=60)

    def day(self, start: date, end: date, cal: WorkingCalendar) -> date:
        return cal.add_working_days(cal.on_or_before(end), -self.before_end_working_days)

    @property
    def name(self) -> str:
        return f"end-{self.before_end_working_days}wd"


NudgePoint = Annotated[AfterWeeks | BeforeEnd, Field(union_mode="left_to_right")]


@dataclass(frozen=True)
class QuotaPeriod:
    start: date
    end: date
    label: str

    @property
    def key(self) -> str:
        return self.start.isoformat()

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class Quota(_Frozen):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1, max_length=80)
    counts: ItemKind
    per: Per
    # per = "role": whose own items count (a team manager's monthly audit).
    roles: tuple[Role, ...] = ()
    period: Period
    # period = "months" (blocks of N months from the framework year's start) or "rolling"
    # (the N months up to today).
    months: int | None = Field(default=None, ge=1, le=60)
    target: int = Field(ge=1, le=1000)
    # Who may log an item (the QA team always may).
    logged_by: tuple[Role, ...] = Field(min_length=1)
    gap_owner: GapOwner
    nudges: tuple[NudgePoint, ...] = ()
    # Who gets the end-of-period compliance summary.
    summary_to: tuple[Literal["head_of_service", "qa_team"], ...] = ("head_of_service", "qa_team")
    # Where the rule comes from: "seed NNN: a short quote", or "local default: ...".
    source: str = Field(min_length=1)
    # Allocated activities (keys) whose completion counts as an item done by the assignee:
    # Dudley's monthly case audits are allocated by the bot, and a manager who completes one
    # has done their audit for the month (per = "role" quotas only).
    completed_by: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Quota:
        if (self.per == "role") != bool(self.roles):
            raise ValueError("roles are given exactly when the quota is per role")
        if (self.period in ("months", "rolling")) != (self.months is not None):
            raise ValueError('months is given exactly when the period is "months" or "rolling"')
        if self.period == "rolling" and self.nudges:
            raise ValueError("a rolling period has no start or end to nudge from")
        if self.completed_by and self.per != "role":
            raise ValueError('completed_by counts the assignee\'s own work: per = "role" only')
        if self.gap_owner == "self" and self.per in ("team", "service", "partnership"):
            raise ValueError('gap_owner "self" needs a quota counted per person')
        return self

    def period_of(self, day: date, cal: WorkingCalendar) -> QuotaPeriod:
        """The period ``day`` falls in."""
        if self.period == "month":
            start = day.replace(day=1)
            return QuotaPeriod(start, add_months(start, 1) - timedelta(days=1), f"{day:%B %Y}")
        if self.period == "quarter":
            quarter = cal.quarter_of(day)
            return QuotaPeriod(quarter.start, quarter.end, quarter.label)
        if self.period == "rolling":
            assert self.months is not None
            start = add_months(day, -self.months) + timedelta(days=1)
            return QuotaPeriod(start, day, f"the {self.months} months to {day:%-d %B %Y}")
        length = 12 if self.period == "year" else self.months
        assert length is not None
        year_start = _year_start(day, cal.quarter_start_month)
        months_in = (day.year - year_start.year) * 12 + day.month - year_start.month
        start = add_months(year_start, months_in - months_in % length)
        end = add_months(start, length) - timedelta(days=1)
        return QuotaPeriod(start, end, f"{start:%b %Y} to {end:%b %Y}")

    def nudge_days(self, period: QuotaPeriod, cal: WorkingCalendar) -> list[tuple[str, date]]:
        """(name, day) of each nudge point in the period, earliest first."""
        days = [(point.name, point.day(period.start, period.end, cal)) for point in self.nudges]
        return sorted(days, key=lambda pair: pair[1])


def _year_start(day: date, first_month: int) -> date:
    year = day.year if day.month >= first_month else day.year - 1
    return date(year, first_month, 1)


def quota_problems(quotas: tuple[Quota, ...]) -> list[str]:
    seen: set[str] = set()
    problems: list[str] = []
    for quota in quotas:
        if quota.key in seen:
            problems.append(f"quota key {quota.key!r} appears twice")
        seen.add(quota.key)
    return problems


def is_local_default(source: str) -> bool:
    return source.strip().lower().startswith("local default")
