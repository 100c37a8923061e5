"""The QA calendar with the directory filled in: the teams a per-team interval spreads over,
the members of each rotation and the turns the bot has kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.dialogs.base import Context
from bot.dialogs.forms import calendar as working_calendar
from bot.domain.roles import Role
from bot.domain.workdays import add_months
from bot.quotas import schedule, store
from bot.quotas.rules import CalendarEntry, month_schedule
from bot.quotas.schedule import Member, Taken


async def case_holding_teams(ctx: Context) -> list[str]:
    """The teams that take turns (a Team Diagnostic, MAPE's "different team each time"): those
    with an active practitioner or team manager, not the leadership or QA teams."""
    people = await store.named_with_any_role(
        ctx.session, [Role.PRACTITIONER.value, Role.TEAM_MANAGER.value]
    )
    return sorted({team for _, _, team in people if team is not None})


async def directory_for(ctx: Context) -> schedule.Directory:
    teams = await case_holding_teams(ctx)
    members: dict[str, list[Member]] = {}
    for activity in ctx.framework.activities:
        for rotation in activity.rotations:
            path = schedule.rotation_path(activity, rotation)
            if rotation.of == "team":
                members[path] = schedule.team_members(rotation, teams)
            else:
                people = await store.named_with_any_role(
                    ctx.session, [role.value for role in rotation.roles]
                )
                members[path] = [Member(str(person_id), name) for person_id, name, _ in people]
    taken = {
        path: Taken(turn.member, turn.cycle_on)
        for path, turn in (await store.calendar_turns(ctx.session)).items()
    }
    return schedule.Directory(teams=teams, members=members, taken=taken, today=ctx.today)


async def month_entries(
    ctx: Context, first: date, found: schedule.Directory | None = None
) -> list[CalendarEntry]:
    """The month's cycles with teams due and whose turn it is."""
    found = found or await directory_for(ctx)
    return month_schedule(ctx.framework, first, working_calendar(ctx), found)


async def keep_turns(ctx: Context, entries: list[CalendarEntry]) -> None:
    """The rotations move on: each entry's turns are kept as given."""
    for entry in entries:
        if entry.cycle_on is None:
            continue
        for turn in entry.turns:
            await store.keep_turn(
                ctx.session,
                f"{entry.key}.{turn.rotation}",
                turn.member.key,
                entry.cycle_on,
                ctx.now,
            )


async def keep_confirmed_turns(ctx: Context, activities: Sequence[str]) -> int:
    """A cycle of these activities was confirmed (or opened itself): the turns its calendar
    entry names are kept, so the rotation moves on. The cycle is this month's, else next
    month's (confirmed ahead). Returns how many cycles' turns were kept."""
    wanted = {key for key in activities if _rotates(ctx, key)}
    if not wanted:
        return 0
    found = await directory_for(ctx)
    first = ctx.today.replace(day=1)
    kept: list[CalendarEntry] = []
    for month in (first, add_months(first, 1)):
        for entry in await month_entries(ctx, month, found):
            if entry.key in wanted and entry.turns and not _kept(found, entry):
                kept.append(entry)
                wanted.discard(entry.key)
    await keep_turns(ctx, kept)
    return len(kept)


def _rotates(ctx: Context, key: str) -> bool:
    activity = ctx.framework.activity(key)
    return activity is not None and bool(activity.rotations)


def _kept(found: schedule.Directory, entry: CalendarEntry) -> bool:
    """The entry's cycle already had its turns kept (confirmed before)."""
    return entry.cycle_on is not None and all(
        (taken := found.taken.get(f"{entry.key}.{turn.rotation}")) is not None
        and taken.cycle_on >= entry.cycle_on
        for turn in entry.turns
    )
