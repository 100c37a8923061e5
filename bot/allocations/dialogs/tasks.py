"""Sections of "my tasks" (the command, Slack App Home, a Teams card, the console): a person's
open work and actions, their team's overdue work if they manage anyone, and what is waiting
for the QA team."""

from __future__ import annotations

from bot.allocations import cards, store
from bot.allocations.cards import Line
from bot.allocations.dialogs.support import describe
from bot.allocations.flows import action_line, work_line
from bot.allocations.rules.nudges import day_label
from bot.cards.model import Button, Card
from bot.dialogs.base import Context, Router
from bot.domain.roles import Role
from bot.store import directory


def register(router: Router) -> None:
    router.tasks(own_work)
    router.tasks(team_overdue)
    router.tasks(qa_queue)


async def own_work(ctx: Context) -> list[Card]:
    if ctx.person is None:
        return []
    person_id = ctx.person.id
    sections: list[Card] = []
    work = await store.open_work_for(ctx.session, person_id)
    lines = [work_line(ctx, a) for a in work]
    for allocation in await store.follow_up_checks_for(ctx.session, person_id):
        short = allocation.case_ref or allocation.team or "file"
        when = day_label(allocation.follow_up_on) if allocation.follow_up_on else "soon"
        lines.append(
            Line(
                f"File check for the {describe(ctx.framework, allocation)}: due {when}",
                button=Button(
                    label=f"Checked {short}"[:75], verb="alloc.checked", data={"a": allocation.id}
                ),
                urgent=allocation.follow_up_on is not None and allocation.follow_up_on < ctx.today,
            )
        )
    if lines:
        sections.append(cards.tasks_section("Your allocations", lines))
    actions = await store.open_actions_for(ctx.session, person_id)
    if actions:
        sections.append(cards.tasks_section("Your actions", [action_line(ctx, x) for x in actions]))
    return sections


async def team_overdue(ctx: Context) -> list[Card]:
    if ctx.person is None:
        return []
    reports = {p.id: p for p in await directory.direct_reports(ctx.session, ctx.person.id)}
    if not reports:
        return []
    lines: list[Line] = []
    for person_id, person in reports.items():
        for allocation in await store.open_work_for(ctx.session, person_id, include_waiting=False):
            if allocation.overdue_on(ctx.today):
                line = work_line(ctx, allocation, with_status=False)
                lines.append(Line(f"{person.name}: {line.text}", urgent=True))
        for action in await store.open_actions_for(ctx.session, person_id):
            if action.due_on < ctx.today:
                lines.append(Line(f"{person.name}: {action_line(ctx, action).text}", urgent=True))
    if not lines:
        return []
    return [cards.tasks_section("Overdue in your team", lines)]


async def qa_queue(ctx: Context) -> list[Card]:
    if not ctx.has_role(Role.QA_TEAM):
        return []
    lines: list[Line] = []
    for cycle in await store.proposed_cycles(ctx.session):
        lines.append(
            Line(
                f"Allocation {cycle.id} ({cycle.name}) is proposed and waits for confirmation",
                button=Button(
                    label=f"Open allocation {cycle.id}",
                    verb="alloc.cycle.show",
                    data={"c": cycle.id},
                ),
            )
        )
    for allocation in await store.returned_allocations(ctx.session):
        why = allocation.returned_reason or "needs someone"
        short = allocation.case_ref or allocation.team or "work"
        lines.append(
            Line(
                f"{describe(ctx.framework, allocation)} needs allocating ({why})",
                button=Button(
                    label=f"Reallocate {short}"[:75],
                    verb="alloc.reassign",
                    data={"a": allocation.id},
                ),
                urgent=True,
            )
        )
    if not lines:
        return []
    return [cards.tasks_section("Waiting for the QA team", lines)]
