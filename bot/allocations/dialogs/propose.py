"""The QA team allocates: a CSV of allocations, or a cohort sampled fairly into a cycle. Either
way the result is a proposal that nobody hears about until the QA team confirms it.

Used by the chat commands (``allocate``, ``allocate cycle``), by uploads in chat and by the
``qabot import allocations`` / ``qabot import cohort`` commands.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.allocations import cards, store
from bot.allocations.cards import ProposalView
from bot.allocations.dialogs.support import (
    QA_ROUTE,
    activity_name,
    calendar_of,
    compute_due,
    has_allowed_role,
    role_for,
    team_name,
)
from bot.allocations.flows import send_assignment
from bot.allocations.imports import AllocationRow, CohortRow
from bot.allocations.rules.nudges import day_label
from bot.allocations.rules.sampling import (
    CohortCase,
    Period,
    StaffMember,
    allocate_cycle,
    service_quotas,
)
from bot.allocations.store import Allocation, AllocationCycle
from bot.dialogs.base import Context, tell_areas
from bot.domain.activities import ActivityType, RelativeToTarget, due_date, earliest_date
from bot.domain.roles import Role
from bot.domain.work_events import CycleConfirmed
from bot.store import directory
from bot.store.models import Person

log = logging.getLogger(__name__)


@dataclass
class Proposal:
    cycle: AllocationCycle | None
    errors: list[str] = field(default_factory=list)


# --- from a CSV of allocations ----------------------------------------------------------------


async def propose_from_rows(
    ctx: Context, rows: list[AllocationRow], parse_errors: list[str]
) -> Proposal:
    """A proposed cycle from the good rows; errors name the lines left out."""
    errors = list(parse_errors)
    warnings: list[str] = []
    people: dict[str, Person | None] = {}
    services = await _team_services(ctx)
    planned: list[tuple[AllocationRow, ActivityType, Person, Person | None]] = []
    lines_of: dict[tuple[str, str], int] = {}
    for row in rows:
        activity = ctx.framework.activity(row.activity)
        assert activity is not None  # the parser checked it
        problem, assignee, moderator = await _people_for(ctx, row, activity, people)
        earlier = lines_of.get((row.case_ref, activity.key)) if row.case_ref else None
        if problem is None and earlier is not None:
            problem = f"case {row.case_ref} already has a {activity.name.lower()} on line {earlier}"
        elif problem is None and row.case_ref:
            existing = await store.open_case_allocation(ctx.session, row.case_ref, activity.key)
            if existing is not None:
                holder = existing.assignee.name if existing.assignee else "the QA team"
                problem = (
                    f"case {row.case_ref} already has an open {activity.name.lower()} "
                    f"(with {holder})"
                )
        if problem is not None or assignee is None:
            errors.append(f"line {row.line}: {problem}")
            continue
        warnings += await _warnings_for(ctx, row, activity, assignee, moderator)
        planned.append((row, activity, assignee, moderator))
        if row.case_ref:
            lines_of[(row.case_ref, activity.key)] = row.line
    errors.sort(key=_line_number)
    if not planned:
        return Proposal(None, errors)
    labels = {row.cycle for row, *_ in planned if row.cycle}
    activities = {activity.key for _, activity, *_ in planned}
    name = labels.pop() if len(labels) == 1 else f"Allocations imported {day_label(ctx.today)}"
    cycle = _new_cycle(
        ctx,
        name=name,
        activity=next(iter(activities)) if len(activities) == 1 else None,
        source="csv",
        problems=[f"left out: {e}" for e in errors] + warnings,
    )
    ctx.session.add(cycle)
    await ctx.session.flush()
    cal = calendar_of(ctx.framework)
    for row, activity, assignee, moderator in planned:
        allocated_on = row.allocated_on or ctx.today
        start = row.target_on if isinstance(activity.deadline, RelativeToTarget) else allocated_on
        assert start is not None
        service = row.service or services.get(row.team, "")
        evaluation = Allocation(
            cycle_id=cycle.id,
            cycle_label=row.cycle or None,
            activity=activity.key,
            case_ref=row.case_ref or None,
            team=row.team,
            service=service,
            assignee_id=assignee.id,
            assignee=assignee,
            role=role_for(activity),
            allocated_on=allocated_on,
            started_on=start,
            target_on=row.target_on,
            earliest_on=earliest_date(activity, allocated_on, cal),
            due_on=compute_due(activity, start, cal, row.due_on),
            status=store.PROPOSED,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
        ctx.session.add(evaluation)
        if moderator is not None and activity.moderation_activity:
            await ctx.session.flush()
            ctx.session.add(_moderation(ctx, evaluation, activity.moderation_activity, moderator))
    await ctx.session.flush()
    ctx.audit.record(
        "allocation.proposed",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"cycle:{cycle.id}",
        details={"source": "csv", "rows": len(planned), "errors": len(errors)},
    )
    log.info("allocation proposal %s: %d rows, %d left out", cycle.id, len(planned), len(errors))
    return Proposal(cycle, errors)


async def _people_for(
    ctx: Context,
    row: AllocationRow,
    activity: ActivityType,
    cache: dict[str, Person | None],
) -> tuple[str | None, Person | None, Person | None]:
    async def find(email: str) -> Person | None:
        if email not in cache:
            cache[email] = await directory.person_by_email(ctx.session, email)
        return cache[email]

    assignee = await find(row.assignee_email)
    if assignee is None:
        return (
            f"no one with the email {row.assignee_email} is in the directory "
            "(import the staff list first)",
            None,
            None,
        )
    if not assignee.active:
        return f"{row.assignee_email} has left (inactive in the directory)", None, None
    if row.team and not activity.own_team_allowed and team_name(assignee) == row.team:
        return (
            f"{assignee.name} is in {row.team}, the case's own team; "
            f"a {activity.name.lower()} is done by someone outside the team",
            None,
            None,
        )
    moderator = None
    if row.moderator_email:
        moderator = await find(row.moderator_email)
        if moderator is None:
            return f"no one with the email {row.moderator_email} is in the directory", None, None
        if not moderator.active:
            return f"{row.moderator_email} has left (inactive in the directory)", None, None
        moderation = ctx.framework.activity(activity.moderation_activity or "")
        if (
            moderation is not None
            and row.team
            and not moderation.own_team_allowed
            and team_name(moderator) == row.team
        ):
            return f"moderator {moderator.name} is in {row.team}, the case's own team", None, None
    return None, assignee, moderator


async def _warnings_for(
    ctx: Context,
    row: AllocationRow,
    activity: ActivityType,
    assignee: Person,
    moderator: Person | None,
) -> list[str]:
    warnings: list[str] = []
    if not has_allowed_role(assignee, activity):
        warnings.append(
            f"line {row.line}: {assignee.name} has none of the roles for "
            f"{activity.name.lower()} ({', '.join(r.value for r in activity.roles_allowed)})"
        )
    day = row.allocated_on or ctx.today
    for person in (assignee, moderator):
        if person is None:
            continue
        until = await directory.away_until(ctx.session, person.id, day)
        if until is not None:
            warnings.append(f"line {row.line}: {person.name} is away until {day_label(until)}")
    if row.due_on is not None and row.due_on < day:
        warnings.append(f"line {row.line}: due_on {row.due_on} is before the allocation date")
    return warnings


def _line_number(message: str) -> int:
    head = message.split(":", 1)[0]
    digits = head.removeprefix("line ").strip()
    return int(digits) if digits.isdigit() else 0


# --- from a cohort, sampled -------------------------------------------------------------------


async def propose_from_cohort(
    ctx: Context,
    activity: ActivityType,
    rows: list[CohortRow],
    parse_errors: list[str],
    *,
    seed: int | None = None,
    name: str | None = None,
) -> Proposal:
    """Sample each service's quota from the cohort and allocate it fairly (see
    ``bot.allocations.rules.sampling``)."""
    errors = list(parse_errors)
    services = await _team_services(ctx)
    cohort: list[CohortCase] = []
    for row in rows:
        service = row.service or services.get(row.team, "")
        if not service:
            errors.append(
                f"line {row.line}: team {row.team!r} is not in the directory: add a service column"
            )
            continue
        existing = await store.open_case_allocation(ctx.session, row.case_ref, activity.key)
        if existing is not None:
            errors.append(
                f"line {row.line}: case {row.case_ref} already has an open "
                f"{activity.name.lower()}, so it is not sampled again"
            )
            continue
        cohort.append(CohortCase(row.case_ref, row.team, service))
    if not cohort:
        return Proposal(None, errors)
    quotas = service_quotas(ctx.framework.cycle_quotas, activity.key) or dict(
        Counter(case.service for case in cohort)
    )
    window = _cycle_window(ctx, activity)
    staff = await _staff_for(ctx, activity, window)
    seed = seed if seed is not None else secrets.randbelow(1_000_000)
    plan = allocate_cycle(cohort, staff, quotas, activity, window, seed)
    ids = {int(m.person_id): m for m in staff}
    people = {p.id: p for p in await directory.active_people(ctx.session) if p.id in ids}
    problems = list(plan.problems)
    if plan.away:
        names = ", ".join(sorted(people[int(pid)].name for pid in plan.away))
        problems.append(f"left out because they are away during the cycle: {names}")
    cycle = _new_cycle(
        ctx,
        name=name or f"{activity.name} {ctx.today:%b %Y}",
        activity=activity.key,
        source="cohort",
        problems=[f"left out: {e}" for e in errors] + problems,
        seed=seed,
    )
    ctx.session.add(cycle)
    await ctx.session.flush()
    cal = calendar_of(ctx.framework)
    for item in plan.allocations:
        evaluator = people[int(item.evaluator)]
        evaluation = Allocation(
            cycle_id=cycle.id,
            cycle_label=cycle.name,
            activity=activity.key,
            case_ref=item.case_ref,
            team=item.team,
            service=item.service,
            assignee_id=evaluator.id,
            assignee=evaluator,
            role=role_for(activity),
            allocated_on=ctx.today,
            started_on=ctx.today,
            earliest_on=earliest_date(activity, ctx.today, cal),
            due_on=due_date(activity, ctx.today, cal),
            status=store.PROPOSED,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
        ctx.session.add(evaluation)
        if item.moderator is not None and activity.moderation_activity:
            await ctx.session.flush()
            moderator = people[int(item.moderator)]
            ctx.session.add(_moderation(ctx, evaluation, activity.moderation_activity, moderator))
    await ctx.session.flush()
    ctx.audit.record(
        "allocation.proposed",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"cycle:{cycle.id}",
        details={"source": "cohort", "cases": len(plan.allocations), "seed": seed},
    )
    log.info("cohort proposal %s: %d cases sampled", cycle.id, len(plan.allocations))
    return Proposal(cycle, errors)


def _cycle_window(ctx: Context, activity: ActivityType) -> Period:
    """From today until the cycle's moderations are due (when everyone must be around)."""
    cal = calendar_of(ctx.framework)
    end = due_date(activity, ctx.today, cal)
    moderation = ctx.framework.activity(activity.moderation_activity or "")
    if moderation is not None:
        end = due_date(moderation, end, cal)
    return Period(ctx.today, end)


