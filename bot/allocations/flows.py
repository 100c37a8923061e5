"""What happens to a piece of work: telling people, completing it, starting its moderation, the
work that follows it, and the Inadequate ladder. Called by the action handlers, the sweeps and
the CLI; every change and the messages it causes are written in the caller's unit of work."""

from __future__ import annotations

import logging
from datetime import date

from bot.allocations import cards, store
from bot.allocations.cards import Line, WorkView
from bot.allocations.dialogs.support import (
    GRADES,
    QA_ROUTE,
    STATUS_LABELS,
    activity_name,
    calendar_of,
    card_key,
    choose_assignee,
    compute_due,
    describe,
    next_working_moment,
    person_for_role,
    subject,
)
from bot.allocations.rules.nudges import day_label
from bot.allocations.store import (
    Allocation,
    AllocationAction,
    InadequateCase,
    Listed,
    ListedAction,
)
from bot.cards.model import Button
from bot.dialogs.base import Context, tell_areas
from bot.domain import ladder_engine
from bot.domain.activities import (
    ActivityType,
    follow_up_check_date,
    inadequate_moderation_due,
)
from bot.domain.ladders import LadderStage
from bot.domain.work_events import WorkDone
from bot.store.models import Person

log = logging.getLogger(__name__)


# --- views ------------------------------------------------------------------------------------


async def work_view(ctx: Context, allocation: Allocation) -> WorkView:
    activity = ctx.framework.activity(allocation.activity)
    partner: str | None = None
    partner_label = "Moderator"
    if allocation.role == store.MODERATOR and allocation.parent_id is not None:
        parent = await store.allocation_by_id(ctx.session, allocation.parent_id)
        partner_label = "Evaluated by"
        partner = parent.assignee.name if parent and parent.assignee else None
    else:
        for child in await store.children_of(ctx.session, allocation.id):
            if child.role == store.MODERATOR and child.status != store.CANCELLED:
                partner = child.assignee.name if child.assignee else "not yet allocated"
                break
    return WorkView(
        id=allocation.id,
        activity=activity_name(ctx.framework, allocation.activity),
        case_label=ctx.framework.case_reference.label,
        case_ref=allocation.case_ref,
        team=allocation.team,
        role=allocation.role,
        status=allocation.status,
        status_label=STATUS_LABELS.get(allocation.status, allocation.status),
        allocated_on=allocation.allocated_on,
        due_on=allocation.due_on,
        earliest_on=allocation.earliest_on,
        target_on=allocation.target_on,
        cycle=allocation.cycle_label,
        partner=partner,
        partner_label=partner_label,
        grade=GRADES.get(allocation.grade or ""),
        assignee=allocation.assignee.name if allocation.assignee else "",
        gradable=bool(allocation.case_ref),
        stretch_target=bool(
            activity and activity.stretch_target and allocation.role != store.MODERATOR
        ),
        returned_reason=allocation.returned_reason,
    )


def work_line(ctx: Context, allocation: Allocation | Listed, *, with_status: bool = True) -> Line:
    """A line for a list: what, when it is due, its status, and a button to open it."""
    short = (allocation.case_ref or allocation.team or "work")[:40]
    return Line(
        text=work_text(ctx, allocation, with_status=with_status),
        button=Button(label=f"Open {short}"[:75], verb="alloc.show", data={"a": allocation.id}),
        urgent=allocation.overdue_on(ctx.today),
        ident=f"a{allocation.id}",
    )


def work_text(ctx: Context, allocation: Allocation | Listed, *, with_status: bool = True) -> str:
    """What ``work_line`` says, without the button (for lists that show no buttons)."""
    overdue = allocation.overdue_on(ctx.today)
    due = (
        "starts when the evaluation is done"
        if allocation.status == store.WAITING
        else f"due {day_label(allocation.due_on)}"
        if allocation.due_on
        else "no due date"
    )
    status = f" ({STATUS_LABELS.get(allocation.status, allocation.status)})" if with_status else ""
    late = " OVERDUE" if overdue else ""
    return f"{describe(ctx.framework, allocation)}: {due}{late}{status}"


