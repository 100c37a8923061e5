"""The QA calendar's pure rules: when each recurring activity's cycles open (its ``months`` or
its interval ``every``), which teams are due in a per-team interval, and whose turn a rotation
gives at each cycle. No I/O: the directory's teams and people, and the turns already taken,
are passed in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.activities import ActivityType, Rotation
from bot.domain.framework import Framework
from bot.domain.workdays import WorkingCalendar, add_months


@dataclass(frozen=True)
class Member:
    """One who can take a rotation's turn: a team (key = its name) or a person (key = id)."""

    key: str
    label: str


@dataclass(frozen=True)
class Taken:
    """The turn a rotation last gave: to whom, and the cycle (its first day) it was for."""

    member: str
    cycle_on: date


@dataclass(frozen=True)
class Turn:
    rotation: str  # the rotation's key
    label: str  # "team", "lead"
    member: Member


@dataclass
class Directory:
    """What the schedule needs from the directory and the store: team names, the members of
    each rotation (``activity.rotation`` -> members in turn order) and the turns taken."""

    teams: Sequence[str] = ()
    members: Mapping[str, Sequence[Member]] = field(default_factory=dict)
    taken: Mapping[str, Taken] = field(default_factory=dict)
    # Today, when known: a past cycle after the kept turn that nobody confirmed did not take a
    # turn (the rotation moves on only when a cycle is confirmed).
    today: date | None = None


def rotation_path(activity: ActivityType, rotation: Rotation) -> str:
    return f"{activity.key}.{rotation.key}"


def cycle_starts(
    framework: Framework, activity: ActivityType, first: date, last: date
) -> list[date]:
    """The first day of each of the activity's cycles between ``first`` and ``last`` (both
    inclusive): the first of a month in ``months``, or a day of its interval. A cycle never
    falls in a quiet month."""
    quiet = framework.calendar.quiet_months
    found: list[date] = []
    if activity.every is not None:
        found = activity.every.occurrences(first, last)
    elif activity.months:
        month = first.replace(day=1)
        while month <= last:
            if month.month in activity.months and month >= first:
                found.append(month)
            month = add_months(month, 1)
    return [day for day in found if day.month not in quiet]


def cycles_in_month(framework: Framework, activity: ActivityType, first: date) -> list[date]:
    return cycle_starts(framework, activity, first, add_months(first, 1) - timedelta(days=1))


def turn_at(
    framework: Framework,
    activity: ActivityType,
    rotation: Rotation,
    cycle_on: date,
    members: Sequence[Member],
    taken: Taken | None,
    today: date | None = None,
) -> Member | None:
    """Whose turn the rotation gives at the cycle starting ``cycle_on``.

    After a turn the bot kept (at a confirmed cycle), the next cycles take the next members in
    order; with ``today``, the cycles of past months since then that nobody confirmed are
    skipped, so their members are still next. With none kept (or one whose member has left),
    the year's cycles take the members in order from January: the first cycle of the calendar
    year is the first member's.
    """
    if not members:
        return None
    keys = [m.key for m in members]
    if taken is not None and taken.member in keys and taken.cycle_on <= cycle_on:
        after = cycle_starts(framework, activity, taken.cycle_on + timedelta(days=1), cycle_on)
        if today is not None and cycle_on >= today.replace(day=1):
            # Past cycles never confirmed gave nobody their turn.
            after = [day for day in after if day >= today.replace(day=1)]
        return members[(keys.index(taken.member) + len(after)) % len(members)]
    year = date(cycle_on.year, 1, 1)
    before = cycle_starts(framework, activity, year, cycle_on - timedelta(days=1))
    return members[len(before) % len(members)]


def turns_at(
    framework: Framework, activity: ActivityType, cycle_on: date, directory: Directory
) -> tuple[Turn, ...]:
    turns: list[Turn] = []
    for rotation in activity.rotations:
        path = rotation_path(activity, rotation)
        members = directory.members.get(path)
        if members is None and rotation.of == "team":
            members = team_members(rotation, directory.teams)
        member = turn_at(
            framework,
            activity,
            rotation,
            cycle_on,
            members or (),
            directory.taken.get(path),
            directory.today,
        )
        if member is not None:
            turns.append(Turn(rotation.key, rotation.label, member))
    return tuple(turns)


def team_members(rotation: Rotation, teams: Sequence[str]) -> list[Member]:
    """A team rotation's members: the seed's fixed order, else the directory's teams."""
    names = rotation.order or tuple(sorted(teams))
    return [Member(name, name) for name in names]


def teams_due(activity: ActivityType, month: date, teams: Sequence[str]) -> tuple[str, ...]:
    """For an interval per team: the teams whose turn falls in ``month``."""
    if activity.every is None or activity.every.per != "team":
        return ()
    return tuple(activity.every.teams_due(month, teams))


def opening_day(cycle_on: date, cal: WorkingCalendar) -> date:
    return cal.on_or_after(cycle_on)


def cadence(activity: ActivityType) -> str:
    """ "every 6 weeks", "every 18 months per team", "Feb, May, Aug, Nov"."""
    every = activity.every
    if every is not None:
        unit = f"{every.weeks} weeks" if every.weeks else f"{every.months} months"
        if every.months == 12:
            unit = "year"
        elif every.months == 24:
            unit = "two years"
        return f"every {unit}" + (" per team" if every.per == "team" else "")
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return ", ".join(names[m - 1] for m in sorted(activity.months))
