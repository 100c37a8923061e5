"""The sweeps that keep work moving: morning summaries, escalations of overdue work, the weekly
overdue digest for managers, moderations whose evaluation is done, and the monthly moderation
sample.

Every sweep is level-triggered: it decides from the store what is due now. Each decision has a
stable key ("reminder stage due-2wd of allocation 42 for person 7"); a ``SweepMark`` is written
with the outbox row in the same transaction, so a repeated sweep, a restart or a second replica
never sends it again, and a missed tick only delays it. Messages are written only on working
days between the morning summary time and the end of working hours.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from bot.allocations import cards, store
from bot.allocations.cards import Line
from bot.allocations.dialogs.support import (
    QA_ROUTE,
    TARGET_LABELS,
    Recipient,
    calendar_of,
    describe,
    in_send_window,
    pick_escalation_recipient,
)
from bot.allocations.flows import (
    action_line,
    action_text,
    ensure_moderation,
    start_moderation,
    work_text,
)
from bot.allocations.rules.nudges import day_label, due_stage, escalations_due, reply_stage
from bot.allocations.rules.sampling import CompletedItem, select_for_moderation
from bot.cards.model import Button
from bot.dialogs.base import Context, GatedSummary, Router, SummaryItem
from bot.domain.activities import ActivityType, EscalationTarget
from bot.domain.workdays import add_months
from bot.store import directory
from bot.store.models import Person
from bot.store.outbox import PersonMessage

log = logging.getLogger(__name__)

DEFAULT_REMINDERS = (3, 1, 0)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def register(router: Router) -> None:
    router.sweep("allocations.start_moderations")(start_ready_moderations)
    router.sweep("allocations.moderation_sample")(sample_moderations)
    router.sweep("allocations.morning_summary")(morning_summaries)
    router.sweep("allocations.escalations")(escalate_overdue)
    router.sweep("allocations.weekly_digest")(weekly_digests)


# --- moderations ------------------------------------------------------------------------------


async def start_ready_moderations(ctx: Context) -> None:
    """A safety net: a moderation still waiting although its evaluation is done starts now."""
    for moderation in await store.waiting_moderations_ready(ctx.session):
        evaluation = await store.allocation_by_id(ctx.session, moderation.parent_id or 0)
        if evaluation is not None:
            await start_moderation(ctx, moderation, evaluation)


async def sample_moderations(ctx: Context) -> None:
    """Dudley: a share of each month's audits is moderated (all Inadequates at once, at
    completion; the rest sampled once the month is over)."""
    if not in_send_window(ctx):
        return
    this_month = ctx.today.replace(day=1)
    for activity in ctx.framework.activities:
        rates = [r for r in ctx.framework.moderation_rates if r.activity == activity.key]
        if not rates or activity.moderation_activity is None or activity.requires_moderation:
            continue
        first = await store.earliest_completion(ctx.session, activity.key)
        if first is None:
            continue
        month = first.replace(day=1)
        while month < this_month:
            key = f"sample:{activity.key}:{month:%Y-%m}"
            if not await store.is_marked(ctx.session, key):
                await _sample_month(ctx, activity, month, rates)
                await store.mark(ctx.session, [key], ctx.now)
            month = add_months(month, 1)


async def _sample_month(
    ctx: Context, activity: ActivityType, month: date, rates: Sequence[object]
) -> None:
    last = add_months(month, 1) - timedelta(days=1)
    done = [
        a
        for a in await store.completed_between(ctx.session, activity.key, month, last)
        if a.role != store.MODERATOR
    ]
    items = [
        CompletedItem(a.case_ref or f"#{a.id}", a.service, a.grade or "good")  # type: ignore[arg-type]
        for a in done
    ]
    chosen = set(
        select_for_moderation(
            items,
            ctx.framework.moderation_rates,
            activity.key,
            random.Random(f"{activity.key}{month}"),
        )
    )
    started = 0
    for allocation in done:
        if (allocation.case_ref or f"#{allocation.id}") in chosen:
            moderation = await ensure_moderation(ctx, allocation)
            started += moderation is not None
    log.info("moderation sample for %s %s: %d of %d", activity.key, month, started, len(done))


# --- morning summaries ------------------------------------------------------------------------


@dataclass
class _Nudges:
    """What each person needs to hear today: (mark key, line) pairs."""

    by_person: dict[int, list[tuple[str, Line]]] = field(default_factory=lambda: defaultdict(list))
    people: dict[int, Person] = field(default_factory=dict)
    # Gated sources' occasions (``GatedSummary``), marked once the summaries are written.
    occasions: list[str] = field(default_factory=list)
    # Escalation lines (mark key -> the step's target), named once the recipient is known.
    escalations: dict[str, EscalationTarget] = field(default_factory=dict)

    def add(self, person: Person | None, key: str, line: Line) -> None:
        if person is None:
            return
        self.people[person.id] = person
        self.by_person[person.id].append((key, line))


def _reminders(ctx: Context, activity_key: str) -> tuple[int, ...]:
    activity = ctx.framework.activity(activity_key)
    return activity.reminders if activity else DEFAULT_REMINDERS


async def morning_summaries(ctx: Context) -> None:
    """One message a person a working morning, listing every reminder due for them today."""
    if not in_send_window(ctx):
        return
    today, cal = ctx.today, calendar_of(ctx.framework)
    nudges = _Nudges()
    horizon = _reminder_horizon(ctx)
    works = await store.open_allocations(ctx.session, due_by=horizon, or_awaiting_reply=True)
    actions = await store.open_actions(ctx.session, due_by=horizon)
    people = await _people_of(ctx, works, actions)
    for item in works:
        _allocation_nudges(ctx, item, people.get(item.work.assignee_id or 0), nudges)
    for allocation in await store.pending_follow_up_checks(ctx.session, today):
        short = allocation.case_ref or allocation.team or "file"
        nudges.add(
            allocation.assignee,
            f"nudge:check:{allocation.id}:p{allocation.assignee_id}",
            Line(
                f"Check the file for {describe(ctx.framework, allocation)}: it is two weeks "
                "since your audit. Are the actions done?",
                button=Button(
                    label=f"Checked {short}"[:75], verb="alloc.checked", data={"a": allocation.id}
                ),
                ident=f"check{allocation.id}",
            ),
        )
    for due_action in actions:
        action = due_action.action
        stage = due_stage(
            action.due_on,
            _reminders(ctx, action.allocation.activity),
            due_action.created_at.astimezone(ctx.tz).date(),
            today,
            cal,
        )
        if stage is not None:
            line = action_line(ctx, action)
            nudges.add(
                people.get(action.owner_id),
                f"nudge:action:{action.id}:p{action.owner_id}:{stage.key}",
                Line(
                    f"Action “{action.description}”: {stage.text}",
                    line.button,
                    stage.urgent,
                    ident=line.ident,
                ),
            )
    await _other_areas_nudges(ctx, nudges)
    all_keys = [key for entries in nudges.by_person.values() for key, _ in entries]
    fresh = set(await store.unmarked(ctx.session, all_keys))
    due: dict[int, list[tuple[str, Line]]] = {}
    for person_id, entries in nudges.by_person.items():
        new = [(key, line) for key, line in entries if key in fresh]
        if new and nudges.people[person_id].active:
            due[person_id] = new
    await _name_escalation_recipients(ctx, nudges, due)
    await _send_summaries(ctx, nudges.people, due)
    await store.mark(ctx.session, nudges.occasions, ctx.now)


async def _name_escalation_recipients(
    ctx: Context, nudges: _Nudges, due: dict[int, list[tuple[str, Line]]]
) -> None:
    """The person whose work was escalated hears who it actually went to: the same recipient
    the escalation sweep chooses (their line manager, or the QA team and why)."""
    owners = [
        nudges.people[person_id]
        for person_id, entries in due.items()
        if any(key in nudges.escalations for key, _ in entries)
    ]
    if not owners:
        return
    recipients = await _Recipients.load(ctx, owners)
    for owner in owners:
        named: list[tuple[str, Line]] = []
        for key, line in due[owner.id]:
            target = nudges.escalations.get(key)
            if target is not None:
                line = replace(
                    line, text=f"{line.text} {_told(recipients.of(owner, target), target)}"
                )
            named.append((key, line))
        due[owner.id] = named


def _told(recipient: Recipient, target: EscalationTarget) -> str:
    label = TARGET_LABELS[target]
    if recipient.person is None and not recipient.why:
        return f"to the {label}"
    if not recipient.why:
        return f"to your {label}, {recipient.name}"
    return f"to {recipient.name}: for your {label}, but {recipient.why}"


async def _other_areas_nudges(ctx: Context, nudges: _Nudges) -> None:
    """Reminders other areas registered with ``Router.summary`` join the same message. A
    ``GatedSummary`` is asked only while one of its occasions today is not yet marked."""
    items: list[SummaryItem] = []
    for source in ctx.summary_sources:
        if isinstance(source, GatedSummary):
            occasions = source.gate(ctx)
            if not await store.unmarked(ctx.session, occasions):
                continue
            nudges.occasions.extend(occasions)
        items.extend(await source(ctx))
    unknown = {item.person_id for item in items} - nudges.people.keys()
    people = await directory.people_by_ids(ctx.session, unknown) if unknown else {}
    for item in items:
        person = nudges.people.get(item.person_id) or people.get(item.person_id)
        line = Line(item.text, item.button, item.urgent, item.ident)
        nudges.add(person, item.key, line)


async def _people_of(
    ctx: Context, works: Sequence[store.DueWork], actions: Sequence[store.DueAction]
) -> dict[int, Person]:
    """The people the due work and actions belong to, read once (not once a row)."""
    wanted = {due.work.assignee_id for due in works if due.work.assignee_id is not None}
    wanted |= {due.action.owner_id for due in actions}
    return await directory.people_by_ids(ctx.session, wanted) if wanted else {}


def _reminder_horizon(ctx: Context) -> date:
    """No reminder can be due today for work due after this day: the earliest reminder is the
    largest number of working days before the due date (a week's slack covers closure days)."""
    furthest = max(
        (max(a.reminders, default=0) for a in ctx.framework.activities),
        default=0,
    )
    furthest = max(furthest, *DEFAULT_REMINDERS)
    return calendar_of(ctx.framework).add_working_days(ctx.today, furthest) + timedelta(days=7)


def _allocation_nudges(
    ctx: Context, due: store.DueWork, person: Person | None, nudges: _Nudges
) -> None:
    allocation = due.work
    if allocation.due_on is None or allocation.assignee_id is None:
        return
    today, cal = ctx.today, calendar_of(ctx.framework)
    base = f"nudge:alloc:{allocation.id}:p{allocation.assignee_id}"
    what = describe(ctx.framework, allocation)
    # Reminders count from the allocation, or for a moderation from the day its clock started.
    clock_start = due.allocated_on
    if due.role == store.MODERATOR and due.started_on:
        clock_start = due.started_on
    ident = f"a{allocation.id}"
    stage = due_stage(
        allocation.due_on, _reminders(ctx, allocation.activity), clock_start, today, cal
    )
    button = _work_button(allocation)
    if stage is not None:
        nudges.add(
            person,
            f"{base}:{stage.key}",
            Line(f"{what}: {stage.text}", button, stage.urgent, ident),
        )
    if allocation.status == store.ALLOCATED and reply_stage(
        due.allocated_on, allocation.due_on, today, cal
    ):
        nudges.add(
            person,
            f"{base}:reply",
            Line(
                f"{what}: please accept it, or tell the QA team you can't do it",
                button,
                False,
                ident,
            ),
        )
    activity = ctx.framework.activity(allocation.activity)
    if activity is not None and allocation.due_on < today:
        for number, step in escalations_due(allocation.due_on, activity.escalation, today, cal):
            key = f"{base}:escalated-{number}"
            nudges.escalations[key] = step.to
            nudges.add(person, key, Line(f"{what}: now escalated", button, True, ident))


def _work_button(allocation: store.Listed) -> Button:
    short = (allocation.case_ref or allocation.team or "work")[:40]
    if allocation.status == store.ALLOCATED:
        return Button(label=f"Accept {short}"[:75], verb="alloc.accept", data={"a": allocation.id})
    return Button(label=f"Done {short}"[:75], verb="alloc.done", data={"a": allocation.id})


async def _send_summaries(
    ctx: Context, people: dict[int, Person], due: dict[int, list[tuple[str, Line]]]
) -> None:
    """``due`` holds, for each active person, the stages not yet sent to them. Everyone is
    handled together: who is away, their open work and the writes are a few queries in all."""
    away = await directory.away_until_each(ctx.session, due, ctx.today)
    told = [person_id for person_id in due if person_id not in away]
    # Paused people are left unmarked, so the current stage is sent when they are back.
    today_lines = {p: _one_line_each([line for _, line in due[p]]) for p in told}
    also_open = await _also_open_of_each(ctx, told, today_lines)
    marks: list[tuple[str, dict[str, Any] | None]] = []
    messages: list[PersonMessage] = []
    for person_id in told:
        entries = due[person_id]
        lines, also = today_lines[person_id], also_open[person_id]
        card = cards.morning_summary_card(
            people[person_id].name.split()[0], lines, also.lines, also.more
        )
        keys = sorted({key for key, _ in entries})
        marks.extend((key, {"person": person_id}) for key in keys)
        reason = "; ".join(line.text for line in lines)
        messages.append(
            PersonMessage(
                person_id,
                card,
                key=f"summary:p{person_id}:{ctx.today}:{_digest(keys)}",
                kind="reminder",
                reason=reason[:300],
            )
        )
    await store.mark_each(ctx.session, marks, ctx.now)
    await ctx.outbox.to_people(messages)


def _one_line_each(lines: list[Line]) -> list[Line]:
    """Everything due today for one piece of work on one line ("due today; please accept")."""
    merged: dict[str, Line] = {}
    for index, line in enumerate(lines):
        ident = line.ident or f"#{index}"
        first = merged.get(ident)
        if first is None:
            merged[ident] = line
            continue
        extra = line.text.split(": ", 1)[-1]
        merged[ident] = Line(
            f"{first.text}; {extra}", first.button, first.urgent or line.urgent, first.ident
        )
    return list(merged.values())


@dataclass(frozen=True)
class _AlsoOpen:
    """A person's other open work as their summary lists it: the lines shown, and how many
    more there are (only those shown are put into words)."""

    lines: list[Line]
    more: int


async def _also_open_of_each(
    ctx: Context, person_ids: list[int], today_lines: dict[int, list[Line]]
) -> dict[int, _AlsoOpen]:
    """Each person's open work, then their open actions, as ``remaining_lines`` lists them,
    leaving out what today's lines are about: read as plain rows for everyone at once."""
    if not person_ids:
        return {}
    work = await store.open_work_of_each(ctx.session, person_ids)
    actions = await store.open_actions_of_each(ctx.session, person_ids)
    today = ctx.today  # worked out once, not at each of some 12,000 lines
    found: dict[int, _AlsoOpen] = {}
    for person_id in person_ids:
        seen = {line.ident for line in today_lines[person_id]}
        rows: list[store.Listed | store.ListedAction] = [
            w for w in work.get(person_id, []) if f"a{w.id}" not in seen
        ]
        rows += [x for x in actions.get(person_id, []) if f"x{x.id}" not in seen]
        lines = [_also_line(ctx, row, today) for row in rows[: cards.LINES_SHOWN]]
        found[person_id] = _AlsoOpen(lines, len(rows) - len(lines))
    return found


def _also_line(ctx: Context, row: store.Listed | store.ListedAction, today: date) -> Line:
    """A line of the "also open" list: its buttons are not shown, so none is made."""
    if isinstance(row, store.ListedAction):
        return Line(
            action_text(ctx, row), urgent=row.is_open and row.due_on < today, ident=f"x{row.id}"
        )
    return Line(work_text(ctx, row), urgent=row.overdue_on(today), ident=f"a{row.id}")


def _digest(keys: Sequence[str]) -> str:
    return hashlib.sha1("\n".join(keys).encode(), usedforsecurity=False).hexdigest()[:12]


# --- escalations ------------------------------------------------------------------------------


@dataclass
class _Escalation:
    key: str
    owner: Person
    target: EscalationTarget
    text: str
    # It could not reach its target and went to someone else (the text says who and why).
    instead: bool = False


@dataclass(frozen=True)
class _Overdue:
    base: str
    owner: Person
    activity_key: str
    due: date
    what: str


async def escalate_overdue(ctx: Context) -> None:
    """Overdue work goes up the management chain after the activity's working days; when the
    person is away, their line manager hears on the first working day it is overdue."""
    if not in_send_window(ctx):
        return
    today, cal = ctx.today, calendar_of(ctx.framework)
    overdue: list[_Overdue] = []
    yesterday = today - timedelta(days=1)
    works = await store.open_allocations(ctx.session, due_by=yesterday)
    actions = await store.open_actions(ctx.session, due_by=yesterday)
    people = await _people_of(ctx, works, actions)
    for due in works:
        allocation, assignee = due.work, people.get(due.work.assignee_id or 0)
        if allocation.due_on is None or allocation.due_on >= today or assignee is None:
            continue
        overdue.append(
            _Overdue(
                f"esc:alloc:{allocation.id}:p{allocation.assignee_id}",
                assignee,
                allocation.activity,
                allocation.due_on,
                describe(ctx.framework, allocation),
            )
        )
    for due_action in actions:
        action, owner = due_action.action, people.get(due_action.action.owner_id)
        if action.due_on < today and owner is not None:
            source = describe(ctx.framework, action.allocation)
            overdue.append(
                _Overdue(
                    f"esc:action:{action.id}:p{action.owner_id}",
                    owner,
                    action.allocation.activity,
                    action.due_on,
                    f"action “{action.description}” from the {source}",
                )
            )
    # Decide from the keys first (cheap); look people up only for what is new.
    candidates: list[tuple[str, _Overdue, EscalationTarget, bool]] = []
    for item in overdue:
        activity = ctx.framework.activity(item.activity_key)
        steps = activity.escalation if activity else ()
        for number, step in escalations_due(item.due, steps, today, cal):
            candidates.append((f"{item.base}:s{number}", item, step.to, False))
        candidates.append((f"{item.base}:away", item, "line_manager", True))
    fresh = set(await store.unmarked(ctx.session, [c[0] for c in candidates]))
    told_manager = {
        item.base
        for key, item, target, _ in candidates
        if target == "line_manager" and key not in fresh
    }
    away = await directory.away_until_each(
        ctx.session, {item.owner.id for key, item, _, _ in candidates if key in fresh}, today
    )
    recipients = await _Recipients.load(
        ctx,
        [item.owner for key, item, target, _ in candidates if key in fresh and target != "qa_team"],
    )
    grouped: dict[str, tuple[Recipient, list[_Escalation]]] = {}
    covered: list[str] = []
    for key, item, target, only_when_away in candidates:
        if key not in fresh:
            continue
        until = away.get(item.owner.id)
        if only_when_away and until is None:
            continue
        if target == "line_manager" and item.base in told_manager:
            covered.append(key)  # the line manager already heard about this item
            continue
        if target == "line_manager":
            told_manager.add(item.base)
        recipient = recipients.of(item.owner, target)
        text = _overdue_text(ctx, item, until) + _instead_text(recipient, target)
        escalation = _Escalation(key, item.owner, target, text, instead=bool(recipient.why))
        grouped.setdefault(recipient.key, (recipient, []))[1].append(escalation)
    await store.mark(ctx.session, covered, ctx.now, {"covered": True})
    await _send_escalations(ctx, list(grouped.values()))


@dataclass(frozen=True)
class _Recipients:
    """Everyone's management chain and who in them is away, read once for the whole sweep."""

    chains: dict[int, list[Person]]
    away: set[int]

    @classmethod
    async def load(cls, ctx: Context, owners: list[Person]) -> _Recipients:
        chains = await directory.manager_chains(ctx.session, owners)
        managers = {m.id for chain in chains.values() for m in chain}
        away = await directory.away_until_each(ctx.session, managers, ctx.today)
        return cls(chains, set(away))

    def of(self, owner: Person, target: EscalationTarget) -> Recipient:
        return pick_escalation_recipient(owner, target, self.chains.get(owner.id, []), self.away)


def _instead_text(recipient: Recipient, target: EscalationTarget) -> str:
    """Issue 10: an escalation that could not reach its target names who it went to, and why."""
    if not recipient.why:
        return ""
    return f"; for the {TARGET_LABELS[target]}, but {recipient.why}, so it went to {recipient.name}"


def _overdue_text(ctx: Context, item: _Overdue, away_until: date | None) -> str:
    late = calendar_of(ctx.framework).working_days_between(item.due, ctx.today)
    first = item.owner.name.split()[0]
    away = f" ({first} is away until {day_label(away_until)})" if away_until else ""
    days = "working day" if late == 1 else "working days"
    return f"{item.owner.name}: {item.what}, due {day_label(item.due)}, {late} {days} overdue{away}"


async def _send_escalations(
    ctx: Context, grouped: list[tuple[Recipient, list[_Escalation]]]
) -> None:
    marks: list[tuple[str, dict[str, Any] | None]] = []
    messages: list[PersonMessage] = []
    for recipient, items in grouped:
        # Several steps of one item due at once (the bot was down) are one line.
        lines: list[Line] = []
        for escalation in items:
            line = Line(escalation.text, urgent=True)
            if line not in lines:
                lines.append(line)
        keys = sorted(e.key for e in items)
        marks.extend((key, {"to": recipient.key}) for key in keys)
        first = recipient.person.name.split()[0] if recipient.person else "QA team"
        card = cards.escalation_card(first, lines, instead=any(e.instead for e in items))
        steps = sorted({TARGET_LABELS[e.target] for e in items})
        reason = f"overdue, escalated to the {' and '.join(steps)}, sent to {recipient.name}: "
        reason += "; ".join(line.text for line in lines)
        key = f"escalation:{recipient.key}:{ctx.today}:{_digest(keys)}"
        if recipient.person is not None:
            messages.append(
                PersonMessage(
                    recipient.person.id, card, key=key, kind="escalation", reason=reason[:300]
                )
            )
        else:
            await ctx.outbox.to_route(
                QA_ROUTE, card, key=key, kind="escalation", reason=reason[:300]
            )
    await store.mark_each(ctx.session, marks, ctx.now)
    await ctx.outbox.to_people(messages)


# --- the weekly digest ------------------------------------------------------------------------


async def weekly_digests(ctx: Context) -> None:
    """Each manager with overdue work in their team hears once a week, on the configured day
    (or the first working day after it, when that is a bank holiday or the bot was down)."""
    if not in_send_window(ctx):
        return
    today, cal = ctx.today, calendar_of(ctx.framework)
    monday = today - timedelta(days=today.weekday())
    digest_day = cal.on_or_after(
        monday + timedelta(days=WEEKDAYS.index(ctx.framework.calendar.weekly_digest_weekday))
    )
    if today < digest_day or digest_day - monday >= timedelta(days=7):
        return
    year, week, _ = today.isocalendar()
    week_key = f"digest:{year}-W{week:02d}"
    if await store.is_marked(ctx.session, week_key):
        return
    by_manager: dict[int, list[Line]] = defaultdict(list)
    yesterday = today - timedelta(days=1)
    works = await store.open_allocations(ctx.session, due_by=yesterday)
    actions = await store.open_actions(ctx.session, due_by=yesterday)
    people = await _people_of(ctx, works, actions)
    for due in works:
        allocation, assignee = due.work, people.get(due.work.assignee_id or 0)
        if allocation.overdue_on(today) and assignee and assignee.manager_id:
            text = f"{assignee.name}: {work_text(ctx, allocation, with_status=False)}"
            by_manager[assignee.manager_id].append(Line(text, urgent=True))
    for due_action in actions:
        action, owner = due_action.action, people.get(due_action.action.owner_id)
        if action.due_on < today and owner is not None and owner.manager_id:
            by_manager[owner.manager_id].append(
                Line(f"{owner.name}: {action_text(ctx, action)}", urgent=True)
            )
    managers = await directory.people_by_ids(ctx.session, by_manager)
    away = await directory.away_until_each(ctx.session, managers, today)
    messages: list[PersonMessage] = []
    for manager_id, lines in sorted(by_manager.items()):
        manager = managers.get(manager_id)
        if manager is None or not manager.active or manager_id in away:
            continue
        messages.append(
            PersonMessage(
                manager_id,
                cards.digest_card(manager.name.split()[0], monday, lines),
                key=f"{week_key}:p{manager_id}",
                kind="digest",
                reason=f"{len(lines)} overdue item{'s' if len(lines) != 1 else ''} in the team",
            )
        )
    await ctx.outbox.to_people(messages)
    await store.mark(ctx.session, [week_key], ctx.now, {"managers": len(by_manager)})
    log.info("weekly overdue digest: %d manager(s)", len(by_manager))