async def _staff_for(ctx: Context, activity: ActivityType, window: Period) -> list[StaffMember]:
    load = await store.open_load(ctx.session)
    previous = await store.previous_cycle_roles(ctx.session, activity.key)
    away: dict[int, list[Period]] = defaultdict(list)
    for period in await directory.away_between(ctx.session, window.start, window.end):
        away[period.person_id].append(Period(period.starts_on, period.ends_on))
    staff: list[StaffMember] = []
    for person in await directory.active_people(ctx.session):
        if not has_allowed_role(person, activity):
            continue
        roles = frozenset(Role(r) for r in person.role_names if r in Role._value2member_map_)
        role = previous.get(person.id)
        staff.append(
            StaffMember(
                person_id=str(person.id),
                team=team_name(person),
                service=person.team.service.name if person.team and person.team.service else "",
                roles=roles,
                away=tuple(away.get(person.id, ())),
                current_load=load.get(person.id, 0),
                previous_role="evaluator"
                if role == store.EVALUATOR
                else "moderator"
                if role == store.MODERATOR
                else None,
            )
        )
    return staff


# --- shared -----------------------------------------------------------------------------------


def _new_cycle(
    ctx: Context,
    *,
    name: str,
    activity: str | None,
    source: str,
    problems: list[str],
    seed: int | None = None,
) -> AllocationCycle:
    return AllocationCycle(
        name=name[:120],
        activity=activity,
        source=source,
        status=store.PROPOSED,
        seed=seed,
        problems=problems[:200],
        created_by_id=ctx.person.id if ctx.person else None,
        created_at=ctx.now,
    )


