"""Allocations of QA work: cycles (proposed, then confirmed), allocations, actions arising from
audits, the Inadequate ladder, and the marks that keep the nudge sweeps idempotent.

An ``Allocation`` is one piece of work for one person: an evaluation, an audit, a moderation, a
re-audit ... A moderation is a child of the evaluation it moderates (``parent_id``): it waits
until the evaluation is done, then its clock starts (``started_on``). Work the bot creates by
itself (a moderation, a re-audit, a report that follows a cycle) carries a unique
``origin_key``, so creating it twice is impossible.

``SweepMark`` rows record that a nudge has been decided ("reminder stage 2 of allocation 42 for
person 7"), so a sweep that runs again, after a restart or on a second replica, never repeats it:
the marks and the outbox row they produce are written in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import (
    Mapped,
    aliased,
    mapped_column,
    relationship,
)

from bot.domain.digest import DigestScope
from bot.store.models import Base, Person
from bot.store.outbox import stored_key
from bot.store.scope import person_in

# Cycle statuses.
PROPOSED = "proposed"
CONFIRMED = "confirmed"
CANCELLED = "cancelled"

# Allocation statuses (PROPOSED and CANCELLED too).
WAITING = "waiting"  # a moderation whose evaluation is not done yet
ALLOCATED = "allocated"  # the person has been told
ACCEPTED = "accepted"
DONE = "done"
RETURNED = "returned"  # with the QA team to (re)allocate: "can't do", or nobody eligible
OPEN_STATUSES = (ALLOCATED, ACCEPTED)
LIVE_STATUSES = (WAITING, ALLOCATED, ACCEPTED)

# Roles in a piece of work.
EVALUATOR = "evaluator"
MODERATOR = "moderator"
AUDITOR = "auditor"

# Action statuses.
ACTION_OPEN = "open"
ACTION_DONE = "done"

# Inadequate ladder statuses.
LADDER_AWAITING_MODERATION = "awaiting_moderation"
LADDER_OPEN = "open"
LADDER_CLOSED = "closed"


class AllocationCycle(Base):
    """One proposal from the QA team (a CSV import or a sampled cohort), confirmed as a whole."""

    __tablename__ = "allocation_cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The activity of a sampled cycle; None for a CSV that mixes activities.
    activity: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(12))  # csv | cohort
    status: Mapped[str] = mapped_column(String(12), default=PROPOSED, index=True)
    seed: Mapped[int | None] = mapped_column(Integer)
    # Plain-language problems and warnings found while proposing (shown to the QA team).
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column()


class Allocation(Base):
    __tablename__ = "allocations"
    __table_args__ = (
        Index("ix_allocations_status_due", "status", "due_on"),
        Index("ix_allocations_assignee_status", "assignee_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_cycles.id"), index=True)
    # The cycle as the QA team named it in the CSV (e.g. "PE Feb 2027").
    cycle_label: Mapped[str | None] = mapped_column(String(120))
    activity: Mapped[str] = mapped_column(String(60))
    case_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    team: Mapped[str] = mapped_column(String(120), default="")
    service: Mapped[str] = mapped_column(String(120), default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(12))
    allocated_on: Mapped[date] = mapped_column(Date)
    # When the clock starts: the allocation, or (moderations) the day the evaluation was done.
    started_on: Mapped[date | None] = mapped_column(Date)
    # For deadlines relative to a target day (a Team Spotlight).
    target_on: Mapped[date | None] = mapped_column(Date)
    earliest_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    accepted_at: Mapped[datetime | None] = mapped_column()
    returned_reason: Mapped[str | None] = mapped_column(String(500))
    returned_at: Mapped[datetime | None] = mapped_column()
    help_requested_at: Mapped[datetime | None] = mapped_column()
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"), index=True)
    origin_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    grade: Mapped[str | None] = mapped_column(String(24))
    stretch_target: Mapped[str | None] = mapped_column(String(500))
    completed_on: Mapped[date | None] = mapped_column(Date)
    # Dudley: the auditor checks the file two weeks after completing the audit.
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_checked_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()

    assignee: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[assignee_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_on(self, day: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < day


class AllocationAction(Base):
    """An action agreed at an audit or moderation: an owner, a due date, open or done."""

    __tablename__ = "allocation_actions"
    __table_args__ = (Index("ix_allocation_actions_owner_status", "owner_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    description: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=ACTION_OPEN)
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column()

    owner: Mapped[Person] = relationship(lazy="joined", foreign_keys=[owner_id])
    allocation: Mapped[Allocation] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status == ACTION_OPEN


class InadequateCase(Base):
    """A case graded Inadequate, on the preset's ladder until it is no longer Inadequate."""

    __tablename__ = "inadequate_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(64), index=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    opened_on: Mapped[date] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    # Ladder steps whose further audit has been completed.
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    reaudit_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column()