def action_line(ctx: Context, action: AllocationAction | ListedAction) -> Line:
    return Line(
        text=action_text(ctx, action),
        button=Button(
            label=f"Done: {action.description[:60]}"[:75],
            verb="action.done",
            data={"x": action.id},
        ),
        urgent=action.is_open and action.due_on < ctx.today,
        ident=f"x{action.id}",
    )


def action_text(ctx: Context, action: AllocationAction | ListedAction) -> str:
    """What ``action_line`` says, without the button."""
    overdue = action.is_open and action.due_on < ctx.today
    late = " OVERDUE" if overdue else ""
    source = describe(ctx.framework, action.allocation)
    return (
        f"Action “{action.description}” (from the {source}): due {day_label(action.due_on)}{late}"
    )


async def remaining_lines(ctx: Context, person_id: int) -> list[Line]:
    work = await store.open_work_for(ctx.session, person_id)
    actions = await store.open_actions_for(ctx.session, person_id)
    return [work_line(ctx, a) for a in work] + [action_line(ctx, x) for x in actions]


# --- telling people ---------------------------------------------------------------------------


async def send_assignment(ctx: Context, allocation: Allocation, *, reason: str) -> None:
    """The assignment card (or, for a moderation that waits, the heads-up) to the assignee."""
    if allocation.assignee_id is None:
        return
    view = await work_view(ctx, allocation)
    await ctx.outbox.to_person(
        allocation.assignee_id,
        cards.allocation_card(view),
        key=f"alloc:{allocation.id}:assigned:p{allocation.assignee_id}",
        kind="allocation",
        reason=reason,
        not_before=next_working_moment(ctx, allocation.allocated_on),
        card_key=card_key(allocation),
    )


async def refresh_card(ctx: Context, allocation: Allocation) -> None:
    """Show the current status on every copy of the person's assignment card."""
    if allocation.assignee_id is None:
        return
    view = await work_view(ctx, allocation)
    card = (
        cards.moderation_ready_card(view)
        if allocation.role == store.MODERATOR and allocation.status == store.ALLOCATED
        else cards.allocation_card(view)
    )
    await ctx.outbox.update(
        card_key(allocation),
        card,
        key=f"alloc:{allocation.id}:update:{allocation.status}:{ctx.now.timestamp()}",
    )


async def tell_qa_unassigned(ctx: Context, allocation: Allocation, why: str) -> None:
    view = await work_view(ctx, allocation)
    await ctx.outbox.to_route(
        QA_ROUTE,
        cards.unassigned_card(view, why),
        key=f"alloc:{allocation.id}:unassigned:{ctx.now.timestamp()}",
        kind="notice",
        reason=f"needs allocating: {describe(ctx.framework, allocation)}",
        not_before=next_working_moment(ctx),
    )


async def tell_qa(ctx: Context, key: str, title: str, lines: list[str], *, reason: str) -> None:
    await ctx.outbox.to_route(
        QA_ROUTE,
        cards.notice_card(title, lines),
        key=key,
        kind="notice",
        reason=reason,
        not_before=next_working_moment(ctx),
    )


# --- creating work ----------------------------------------------------------------------------


