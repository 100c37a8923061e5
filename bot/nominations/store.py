"""Good-practice nominations, the CSW group's votes, the Good Practice Library and team
nominations for Good Practice Conversations: tables and the queries the dialogs need.

One vote per CSW per voting round is a database constraint (``uq_nomination_votes_...``): a
vote is written with ``INSERT ... ON CONFLICT DO UPDATE``, so a double click or two replicas
can never store two, and changing a vote is an update of the same row. A resubmission after
"needs more information" opens a new round; earlier rounds' votes stay as history.

Library entries are copies made at ratification with case-record numbers stripped: the
library never holds a case reference, whatever the nomination held.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.digest import DigestScope
from bot.nominations.rules import Ballot, Choice
from bot.store.models import Base, OutboxMessage, Person, Team
from bot.store.scope import person_in, team_in
from bot.store.upserts import dialect_of, insert_or_replace

# Nomination statuses.
VOTING = "voting"
NEEDS_MORE_INFORMATION = "needs_more_information"
RATIFIED = "ratified"
DECLINED = "declined"
NO_QUORUM = "no_quorum"
WITHDRAWN = "withdrawn"
OPEN_STATUSES = (VOTING, NEEDS_MORE_INFORMATION, NO_QUORUM)

# Team nomination (Good Practice Conversation) statuses.
GPC_LISTED = "listed"
GPC_ARRANGED = "arranged"
GPC_WITHDRAWN = "withdrawn"

# The most ids a sweep's batched read puts in one IN list.
CHUNK = 1000

REFERENCE = re.compile(r"^\s*GP-(\d{4})-(\d{1,9})\s*$", re.IGNORECASE)
TEAM_REFERENCE = re.compile(r"^\s*GPC-(\d{4})-(\d{1,9})\s*$", re.IGNORECASE)


class Nomination(Base):
    __tablename__ = "nominations"
    __table_args__ = (Index("ix_nominations_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nominator_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # A whole team nominated (its members at submission are also listed as nominees).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    what_happened: Mapped[str] = mapped_column(Text)
    difference_made: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidence_source: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str] = mapped_column(String(120))
    # Only ever shown to the CSW group; never copied into the library.
    case_reference: Mapped[str | None] = mapped_column(String(64))
    family_voice: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    # Information added on resubmission: [{"round": 2, "text": "...", "at": "iso"}].
    additions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Kinds of privacy finding the nominator confirmed were not a child's identity.
    privacy_confirmed: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(30), default=VOTING)
    # The submitted form's one-off key: a second press of Submit finds the first nomination.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()

    nominator: Mapped[Person] = relationship(lazy="joined", foreign_keys=[nominator_id])
    team: Mapped[Team | None] = relationship(lazy="joined")
    nominees: Mapped[list[Nominee]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Nominee.person_id"
    )

    @property
    def reference(self) -> str:
        return nomination_reference(self.id, self.submitted_at)

    @property
    def nominee_ids(self) -> set[int]:
        return {n.person_id for n in self.nominees}

    @property
    def named_nominees(self) -> list[Person]:
        """The people chosen one by one (not those included because their team was)."""
        return [n.person for n in self.nominees if not n.via_team]


class Nominee(Base):
    __tablename__ = "nomination_nominees"

    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    via_team: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Person] = relationship(lazy="joined")


class VoteRound(Base):
    """One vote of the CSW group on a nomination; a resubmission opens the next round."""

    __tablename__ = "nomination_rounds"
    __table_args__ = (
        UniqueConstraint("nomination_id", "number"),
        Index("ix_nomination_rounds_open", "closed_at", "closes_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column()
    opened_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    remind_on: Mapped[date | None] = mapped_column(Date)
    # The CSWs who may vote, fixed when the round opens (so the quorum cannot shift).
    eligible: Mapped[list[int]] = mapped_column(JSON, default=list)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on every vote: update dedupe keys include it.
    tally_version: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(30))


class Vote(Base):
    __tablename__ = "nomination_votes"
    __table_args__ = (UniqueConstraint("nomination_id", "round", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    voter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    choice: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    cast_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    changes: Mapped[int] = mapped_column(Integer, default=0)


class LibraryEntry(Base):
    """Ratified practice, shared with everyone: never a case reference."""

    __tablename__ = "library_entries"
    __table_args__ = (Index("ix_library_entries_ratified_on", "ratified_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(24))
    theme: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    team_name: Mapped[str | None] = mapped_column(String(120))
    nominees: Mapped[str] = mapped_column(String(1000))
    what_happened: Mapped[str] = mapped_column(Text)
    difference_made: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidence_source: Mapped[str] = mapped_column(String(120))
    more_information: Mapped[str] = mapped_column(Text, default="")
    family_voice: Mapped[bool] = mapped_column(Boolean, default=False)
    ratified_on: Mapped[date] = mapped_column(Date)
    added_at: Mapped[datetime] = mapped_column()
    # Lower-case text the library search looks in.
    search_text: Mapped[str] = mapped_column(Text)


class TeamNomination(Base):
    """A head of service's nomination of a team for a Good Practice Conversation (seed 004)."""

    __tablename__ = "team_nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    preferred_month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(String(20), default=GPC_LISTED)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    team: Mapped[Team] = relationship(lazy="joined")
    nominated_by: Mapped[Person] = relationship(lazy="joined", foreign_keys=[nominated_by_id])

    @property
    def reference(self) -> str:
        return f"GPC-{self.created_at.year}-{self.id:04d}"