class SweepMark(Base):
    """A nudge or sweep decision already taken (its key), so it is never taken twice."""

    __tablename__ = "allocation_sweep_marks"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    created_at: Mapped[datetime] = mapped_column()
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# --- cycles -------------------------------------------------------------------------------


async def cycle_by_id(session: AsyncSession, cycle_id: int) -> AllocationCycle | None:
    return await session.get(AllocationCycle, cycle_id)


async def cycle_allocations(session: AsyncSession, cycle_id: int) -> Sequence[Allocation]:
    result = await session.execute(
        select(Allocation)
        .where(Allocation.cycle_id == cycle_id)
        .order_by(Allocation.service, Allocation.case_ref, Allocation.id)
    )
    return result.unique().scalars().all()


async def proposed_cycles(session: AsyncSession) -> Sequence[AllocationCycle]:
    result = await session.execute(
        select(AllocationCycle)
        .where(AllocationCycle.status == PROPOSED)
        .order_by(AllocationCycle.created_at)
    )
    return result.scalars().all()


async def previous_cycle_roles(session: AsyncSession, activity: str) -> dict[int, str]:
    """Person id -> evaluator/moderator in the last confirmed cycle with that activity."""
    parent = aliased(Allocation)
    latest = (
        select(AllocationCycle.id)
        .join(Allocation, Allocation.cycle_id == AllocationCycle.id)
        .outerjoin(parent, parent.id == Allocation.parent_id)
        .where(
            AllocationCycle.status == CONFIRMED,
            or_(Allocation.activity == activity, parent.activity == activity),
        )
        .order_by(AllocationCycle.decided_at.desc(), AllocationCycle.id.desc())
        .limit(1)
    )
    cycle_id = (await session.execute(latest)).scalar_one_or_none()
    if cycle_id is None:
        return {}
    rows = await session.execute(
        select(Allocation.assignee_id, Allocation.role).where(
            Allocation.cycle_id == cycle_id,
            Allocation.assignee_id.is_not(None),
            Allocation.role.in_((EVALUATOR, MODERATOR)),
        )
    )
    roles: dict[int, str] = {}
    for person_id, role in rows.all():
        if person_id is not None:
            roles.setdefault(person_id, role)
    return roles


# --- allocations --------------------------------------------------------------------------


async def allocation_by_id(session: AsyncSession, allocation_id: int) -> Allocation | None:
    return await session.get(Allocation, allocation_id)


async def allocation_by_origin(session: AsyncSession, origin_key: str) -> Allocation | None:
    result = await session.execute(select(Allocation).where(Allocation.origin_key == origin_key))
    return result.unique().scalar_one_or_none()


async def children_of(session: AsyncSession, parent_id: int) -> Sequence[Allocation]:
    result = await session.execute(
        select(Allocation).where(Allocation.parent_id == parent_id).order_by(Allocation.id)
    )
    return result.unique().scalars().all()


async def open_work_for(
    session: AsyncSession, person_id: int, *, include_waiting: bool = True
) -> Sequence[Allocation]:
    statuses = LIVE_STATUSES if include_waiting else OPEN_STATUSES
    result = await session.execute(
        select(Allocation)
        .where(Allocation.assignee_id == person_id, Allocation.status.in_(statuses))
        .order_by(Allocation.due_on.is_(None), Allocation.due_on, Allocation.id)
    )
    return result.unique().scalars().all()


