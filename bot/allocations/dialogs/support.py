"""What the allocation dialogs share: the working calendar, when the bot may send, how work is
described, who takes work on and who hears about it when it is late."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from bot.allocations import store
from bot.allocations.rules.nudges import day_label
from bot.allocations.store import Allocation, Listed
from bot.dialogs.base import Context
from bot.dialogs.payload import as_int
from bot.domain.activities import ActivityType, EscalationTarget, due_date
from bot.domain.framework import CalendarRules, Framework
from bot.domain.roles import Role
from bot.domain.workdays import WorkingCalendar
from bot.store import directory
from bot.store.models import Person

log = logging.getLogger(__name__)

QA_ROUTE = "qa_team"
GRADES: dict[str, str] = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
STATUS_LABELS: dict[str, str] = {
    store.PROPOSED: "proposed",
    store.WAITING: "waiting for the evaluation",
    store.ALLOCATED: "not yet accepted",
    store.ACCEPTED: "accepted",
    store.DONE: "done",
    store.RETURNED: "with the QA team",
    store.CANCELLED: "cancelled",
}
ESCALATION_ROLES: dict[EscalationTarget, Role] = {
    "head_of_service": Role.HEAD_OF_SERVICE,
    "assistant_director": Role.ASSISTANT_DIRECTOR,
    "director": Role.DIRECTOR,
}
TARGET_LABELS: dict[str, str] = {
    "line_manager": "line manager",
    "head_of_service": "head of service",
    "assistant_director": "assistant director",
    "director": "director",
    "qa_team": "QA team",
}


@cache
def _calendar(rules: CalendarRules) -> WorkingCalendar:
    return WorkingCalendar.from_settings(rules)


def calendar_of(framework: Framework) -> WorkingCalendar:
    return _calendar(framework.calendar)


def in_send_window(ctx: Context) -> bool:
    """On a working day, from the morning summary time to the end of working hours."""
    rules = ctx.framework.calendar
    local = ctx.now.astimezone(ctx.tz)
    return (
        calendar_of(ctx.framework).is_working_day(local.date())
        and rules.morning_summary_at <= local.time() < rules.working_hours_end
    )


def next_working_moment(ctx: Context, not_before: date | None = None) -> datetime:
    """Now, if within working hours, else when working hours next begin (on or after a day)."""
    rules = ctx.framework.calendar
    moment = ctx.now
    if not_before is not None:
        start_of_day = datetime.combine(not_before, rules.working_hours_start, tzinfo=ctx.tz)
        moment = max(moment, start_of_day)
    return calendar_of(ctx.framework).next_working_moment(
        moment, rules.working_hours_start, rules.working_hours_end, ctx.tz
    )


def activity_name(framework: Framework, key: str) -> str:
    activity = framework.activity(key)
    return activity.name if activity else key.replace("_", " ").capitalize()


def subject(framework: Framework, allocation: Allocation | Listed) -> str:
    """What the work is about: ``case 2045871`` or the team."""
    if allocation.case_ref:
        return f"case {allocation.case_ref}"
    return allocation.team or allocation.cycle_label or "—"


def describe(framework: Framework, allocation: Allocation | Listed) -> str:
    """``Practice Evaluation, case 2045871``."""
    return f"{activity_name(framework, allocation.activity)}, {subject(framework, allocation)}"


def due_text(allocation: Allocation) -> str:
    if allocation.status == store.WAITING:
        return "starts when the evaluation is done"
    return day_label(allocation.due_on) if allocation.due_on else "no due date"


def card_key(allocation: Allocation) -> str:
    """Groups the assignment card a person was sent and its later updates."""
    return f"alloc:{allocation.id}:p{allocation.assignee_id}"


def compute_due(
    activity: ActivityType, start: date, cal: WorkingCalendar, override: date | None = None
) -> date:
    return override if override is not None else due_date(activity, start, cal)


def role_for(activity: ActivityType) -> str:
    return store.EVALUATOR if activity.requires_moderation else store.AUDITOR


def int_of(data: Mapping[str, Any], key: str) -> int | None:
    """An id from a card payload; None when it is missing or not a number (a stale card)."""
    return as_int(data.get(key))


def text_of(inputs: Mapping[str, Any], key: str) -> str:
    value = inputs.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def has_allowed_role(person: Person, activity: ActivityType) -> bool:
    return not activity.roles_allowed or bool(
        person.role_names & {r.value for r in activity.roles_allowed}
    )


def team_name(person: Person) -> str:
    return person.team.name if person.team else ""


async def choose_assignee(
    ctx: Context,
    activity: ActivityType,
    *,
    case_team: str,
    exclude: set[int],
    prefer: Person | None = None,
) -> Person | None:
    """Who takes on work the bot creates by itself (a moderation, a re-audit, a report).

    ``prefer`` if they may do it; else the least loaded person with an allowed role who is not
    away, not in the case's team (unless the activity allows it) and not excluded.
    """
    today = ctx.today

    async def eligible(person: Person) -> bool:
        return (
            person.active
            and person.id not in exclude
            and has_allowed_role(person, activity)
            and (activity.own_team_allowed or not case_team or team_name(person) != case_team)
            and not await directory.is_away(ctx.session, person.id, today)
        )

    if prefer is not None and await eligible(prefer):
        return prefer
    if not activity.roles_allowed:
        return None
    load = await store.open_load(ctx.session)
    candidates: dict[int, Person] = {}
    for role in activity.roles_allowed:
        for person in await directory.people_with_role(ctx.session, role):
            candidates.setdefault(person.id, person)
    best: Person | None = None
    for person in sorted(candidates.values(), key=lambda p: (load.get(p.id, 0), p.name, p.id)):
        if await eligible(person):
            best = person
            break
    return best


@dataclass(frozen=True)
class Recipient:
    """Who hears about late work: a person, or the QA team's channel when nobody fits.

    ``why`` is empty when the escalation reached the target itself; otherwise it says why it
    went to someone else (no line manager recorded, the line manager is away ...).
    """

    person: Person | None
    label: str
    why: str = ""

    @property
    def key(self) -> str:
        return f"p{self.person.id}" if self.person else QA_ROUTE

    @property
    def name(self) -> str:
        return self.person.name if self.person else "the QA team"


async def escalation_recipient(ctx: Context, person: Person, target: EscalationTarget) -> Recipient:
    """The person an escalation goes to, skipping anyone away; the QA team when none."""
    if target == "qa_team":
        return pick_escalation_recipient(person, target, [], set())
    chain = await directory.manager_chain(ctx.session, person)
    away = await directory.away_until_each(ctx.session, [m.id for m in chain], ctx.today)
    return pick_escalation_recipient(person, target, chain, set(away))


def pick_escalation_recipient(
    person: Person, target: EscalationTarget, chain: Sequence[Person], away: Collection[int]
) -> Recipient:
    """``escalation_recipient`` from the person's management ``chain`` (their line manager
    first) and the ids of the people ``away`` today. When it cannot reach the target itself,
    the recipient says who it went to instead and why."""
    label = TARGET_LABELS[target]
    if target == "qa_team":
        return Recipient(None, label)
    skipped: Person | None = None
    for manager in chain:
        fits = target == "line_manager" or ESCALATION_ROLES[target].value in manager.role_names
        if not manager.active or manager.id in away:
            if fits and skipped is None:
                skipped = manager
            continue
        if fits:
            return Recipient(manager, label, _instead_because(person, label, skipped))
    if skipped is not None:
        return Recipient(None, "QA team", _instead_because(person, label, skipped))
    if target == "line_manager" or not chain:
        why = f"{person.name} has no line manager recorded"
    else:
        why = f"there is no {label} up {person.name}'s line of management"
    return Recipient(None, "QA team", why)


def _instead_because(person: Person, label: str, skipped: Person | None) -> str:
    if skipped is None:
        return ""
    first = person.name.split()[0]
    state = "away" if skipped.active else "no longer active"
    return f"{skipped.name}, {first}'s {label}, is {state}"


async def person_for_role(ctx: Context, near: Person | None, role: Role) -> Person | None:
    """Someone with ``role``: in ``near``'s management chain if possible, else anyone."""
    if near is not None:
        found = await directory.first_in_chain_with_role(ctx.session, near, role)
        if found is not None:
            return found
    people = await directory.people_with_role(ctx.session, role)
    return people[0] if people else None
