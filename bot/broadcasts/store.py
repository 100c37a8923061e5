"""Broadcasts (digests, newsletters, briefings) and their reads: tables and every query the
broadcasts area makes. Delivery itself is the outbox's: one row per recipient (and part)
under ``bcast:<id>:<recipient>``, so the report is read from the outbox by that prefix."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.broadcasts.rules import RowState
from bot.store.models import (
    AuditEntry,
    Base,
    OutboxMessage,
    Person,
    PersonRole,
    Service,
    Team,
    UTCDateTime,
)

DRAFT, APPROVED, SENDING, DONE, DISCARDED = "draft", "approved", "sending", "done", "discarded"
CANCELLED = "cancelled"  # scheduled, then cancelled before it was sent


class Broadcast(Base):
    """One digest, newsletter or briefing. Nothing is queued for delivery while it is a draft;
    ``approved_by_id`` is someone who held the QA role when they approved it."""

    __tablename__ = "broadcasts"
    __table_args__ = (UniqueConstraint("dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    # A digest drafted by the schedule names its period here, so it is drafted once.
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    period_start: Mapped[str | None] = mapped_column(String(10))
    period_end: Mapped[str | None] = mapped_column(String(10))
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    parts: Mapped[int] = mapped_column(Integer, default=1)
    # Random: names the broadcast's chart pictures at /charts/<token>-<s>-<c>.png.
    chart_token: Mapped[str] = mapped_column(String(40), unique=True)
    # The report's CSV download link (a hash of its token) and when it stops working.
    csv_token_hash: Mapped[str | None] = mapped_column(String(64))
    csv_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    # The totals last shown on the live report, so it is updated only when they change.
    report_key: Mapped[str | None] = mapped_column(String(60))
    # The chat messages a review card was scheduled from ({"platform", "address"} each): they
    # show the scheduled card, then the live report or the cancellation, updated in place.
    status_messages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))


class BroadcastRead(Base):
    """Someone pressed "Got it" on a broadcast (once per person), counted per team."""

    __tablename__ = "broadcast_reads"
    __table_args__ = (UniqueConstraint("broadcast_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    team: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))


def key_prefix(broadcast_id: int) -> str:
    return f"bcast:{broadcast_id}:"


def broadcast_of(dedupe_key: str) -> int | None:
    """The broadcast an outbox key (``bcast:<id>:<recipient>`` or a read mark,
    ``bcast-read:<id>:<window>``) belongs to."""
    head, _, rest = dedupe_key.partition(":")
    number, _, _ = rest.partition(":")
    return int(number) if head in ("bcast", "bcast-read") and number.isdigit() else None


async def mark_read(
    session: AsyncSession, broadcast_id: int, kind: str, window: int, due: datetime, now: datetime
) -> None:
    """Note that the broadcast's report has new reads: one outbox mark per broadcast and time
    window (however many people press "Got it" in it), due when the window ends. The delivery
    worker only marks it done (it has no recipient) and tells the area's ``Router.delivered``
    listener, throttled as it tells deliveries, which updates the report once."""
    from bot.store.upserts import dialect_of, insert_or_ignore

    stmt = insert_or_ignore(dialect_of(session), OutboxMessage.__table__, ("dedupe_key",))
    values: dict[str, Any] = {
        "dedupe_key": f"bcast-read:{broadcast_id}:{window}",
        "kind": kind,
        "operation": "mark",
        "platform": "console",
        "person_id": None,
        "route": None,
        "address": None,
        "card_name": "broadcast_read",
        "card_key": None,
        "payload": {},
        "reason": None,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": due,
        "created_at": now,
    }
    await session.execute(stmt, values)


async def by_id(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def lock(session: AsyncSession, broadcast: Broadcast) -> None:
    """Hold the broadcast's row until the transaction ends (PostgreSQL; SQLite writes one at a
    time anyway) and read it afresh: a live report is updated by one transaction at a time."""
    await session.execute(
        select(Broadcast)
        .where(Broadcast.id == broadcast.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def person_name(session: AsyncSession, person_id: int | None) -> str:
    person = await session.get(Person, person_id) if person_id is not None else None
    return person.name if person is not None else "someone no longer in the directory"


async def last_actor(session: AsyncSession, broadcast_id: int, action: str) -> int | None:
    """Who last did ``action`` (``broadcast.cancelled`` ...) to the broadcast, by the audit log."""
    result = await session.execute(
        select(AuditEntry.actor_id)
        .where(AuditEntry.action == action, AuditEntry.subject == f"broadcast:{broadcast_id}")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def by_dedupe_key(session: AsyncSession, key: str) -> Broadcast | None:
    result = await session.execute(select(Broadcast).where(Broadcast.dedupe_key == key))
    return result.scalar_one_or_none()


async def by_csv_token(session: AsyncSession, token_hash: str) -> Broadcast | None:
    result = await session.execute(select(Broadcast).where(Broadcast.csv_token_hash == token_hash))
    return result.scalar_one_or_none()


async def by_chart_token(session: AsyncSession, token: str) -> Broadcast | None:
    result = await session.execute(select(Broadcast).where(Broadcast.chart_token == token))
    return result.scalar_one_or_none()


async def due_to_queue(session: AsyncSession, now: datetime) -> list[Broadcast]:
    result = await session.execute(
        select(Broadcast)
        .where(Broadcast.status == APPROVED, Broadcast.send_at <= now)
        .order_by(Broadcast.id)
    )
    return list(result.scalars())


async def to_report(session: AsyncSession, since: datetime) -> list[Broadcast]:
    """Broadcasts still sending, and those queued since ``since`` (reads still come in)."""
    result = await session.execute(
        select(Broadcast)
        .where(
            (Broadcast.status == SENDING)
            | ((Broadcast.status == DONE) & (Broadcast.queued_at >= since))
        )
        .order_by(Broadcast.id)
    )
    return list(result.scalars())


async def recent(session: AsyncSession, limit: int = 10) -> list[Broadcast]:
    result = await session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))
    return list(result.scalars())


def _recipient(dedupe_key: str, prefix: str) -> str:
    return dedupe_key[len(prefix) :].split("#", 1)[0]


def _confirmed(platform: str, ref: dict[str, Any] | None) -> bool:
    if platform == "console":
        return True
    refs = (ref or {}).get("refs", [ref or {}])
    return bool(refs) and all(r.get("ts") or r.get("activity_id") for r in refs)


async def row_states(session: AsyncSession, broadcast_id: int) -> list[RowState]:
    """Every outbox row of the broadcast, read by its dedupe-key prefix."""
    prefix = key_prefix(broadcast_id)
    result = await session.execute(
        select(
            OutboxMessage.dedupe_key,
            OutboxMessage.platform,
            OutboxMessage.status,
            OutboxMessage.sent_ref,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        ).where(
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
            OutboxMessage.operation == "post",
        )
    )
    return [
        RowState(
            recipient=_recipient(key, prefix),
            status=status,
            confirmed=_confirmed(platform, ref),
            attempts=attempts,
            error=error,
        )
        for key, platform, status, ref, attempts, error in result.tuples()
    ]


async def requeue_failed(session: AsyncSession, broadcast_id: int, now: datetime) -> int:
    """Put the broadcast's failed rows back to be sent now; returns how many."""
    prefix = key_prefix(broadcast_id)
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
            OutboxMessage.operation == "post",
            OutboxMessage.status == "dead",
        )
        .values(status="pending", attempts=0, next_attempt_at=now, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def record_read(
    session: AsyncSession, broadcast_id: int, person_id: int, team: str, now: datetime
) -> bool:
    """True when this is the person's first "Got it" for the broadcast."""
    from bot.store.upserts import dialect_of, insert_or_ignore

    stmt = insert_or_ignore(
        dialect_of(session), BroadcastRead.__table__, ("broadcast_id", "person_id")
    )
    values = {"broadcast_id": broadcast_id, "person_id": person_id, "team": team, "at": now}
    result = await session.execute(stmt, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def reads_by_team(session: AsyncSession, broadcast_id: int) -> list[tuple[str, int]]:
    result = await session.execute(
        select(BroadcastRead.team, func.count(BroadcastRead.id))
        .where(BroadcastRead.broadcast_id == broadcast_id)
        .group_by(BroadcastRead.team)
        .order_by(func.count(BroadcastRead.id).desc(), BroadcastRead.team)
    )
    return [(team or "no team", int(n)) for team, n in result.tuples()]


async def people_with_roles(session: AsyncSession, roles: tuple[str, ...]) -> list[int]:
    """Active people holding any of ``roles``, by id."""
    result = await session.execute(
        select(Person.id)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(PersonRole.role.in_(roles), Person.active.is_(True))
        .distinct()
        .order_by(Person.id)
    )
    return list(result.scalars())


async def team_services(session: AsyncSession) -> dict[str, str]:
    """Each directory team's name (lower case) and its service's name (lower case)."""
    result = await session.execute(select(Team))
    return {
        t.name.lower(): t.service.name.lower()
        for t in result.unique().scalars()
        if t.service is not None
    }


async def scope_names(session: AsyncSession, kind: str) -> list[str]:
    """The directory's names of services or of teams, for a digest's scope."""
    column = Service.name if kind == "service" else Team.name
    return list((await session.execute(select(column).order_by(column))).scalars())