class LibraryExport(Base):
    """A time-limited link to download the library as CSV (only a hash of the token is kept)."""

    __tablename__ = "library_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    query: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    downloads: Mapped[int] = mapped_column(Integer, default=0)


# --- references -------------------------------------------------------------------------------


def nomination_reference(nomination_id: int, submitted_at: datetime) -> str:
    return f"GP-{submitted_at.year}-{nomination_id:04d}"


def parse_reference(text: str) -> int | None:
    """The nomination id in "GP-2026-0042" (any case), or None."""
    match = REFERENCE.match(text)
    return int(match.group(2)) if match else None


def parse_team_reference(text: str) -> int | None:
    match = TEAM_REFERENCE.match(text)
    return int(match.group(2)) if match else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- nominations and rounds -------------------------------------------------------------------


async def get_nomination(
    session: AsyncSession, nomination_id: int, *, lock: bool = False
) -> Nomination | None:
    """A nomination; ``lock`` serialises votes on it (PostgreSQL ``SELECT ... FOR UPDATE``)."""
    query = select(Nomination).where(Nomination.id == nomination_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Nomination)
    result = await session.execute(query)
    return result.unique().scalar_one_or_none()


async def nominations_for_sweep(
    session: AsyncSession, nomination_ids: Iterable[int]
) -> dict[int, Nomination]:
    """``get_nomination(..., lock=True)`` for many nominations, a query per thousand (locked in
    id order, as every sweep takes them, so two sweeping replicas cannot deadlock)."""
    wanted = sorted(set(nomination_ids))
    found: dict[int, Nomination] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(Nomination)
            .where(Nomination.id.in_(wanted[start : start + CHUNK]))
            .order_by(Nomination.id)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=Nomination)
        result = await session.execute(query)
        found.update({n.id: n for n in result.unique().scalars()})
    return found


async def current_round(session: AsyncSession, nomination: Nomination) -> VoteRound | None:
    result = await session.execute(
        select(VoteRound).where(
            VoteRound.nomination_id == nomination.id, VoteRound.number == nomination.round
        )
    )
    return result.scalar_one_or_none()


async def nominations_by(
    session: AsyncSession, person_id: int, limit: int = 20
) -> Sequence[Nomination]:
    result = await session.execute(
        select(Nomination)
        .where(Nomination.nominator_id == person_id)
        .order_by(Nomination.submitted_at.desc(), Nomination.id.desc())
        .limit(limit)
    )
    return result.unique().scalars().all()