def _moderation(
    ctx: Context, evaluation: Allocation, activity_key: str, moderator: Person
) -> Allocation:
    """A named moderator's part: it waits until the evaluation is done."""
    return Allocation(
        cycle_id=evaluation.cycle_id,
        cycle_label=evaluation.cycle_label,
        activity=activity_key,
        case_ref=evaluation.case_ref,
        team=evaluation.team,
        service=evaluation.service,
        assignee_id=moderator.id,
        assignee=moderator,
        role=store.MODERATOR,
        allocated_on=evaluation.allocated_on,
        parent_id=evaluation.id,
        status=store.PROPOSED,
        created_at=ctx.now,
        updated_at=ctx.now,
    )


async def _team_services(ctx: Context) -> dict[str, str]:
    return {
        team.name: team.service.name if team.service else ""
        for team in await directory.teams_by_name(ctx.session)
    }


# --- viewing, confirming, cancelling ----------------------------------------------------------


async def proposal_view(
    ctx: Context, cycle: AllocationCycle, errors: list[str] | None = None
) -> ProposalView:
    allocations = await store.cycle_allocations(ctx.session, cycle.id)
    evaluations = [a for a in allocations if a.role != store.MODERATOR]
    moderators = {a.parent_id: a for a in allocations if a.role == store.MODERATOR}
    people = {a.assignee_id for a in allocations if a.assignee_id is not None}
    per_service: dict[str, int] = Counter(a.service or "no service" for a in evaluations)
    quotas = service_quotas(ctx.framework.cycle_quotas, cycle.activity or "")
    facts = [
        (service, f"{count} of {quotas[service]}" if service in quotas else str(count))
        for service, count in sorted(per_service.items())
    ]
    load = Counter(a.assignee.name for a in allocations if a.assignee)
    if load:
        spread = sorted(load.values())
        facts.append(("Per person", f"{spread[0]} to {spread[-1]} each"))
    lines = []
    for a in evaluations:
        moderation = moderators.get(a.id)
        what = a.case_ref or a.team or "—"
        team = f" ({a.team})" if a.case_ref and a.team else ""
        mod = (
            f"; moderator {moderation.assignee.name}" if moderation and moderation.assignee else ""
        )
        who = a.assignee.name if a.assignee else "nobody"
        due = f", due {day_label(a.due_on)}" if a.due_on else ""
        lines.append(f"{what}{team}: {activity_name(ctx.framework, a.activity)} by {who}{mod}{due}")
    decided_by = None
    if cycle.decided_by_id is not None:
        person = await directory.person_by_id(ctx.session, cycle.decided_by_id)
        decided_by = person.name if person else None
    title_activity = activity_name(ctx.framework, cycle.activity) if cycle.activity else "mixed"
    prefix = "Proposed allocation" if cycle.status == store.PROPOSED else "Allocation"
    return ProposalView(
        cycle_id=cycle.id,
        title=f"{prefix} {cycle.id}: {cycle.name}"
        + (
            "" if cycle.activity is None or title_activity in cycle.name else f" ({title_activity})"
        ),
        status=cycle.status,
        cases=len(evaluations),
        people=len(people),
        per_service=facts,
        lines=lines,
        problems=[p for p in cycle.problems if not p.startswith("left out: ")]
        if errors
        else list(cycle.problems),
        errors=errors or [],
        decided_by=decided_by,
    )


