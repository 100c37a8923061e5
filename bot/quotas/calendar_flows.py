"""The QA calendar with the directory filled in: the teams a per-team interval spreads over,
the members of each rotation and the turns the bot has kept; and the meetings and analyses
their leads marked as held."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from bot.dialogs.base import Context
from bot.dialogs.forms import calendar as working_calendar
from bot.domain.roles import Role
from bot.domain.workdays import add_months
from bot.quotas import schedule, store
from bot.quotas.rules import CalendarEntry, month_schedule
from bot.quotas.schedule import Member, Taken
from bot.quotas.store import CalendarHeld

log = logging.getLogger(__name__)
# How far back `calendar held KEY` looks for the occurrence a date belongs to.
HELD_LOOKBACK_MONTHS = 24


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


# --- meetings and analyses that took place --------------------------------------------------


def held_key(activity: str, cycle_on: date) -> str:
    return f"{activity}:{cycle_on.isoformat()}"


def is_lead_run(ctx: Context, key: str) -> bool:
    """An activity whose leads are reminded of it: a meeting, analysis or newsletter that can
    be marked as held."""
    activity = ctx.framework.activity(key)
    return activity is not None and bool(activity.leads)


def may_mark_held(ctx: Context, key: str) -> bool:
    """The activity's leads (any holder of its lead roles) and the QA team."""
    activity = ctx.framework.activity(key)
    if activity is None:
        return False
    return ctx.has_role(Role.QA_TEAM) or any(ctx.has_role(role) for role in activity.leads)


async def held_for(ctx: Context, entries: Sequence[CalendarEntry]) -> dict[str, CalendarHeld]:
    """The entries' occurrences marked as held, by ``held_key``."""
    cycles = [e.cycle_on for e in entries if e.cycle_on is not None]
    if not cycles:
        return {}
    return await store.held_between(ctx.session, min(cycles), max(cycles))


async def occurrence(ctx: Context, key: str, cycle_on: date) -> CalendarEntry | None:
    """The calendar entry of the activity's cycle on ``cycle_on`` (None if it has none)."""
    entries = await month_entries(ctx, cycle_on.replace(day=1))
    return next((e for e in entries if e.key == key and e.cycle_on == cycle_on), None)


async def latest_occurrence(ctx: Context, key: str, on: date) -> CalendarEntry | None:
    """The activity's last cycle on or before ``on`` (the occurrence a meeting held that day
    belongs to), looking back ``HELD_LOOKBACK_MONTHS``."""
    found = await directory_for(ctx)
    month = on.replace(day=1)
    for _ in range(HELD_LOOKBACK_MONTHS + 1):
        entries = [
            e
            for e in await month_entries(ctx, month, found)
            if e.key == key and e.cycle_on is not None and e.cycle_on <= on
        ]
        if entries:
            return max(entries, key=lambda e: e.cycle_on or on)
        month = add_months(month, -1)
    return None


async def mark_held(
    ctx: Context, entry: CalendarEntry, held_on: date, note: str | None
) -> tuple[CalendarHeld, bool]:
    """Record that the entry's occurrence took place; returns the record and whether it is
    new (False: someone marked it before, and theirs is returned)."""
    assert entry.cycle_on is not None
    earlier = await store.held_occurrence(ctx.session, entry.key, entry.cycle_on)
    if earlier is not None:
        return earlier, False
    held = CalendarHeld(
        activity=entry.key,
        cycle_on=entry.cycle_on,
        held_on=held_on,
        marked_by_id=ctx.person.id if ctx.person else None,
        marked_at=ctx.now,
        note=note or None,
    )
    earlier = await store.mark_held(ctx.session, held)
    if earlier is not None:
        return earlier, False
    ctx.audit.record(
        "calendar.held",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"calendar:{held_key(entry.key, entry.cycle_on)}",
        details={"held_on": held_on.isoformat(), "note": bool(note)},
    )
    log.info("calendar %s of %s marked held", entry.key, entry.cycle_on.isoformat())
    stored = await store.held_occurrence(ctx.session, entry.key, entry.cycle_on)
    assert stored is not None
    return stored, True
