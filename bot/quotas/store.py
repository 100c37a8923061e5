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
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models import Base, Person, PersonRole, Service, Team, UTCDateTime

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