async def confirm_cycle(ctx: Context, cycle: AllocationCycle) -> int:
    """Tell everyone in a proposed cycle; returns how many people were told."""
    allocations = await store.cycle_allocations(ctx.session, cycle.id)
    cycle.status = store.CONFIRMED
    cycle.decided_at = ctx.now
    cycle.decided_by_id = ctx.person.id if ctx.person else None
    told: set[int] = set()
    who = ctx.person.name if ctx.person else "the QA team"
    for allocation in allocations:
        if allocation.status != store.PROPOSED:
            continue
        waiting = allocation.role == store.MODERATOR and allocation.parent_id is not None
        allocation.status = store.WAITING if waiting else store.ALLOCATED
        allocation.updated_at = ctx.now
        await send_assignment(ctx, allocation, reason=f"allocated by {who} ({cycle.name})")
        if allocation.assignee_id is not None:
            told.add(allocation.assignee_id)
    ctx.audit.record(
        "allocation.confirmed",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"cycle:{cycle.id}",
        details={"allocations": len(allocations), "people": len(told)},
    )
    await ctx.outbox.to_route(
        QA_ROUTE,
        cards.notice_card(
            f"Allocation {cycle.id} confirmed",
            [
                f"{who[:1].upper() + who[1:]} confirmed {cycle.name}: {len(allocations)} "
                f"allocation(s) for {len(told)} people, who have been told."
            ],
        ),
        key=f"cycle:{cycle.id}:confirmed",
        kind="notice",
        reason=f"allocation {cycle.id} confirmed",
    )
    log.info("allocation %s confirmed: %d people told", cycle.id, len(told))
    # The calendar's rotations move on when a cycle is confirmed (the quotas area keeps turns).
    activities = {cycle.activity} if cycle.activity else {a.activity for a in allocations}
    await tell_areas(ctx, CycleConfirmed(tuple(sorted(activities)), ctx.today))
    return len(told)


async def cancel_cycle(ctx: Context, cycle: AllocationCycle) -> None:
    cycle.status = store.CANCELLED
    cycle.decided_at = ctx.now
    cycle.decided_by_id = ctx.person.id if ctx.person else None
    for allocation in await store.cycle_allocations(ctx.session, cycle.id):
        if allocation.status == store.PROPOSED:
            allocation.status = store.CANCELLED
            allocation.updated_at = ctx.now
    ctx.audit.record(
        "allocation.cancelled",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"cycle:{cycle.id}",
    )
