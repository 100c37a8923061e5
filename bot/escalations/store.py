"""Disputes on an escalation ladder, their history, and who may see them.

A ``Dispute`` is one disagreement climbing one ladder of the framework file. ``DisputeEvent``
rows are its history (raised, escalated, notes, resolved, withdrawn): the case note is written
from them. ``DisputeMember`` rows are the people who may see it: its parties and the people at
every stage it has reached (the ladder's overseers are found by role, not stored).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.util import identity_key

from bot.escalations.rules import OPEN, RESOLVED
from bot.store.models import Base, OutboxMessage, Person


class Dispute(Base):
    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(primary_key=True)
    ladder: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # The other professional: someone in the directory, or a named contact of another agency.
    other_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    other_name: Mapped[str] = mapped_column(String(200), default="")
    other_agency: Mapped[str] = mapped_column(String(200), default="")
    case_reference: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[str] = mapped_column(String(120))
    resolution_sought: Mapped[str] = mapped_column(Text)
    stage_index: Mapped[int] = mapped_column(Integer, default=0)
    started_at_stage: Mapped[int] = mapped_column(Integer, default=0)
    stage_started_on: Mapped[date] = mapped_column(Date)
    stage_due_on: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    total_due_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")
    # Bumped on every change: a card pressed at an older version is stale.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column()

    __table_args__ = (Index("ix_disputes_status_due", "status", "stage_due_on"),)


class DisputeEvent(Base):
    __tablename__ = "dispute_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column()
    on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    stage_index: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_dispute_events_dispute", "dispute_id", "id"),)


class DisputeMember(Base):
    __tablename__ = "dispute_members"
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    # The stage that brought them in ("party" for the raiser and the other professional).
    stage_index: Mapped[int] = mapped_column(Integer)
    party: Mapped[bool] = mapped_column(default=False)


class DisputeDownload(Base):
    """A time-limited link to a case note or a report (only a hash of the token is kept; the
    file is written when the link is made, for the person who asked)."""

    __tablename__ = "dispute_downloads"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    file_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_download(session: AsyncSession, download: DisputeDownload) -> None:
    session.add(download)
    await session.flush()


async def download_by_token(session: AsyncSession, token: str) -> DisputeDownload | None:
    return await session.get(DisputeDownload, token_hash(token))


async def create(session: AsyncSession, dispute: Dispute) -> Dispute:
    session.add(dispute)
    await session.flush()
    return dispute


async def by_id(session: AsyncSession, dispute_id: int) -> Dispute | None:
    return await session.get(Dispute, dispute_id)


async def add_event(session: AsyncSession, event: DisputeEvent) -> None:
    session.add(event)
    await session.flush()


async def events_of(session: AsyncSession, dispute_id: int) -> Sequence[DisputeEvent]:
    result = await session.execute(
        select(DisputeEvent).where(DisputeEvent.dispute_id == dispute_id).order_by(DisputeEvent.id)
    )
    return result.scalars().all()


async def add_member(
    session: AsyncSession, dispute_id: int, person_id: int, stage_index: int, *, party: bool
) -> bool:
    """True when the person was not a member before."""
    if await session.get(DisputeMember, (dispute_id, person_id)) is not None:
        return False
    session.add(
        DisputeMember(
            dispute_id=dispute_id, person_id=person_id, stage_index=stage_index, party=party
        )
    )
    await session.flush()
    return True


async def members_of(session: AsyncSession, dispute_id: int) -> Sequence[DisputeMember]:
    result = await session.execute(
        select(DisputeMember)
        .where(DisputeMember.dispute_id == dispute_id)
        .order_by(DisputeMember.stage_index, DisputeMember.person_id)
    )
    return result.scalars().all()


async def members_of_each(
    session: AsyncSession, dispute_ids: Sequence[int]
) -> dict[int, list[DisputeMember]]:
    """``members_of`` for many disputes, in one query."""
    found: dict[int, list[DisputeMember]] = {d: [] for d in dispute_ids}
    if not dispute_ids:
        return found
    result = await session.execute(
        select(DisputeMember)
        .where(DisputeMember.dispute_id.in_(list(dispute_ids)))
        .order_by(DisputeMember.dispute_id, DisputeMember.stage_index, DisputeMember.person_id)
    )
    for member in result.scalars():
        found[member.dispute_id].append(member)
    return found


async def written_keys(session: AsyncSession, card_keys: Sequence[str]) -> set[str]:
    """The dedupe keys of the messages already written about these cards (one indexed query):
    a sweep skips what it has sent instead of writing it again to be refused."""
    if not card_keys:
        return set()
    result = await session.execute(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.card_key.in_(list(card_keys)))
    )
    return set(result.scalars())


async def is_member(session: AsyncSession, dispute_id: int, person_id: int) -> bool:
    return await session.get(DisputeMember, (dispute_id, person_id)) is not None


async def people(session: AsyncSession, ids: Sequence[int]) -> dict[int, Person]:
    """The people with these ids, by id. Those the session already holds fully loaded are
    answered from it: a query would hand back the same objects, unchanged, after a round trip
    (a sweep holds every party it will ask about, so a dispute's card costs no query)."""
    found: dict[int, Person] = {}
    missing: list[int] = []
    for person_id in dict.fromkeys(ids):
        held = _held_person(session, person_id)
        if held is None:
            missing.append(person_id)
        else:
            found[person_id] = held
    if missing:
        result = await session.execute(select(Person).where(Person.id.in_(missing)))
        found.update({p.id: p for p in result.unique().scalars()})
    return found


def _held_person(session: AsyncSession, person_id: int) -> Person | None:
    held = session.sync_session.identity_map.get(identity_key(Person, person_id))
    if not isinstance(held, Person):
        return None
    state = inspect(held)
    # Expired or never-loaded attributes would need a query (and cannot lazy-load here).
    return held if state.persistent and not state.unloaded else None


async def open_disputes(session: AsyncSession) -> Sequence[Dispute]:
    result = await session.execute(
        select(Dispute).where(Dispute.status == OPEN).order_by(Dispute.ladder, Dispute.id)
    )
    return result.scalars().all()


async def open_disputes_due(session: AsyncSession, by: date) -> Sequence[Dispute]:
    """Open disputes whose stage or whole process is due by ``by`` (the others have nothing to
    remind or ask about yet, however many there are)."""
    result = await session.execute(
        select(Dispute)
        .where(
            Dispute.status == OPEN,
            or_(Dispute.stage_due_on <= by, Dispute.total_due_on <= by),
        )
        .order_by(Dispute.ladder, Dispute.id)
    )
    return result.scalars().all()


async def disputes_of_member(session: AsyncSession, person_id: int) -> Sequence[Dispute]:
    result = await session.execute(
        select(Dispute)
        .join(DisputeMember, DisputeMember.dispute_id == Dispute.id)
        .where(DisputeMember.person_id == person_id, Dispute.status == OPEN)
        .order_by(Dispute.id)
    )
    return result.scalars().all()


async def disputes_opened_between(
    session: AsyncSession, first: date, last: date
) -> Sequence[Dispute]:
    result = await session.execute(
        select(Dispute)
        .where(Dispute.opened_on >= first, Dispute.opened_on <= last)
        .order_by(Dispute.id)
    )
    return result.scalars().all()


# --- digest figures (aggregate queries only) ----------------------------------------------------


async def raised_by_ladder_and_category(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> dict[tuple[str, str], int]:
    """(ladder, category) -> disputes raised in [start, end)."""
    rows = await session.execute(
        select(Dispute.ladder, Dispute.category, func.count(Dispute.id))
        .where(Dispute.opened_on >= start, Dispute.opened_on < end, in_scope)
        .group_by(Dispute.ladder, Dispute.category)
    )
    return {(ladder, category): int(n) for ladder, category, n in rows.all()}


async def resolved_by_stage(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(ladder, stage index) -> (resolved in [start, end), of which with an overall
    timescale, of which within it)."""
    timed = Dispute.total_due_on.is_not(None)
    within = timed & (Dispute.closed_on <= Dispute.total_due_on)
    rows = await session.execute(
        select(
            Dispute.ladder,
            Dispute.stage_index,
            func.count(Dispute.id),
            func.sum(case((timed, 1), else_=0)),
            func.sum(case((within, 1), else_=0)),
        )
        .where(
            Dispute.status == RESOLVED,
            Dispute.closed_on >= start,
            Dispute.closed_on < end,
            in_scope,
        )
        .group_by(Dispute.ladder, Dispute.stage_index)
    )
    return {
        (ladder, int(stage)): (int(n), int(with_timescale or 0), int(in_time or 0))
        for ladder, stage, n, with_timescale, in_time in rows.all()
    }


async def open_at(session: AsyncSession, end: date, in_scope: ColumnElement[bool]) -> int:
    """Disputes raised before ``end`` and not closed by then."""
    row = await session.execute(
        select(func.count(Dispute.id)).where(
            Dispute.opened_on < end,
            or_(Dispute.closed_on.is_(None), Dispute.closed_on >= end),
            in_scope,
        )
    )
    return int(row.scalar_one())
