"""Logged quota items (feedback, dip reviews, observations, audits, partnership items) and the
figures kept when a period ends: tables and every query the quotas area makes.

Counting is done by the database (``GROUP BY``), so a sweep's cost grows with the number of
people and teams counted, not with the number of items logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.digest import DigestScope
from bot.store.models import Base, Person, PersonRole, Service, Team, UTCDateTime
from bot.store.scope import person_in, team_in

ACTIVE = "active"
WITHDRAWN = "withdrawn"


class QuotaItem(Base):
    """One logged item. ``subject`` is who or what it is about (the practitioner given
    feedback or observed, the team reviewed); ``done_by`` is who did the work (the observer,
    the auditor), counted by quotas per role; ``logged_by`` is who typed it in."""

    __tablename__ = "quota_items"
    __table_args__ = (
        Index("ix_quota_items_kind_day", "kind", "occurred_on", "status"),
        Index("ix_quota_items_logged_by", "logged_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    subject_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    case_ref: Mapped[str | None] = mapped_column(String(64))
    # Feedback: who gave it (child, young person, parent, carer, professional) and what it
    # was (compliment, complaint, comment).
    source: Mapped[str | None] = mapped_column(String(30))
    feedback_kind: Mapped[str | None] = mapped_column(String(30))
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A dip review's or audit's theme.
    theme: Mapped[str | None] = mapped_column(String(200))
    # Findings or notes, after the privacy check.
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    # How it arrived: "chat" or "import".
    via: Mapped[str] = mapped_column(String(12), default="chat")

    subject_person: Mapped[Person | None] = relationship(
        foreign_keys=[subject_person_id], lazy="joined"
    )
    subject_team: Mapped[Team | None] = relationship(lazy="joined")


class QuotaPeriodResult(Base):
    """A quota's figures for a period that has ended, kept for digests and reports."""

    __tablename__ = "quota_period_results"
    __table_args__ = (UniqueConstraint("quota_key", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quota_key: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    counted: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    # Per service: {"SW": {"counted": 10, "met": 8}}; the missing subjects' names.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))


# --- items -------------------------------------------------------------------------------------


def add_item(session: AsyncSession, item: QuotaItem) -> None:
    session.add(item)


async def has_allocated_item(
    session: AsyncSession, kind: str, person_id: int, reference: str
) -> bool:
    """An item already counted for this allocation (its ``notes`` hold the reference)."""
    found = await session.execute(
        select(QuotaItem.id)
        .where(
            QuotaItem.kind == kind,
            QuotaItem.done_by_id == person_id,
            QuotaItem.via == "allocation",
            QuotaItem.notes == reference,
        )
        .limit(1)
    )
    return found.first() is not None


async def get_item(session: AsyncSession, item_id: int) -> QuotaItem | None:
    return await session.get(QuotaItem, item_id)


async def items_logged_by(
    session: AsyncSession, person_id: int, limit: int = 10
) -> Sequence[QuotaItem]:
    result = await session.execute(
        select(QuotaItem)
        .where(QuotaItem.logged_by_id == person_id, QuotaItem.status == ACTIVE)
        .order_by(QuotaItem.created_at.desc(), QuotaItem.id.desc())
        .limit(limit)
    )
    return result.unique().scalars().all()


async def counts_by(
    session: AsyncSession, kind: str, start: date, end: date, column: str
) -> dict[int | None, int]:
    """Active items of ``kind`` in [start, end], counted per ``column`` (subject_person_id,
    subject_team_id or done_by_id)."""
    key = getattr(QuotaItem, column)
    result = await session.execute(
        select(key, func.count(QuotaItem.id))
        .where(
            QuotaItem.kind == kind,
            QuotaItem.status == ACTIVE,
            QuotaItem.occurred_on >= start,
            QuotaItem.occurred_on <= end,
        )
        .group_by(key)
    )
    return {row[0]: int(row[1]) for row in result.all()}


# --- who is counted ---------------------------------------------------------------------------


async def people_with_any_role(session: AsyncSession, roles: Sequence[str]) -> Sequence[Person]:
    result = await session.execute(
        select(Person)
        .where(
            Person.active.is_(True),
            Person.id.in_(select(PersonRole.person_id).where(PersonRole.role.in_(list(roles)))),
        )
        .order_by(Person.name)
    )
    return result.unique().scalars().all()


async def named_with_any_role(
    session: AsyncSession, roles: Sequence[str]
) -> list[tuple[int, str, str | None]]:
    """``people_with_any_role`` as plain rows, (id, name, team name), in the same order: for
    the calendar, which needs no more of each person than that."""
    result = await session.execute(
        select(Person.id, Person.name, Team.name)
        .outerjoin(Team, Team.id == Person.team_id)
        .where(
            Person.active.is_(True),
            Person.id.in_(select(PersonRole.person_id).where(PersonRole.role.in_(list(roles)))),
        )
        .order_by(Person.name, Person.id)
    )
    return list(result.tuples())


async def directory_rows(
    session: AsyncSession,
) -> tuple[
    list[tuple[int, str, int | None, int | None, bool]],
    list[tuple[int, str, str | None]],
    list[tuple[int, str]],
]:
    """The whole directory as plain rows, for a sweep: (id, name, team, manager, active) of
    everyone by name, (id, name, service name) of every team by name, and (person, role) of
    every role held. Three queries, no ORM objects, whatever the size of the directory."""
    people = await session.execute(
        select(Person.id, Person.name, Person.team_id, Person.manager_id, Person.active).order_by(
            Person.name, Person.id
        )
    )
    teams = await session.execute(
        select(Team.id, Team.name, Service.name)
        .outerjoin(Service, Service.id == Team.service_id)
        .order_by(Team.name, Team.id)
    )
    roles = await session.execute(select(PersonRole.person_id, PersonRole.role))
    return list(people.tuples()), list(teams.tuples()), list(roles.tuples())


async def all_teams(session: AsyncSession) -> Sequence[Team]:
    result = await session.execute(select(Team).order_by(Team.name))
    return result.unique().scalars().all()


async def team_named(session: AsyncSession, name: str) -> Team | None:
    result = await session.execute(select(Team).where(func.lower(Team.name) == name.lower()))
    return result.unique().scalar_one_or_none()


# --- period results ----------------------------------------------------------------------------


async def period_result(
    session: AsyncSession, quota_key: str, period_start: date
) -> QuotaPeriodResult | None:
    result = await session.execute(
        select(QuotaPeriodResult).where(
            QuotaPeriodResult.quota_key == quota_key,
            QuotaPeriodResult.period_start == period_start,
        )
    )
    return result.scalar_one_or_none()


async def has_results(session: AsyncSession, quota_key: str) -> bool:
    result = await session.execute(
        select(QuotaPeriodResult.id).where(QuotaPeriodResult.quota_key == quota_key).limit(1)
    )
    return result.first() is not None


async def results_for(session: AsyncSession, quota_key: str) -> Sequence[QuotaPeriodResult]:
    """A quota's kept figures, oldest first (for digests and reports)."""
    result = await session.execute(
        select(QuotaPeriodResult)
        .where(QuotaPeriodResult.quota_key == quota_key)
        .order_by(QuotaPeriodResult.period_start)
    )
    return result.scalars().all()


def add_period_result(session: AsyncSession, result: QuotaPeriodResult) -> None:
    session.add(result)


# --- calendar feeds ----------------------------------------------------------------------------


class CalendarFeed(Base):
    """A private iCalendar feed: a person's, a team's or the QA team's. Only the token's
    SHA-256 is kept; a rotated feed is revoked, and its old link then answers 404."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "person", "team" or "qa_team"; owner_id is the person or team (None for the QA team).
    owner_kind: Mapped[str] = mapped_column(String(12))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))


async def live_feed(
    session: AsyncSession, owner_kind: str, owner_id: int | None
) -> CalendarFeed | None:
    query = select(CalendarFeed).where(
        CalendarFeed.owner_kind == owner_kind, CalendarFeed.revoked_at.is_(None)
    )
    query = query.where(
        CalendarFeed.owner_id.is_(None) if owner_id is None else CalendarFeed.owner_id == owner_id
    )
    result = await session.execute(query.order_by(CalendarFeed.id.desc()).limit(1))
    return result.scalar_one_or_none()


async def feed_by_hash(session: AsyncSession, token_hash: str) -> CalendarFeed | None:
    result = await session.execute(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash, CalendarFeed.revoked_at.is_(None)
        )
    )
    return result.scalar_one_or_none()


def add_feed(session: AsyncSession, feed: CalendarFeed) -> None:
    session.add(feed)


# --- digest figures (aggregate queries only) ---------------------------------------------------


def _items_in(kind: str | None, start: date, end: date) -> list[ColumnElement[bool]]:
    """Active items (of ``kind``) that happened in [start, end)."""
    where = [
        QuotaItem.status == ACTIVE,
        QuotaItem.occurred_on >= start,
        QuotaItem.occurred_on < end,
    ]
    if kind is not None:
        where.append(QuotaItem.kind == kind)
    return where


async def feedback_counts(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> dict[tuple[str, str], int]:
    """(feedback kind, source) -> feedback items in [start, end)."""
    rows = await session.execute(
        select(QuotaItem.feedback_kind, QuotaItem.source, func.count(QuotaItem.id))
        .where(*_items_in("feedback", start, end), in_scope)
        .group_by(QuotaItem.feedback_kind, QuotaItem.source)
    )
    return {(str(kind or ""), str(source or "")): int(n) for kind, source, n in rows.all()}


async def theme_counts(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> dict[str, int]:
    """Theme -> items in [start, end) that named it: the themes ticked on feedback (a JSON list,
    unnested by the database) and the theme of a dip review or audit."""
    found: dict[str, int] = {}
    if session.get_bind().dialect.name == "postgresql":
        listed = func.json_array_elements_text(QuotaItem.themes).table_valued("value").lateral()
    else:
        listed = func.json_each(QuotaItem.themes).table_valued("value")
    rows = await session.execute(
        select(listed.c.value, func.count(QuotaItem.id))
        .select_from(QuotaItem)
        .join(listed, true())
        .where(*_items_in(None, start, end), in_scope)
        .group_by(listed.c.value)
    )
    for theme, n in rows.all():
        found[str(theme)] = found.get(str(theme), 0) + int(n)
    rows = await session.execute(
        select(QuotaItem.theme, func.count(QuotaItem.id))
        .where(*_items_in(None, start, end), QuotaItem.theme.is_not(None), in_scope)
        .group_by(QuotaItem.theme)
    )
    for theme, n in rows.all():
        found[str(theme)] = found.get(str(theme), 0) + int(n)
    return found


async def met_and_counted(
    session: AsyncSession,
    kind: str,
    per: str,
    roles: Sequence[str],
    target: int,
    start: date,
    last: date,
    scope: DigestScope,
) -> tuple[int, int]:
    """(subjects meeting ``target``, subjects counted) for items of ``kind`` in [start, last],
    in one statement: the people holding ``roles`` (per practitioner: counted by the item's
    subject; per role: by who did it) or the teams with a practitioner (per team), in the
    scope; the partnership or service as one subject. The same subjects as
    ``flows.count_quota``, counted by the database rather than in Python."""
    items = [
        QuotaItem.kind == kind,
        QuotaItem.status == ACTIVE,
        QuotaItem.occurred_on >= start,
        QuotaItem.occurred_on <= last,
    ]
    if per in ("service", "partnership"):
        total = (await session.execute(select(func.count(QuotaItem.id)).where(*items))).scalar_one()
        return (1 if int(total) >= target else 0), 1
    holders = select(PersonRole.person_id).where(PersonRole.role.in_(list(roles)))
    if per == "team":
        key = QuotaItem.subject_team_id
        subject = Team.id
        practising = select(Person.team_id).where(Person.active.is_(True), Person.id.in_(holders))
        where = [Team.id.in_(practising), team_in(Team.id, scope)]
    else:
        key = QuotaItem.done_by_id if per == "role" else QuotaItem.subject_person_id
        subject = Person.id
        where = [Person.active.is_(True), Person.id.in_(holders), person_in(Person.id, scope)]
    counts = select(key.label("subject"), func.count(QuotaItem.id).label("n"))
    counts_sq = counts.where(*items).group_by(key).subquery()
    met = case((func.coalesce(counts_sq.c.n, 0) >= target, 1), else_=0)
    row = await session.execute(
        select(func.count(subject), func.sum(met))
        .select_from(Team if per == "team" else Person)
        .outerjoin(counts_sq, counts_sq.c.subject == subject)
        .where(*where)
    )
    counted, met_count = row.one()
    return int(met_count or 0), int(counted or 0)


# --- rotations of the QA calendar ---------------------------------------------------------------


class CalendarTurn(Base):
    """Whose turn a rotation last gave (a team's name, a person's id) and the cycle it was for:
    the next cycles take the next members in order."""

    __tablename__ = "calendar_turns"
    __table_args__ = (UniqueConstraint("rotation", name="uq_calendar_turns_rotation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "activity.rotation", e.g. "mape.team".
    rotation: Mapped[str] = mapped_column(String(100))
    member: Mapped[str] = mapped_column(String(120))
    cycle_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))


async def calendar_turns(session: AsyncSession) -> dict[str, CalendarTurn]:
    result = await session.execute(select(CalendarTurn))
    return {turn.rotation: turn for turn in result.scalars()}


async def keep_turn(
    session: AsyncSession, rotation: str, member: str, cycle_on: date, now: datetime
) -> None:
    """Record the turn given at a cycle (the rotation moves on from it)."""
    found = (await calendar_turns(session)).get(rotation)
    if found is None:
        session.add(
            CalendarTurn(rotation=rotation, member=member, cycle_on=cycle_on, updated_at=now)
        )
        return
    if found.cycle_on <= cycle_on:
        found.member, found.cycle_on, found.updated_at = member, cycle_on, now


# --- calendar meetings and analyses that took place ---------------------------------------------


class CalendarHeld(Base):
    """One occurrence of a lead-run calendar activity (a stocktake, QPRM, an analysis) marked
    as held: by whom, on which day, with an optional note that passed the privacy check."""

    __tablename__ = "calendar_held"
    __table_args__ = (
        UniqueConstraint("activity", "cycle_on", name="uq_calendar_held_activity_cycle_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity: Mapped[str] = mapped_column(String(60))
    # The occurrence: its cycle's own day (the first of its month, or its interval's day).
    cycle_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date] = mapped_column(Date)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)

    marked_by: Mapped[Person | None] = relationship(lazy="joined")


async def held_between(session: AsyncSession, first: date, last: date) -> dict[str, CalendarHeld]:
    """The occurrences marked held whose cycle falls in [first, last], by ``activity:cycle_on``."""
    result = await session.execute(
        select(CalendarHeld).where(CalendarHeld.cycle_on >= first, CalendarHeld.cycle_on <= last)
    )
    return {f"{h.activity}:{h.cycle_on.isoformat()}": h for h in result.unique().scalars()}


async def held_occurrence(
    session: AsyncSession, activity: str, cycle_on: date
) -> CalendarHeld | None:
    result = await session.execute(
        select(CalendarHeld).where(
            CalendarHeld.activity == activity, CalendarHeld.cycle_on == cycle_on
        )
    )
    return result.unique().scalar_one_or_none()


async def mark_held(session: AsyncSession, held: CalendarHeld) -> CalendarHeld | None:
    """Record an occurrence as held; returns the earlier record instead when someone marked it
    first (two presses at once: the unique constraint decides, without an error)."""
    values = {
        "activity": held.activity,
        "cycle_on": held.cycle_on,
        "held_on": held.held_on,
        "marked_by_id": held.marked_by_id,
        "marked_at": held.marked_at,
        "note": held.note,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(CalendarHeld)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["activity", "cycle_on"])
    )
    result = await session.execute(statement)
    if getattr(result, "rowcount", 1) == 0:
        return await held_occurrence(session, held.activity, held.cycle_on)
    return None
