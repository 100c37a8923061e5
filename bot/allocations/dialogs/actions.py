"""The buttons on assignment cards: Accept, Done (with the outcome form), Need help, Can't do,
the QA team's Reallocate, a follow-up file check and an action's Done.

Who may press what is decided here from the store, never from the card: only the assignee acts
on their work, only the QA team reallocates. A card that no longer matches the store (a stale
card, an id that does not exist) gets a clear answer and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Literal

from bot.allocations import cards, store
from bot.allocations.dialogs.support import (
    GRADES,
    QA_ROUTE,
    calendar_of,
    compute_due,
    describe,
    has_allowed_role,
    int_of,
    next_working_moment,
    team_name,
    text_of,
)
from bot.allocations.flows import (
    complete,
    refresh_card,
    remaining_lines,
    send_assignment,
    work_view,
)
from bot.allocations.imports import EMAIL
from bot.allocations.rules.nudges import day_label
from bot.allocations.store import Allocation, AllocationAction
from bot.cards.model import Card, TextBlock
from bot.dialogs import common
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import load_staff_names, screen_text
from bot.domain.activities import RelativeToTarget, action_due_date, action_latest_date
from bot.domain.roles import Role
from bot.store import directory
from bot.store.models import Person

log = logging.getLogger(__name__)

TextStyle = Literal["body", "heading", "subtle", "good", "warning", "attention"]
MAX_TEXT = 300
MAX_REASON = 500


def register(router: Router) -> None:
    router.action("alloc.show")(show)
    router.action("alloc.accept")(accept)
    router.action("alloc.done")(done)
    router.action("alloc.outcome")(save_outcome)
    router.action("alloc.help")(ask_for_help)
    router.action("alloc.cant")(cant_do)
    router.action("alloc.reassign")(reassign)
    router.action("alloc.checked")(file_checked)
    router.action("action.done")(action_done)


# --- loading and permissions ------------------------------------------------------------------


async def _load(ctx: Context, action: Action) -> Allocation | Reply:
    allocation_id = int_of(action.data, "a")
    allocation = await store.allocation_by_id(ctx.session, allocation_id) if allocation_id else None
    if allocation is None:
        log.warning("%s pressed for unknown allocation %r", action.verb, action.data.get("a"))
        return Reply(common.stale_card())
    return allocation


def _is_qa(ctx: Context) -> bool:
    return ctx.has_role(Role.QA_TEAM)


def _not_yours(allocation: Allocation) -> Reply:
    who = allocation.assignee.name if allocation.assignee else "the QA team"
    text = (
        f"This allocation is with {who} now, so I changed nothing. Type my tasks to see your own "
        "work."
    )
    return Reply(_note("not_your_allocation", "Not your allocation", text, "warning"))


def _note(name: str, title: str, text: str, style: TextStyle = "body") -> Card:
    return Card(name=name, title=title, fallback=text, body=[TextBlock(text=text, style=style)])


def _finished(ctx: Context, allocation: Allocation) -> Reply | None:
    """An answer for a press on work that is already finished, handed back or cancelled."""
    if allocation.status == store.DONE:
        when = day_label(allocation.completed_on) if allocation.completed_on else "earlier"
        text = f"The {describe(ctx.framework, allocation)} was already marked done ({when})."
        return Reply(_note("allocation_already_done", "Already done", text, "good"))
    if allocation.status in (store.CANCELLED, store.PROPOSED):
        text = "That allocation is no longer active, so nothing was changed."
        return Reply(_note("allocation_inactive", "No longer active", text, "warning"))
    if allocation.status == store.RETURNED:
        text = "You handed this back to the QA team; they will reallocate it."
        return Reply(_note("allocation_with_qa", "With the QA team", text))
    return None


async def _own_live(ctx: Context, action: Action) -> Allocation | Reply:
    loaded = await _load(ctx, action)
    if isinstance(loaded, Reply):
        return loaded
    if ctx.person is None or loaded.assignee_id != ctx.person.id:
        log.warning(
            "person %s pressed %s on allocation %s of someone else",
            ctx.person.id if ctx.person else None,
            action.verb,
            loaded.id,
        )
        return _not_yours(loaded)
    finished = _finished(ctx, loaded)
    return finished if finished is not None else loaded


def _from_card(action: Action) -> bool:
    return action.data.get("src") == "card"


async def _card_reply(ctx: Context, allocation: Allocation, action: Action) -> Reply:
    view = await work_view(ctx, allocation)
    card = (
        cards.moderation_ready_card(view)
        if allocation.role == store.MODERATOR and allocation.status == store.ALLOCATED
        else cards.allocation_card(view)
    )
    return Reply(card, replace=_from_card(action))


# --- show and accept --------------------------------------------------------------------------


async def show(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _load(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    mine = ctx.person is not None and loaded.assignee_id == ctx.person.id
    if not mine and not _is_qa(ctx):
        return [_not_yours(loaded)]
    view = await work_view(ctx, loaded)
    card = cards.allocation_card(view, source="show")
    if loaded.status == store.RETURNED and _is_qa(ctx):
        card = cards.unassigned_card(view, loaded.returned_reason or "it needs someone")
    return [Reply(card)]


async def accept(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _own_live(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    if loaded.status == store.ALLOCATED:
        loaded.status = store.ACCEPTED
        loaded.accepted_at = ctx.now
        loaded.updated_at = ctx.now
        ctx.audit.record(
            "allocation.accepted",
            actor_id=ctx.person.id if ctx.person else None,
            subject=f"allocation:{loaded.id}",
        )
        await refresh_card(ctx, loaded)
    return [await _card_reply(ctx, loaded, action)]


# --- done and the outcome form ----------------------------------------------------------------


async def done(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _own_live(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    if loaded.status == store.WAITING:
        text = "The evaluation is not done yet, so there is nothing to moderate. I will tell you."
        return [Reply(_note("moderation_not_ready", "Not ready yet", text))]
    view = await work_view(ctx, loaded)
    if view.gradable:
        return [Reply(_outcome_form(ctx, loaded, view))]
    notes = await complete(ctx, loaded, completed_on=ctx.today)
    remaining = await remaining_lines(ctx, loaded.assignee_id or 0)
    view = await work_view(ctx, loaded)
    return [Reply(cards.work_done_card(view, notes, remaining), replace=_from_card(action))]


def _outcome_form(
    ctx: Context, allocation: Allocation, view: cards.WorkView, values: dict[str, str] | None = None
) -> Card:
    activity = ctx.framework.activity(allocation.activity)
    cal = calendar_of(ctx.framework)
    action_due = (
        action_due_date(activity, ctx.today, cal) if activity else cal.on_or_after(ctx.today)
    )
    return cards.outcome_form(view, today=ctx.today, action_due=action_due, values=values)


async def save_outcome(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _own_live(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    view = await work_view(ctx, loaded)
    values = {k: text_of(action.inputs, k) for k in _outcome_fields()}
    errors: dict[str, str] = {}
    grade = values["grade"]
    if grade not in GRADES:
        errors["grade"] = "Choose a grade."
    completed_on = _parse_date(values["completed_on"], "completed_on", errors) or ctx.today
    if completed_on > ctx.today:
        errors["completed_on"] = "The work cannot be completed in the future."
    elif completed_on < loaded.allocated_on:
        errors["completed_on"] = (
            f"That is before the work was allocated ({day_label(loaded.allocated_on)})."
        )
    stretch = values["stretch_target"]
    await load_staff_names(ctx)
    if view.stretch_target:
        _check_text(ctx, stretch, "stretch_target", errors, required="Agree a stretch target.")
    planned = await _planned_actions(ctx, loaded, values, completed_on, errors)
    if errors:
        log.info("outcome form for allocation %s returned with %d error(s)", loaded.id, len(errors))
        form = _outcome_form(ctx, loaded, view, values).with_errors(errors, dict(action.inputs))
        return [Reply(form, errors=errors)]
    notes = await complete(
        ctx, loaded, completed_on=completed_on, grade=grade, stretch_target=stretch or None
    )
    for owner, description, due in planned:
        ctx.session.add(
            AllocationAction(
                allocation_id=loaded.id,
                allocation=loaded,
                owner_id=owner.id,
                owner=owner,
                description=description,
                due_on=due,
                status=store.ACTION_OPEN,
                created_by_id=ctx.person.id if ctx.person else None,
                created_at=ctx.now,
            )
        )
        notes.append(f"Action for {owner.name}, due {day_label(due)}: {description}")
    if planned:
        await ctx.session.flush()
        ctx.audit.record(
            "allocation.actions",
            actor_id=ctx.person.id if ctx.person else None,
            subject=f"allocation:{loaded.id}",
            details={"count": len(planned)},
        )
    remaining = await remaining_lines(ctx, loaded.assignee_id or 0)
    view = await work_view(ctx, loaded)
    return [Reply(cards.work_done_card(view, notes, remaining), close_form=True)]


def _outcome_fields() -> list[str]:
    fields = ["grade", "stretch_target", "completed_on"]
    for slot in range(1, cards.ACTION_SLOTS + 1):
        fields += [f"action_{slot}", f"action_{slot}_owner", f"action_{slot}_due"]
    return fields


async def _planned_actions(
    ctx: Context,
    allocation: Allocation,
    values: dict[str, str],
    completed_on: date,
    errors: dict[str, str],
) -> list[tuple[Person, str, date]]:
    activity = ctx.framework.activity(allocation.activity)
    cal = calendar_of(ctx.framework)
    default_due = action_due_date(activity, completed_on, cal) if activity else completed_on
    planned: list[tuple[Person, str, date]] = []
    for slot in range(1, cards.ACTION_SLOTS + 1):
        text_id, owner_id, due_id = f"action_{slot}", f"action_{slot}_owner", f"action_{slot}_due"
        text, owner_email, due_text = values[text_id], values[owner_id].lower(), values[due_id]
        if not (text or owner_email or due_text):
            continue
        _check_text(ctx, text, text_id, errors, required="Describe the action, or clear its owner.")
        owner = None
        if not owner_email:
            errors[owner_id] = "Every action needs an owner: give their email."
        elif not EMAIL.match(owner_email) or len(owner_email) > 254:
            errors[owner_id] = "That is not an email address."
        else:
            owner = await directory.person_by_email(ctx.session, owner_email)
            if owner is None or not owner.active:
                errors[owner_id] = f"No one with the email {owner_email} is in the directory."
        due = _parse_date(due_text, due_id, errors) if due_text else default_due
        latest = action_latest_date(activity, completed_on, cal) if activity else None
        if due is not None and due < completed_on:
            errors[due_id] = "The due date is before the work was completed."
        elif due is not None and latest is not None and due > latest:
            errors[due_id] = (
                f"Actions are due within {activity.action_max_weeks if activity else ''} weeks "
                f"under your framework: choose {latest:%a} {latest.day} {latest:%b %Y} or earlier."
            )
        if owner is not None and due is not None and text_id not in errors:
            planned.append((owner, text, due))
    return planned


def _check_text(
    ctx: Context, text: str, field: str, errors: dict[str, str], *, required: str
) -> None:
    if not text:
        errors[field] = required
    elif len(text) > MAX_TEXT:
        errors[field] = f"Please keep this under {MAX_TEXT} characters (it has {len(text)})."
    else:
        findings = screen_text(ctx, text)
        if findings:
            errors[field] = (
                f"{findings[0].message}: refer to the child only by the case record number."
            )


def _parse_date(text: str, field: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        errors[field] = "That is not a date (YYYY-MM-DD)."
        return None


# --- help and hand back -----------------------------------------------------------------------


async def ask_for_help(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _own_live(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    view = await work_view(ctx, loaded)
    if action.data.get("step") != "save":
        return [Reply(cards.help_form(view))]
    message = text_of(action.inputs, "message")
    if len(message) > MAX_REASON:
        errors = {"message": f"Please keep this under {MAX_REASON} characters."}
        form = cards.help_form(view, message[:MAX_REASON]).with_errors(errors, {})
        return [Reply(form, errors=errors)]
    await load_staff_names(ctx)
    findings = screen_text(ctx, message)
    if findings:
        errors = {"message": f"{findings[0].message}: refer to the child only by case number."}
        return [Reply(cards.help_form(view, message).with_errors(errors, {}), errors=errors)]
    loaded.help_requested_at = ctx.now
    loaded.updated_at = ctx.now
    who = ctx.person.name if ctx.person else "Someone"
    await _tell_qa_team(
        ctx, loaded, cards.help_requested_card(view, who, message), "help", "help requested"
    )
    text = "I have told the QA team you would like help; someone will be in touch."
    return [Reply(_note("allocation_help_sent", "Help requested", text, "good"), close_form=True)]


async def cant_do(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _own_live(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    view = await work_view(ctx, loaded)
    if action.data.get("step") != "save":
        return [Reply(cards.cant_do_form(view))]
    reason = text_of(action.inputs, "reason")
    errors: dict[str, str] = {}
    await load_staff_names(ctx)
    if len(reason) > MAX_REASON:
        errors["reason"] = f"Please keep this under {MAX_REASON} characters (it has {len(reason)})."
        reason = reason[:MAX_REASON]
    elif not reason:
        errors["reason"] = "Tell the QA team why, so they can reallocate it well."
    elif findings := screen_text(ctx, reason):
        errors["reason"] = f"{findings[0].message}: refer to the child only by case number."
    if errors:
        return [Reply(cards.cant_do_form(view, reason).with_errors(errors, {}), errors=errors)]
    loaded.status = store.RETURNED
    loaded.returned_reason = reason
    loaded.returned_at = ctx.now
    loaded.updated_at = ctx.now
    who = ctx.person.name if ctx.person else "Someone"
    view = await work_view(ctx, loaded)
    await _tell_qa_team(
        ctx, loaded, cards.returned_card(view, who, reason), "returned", "handed back"
    )
    await refresh_card(ctx, loaded)
    text = "Handed back: the QA team will reallocate it. Thank you for letting them know."
    return [Reply(_note("allocation_handed_back", "Handed back", text, "good"), close_form=True)]


# --- the QA team reallocates ------------------------------------------------------------------


async def reassign(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _load(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    if not _is_qa(ctx):
        return [Reply(common.not_allowed_card("reallocate", frozenset({Role.QA_TEAM})))]
    if loaded.status in (store.DONE, store.CANCELLED, store.PROPOSED):
        finished = _finished(ctx, loaded)
        return [finished] if finished else []
    view = await work_view(ctx, loaded)
    if action.data.get("step") != "save":
        return [Reply(cards.reassign_form(view))]
    values = {k: text_of(action.inputs, k) for k in ("assignee_email", "due_on")}
    errors: dict[str, str] = {}
    email = values["assignee_email"].lower()
    person = None
    activity = ctx.framework.activity(loaded.activity)
    if not EMAIL.match(email) or len(email) > 254:
        errors["assignee_email"] = "Give the email address of the person to allocate it to."
    else:
        person = await directory.person_by_email(ctx.session, email)
        if person is None or not person.active:
            errors["assignee_email"] = f"No one with the email {email} is in the directory."
        elif (
            activity is not None
            and not activity.own_team_allowed
            and loaded.team
            and team_name(person) == loaded.team
        ):
            errors["assignee_email"] = (
                f"{person.name} is in {loaded.team}, the case's team: choose someone outside it."
            )
    due = _parse_date(values["due_on"], "due_on", errors) if values["due_on"] else None
    if due is not None and due < ctx.today:
        errors["due_on"] = "The due date has passed already."
    if errors or person is None:
        form = cards.reassign_form(view, values).with_errors(errors, dict(action.inputs))
        return [Reply(form, errors=errors)]
    previous = loaded.assignee_id
    previously_live = loaded.status in store.LIVE_STATUSES
    if previously_live and previous is not None and previous != person.id:
        loaded.status = store.CANCELLED
        await refresh_card(ctx, loaded)
    _move_to(ctx, loaded, person, due)
    await send_assignment(
        ctx, loaded, reason=f"reallocated by {ctx.person.name if ctx.person else 'the QA team'}"
    )
    ctx.audit.record(
        "allocation.reallocated",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"allocation:{loaded.id}",
        details={"from": previous, "to": person.id},
    )
    warning = (
        f" Note: {person.name} has none of the roles this activity asks for."
        if activity is not None and not has_allowed_role(person, activity)
        else ""
    )
    text = f"Allocated to {person.name}; they have been told.{warning}"
    return [Reply(_note("allocation_reallocated", "Reallocated", text, "good"), close_form=True)]


def _move_to(ctx: Context, allocation: Allocation, person: Person, due: date | None) -> None:
    activity = ctx.framework.activity(allocation.activity)
    cal = calendar_of(ctx.framework)
    allocation.assignee_id = person.id
    allocation.assignee = person
    allocation.returned_reason = None
    allocation.accepted_at = None
    allocation.help_requested_at = None
    allocation.allocated_on = ctx.today
    allocation.updated_at = ctx.now
    waiting = allocation.role == store.MODERATOR and allocation.started_on is None
    if waiting:
        allocation.status = store.WAITING
        allocation.due_on = due
        return
    allocation.status = store.ALLOCATED
    if due is not None:
        allocation.due_on = due
    elif activity is not None and not isinstance(activity.deadline, RelativeToTarget):
        allocation.started_on = ctx.today
        allocation.due_on = compute_due(activity, ctx.today, cal)


# --- follow-up checks and actions -------------------------------------------------------------


async def file_checked(ctx: Context, action: Action) -> list[Reply]:
    loaded = await _load(ctx, action)
    if isinstance(loaded, Reply):
        return [loaded]
    if ctx.person is None or loaded.assignee_id != ctx.person.id:
        return [_not_yours(loaded)]
    if loaded.follow_up_checked_on is None:
        loaded.follow_up_checked_on = ctx.today
        loaded.updated_at = ctx.now
        ctx.audit.record(
            "allocation.file_checked", actor_id=ctx.person.id, subject=f"allocation:{loaded.id}"
        )
    text = (
        f"File check recorded for {describe(ctx.framework, loaded)}. If the actions are not "
        "done, talk to the practitioner's manager and record it on the case system."
    )
    return [Reply(_note("file_check_recorded", "File check recorded", text, "good"))]


async def action_done(ctx: Context, action: Action) -> list[Reply]:
    action_id = int_of(action.data, "x")
    item = await store.action_by_id(ctx.session, action_id) if action_id else None
    if item is None:
        log.warning("action.done pressed for unknown action %r", action.data.get("x"))
        return [Reply(common.stale_card())]
    allowed = ctx.person is not None and (
        item.owner_id == ctx.person.id or item.allocation.assignee_id == ctx.person.id
    )
    if not allowed:
        text = f"This action belongs to {item.owner.name}, so I changed nothing."
        return [Reply(_note("not_your_action", "Not your action", text, "warning"))]
    if item.status == store.ACTION_OPEN:
        item.status = store.ACTION_DONE
        item.completed_on = ctx.today
        ctx.audit.record(
            "allocation.action_done",
            actor_id=ctx.person.id if ctx.person else None,
            subject=f"action:{item.id}",
        )
    remaining = await remaining_lines(ctx, ctx.person.id if ctx.person else 0)
    return [Reply(cards.action_done_card(item.description, remaining))]


async def _tell_qa_team(
    ctx: Context, allocation: Allocation, card: Card, event: str, why: str
) -> None:
    """Notify the QA team's channel (in working hours) and record it in the audit log."""
    await ctx.outbox.to_route(
        QA_ROUTE,
        card,
        key=f"alloc:{allocation.id}:{event}:{ctx.now.timestamp()}",
        kind="notice",
        reason=f"{why}: {describe(ctx.framework, allocation)}",
        not_before=next_working_moment(ctx),
    )
    ctx.audit.record(
        f"allocation.{event}",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"allocation:{allocation.id}",
    )