async def create_work(
    ctx: Context,
    activity: ActivityType,
    *,
    origin_key: str,
    like: Allocation | None,
    assignee: Person | None,
    role: str,
    start: date,
    due: date | None = None,
    case_ref: str | None = None,
    parent: Allocation | None = None,
    about_team: bool = True,
    reason: str = "",
) -> Allocation:
    """Work the bot creates by itself, told to its assignee or handed to the QA team.

    ``like`` gives the cycle (and, with ``about_team``, the team and service) it belongs to.
    """
    existing = await store.allocation_by_origin(ctx.session, origin_key)
    if existing is not None:
        return existing
    cal = calendar_of(ctx.framework)
    allocation = Allocation(
        cycle_id=like.cycle_id if like else None,
        cycle_label=like.cycle_label if like else None,
        activity=activity.key,
        case_ref=case_ref,
        team=like.team if like and about_team else "",
        service=like.service if like and about_team else "",
        assignee_id=assignee.id if assignee else None,
        assignee=assignee,
        role=role,
        allocated_on=ctx.today,
        started_on=start,
        due_on=due or compute_due(activity, start, cal),
        status=store.ALLOCATED if assignee else store.RETURNED,
        returned_reason=None if assignee else "nobody eligible was free",
        returned_at=None if assignee else ctx.now,
        parent_id=parent.id if parent else None,
        origin_key=origin_key,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(allocation)
    await ctx.session.flush()
    ctx.audit.record(
        "allocation.created",
        actor_id=None,
        subject=f"allocation:{allocation.id}",
        details={
            "activity": activity.key,
            "origin": origin_key,
            "assignee": allocation.assignee_id,
        },
    )
    if assignee is None:
        await tell_qa_unassigned(ctx, allocation, "nobody with a suitable role was free")
    elif role == store.MODERATOR:
        await send_moderation_ready(ctx, allocation)
    else:
        await send_assignment(ctx, allocation, reason=reason or "allocated by the bot")
    return allocation


async def send_moderation_ready(ctx: Context, moderation: Allocation) -> None:
    if moderation.assignee_id is None:
        return
    view = await work_view(ctx, moderation)
    await ctx.outbox.to_person(
        moderation.assignee_id,
        cards.moderation_ready_card(view),
        key=f"alloc:{moderation.id}:ready:p{moderation.assignee_id}",
        kind="allocation",
        reason=f"evaluation done, moderation due {day_label(moderation.due_on)}"
        if moderation.due_on
        else "evaluation done",
        not_before=next_working_moment(ctx),
        card_key=card_key(moderation),
    )


async def start_moderation(
    ctx: Context, moderation: Allocation, evaluation: Allocation, *, due: date | None = None
) -> None:
    """The evaluation is done: the moderator's clock starts and they are told."""
    activity = ctx.framework.activity(moderation.activity)
    # The moderator's clock starts when they are told, even if the evaluation was recorded late.
    start = ctx.today
    moderation.started_on = start
    if activity is not None:
        moderation.due_on = due or compute_due(activity, start, calendar_of(ctx.framework))
    else:
        moderation.due_on = due or start
    moderation.updated_at = ctx.now
    if moderation.assignee_id is None:
        moderation.status = store.RETURNED
        moderation.returned_at = ctx.now
        await tell_qa_unassigned(ctx, moderation, "the evaluation is done and has no moderator")
        return
    moderation.status = store.ALLOCATED
    await send_moderation_ready(ctx, moderation)


async def ensure_moderation(
    ctx: Context, evaluation: Allocation, *, due: date | None = None
) -> Allocation | None:
    """Start the evaluation's moderation (creating one, with a fair choice of moderator, if the
    QA team did not name one)."""
    activity = ctx.framework.activity(evaluation.activity)
    if activity is None or activity.moderation_activity is None:
        return None
    moderation_activity = ctx.framework.activity(activity.moderation_activity)
    if moderation_activity is None:
        return None
    for child in await store.children_of(ctx.session, evaluation.id):
        if child.role != store.MODERATOR or child.status == store.CANCELLED:
            continue
        if child.status == store.WAITING:
            await start_moderation(ctx, child, evaluation, due=due)
        elif due is not None and child.status in store.OPEN_STATUSES and child.due_on:
            if due < child.due_on:
                child.due_on = due
                await refresh_card(ctx, child)
        return child
    exclude = {evaluation.assignee_id} if evaluation.assignee_id else set()
    moderator = await choose_assignee(
        ctx, moderation_activity, case_team=evaluation.team, exclude=exclude
    )
    start = ctx.today  # when the moderator is told (at completion, or when sampled later)
    return await create_work(
        ctx,
        moderation_activity,
        origin_key=f"moderation:{evaluation.id}",
        like=evaluation,
        assignee=moderator,
        role=store.MODERATOR,
        start=start,
        due=due,
        case_ref=evaluation.case_ref,
        parent=evaluation,
    )


def always_moderated(ctx: Context, activity: ActivityType, grade: str | None) -> bool:
    if activity.requires_moderation:
        return True
    return grade is not None and any(
        grade in rate.always_for_grades
        for rate in ctx.framework.moderation_rates
        if rate.activity == activity.key
    )


# --- completing work --------------------------------------------------------------------------


async def complete(
    ctx: Context,
    allocation: Allocation,
    *,
    completed_on: date,
    grade: str | None = None,
    stretch_target: str | None = None,
) -> list[str]:
    """Mark work done and set off what follows. Returns notes for the person."""
    allocation.status = store.DONE
    allocation.completed_on = completed_on
    allocation.grade = grade
    allocation.stretch_target = stretch_target or allocation.stretch_target
    allocation.updated_at = ctx.now
    notes: list[str] = []
    activity = ctx.framework.activity(allocation.activity)
    cal = calendar_of(ctx.framework)
    if activity is not None and allocation.role != store.MODERATOR:
        check = follow_up_check_date(activity, completed_on, cal)
        if check is not None:
            allocation.follow_up_on = check
            notes.append(
                f"I will remind you to check the file on {day_label(check)}, two weeks on."
            )
    ctx.audit.record(
        "allocation.done",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"allocation:{allocation.id}",
        details={"grade": grade, "completed_on": completed_on.isoformat()},
    )
    ladder_case = await store.ladder_for_reaudit(ctx.session, allocation.id)
    if allocation.role == store.MODERATOR:
        await _after_moderation(ctx, allocation, notes)
    elif ladder_case is not None:
        await _after_reaudit(ctx, allocation, ladder_case, notes)
    elif activity is not None:
        await _after_evaluation(ctx, allocation, activity, grade, notes)
    await start_follow_ons(ctx, allocation)
    await refresh_card(ctx, allocation)
    if allocation.role != store.MODERATOR and allocation.assignee_id is not None:
        # Other areas count allocated work done (a manager's monthly audit for its quota).
        await tell_areas(
            ctx,
            WorkDone(
                activity=allocation.activity,
                person_id=allocation.assignee_id,
                completed_on=completed_on,
                reference=f"allocation:{allocation.id}",
                case_ref=allocation.case_ref or "",
            ),
        )
    return notes


async def _after_evaluation(
    ctx: Context,
    allocation: Allocation,
    activity: ActivityType,
    grade: str | None,
    notes: list[str],
) -> None:
    ladder = ctx.framework.inadequate_ladder
    cal = calendar_of(ctx.framework)
    inadequate = grade == "inadequate"
    if inadequate and ladder is not None:
        case = await _open_ladder_case(ctx, allocation, allocation.completed_on or ctx.today)
        due = inadequate_moderation_due(ladder, ctx.today, cal)
        moderation = await ensure_moderation(ctx, allocation, due=due)
        if moderation is None:
            await _confirm_inadequate(ctx, case, allocation, notes)
            return
        when = f" by {day_label(moderation.due_on)}" if moderation.due_on else ""
        notes.append(f"An Inadequate grade is moderated straight away{when}.")
        await _alert_inadequate(
            ctx,
            f"ladder:{case.id}:graded",
            f"Inadequate grade: {subject(ctx.framework, allocation)}",
            [
                f"{_who(ctx)} graded the {describe(ctx.framework, allocation)} Inadequate.",
                f"It is moderated straight away{when}"
                + (f" by {moderation.assignee.name}." if moderation.assignee else "."),
            ],
        )
        return
    if inadequate:
        await _alert_inadequate(
            ctx,
            f"inadequate:{allocation.id}",
            f"Inadequate grade: {subject(ctx.framework, allocation)}",
            [f"{_who(ctx)} graded the {describe(ctx.framework, allocation)} Inadequate."],
        )
    if always_moderated(ctx, activity, grade) or await _has_named_moderator(ctx, allocation):
        moderation = await ensure_moderation(ctx, allocation)
        if moderation is not None and moderation.assignee is not None:
            notes.append(f"{moderation.assignee.name} has been told that the moderation can start.")


async def _has_named_moderator(ctx: Context, allocation: Allocation) -> bool:
    return any(
        c.role == store.MODERATOR and c.status == store.WAITING
        for c in await store.children_of(ctx.session, allocation.id)
    )


async def _after_moderation(ctx: Context, moderation: Allocation, notes: list[str]) -> None:
    if moderation.parent_id is None:
        return
    audit = await store.allocation_by_id(ctx.session, moderation.parent_id)
    if audit is None:
        return
    ladder = ctx.framework.inadequate_ladder
    case = await store.ladder_for_audit(ctx.session, audit.id)
    if audit.grade and moderation.grade and audit.grade != moderation.grade:
        await tell_qa(
            ctx,
            f"alloc:{moderation.id}:grades-differ",
            f"Grades differ: {subject(ctx.framework, audit)}",
            [
                f"The {describe(ctx.framework, audit)} was graded {GRADES[audit.grade]}; the "
                f"moderation graded it {GRADES[moderation.grade]}.",
                "Agree the grade in a conversation between auditor and moderator, as the "
                "framework's dispute process says.",
            ],
            reason="audit and moderation grades differ",
        )
    if case is not None and case.status == store.LADDER_AWAITING_MODERATION:
        if moderation.grade == "inadequate":
            await _confirm_inadequate(ctx, case, audit, notes)
        else:
            case.status = store.LADDER_CLOSED
            case.closed_on = moderation.completed_on
            case.updated_at = ctx.now
            shown = GRADES.get(moderation.grade or "", "another grade")
            await _alert_inadequate(
                ctx,
                f"ladder:{case.id}:not-confirmed",
                f"Inadequate not confirmed: {subject(ctx.framework, audit)}",
                [f"Moderation did not confirm the Inadequate grade ({shown}). No re-audit."],
            )
    elif case is None and moderation.grade == "inadequate" and ladder is not None:
        case = await _open_ladder_case(ctx, audit, moderation.completed_on or ctx.today)
        await _confirm_inadequate(ctx, case, audit, notes)


async def _confirm_inadequate(
    ctx: Context, case: InadequateCase, audit: Allocation, notes: list[str]
) -> None:
    """Confirmed Inadequate: the ladder starts with a re-audit after its first step."""
    case.status = store.LADDER_OPEN
    case.confirmed_on = ctx.today
    case.updated_at = ctx.now
    reaudit = await _schedule_reaudit(ctx, case, audit, after=ctx.today)
    due = f" due {day_label(reaudit.due_on)}" if reaudit and reaudit.due_on else ""
    notes.append(f"The Inadequate grade is confirmed: a re-audit is scheduled{due}.")
    await _alert_inadequate(
        ctx,
        f"ladder:{case.id}:confirmed",
        f"Inadequate confirmed: {subject(ctx.framework, audit)}",
        [
            f"The Inadequate grade of {subject(ctx.framework, audit)} is confirmed at moderation.",
            "The Inadequate process runs (reflective practice and action meetings); "
            f"the case is re-audited{due}"
            + (f" by {reaudit.assignee.name}." if reaudit and reaudit.assignee else "."),
        ],
    )


async def _schedule_reaudit(
    ctx: Context, case: InadequateCase, audit: Allocation, *, after: date
) -> Allocation | None:
    ladder = ctx.framework.inadequate_ladder
    if ladder is None or ladder.reaudit_activity is None:
        return None
    activity = ctx.framework.activity(ladder.reaudit_activity)
    if activity is None:
        return None
    # Further audit n belongs to stage n (stage 0 is the moderation); its clock sets the date.
    stage = ladder_engine.stage_at(ladder, case.steps_done + 1)
    due = ladder_engine.stage_due_on(calendar_of(ctx.framework), after, stage)
    assignee = await choose_assignee(
        ctx, activity, case_team=audit.team, exclude=set(), prefer=audit.assignee
    )
    reaudit = await create_work(
        ctx,
        activity,
        origin_key=f"reaudit:{case.id}:{case.steps_done + 1}",
        like=audit,
        assignee=assignee,
        role=store.AUDITOR,
        start=after,
        due=due,
        case_ref=audit.case_ref,
        parent=audit,
        reason=f"Inadequate grade: further audit {case.steps_done + 1} of the case",
    )
    case.reaudit_id = reaudit.id
    return reaudit


async def _after_reaudit(
    ctx: Context, reaudit: Allocation, case: InadequateCase, notes: list[str]
) -> None:
    ladder = ctx.framework.inadequate_ladder
    audit = await store.allocation_by_id(ctx.session, case.audit_id)
    if ladder is None or audit is None:
        return
    case.steps_done += 1
    case.updated_at = ctx.now
    if reaudit.grade != "inadequate":
        case.status = store.LADDER_CLOSED
        case.closed_on = reaudit.completed_on
        notes.append("The case is no longer Inadequate, so it leaves the re-audit cycle.")
        await _alert_inadequate(
            ctx,
            f"ladder:{case.id}:closed",
            f"No longer Inadequate: {subject(ctx.framework, audit)}",
            [
                f"The re-audit of {subject(ctx.framework, audit)} graded it "
                f"{GRADES.get(reaudit.grade or '', 'not Inadequate')}: it leaves the cycle."
            ],
        )
        return
    # Still Inadequate at the re-audit of stage n: the engine moves the case to the next stage
    # (the last one repeats), whose roles are told.
    reached = ladder_engine.next_stage_index(ladder, min(case.steps_done, len(ladder.stages) - 1))
    if reached is None:
        await _end_at_last_stage(ctx, case, audit, reaudit, notes)
        return
    stage = ladder.stages[reached]
    told = await _tell_stage_roles(ctx, case, audit, reaudit, stage)
    next_reaudit = await _schedule_reaudit(
        ctx, case, audit, after=reaudit.completed_on or ctx.today
    )
    who = " and ".join(person.name for person in told) or (
        "nobody with the role " + " or ".join(role.value for role in stage.roles)
        if stage.roles
        else "nobody (the stage names no role)"
    )
    due = (
        f"; the next further audit is due {day_label(next_reaudit.due_on)}"
        if next_reaudit and next_reaudit.due_on
        else ""
    )
    notes.append(f"Still Inadequate: escalated to {who}{due}.")
    await _alert_inadequate(
        ctx,
        f"ladder:{case.id}:step{case.steps_done}",
        f"Still Inadequate: {subject(ctx.framework, audit)}",
        [
            f"The further audit of {subject(ctx.framework, audit)} graded it Inadequate again.",
            f"Escalated to {who} ({stage.guidance}){due}.",
        ],
    )


async def _end_at_last_stage(
    ctx: Context, case: InadequateCase, audit: Allocation, reaudit: Allocation, notes: list[str]
) -> None:
    """A ladder that does not repeat its last stage ends there, still Inadequate."""
    case.status = store.LADDER_CLOSED
    case.closed_on = reaudit.completed_on
    notes.append("Still Inadequate at the ladder's last stage: the ladder ends here.")
    await _alert_inadequate(
        ctx,
        f"ladder:{case.id}:ended",
        f"Still Inadequate, ladder ended: {subject(ctx.framework, audit)}",
        [
            f"The further audit of {subject(ctx.framework, audit)} graded it Inadequate again at "
            "the last stage of the ladder, which does not repeat: no further audit is set."
        ],
    )


async def _tell_stage_roles(
    ctx: Context, case: InadequateCase, audit: Allocation, reaudit: Allocation, stage: LadderStage
) -> list[Person]:
    """Each of the stage's roles hears, nearest up the re-auditor's line first."""
    facts = [
        ("Graded Inadequate", day_label(case.opened_on)),
        ("Further audits", str(case.steps_done)),
        ("Latest by", reaudit.assignee.name if reaudit.assignee else "—"),
    ]
    card = cards.inadequate_escalation_card(
        ctx.framework.case_reference.label, audit.case_ref or "—", stage.guidance, facts
    )
    told: list[Person] = []
    for role in stage.roles:
        person = await person_for_role(ctx, reaudit.assignee, role)
        if person is None or person in told:
            continue
        told.append(person)
        suffix = "" if len(stage.roles) == 1 else f":{role.value}"
        await ctx.outbox.to_person(
            person.id,
            card,
            key=f"ladder:{case.id}:step{case.steps_done}:escalated{suffix}",
            kind="escalation",
            reason=f"still Inadequate after further audit {case.steps_done}",
            not_before=next_working_moment(ctx),
        )
    return told


async def _alert_inadequate(ctx: Context, key: str, title: str, lines: list[str]) -> None:
    await ctx.outbox.to_route(
        QA_ROUTE,
        cards.inadequate_alert_card(title, lines),
        key=key,
        kind="notice",
        reason=title,
        not_before=next_working_moment(ctx),
    )


def _who(ctx: Context) -> str:
    return ctx.person.name if ctx.person else "The QA team"


# --- work that follows ------------------------------------------------------------------------


async def start_follow_ons(ctx: Context, allocation: Allocation) -> None:
    """Reports and reviews that follow an activity: once per cycle when all of the cycle's work
    of that activity is finished, else once per piece of work."""
    activity = ctx.framework.activity(allocation.activity)
    if activity is None or not activity.follow_on_activities:
        return
    if allocation.cycle_id is not None:
        siblings = [
            a
            for a in await store.cycle_allocations(ctx.session, allocation.cycle_id)
            if a.activity == allocation.activity
        ]
        if any(a.status not in (store.DONE, store.CANCELLED) for a in siblings):
            return
        scope = f"cycle:{allocation.cycle_id}"
        case_ref = None
    else:
        scope = f"alloc:{allocation.id}"
        case_ref = allocation.case_ref
    for key in activity.follow_on_activities:
        follow_on = ctx.framework.activity(key)
        if follow_on is None:
            continue
        assignee = await choose_assignee(ctx, follow_on, case_team="", exclude=set())
        await create_work(
            ctx,
            follow_on,
            origin_key=f"followon:{scope}:{allocation.activity}:{key}",
            like=allocation,
            assignee=assignee,
            role=store.AUDITOR,
            start=ctx.today,
            case_ref=case_ref,
            about_team=allocation.cycle_id is None,
            reason=f"follows the {activity.name.lower()}",
        )


async def _open_ladder_case(ctx: Context, audit: Allocation, opened_on: date) -> InadequateCase:
    """Start the Inadequate ladder for an audit, waiting for the grade to be moderated."""
    case = InadequateCase(
        case_ref=audit.case_ref or f"allocation {audit.id}",
        audit_id=audit.id,
        status=store.LADDER_AWAITING_MODERATION,
        opened_on=opened_on,
        steps_done=0,
        updated_at=ctx.now,
    )
    ctx.session.add(case)
    await ctx.session.flush()
    return case