async def nominations_with_status(
    session: AsyncSession, statuses: Sequence[str], limit: int = 50
) -> Sequence[Nomination]:
    result = await session.execute(
        select(Nomination)
        .where(Nomination.status.in_(statuses))
        .order_by(Nomination.submitted_at, Nomination.id)
        .limit(limit)
    )
    return result.unique().scalars().all()


async def open_rounds(session: AsyncSession) -> Sequence[VoteRound]:
    result = await session.execute(
        select(VoteRound).where(VoteRound.closed_at.is_(None)).order_by(VoteRound.id)
    )
    return result.scalars().all()


async def rounds_to_sweep(session: AsyncSession, today: date) -> Sequence[VoteRound]:
    """The open rounds the sweep has work on today: closing or reminded by ``today``, or left
    open by a nomination that has moved on (the others wait, whatever their number)."""
    moved_on = select(Nomination.id).where(
        Nomination.id == VoteRound.nomination_id,
        (Nomination.status != VOTING) | (Nomination.round != VoteRound.number),
    )
    result = await session.execute(
        select(VoteRound)
        .where(
            VoteRound.closed_at.is_(None),
            (VoteRound.closes_on <= today) | (VoteRound.remind_on <= today) | moved_on.exists(),
        )
        .order_by(VoteRound.id)
    )
    return result.scalars().all()


async def written_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these messages are already in the outbox (a reminder sent at an earlier tick
    is not written again to be refused)."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        result = await session.execute(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_(wanted[start : start + CHUNK])
            )
        )
        found.update(result.scalars())
    return found


async def rounds_awaiting(session: AsyncSession, voter_id: int) -> list[VoteRound]:
    """Open rounds the CSW may vote in and has not voted in yet."""
    voted = select(Vote.nomination_id).where(
        Vote.voter_id == voter_id,
        Vote.nomination_id == VoteRound.nomination_id,
        Vote.round == VoteRound.number,
    )
    result = await session.execute(
        select(VoteRound)
        .where(VoteRound.closed_at.is_(None), ~voted.exists())
        .order_by(VoteRound.closes_on, VoteRound.id)
    )
    return [r for r in result.scalars() if voter_id in r.eligible]


async def ballots(session: AsyncSession, nomination_id: int, round_number: int) -> list[Ballot]:
    result = await session.execute(
        select(Vote)
        .where(Vote.nomination_id == nomination_id, Vote.round == round_number)
        .order_by(Vote.cast_at, Vote.id)
    )
    return [Ballot(v.voter_id, Choice(v.choice), v.comment) for v in result.scalars()]


async def ballots_of_each(
    session: AsyncSession, rounds: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], list[Ballot]]:
    """``ballots`` of many (nomination id, round number) pairs, a query per thousand."""
    wanted = sorted(set(rounds))
    found: dict[tuple[int, int], list[Ballot]] = {pair: [] for pair in wanted}
    for start in range(0, len(wanted), CHUNK):
        result = await session.execute(
            select(Vote)
            .where(tuple_(Vote.nomination_id, Vote.round).in_(wanted[start : start + CHUNK]))
            .order_by(Vote.cast_at, Vote.id)
        )
        for v in result.scalars():
            found[(v.nomination_id, v.round)].append(
                Ballot(v.voter_id, Choice(v.choice), v.comment)
            )
    return found


async def vote_of(
    session: AsyncSession, nomination_id: int, round_number: int, voter_id: int
) -> Vote | None:
    result = await session.execute(
        select(Vote).where(
            Vote.nomination_id == nomination_id,
            Vote.round == round_number,
            Vote.voter_id == voter_id,
        )
    )
    return result.scalar_one_or_none()


