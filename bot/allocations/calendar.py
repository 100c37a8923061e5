"""The allocations' part of the private calendar feeds (``Router.calendar_events``): each open
allocation's due date, for the person it is allocated to (a team's feed: its members')."""

from __future__ import annotations

from bot.allocations import store
from bot.allocations.dialogs.support import describe
from bot.dialogs.base import Context, Router
from bot.domain.calendar_events import CalendarEvent, FeedScope


def register(router: Router) -> None:
    router.calendar_events(allocation_deadlines)


async def allocation_deadlines(ctx: Context, scope: FeedScope) -> list[CalendarEvent]:
    """Open work's due dates in the feed's window (a waiting moderation has none yet)."""
    events: list[CalendarEvent] = []
    for person_id in scope.person_ids:
        for allocation in await store.open_work_for(ctx.session, person_id, include_waiting=False):
            day = allocation.due_on
            if day is None or (scope.first and day < scope.first):
                continue
            if scope.last and day > scope.last:
                continue
            who = (
                f" ({allocation.assignee.name})"
                if scope.kind == "team" and allocation.assignee
                else ""
            )
            events.append(
                CalendarEvent(
                    uid=f"allocation-{allocation.id}-due",
                    day=day,
                    summary=f"Due: {describe(ctx.framework, allocation)}{who}",
                    description=f"Allocation {allocation.id}. Type `my tasks` to open it.",
                )
            )
    return events
