"""The escalations sweeps: at a stage deadline ask whether to escalate (or escalate by itself
where the ladder says so), tell the overseers when the whole process passes its cap, and put
the stage owners' reminders in the morning summary. Level-triggered and idempotent: every
message has a dedupe key naming the dispute, the stage and the occasion."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cards.model import Button
from bot.dialogs.base import Context, Router, SummaryItem
from bot.dialogs.forms import calendar, deliver_from
from bot.domain import ladder_engine
from bot.domain.roles import Role
from bot.escalations import flows
from bot.escalations import store as s
from bot.store import directory
from bot.store.models import Person


def register(router: Router) -> None:
    router.sweep("escalations.deadlines")(stage_deadlines)
    router.summary(summary_items)


async def stage_deadlines(ctx: Context) -> None:
    if not calendar(ctx).is_working_day(ctx.today):
        return
    due: list[tuple[s.Dispute, ladder_engine.DeadlineStep, bool]] = []
    for dispute in await s.open_disputes_due(ctx.session, ctx.today):
        ladder = ctx.framework.escalations.ladder(dispute.ladder)
        if ladder is None:
            continue
        step = ladder_engine.deadline_step(
            ladder, dispute.stage_index, dispute.stage_due_on, ctx.today
        )
        over_cap = dispute.total_due_on is not None and ctx.today > dispute.total_due_on
        if step != "none" or over_cap:
            due.append((dispute, step, over_cap))
    if not due:
        return
    written = await s.written_keys(ctx.session, [flows.card_key(d) for d, _, _ in due])
    # Held for the loop: the session's identity map keeps only what is referenced elsewhere.
    parties, lines = await _lines_of_parties(ctx, [d for d, _, _ in due])
    overseers: dict[Role, Sequence[Person]] = {}  # read once a ladder's role, not per dispute
    for dispute, step, over_cap in due:
        if step == "escalate":
            await flows.escalate(ctx, dispute, "The stage deadline passed.", auto=True)
        elif step == "ask":
            await _ask_to_escalate(ctx, dispute, written)
        if over_cap:
            await _tell_overseers(ctx, dispute, written, overseers)
    del parties, lines


async def _lines_of_parties(
    ctx: Context, disputes: list[s.Dispute]
) -> tuple[dict[int, Person], dict[int, list[Person]]]:
    """Read every party and their management chain at once: while the caller holds them the
    session keeps them, so the parties (``store.people``) and the stage holders found up each
    party's line (``directory.manager_chain``) cost no query."""
    ids = {d.raised_by_id for d in disputes} | {
        d.other_person_id for d in disputes if d.other_person_id is not None
    }
    parties = await s.people(ctx.session, sorted(ids))
    return parties, await directory.manager_chains(ctx.session, parties.values())


async def _ask_to_escalate(ctx: Context, dispute: s.Dispute, written: set[str]) -> None:
    people = await flows.stage_people(ctx, dispute, dispute.stage_index)
    prefix = f"dispute:{dispute.id}:s{dispute.stage_index}:{dispute.stage_started_on}:deadline"
    keys = {person.id: f"{prefix}:{person.id}" for person in people}
    if written.issuperset(keys.values()):
        return  # everyone was asked at an earlier tick
    card = await flows.card_of(
        ctx, dispute, "The stage deadline has passed. Is it resolved, or should it go up a stage?"
    )
    for person in people:
        await ctx.outbox.to_person(
            person.id,
            card,
            key=keys[person.id],
            kind="dispute",
            reason="a stage deadline passed",
            not_before=deliver_from(ctx),
            card_key=flows.card_key(dispute),
        )


async def _tell_overseers(
    ctx: Context,
    dispute: s.Dispute,
    written: set[str],
    overseers_by_role: dict[Role, Sequence[Person]],
) -> None:
    ladder = flows.ladder_of(ctx, dispute)
    overseers = overseers_by_role.get(ladder.overseen_by)
    if overseers is None:
        overseers = await directory.people_with_role(ctx.session, ladder.overseen_by)
        overseers_by_role[ladder.overseen_by] = overseers
    keys = {person.id: f"dispute:{dispute.id}:over-cap:{person.id}" for person in overseers}
    if written.issuperset(keys.values()):
        return
    card = await flows.card_of(
        ctx,
        dispute,
        f"This has passed the {ladder.total_working_days} working days the "
        f"{ladder.name} allows in total.",
    )
    for person in overseers:
        await ctx.outbox.to_person(
            person.id,
            card,
            key=keys[person.id],
            kind="dispute",
            reason="a dispute passed its total time",
            not_before=deliver_from(ctx),
            card_key=flows.card_key(dispute),
        )


async def summary_items(ctx: Context) -> list[SummaryItem]:
    items: list[SummaryItem] = []
    cal = calendar(ctx)
    # A reminder is due on the working day before the deadline and on the day itself.
    horizon = cal.add_working_days(ctx.today, 2)
    due = []
    for dispute in await s.open_disputes_due(ctx.session, horizon):
        ladder = ctx.framework.escalations.ladder(dispute.ladder)
        if ladder is not None and ladder_engine.reminder_due(cal, dispute.stage_due_on, ctx.today):
            due.append((dispute, ladder))
    members = await s.members_of_each(ctx.session, [dispute.id for dispute, _ in due])
    for dispute, ladder in due:
        stage = ladder.stages[dispute.stage_index]
        clock = ladder_engine.clock_words(cal, dispute.stage_due_on, ctx.today)
        assert dispute.stage_due_on is not None  # reminder_due says so
        left = cal.working_days_between(ctx.today, dispute.stage_due_on)
        button = Button(label=f"Dispute {dispute.id}", verb="dispute.show", data={"d": dispute.id})
        for member in members[dispute.id]:
            if member.stage_index != dispute.stage_index and not member.party:
                continue
            items.append(
                SummaryItem(
                    person_id=member.person_id,
                    key=f"nudge:dispute:{dispute.id}:s{dispute.stage_index}:{dispute.stage_due_on}:{left}wd:p{member.person_id}",
                    text=f"Dispute {dispute.id} ({ladder.name}), {stage.name}: {clock}",
                    button=button,
                    ident=f"d{dispute.id}",
                )
            )
    return items