async def upsert_vote(
    session: AsyncSession,
    *,
    nomination_id: int,
    round_number: int,
    voter_id: int,
    choice: Choice,
    comment: str,
    now: datetime,
) -> None:
    """Record a vote, or change the voter's vote in this round: one row, whatever the race."""
    stmt = insert_or_replace(
        dialect_of(session),
        Vote.__table__,
        ("nomination_id", "round", "voter_id"),
        ("choice", "comment", "updated_at"),
        count_changes_in="changes",
    )
    values = {
        "nomination_id": nomination_id,
        "round": round_number,
        "voter_id": voter_id,
        "choice": choice.value,
        "comment": comment,
        "cast_at": now,
        "updated_at": now,
        "changes": 0,
    }
    await session.execute(stmt, values)


async def bump_tally_version(session: AsyncSession, round_id: int) -> int:
    await session.execute(
        update(VoteRound)
        .where(VoteRound.id == round_id)
        .values(tally_version=VoteRound.tally_version + 1)
    )
    result = await session.execute(select(VoteRound.tally_version).where(VoteRound.id == round_id))
    return int(result.scalar_one())


async def close_round(session: AsyncSession, round_id: int, outcome: str, now: datetime) -> bool:
    """Close an open round; False if it was already closed (so the outcome is sent once)."""
    result = await session.execute(
        update(VoteRound)
        .where(VoteRound.id == round_id, VoteRound.closed_at.is_(None))
        .values(closed_at=now, outcome=outcome)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- the library ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryQuery:
    words: tuple[str, ...] = ()
    theme: str | None = None
    team: str | None = None
    since: date | None = None
    until: date | None = None


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _library_filter(query: LibraryQuery) -> list[Any]:
    conditions: list[Any] = []
    for word in query.words:
        conditions.append(LibraryEntry.search_text.like(_like(word), escape="\\"))
    if query.theme:
        conditions.append(func.lower(LibraryEntry.theme) == query.theme.lower())
    if query.team:
        # An entry may belong to several teams ("Taunton CP; Yeovil CiC").
        conditions.append(func.lower(LibraryEntry.team_name).like(_like(query.team), escape="\\"))
    if query.since:
        conditions.append(LibraryEntry.ratified_on >= query.since)
    if query.until:
        conditions.append(LibraryEntry.ratified_on <= query.until)
    return conditions


async def search_library(
    session: AsyncSession, query: LibraryQuery, *, offset: int = 0, limit: int = 5
) -> tuple[int, Sequence[LibraryEntry]]:
    """The total matching and one page of entries, newest first."""
    conditions = _library_filter(query)
    total = await session.execute(select(func.count(LibraryEntry.id)).where(*conditions))
    rows = await session.execute(
        select(LibraryEntry)
        .where(*conditions)
        .order_by(LibraryEntry.ratified_on.desc(), LibraryEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(total.scalar_one()), rows.scalars().all()


async def library_entry_for(session: AsyncSession, nomination_id: int) -> LibraryEntry | None:
    result = await session.execute(
        select(LibraryEntry).where(LibraryEntry.nomination_id == nomination_id)
    )
    return result.scalar_one_or_none()


async def library_entry_by_reference(session: AsyncSession, reference: str) -> LibraryEntry | None:
    result = await session.execute(
        select(LibraryEntry).where(func.upper(LibraryEntry.reference) == reference.strip().upper())
    )
    return result.scalar_one_or_none()


async def library_teams(session: AsyncSession) -> list[str]:
    result = await session.execute(
        select(LibraryEntry.team_name)
        .where(LibraryEntry.team_name.is_not(None))
        .distinct()
        .order_by(LibraryEntry.team_name)
    )
    return [name for name in result.scalars() if name]


# --- team nominations -------------------------------------------------------------------------


async def team_nominations(
    session: AsyncSession, statuses: Sequence[str] = (GPC_LISTED,), limit: int = 50
) -> Sequence[TeamNomination]:
    result = await session.execute(
        select(TeamNomination)
        .where(TeamNomination.status.in_(statuses))
        .order_by(TeamNomination.created_at, TeamNomination.id)
        .limit(limit)
    )
    return result.unique().scalars().all()


async def open_team_nomination(session: AsyncSession, team_id: int) -> TeamNomination | None:
    result = await session.execute(
        select(TeamNomination).where(
            TeamNomination.team_id == team_id,
            or_(TeamNomination.status == GPC_LISTED, TeamNomination.status == GPC_ARRANGED),
        )
    )
    return result.unique().scalars().first()


async def nomination_by_submission(session: AsyncSession, form_key: str) -> Nomination | None:
    """The nomination a form submission made (a second press of Submit finds it)."""
    result = await session.execute(select(Nomination).where(Nomination.submission_key == form_key))
    return result.unique().scalar_one_or_none()


async def all_library_entries(session: AsyncSession, query: LibraryQuery) -> list[LibraryEntry]:
    _, entries = await search_library(session, query, offset=0, limit=1_000_000)
    return list(entries)


async def library_export_by_token(session: AsyncSession, token: str) -> LibraryExport | None:
    result = await session.execute(
        select(LibraryExport).where(LibraryExport.token_hash == token_hash(token))
    )
    return result.scalar_one_or_none()


# --- digest figures (aggregate queries, and the few library entries a digest shows) ----------


def _nomination_in(scope: DigestScope) -> ColumnElement[bool]:
    """A nomination of a team in the scope, or of someone in it."""
    if scope.kind == "authority":
        return true()
    nominee = (
        select(Nominee.person_id)
        .where(Nominee.nomination_id == Nomination.id, person_in(Nominee.person_id, scope))
        .exists()
    )
    return or_(team_in(Nomination.team_id, scope), nominee)


def _entry_in(scope: DigestScope) -> ColumnElement[bool]:
    """A library entry of a team in the scope, or with a nominee in it."""
    if scope.kind == "authority":
        return true()
    nominee = (
        select(Nominee.person_id)
        .where(
            Nominee.nomination_id == LibraryEntry.nomination_id,
            person_in(Nominee.person_id, scope),
        )
        .exists()
    )
    return or_(team_in(LibraryEntry.team_id, scope), nominee)


async def library_added(
    session: AsyncSession, start: date, end: date, scope: DigestScope, limit: int
) -> tuple[int, Sequence[LibraryEntry]]:
    """(entries ratified into the library in [start, end), the newest ``limit`` of them)."""
    where = [LibraryEntry.ratified_on >= start, LibraryEntry.ratified_on < end, _entry_in(scope)]
    total = (await session.execute(select(func.count(LibraryEntry.id)).where(*where))).scalar_one()
    newest = await session.execute(
        select(LibraryEntry)
        .where(*where)
        .order_by(LibraryEntry.ratified_on.desc(), LibraryEntry.id.desc())
        .limit(limit)
    )
    return int(total), newest.scalars().all()


async def nominations_made_by_theme(
    session: AsyncSession, first: datetime, until: datetime, scope: DigestScope
) -> dict[str, int]:
    """Theme -> nominations submitted in [first, until)."""
    rows = await session.execute(
        select(Nomination.theme, func.count(Nomination.id))
        .where(
            Nomination.submitted_at >= first,
            Nomination.submitted_at < until,
            _nomination_in(scope),
        )
        .group_by(Nomination.theme)
    )
    return {str(theme): int(n) for theme, n in rows.all()}


async def nominations_ratified(
    session: AsyncSession, first: datetime, until: datetime, scope: DigestScope
) -> int:
    """Nominations the CSW group ratified in [first, until)."""
    row = await session.execute(
        select(func.count(Nomination.id)).where(
            Nomination.status == RATIFIED,
            Nomination.decided_at >= first,
            Nomination.decided_at < until,
            _nomination_in(scope),
        )
    )
    return int(row.scalar_one())


async def team_nominations_made(
    session: AsyncSession, first: datetime, until: datetime, scope: DigestScope
) -> int:
    """Teams nominated for a Good Practice Conversation in [first, until), not withdrawn."""
    row = await session.execute(
        select(func.count(TeamNomination.id)).where(
            TeamNomination.created_at >= first,
            TeamNomination.created_at < until,
            TeamNomination.status != GPC_WITHDRAWN,
            team_in(TeamNomination.team_id, scope),
        )
    )
    return int(row.scalar_one())
