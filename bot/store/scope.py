"""Filters that keep a digest's aggregate queries to its scope (the whole authority, one
service or one team, by the directory's ``services`` and ``teams`` names).

Work belongs to a person (an allocation's assignee, a dispute's raiser, a nominee) or to a team
(a team nomination, a library entry); the filters compare that person's or team's place in the
directory with the scope as a subquery, so a count stays one ``COUNT ... GROUP BY`` statement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, or_, select, true

from bot.domain.digest import DigestScope
from bot.store.models import Person, Service, Team


def teams_in(scope: DigestScope) -> Select[Any]:
    """The ids of the teams in a service or team scope."""
    query = select(Team.id)
    if scope.kind == "team":
        return query.where(Team.name == scope.name)
    return query.join(Service, Service.id == Team.service_id).where(Service.name == scope.name)


def person_in(column: Any, scope: DigestScope) -> ColumnElement[bool]:
    """``column`` (a person id) belongs to someone in the scope; always true for the authority."""
    if scope.kind == "authority":
        return true()
    return cast(
        ColumnElement[bool],
        column.in_(select(Person.id).where(Person.team_id.in_(teams_in(scope)))),
    )


def team_in(column: Any, scope: DigestScope) -> ColumnElement[bool]:
    """``column`` (a team id) is a team in the scope; always true for the authority."""
    if scope.kind == "authority":
        return true()
    return cast(ColumnElement[bool], column.in_(teams_in(scope)))


def person_or_team_in(person: Any, team: Any, scope: DigestScope) -> ColumnElement[bool]:
    """About someone in the scope, or about a team in it (an item about a person or a team)."""
    if scope.kind == "authority":
        return true()
    return or_(person_in(person, scope), team_in(team, scope))


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first moment of a local day, in UTC: how a date boundary of a period compares with
    a timestamp column."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)