class Listed(NamedTuple):
    """An open piece of work as a list line shows it (``work_line``): a plain row, no ORM
    object, so a morning summary can list a thousand people's open work cheaply."""

    id: int
    assignee_id: int | None
    activity: str
    case_ref: str | None
    team: str
    cycle_label: str | None
    status: str
    due_on: date | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_on(self, day: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < day


class ListedAction(NamedTuple):
    """An open action as a list line shows it (``action_line``), with the work it is from."""

    id: int
    owner_id: int
    description: str
    due_on: date
    status: str
    allocation: Listed

    @property
    def is_open(self) -> bool:
        return self.status == ACTION_OPEN


# What a line in a list of someone's work shows (``work_line``, ``action_line``): reading only
# these columns as plain rows keeps a morning summary's "also open" lists cheap.
_LISTED = (
    Allocation.id,
    Allocation.assignee_id,
    Allocation.activity,
    Allocation.case_ref,
    Allocation.team,
    Allocation.cycle_label,
    Allocation.status,
    Allocation.due_on,
)
_ACTION_LISTED = (
    AllocationAction.id,
    AllocationAction.owner_id,
    AllocationAction.description,
    AllocationAction.due_on,
    AllocationAction.status,
)


async def open_work_of_each(
    session: AsyncSession, person_ids: Iterable[int]
) -> dict[int, list[Listed]]:
    """``open_work_for`` for many people at once (a query per thousand people), same order,
    as plain rows for listing."""
    found: dict[int, list[Listed]] = defaultdict(list)
    wanted = sorted(set(person_ids))
    for start in range(0, len(wanted), 1000):
        result = await session.execute(
            select(*_LISTED)
            .where(
                Allocation.assignee_id.in_(wanted[start : start + 1000]),
                Allocation.status.in_(LIVE_STATUSES),
            )
            .order_by(Allocation.due_on.is_(None), Allocation.due_on, Allocation.id)
        )
        for row in result.tuples():
            work = Listed(*row)
            if work.assignee_id is not None:
                found[work.assignee_id].append(work)
    return found


async def follow_up_checks_for(session: AsyncSession, person_id: int) -> Sequence[Allocation]:
    """Done audits whose two-week file check has not been recorded."""
    result = await session.execute(
        select(Allocation)
        .where(
            Allocation.assignee_id == person_id,
            Allocation.status == DONE,
            Allocation.follow_up_on.is_not(None),
            Allocation.follow_up_checked_on.is_(None),
        )
        .order_by(Allocation.follow_up_on)
    )
    return result.unique().scalars().all()


class DueWork(NamedTuple):
    """Open work that may be due for a reminder or an escalation, as the sweeps read it: a
    plain row (no ORM object, no assignee loaded with it; the sweeps look the people up once)."""

    work: Listed
    role: str
    allocated_on: date
    started_on: date | None


async def open_allocations(
    session: AsyncSession, *, due_by: date | None = None, or_awaiting_reply: bool = False
) -> list[DueWork]:
    """Every allocation someone has been told about and has not finished; with ``due_by``
    only those due by then (and, with ``or_awaiting_reply``, those not yet accepted), so a
    sweep reads what may be due, not everything open."""
    query = select(*_LISTED, Allocation.role, Allocation.allocated_on, Allocation.started_on).where(
        Allocation.status.in_(OPEN_STATUSES), Allocation.assignee_id.is_not(None)
    )
    if due_by is not None:
        soon = Allocation.due_on <= due_by
        query = query.where(
            or_(soon, Allocation.status == ALLOCATED) if or_awaiting_reply else soon
        )
    result = await session.execute(query.order_by(Allocation.due_on, Allocation.id))
    found: list[DueWork] = []
    for row in result.tuples():
        *work, role, allocated_on, started_on = row
        found.append(DueWork(Listed(*work), role, allocated_on, started_on))
    return found


async def pending_follow_up_checks(session: AsyncSession, day: date) -> Sequence[Allocation]:
    result = await session.execute(
        select(Allocation)
        .where(
            Allocation.status == DONE,
            Allocation.follow_up_on.is_not(None),
            Allocation.follow_up_on <= day,
            Allocation.follow_up_checked_on.is_(None),
            Allocation.assignee_id.is_not(None),
        )
        .order_by(Allocation.id)
    )
    return result.unique().scalars().all()


async def waiting_moderations_ready(session: AsyncSession) -> Sequence[Allocation]:
    """Moderations still waiting although the evaluation they follow is done."""
    parent = aliased(Allocation)
    result = await session.execute(
        select(Allocation)
        .join(parent, parent.id == Allocation.parent_id)
        .where(Allocation.status == WAITING, parent.status == DONE)
        .order_by(Allocation.id)
    )
    return result.unique().scalars().all()


async def returned_allocations(session: AsyncSession) -> Sequence[Allocation]:
    result = await session.execute(
        select(Allocation)
        .where(Allocation.status == RETURNED)
        .order_by(Allocation.returned_at, Allocation.id)
    )
    return result.unique().scalars().all()


async def open_case_allocation(
    session: AsyncSession, case_ref: str, activity: str
) -> Allocation | None:
    """An allocation of this activity for this case that is proposed, live or returned."""
    result = await session.execute(
        select(Allocation)
        .where(
            Allocation.case_ref == case_ref,
            Allocation.activity == activity,
            Allocation.status.in_((PROPOSED, RETURNED, *LIVE_STATUSES)),
        )
        .limit(1)
    )
    return result.unique().scalar_one_or_none()


async def open_load(session: AsyncSession) -> dict[int, int]:
    """Person id -> how much live work they hold (for balancing new allocations)."""
    rows = await session.execute(
        select(Allocation.assignee_id, func.count(Allocation.id))
        .where(Allocation.status.in_(LIVE_STATUSES), Allocation.assignee_id.is_not(None))
        .group_by(Allocation.assignee_id)
    )
    return {pid: count for pid, count in rows.all() if pid is not None}


async def completed_between(
    session: AsyncSession, activity: str, first: date, last: date
) -> Sequence[Allocation]:
    result = await session.execute(
        select(Allocation)
        .where(
            Allocation.activity == activity,
            Allocation.status == DONE,
            Allocation.completed_on >= first,
            Allocation.completed_on <= last,
        )
        .order_by(Allocation.id)
    )
    return result.unique().scalars().all()


async def earliest_completion(session: AsyncSession, activity: str) -> date | None:
    result = await session.execute(
        select(func.min(Allocation.completed_on)).where(
            Allocation.activity == activity, Allocation.status == DONE
        )
    )
    return result.scalar_one_or_none()


# --- actions ------------------------------------------------------------------------------


async def action_by_id(session: AsyncSession, action_id: int) -> AllocationAction | None:
    return await session.get(AllocationAction, action_id)


async def actions_of(session: AsyncSession, allocation_id: int) -> Sequence[AllocationAction]:
    result = await session.execute(
        select(AllocationAction)
        .where(AllocationAction.allocation_id == allocation_id)
        .order_by(AllocationAction.id)
    )
    return result.unique().scalars().all()


async def open_actions_for(session: AsyncSession, person_id: int) -> Sequence[AllocationAction]:
    result = await session.execute(
        select(AllocationAction)
        .where(AllocationAction.owner_id == person_id, AllocationAction.status == ACTION_OPEN)
        .order_by(AllocationAction.due_on, AllocationAction.id)
    )
    return result.unique().scalars().all()


async def open_actions_of_each(
    session: AsyncSession, person_ids: Iterable[int]
) -> dict[int, list[ListedAction]]:
    """``open_actions_for`` for many people at once (a query per thousand people), as plain
    rows for listing, each with the work it comes from."""
    found: dict[int, list[ListedAction]] = defaultdict(list)
    wanted = sorted(set(person_ids))
    for start in range(0, len(wanted), 1000):
        result = await session.execute(
            select(*_ACTION_LISTED, *_LISTED)
            .join(Allocation, Allocation.id == AllocationAction.allocation_id)
            .where(
                AllocationAction.owner_id.in_(wanted[start : start + 1000]),
                AllocationAction.status == ACTION_OPEN,
            )
            .order_by(AllocationAction.due_on, AllocationAction.id)
        )
        for row in result.tuples():
            x_id, owner_id, description, x_due, x_status, *work = row
            action = ListedAction(x_id, owner_id, description, x_due, x_status, Listed(*work))
            found[action.owner_id].append(action)
    return found


class DueAction(NamedTuple):
    """An open action that may be due, as the sweeps read it (plain row, owner not loaded)."""

    action: ListedAction
    created_at: datetime


async def open_actions(session: AsyncSession, *, due_by: date | None = None) -> list[DueAction]:
    """Open actions (with ``due_by``, only those due by then), each with its work."""
    query = (
        select(*_ACTION_LISTED, AllocationAction.created_at, *_LISTED)
        .join(Allocation, Allocation.id == AllocationAction.allocation_id)
        .where(AllocationAction.status == ACTION_OPEN)
    )
    if due_by is not None:
        query = query.where(AllocationAction.due_on <= due_by)
    result = await session.execute(query.order_by(AllocationAction.due_on, AllocationAction.id))
    found: list[DueAction] = []
    for row in result.tuples():
        x_id, owner_id, description, x_due, x_status, created_at, *work = row
        action = ListedAction(x_id, owner_id, description, x_due, x_status, Listed(*work))
        found.append(DueAction(action, created_at))
    return found


# --- the Inadequate ladder ----------------------------------------------------------------


async def ladder_for_audit(session: AsyncSession, audit_id: int) -> InadequateCase | None:
    result = await session.execute(
        select(InadequateCase).where(InadequateCase.audit_id == audit_id)
    )
    return result.scalar_one_or_none()


async def ladder_for_reaudit(session: AsyncSession, reaudit_id: int) -> InadequateCase | None:
    result = await session.execute(
        select(InadequateCase).where(InadequateCase.reaudit_id == reaudit_id)
    )
    return result.scalar_one_or_none()


# --- sweep marks --------------------------------------------------------------------------


async def unmarked(session: AsyncSession, keys: Iterable[str]) -> list[str]:
    """The keys (in the order given, without repeats) that have no mark yet."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return []
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = [stored_key(k) for k in wanted[start : start + 500]]
        rows = await session.execute(select(SweepMark.key).where(SweepMark.key.in_(chunk)))
        found.update(rows.scalars())
    return [k for k in wanted if stored_key(k) not in found]


async def mark(
    session: AsyncSession, keys: Iterable[str], now: datetime, details: dict[str, Any] | None = None
) -> None:
    """Record decisions; a key already marked (another replica got there first) is kept."""
    rows = [
        {"key": stored_key(k), "created_at": now, "details": details} for k in dict.fromkeys(keys)
    ]
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(SweepMark).values(rows).on_conflict_do_nothing())


async def mark_each(
    session: AsyncSession, marks: Iterable[tuple[str, dict[str, Any] | None]], now: datetime
) -> None:
    """``mark`` for keys with details of their own, in as few statements as possible (the
    first details given for a key are kept)."""
    rows = list(
        {
            stored_key(key): {"key": stored_key(key), "created_at": now, "details": details}
            for key, details in reversed(list(marks))
        }.values()
    )
    if rows:
        # Compiled once, sent as multi-row INSERTs by SQLAlchemy ("insertmanyvalues").
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(insert(SweepMark).on_conflict_do_nothing(), rows)


async def is_marked(session: AsyncSession, key: str) -> bool:
    return await session.get(SweepMark, key) is not None


# --- digest figures (aggregate queries only) ----------------------------------------------


async def planned_and_done(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> dict[str, tuple[int, int]]:
    """Activity -> (allocated with a due date in [start, end), of which done before ``end``)."""
    rows = await session.execute(
        select(
            Allocation.activity,
            func.count(Allocation.id),
            func.sum(
                case(((Allocation.status == DONE) & (Allocation.completed_on < end), 1), else_=0)
            ),
        )
        .where(
            Allocation.due_on >= start,
            Allocation.due_on < end,
            Allocation.status.not_in((PROPOSED, CANCELLED)),
            in_scope,
        )
        .group_by(Allocation.activity)
    )
    return {activity: (int(planned), int(done or 0)) for activity, planned, done in rows.all()}


def _graded_in(start: date, end: date) -> list[ColumnElement[bool]]:
    return [
        Allocation.status == DONE,
        Allocation.completed_on >= start,
        Allocation.completed_on < end,
        Allocation.grade.is_not(None),
    ]


async def grade_counts(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> dict[str, int]:
    """Grade -> work first graded in [start, end): evaluations and audits, not moderations
    (whose grade is a second opinion) or re-audits (counted as impact)."""
    rows = await session.execute(
        select(Allocation.grade, func.count(Allocation.id))
        .where(
            *_graded_in(start, end),
            Allocation.role != MODERATOR,
            or_(Allocation.origin_key.is_(None), ~Allocation.origin_key.like("reaudit:%")),
            in_scope,
        )
        .group_by(Allocation.grade)
    )
    return {str(grade): int(count) for grade, count in rows.all()}


async def moderation_agreement(
    session: AsyncSession, start: date, end: date, scope_of: Any
) -> tuple[int, int]:
    """(moderations completed in [start, end) of graded work, of which agreed with the
    original grade). ``scope_of(column)`` filters on the moderated work's assignee."""
    original = aliased(Allocation)
    row = await session.execute(
        select(
            func.count(Allocation.id),
            func.sum(case((Allocation.grade == original.grade, 1), else_=0)),
        )
        .join(original, original.id == Allocation.parent_id)
        .where(
            *_graded_in(start, end),
            Allocation.role == MODERATOR,
            original.grade.is_not(None),
            scope_of(original.assignee_id),
        )
    )
    moderated, agreed = row.one()
    return int(moderated or 0), int(agreed or 0)


async def actions_due(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> tuple[int, int]:
    """(actions due in [start, end), of which done on or before their due date)."""
    on_time = (AllocationAction.status == ACTION_DONE) & (
        AllocationAction.completed_on <= AllocationAction.due_on
    )
    row = await session.execute(
        select(
            func.count(AllocationAction.id),
            func.sum(case((on_time, 1), else_=0)),
        ).where(AllocationAction.due_on >= start, AllocationAction.due_on < end, in_scope)
    )
    due, closed = row.one()
    return int(due or 0), int(closed or 0)


async def reaudits_completed(
    session: AsyncSession, start: date, end: date, in_scope: ColumnElement[bool]
) -> tuple[int, int]:
    """(further audits of Inadequate cases completed in [start, end), of which graded better
    than Inadequate)."""
    row = await session.execute(
        select(
            func.count(Allocation.id),
            func.sum(case((Allocation.grade != "inadequate", 1), else_=0)),
        ).where(*_graded_in(start, end), Allocation.origin_key.like("reaudit:%"), in_scope)
    )
    done, improved = row.one()
    return int(done or 0), int(improved or 0)


async def escalations_sent(
    session: AsyncSession, first: datetime, until: datetime, scope: DigestScope
) -> int:
    """Escalations of overdue work or actions sent in [first, until): one per item and
    step (a step the line manager had already heard about is not counted). The owner is the
    person in the mark's key (``esc:alloc:42:p7:s1``)."""
    query = select(func.count(SweepMark.key)).where(
        SweepMark.key.like("esc:%"),
        SweepMark.created_at >= first,
        SweepMark.created_at < until,
        SweepMark.details["to"].as_string().is_not(None),
    )
    if scope.kind != "authority":
        owner = select(Person.id).where(
            SweepMark.key.like(literal("esc:%:p") + cast(Person.id, String) + literal(":%")),
            person_in(Person.id, scope),
        )
        query = query.where(owner.exists())
    return int((await session.execute(query)).scalar_one())


async def done_counts(
    session: AsyncSession, spans: Sequence[tuple[date, date]], in_scope: ColumnElement[bool]
) -> list[int]:
    """Work completed in each [start, end) span, in one statement."""
    if not spans:
        return []
    columns = [
        func.sum(
            case(
                ((Allocation.completed_on >= first) & (Allocation.completed_on < last), 1),
                else_=0,
            )
        )
        for first, last in spans
    ]
    row = await session.execute(
        select(*columns).where(
            Allocation.status == DONE,
            Allocation.completed_on >= min(first for first, _ in spans),
            Allocation.completed_on < max(last for _, last in spans),
            in_scope,
        )
    )
    return [int(value or 0) for value in row.one()]


# --- cohorts for cycles that open themselves ----------------------------------------------------


class Cohort(Base):
    """The cohort the QA team uploaded for an activity whose cycles open themselves (Dudley's
    monthly manager audits): the cases each month's cycle samples from, until a newer one."""

    __tablename__ = "allocation_cohorts"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity: Mapped[str] = mapped_column(String(60), index=True)
    # [{"case_ref", "team", "service"}, ...]
    cases: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    uploaded_at: Mapped[datetime] = mapped_column()


def add_cohort(session: AsyncSession, cohort: Cohort) -> None:
    session.add(cohort)


async def latest_cohort(session: AsyncSession, activity: str) -> Cohort | None:
    result = await session.execute(
        select(Cohort).where(Cohort.activity == activity).order_by(Cohort.id.desc()).limit(1)
    )
    return result.scalar_one_or_none()


async def cases_allocated_since(session: AsyncSession, activity: str, since: date) -> set[str]:
    """Case numbers of the activity allocated on or after ``since`` (not sampled twice)."""
    result = await session.execute(
        select(Allocation.case_ref).where(
            Allocation.activity == activity,
            Allocation.allocated_on >= since,
            Allocation.case_ref.is_not(None),
        )
    )
    return {ref for ref in result.scalars() if ref}
