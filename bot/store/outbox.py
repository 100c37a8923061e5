"""The outbox: every message the bot sends is written here first, then delivered by a worker.

A row's ``dedupe_key`` is unique, so writing the same reminder twice (a repeated sweep, a
restart, a second replica) stores it once. Rows are claimed for delivery with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL so two workers never send the same row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards.model import Card
from bot.domain.framework import Framework
from bot.store.db import Claimant
from bot.store.models import ChannelLink, OutboxMessage, PlatformIdentity
from bot.store.upserts import dialect_of, insert_or_ignore

PENDING, SENDING, SENT, DEAD, SUPERSEDED = "pending", "sending", "sent", "dead", "superseded"
MESSAGING_PLATFORMS = ("slack", "teams")
# The size of the dedupe_key column.
DEDUPE_KEY_MAX = 300


@dataclass(frozen=True)
class PersonMessage:
    """One direct message of a batch (``OutboxWriter.to_people``)."""

    person_id: int
    card: Card
    key: str
    kind: str
    reason: str = ""


@dataclass(frozen=True)
class Delivered:
    """What the delivery worker did with one outbox row (sent, retried later or dead), as told
    to the listeners of ``Router.delivered`` after a batch."""

    kind: str
    dedupe_key: str
    status: str


class OutboxWriter:
    """Queues messages inside the caller's unit of work (so they commit with the change)."""

    def __init__(
        self,
        session: AsyncSession,
        framework: Framework,
        now: datetime,
        platforms: Iterable[str],
        *,
        teams_needs_linked_channel: bool = False,
    ) -> None:
        self._session = session
        self._framework = framework
        self._now = now
        self._platforms = tuple(p for p in MESSAGING_PLATFORMS if p in set(platforms))
        # Local development (Teams with no app id): post to a Teams channel only once the bot
        # has been added to it, otherwise the message is shown on the console instead.
        self._teams_needs_linked_channel = teams_needs_linked_channel
        self.written = 0

    @property
    def platforms(self) -> tuple[str, ...]:
        """The messaging platforms configured (none: everything goes to the console)."""
        return self._platforms

    async def reaches(self, route: str, platform: str) -> bool:
        """Whether ``route`` has a channel on ``platform``."""
        return platform in self._platforms and await self._reaches(route, platform)

    async def to_route_on(
        self,
        route: str,
        platform: str,
        card: Card,
        *,
        key: str,
        kind: str,
        card_key: str | None = None,
    ) -> None:
        """A channel post on one platform only, under exactly ``key`` (a broadcast writes
        one row per recipient channel and platform)."""
        await self._insert(
            self._row(
                key=key, kind=kind, platform=platform, card=card, route=route, card_key=card_key
            )
        )

    async def to_person(
        self,
        person_id: int,
        card: Card,
        *,
        key: str,
        kind: str,
        reason: str = "",
        not_before: datetime | None = None,
        card_key: str | None = None,
    ) -> None:
        """A direct message, on the platform the person used most recently."""
        platform = await self._person_platform(person_id)
        await self._insert(
            self._row(
                key=key,
                kind=kind,
                platform=platform,
                card=card,
                person_id=person_id,
                reason=reason,
                not_before=not_before,
                card_key=card_key,
            )
        )

    async def to_people(self, messages: Sequence[PersonMessage]) -> None:
        """Many direct messages at once, each as ``to_person`` would queue it: one query for
        everyone's platform and one ``INSERT ... ON CONFLICT DO NOTHING`` per few hundred rows."""
        if not messages:
            return
        platforms = await self._people_platforms({m.person_id for m in messages})
        rows = [
            self._row(
                key=m.key,
                kind=m.kind,
                platform=platforms.get(m.person_id, "console"),
                card=m.card,
                person_id=m.person_id,
                reason=m.reason,
            )
            for m in messages
        ]
        # One statement compiled once; SQLAlchemy sends the rows as multi-row INSERTs
        # ("insertmanyvalues"), and RETURNING counts the rows that were new.
        stmt = insert_or_ignore(
            dialect_of(self._session), OutboxMessage.__table__, ("dedupe_key",)
        ).returning(OutboxMessage.__table__.c.id)
        result = await self._session.execute(stmt, rows)
        self.written += len(result.all())

    async def _people_platforms(self, person_ids: Collection[int]) -> dict[int, str]:
        """Each person's most recently used platform (people with none are left out)."""
        if not self._platforms:
            return {}
        wanted = sorted(person_ids)
        found: dict[int, str] = {}
        for start in range(0, len(wanted), 1000):
            rows = await self._session.execute(
                select(PlatformIdentity.person_id, PlatformIdentity.platform)
                .where(
                    PlatformIdentity.person_id.in_(wanted[start : start + 1000]),
                    PlatformIdentity.platform.in_(self._platforms),
                )
                .order_by(PlatformIdentity.updated_at.desc(), PlatformIdentity.id.desc())
            )
            for person_id, platform in rows.tuples():
                found.setdefault(person_id, platform)
        return found

    async def to_route(
        self,
        route: str,
        card: Card,
        *,
        key: str,
        kind: str,
        reason: str = "",
        not_before: datetime | None = None,
        card_key: str | None = None,
    ) -> None:
        """A channel post: ``qa_team``, ``csw_group``, ``celebrations`` or ``team:<name>``."""
        targets = [p for p in self._platforms if await self._reaches(route, p)]
        for platform in targets or ["console"]:
            await self._insert(
                self._row(
                    key=f"{key}@{platform}" if len(targets) > 1 else key,
                    kind=kind,
                    platform=platform,
                    card=card,
                    route=route,
                    reason=reason,
                    not_before=not_before,
                    card_key=card_key,
                )
            )

    async def reply(
        self, platform: str, address: dict[str, Any], card: Card, *, key: str, kind: str = "reply"
    ) -> None:
        """A message into a known conversation (a Teams or Slack reply)."""
        await self._insert(
            self._row(key=key, kind=kind, platform=platform, card=card, address=address)
        )

    async def replace(
        self, platform: str, address: dict[str, Any], card: Card, *, key: str
    ) -> None:
        """Replace one known message (the card a person pressed a button on)."""
        await self._insert(
            self._row(
                key=key,
                kind="update",
                platform=platform,
                card=card,
                address=address,
                operation="update",
            )
        )

    async def update(self, card_key: str, card: Card, *, key: str) -> None:
        """Show ``card`` in place of every copy already posted under ``card_key``."""
        await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.card_key == card_key,
                OutboxMessage.operation == "post",
                OutboxMessage.status == PENDING,
            )
            .values(payload=card.model_dump(mode="json"), card_name=card.name)
        )
        posted = await self._session.execute(
            select(OutboxMessage.platform)
            .where(
                OutboxMessage.card_key == card_key,
                OutboxMessage.operation == "post",
                OutboxMessage.status.in_((SENDING, SENT)),
            )
            .distinct()
        )
        for (platform,) in posted.all():
            if platform == "console":
                continue
            await self._insert(
                self._row(
                    key=f"{key}@{platform}",
                    kind="update",
                    platform=platform,
                    card=card,
                    card_key=card_key,
                    operation="update",
                )
            )

    async def _reaches(self, route: str, platform: str) -> bool:
        target = route_target(self._framework, route, platform)
        if target is None:
            return False
        if platform == "teams" and self._teams_needs_linked_channel:
            return await find_channel(self._session, "teams", target) is not None
        return True

    async def _person_platform(self, person_id: int) -> str:
        if not self._platforms:
            return "console"
        row = await self._session.execute(
            select(PlatformIdentity.platform)
            .where(
                PlatformIdentity.person_id == person_id,
                PlatformIdentity.platform.in_(self._platforms),
            )
            .order_by(PlatformIdentity.updated_at.desc(), PlatformIdentity.id.desc())
            .limit(1)
        )
        return row.scalar_one_or_none() or "console"

    async def _insert(self, values: dict[str, Any]) -> None:
        """Write one row (``_row``) unless its dedupe key is already there."""
        stmt = insert_or_ignore(dialect_of(self._session), OutboxMessage.__table__, ("dedupe_key",))
        result = await self._session.execute(stmt, values)
        self.written += result.rowcount or 0  # type: ignore[attr-defined]

    def _row(
        self,
        *,
        key: str,
        kind: str,
        platform: str,
        card: Card,
        person_id: int | None = None,
        route: str | None = None,
        address: dict[str, Any] | None = None,
        reason: str = "",
        not_before: datetime | None = None,
        card_key: str | None = None,
        operation: str = "post",
    ) -> dict[str, Any]:
        return {
            "dedupe_key": stored_key(key),
            "kind": kind,
            "operation": operation,
            "platform": platform,
            "person_id": person_id,
            "route": route,
            "address": address,
            "card_name": card.name,
            "card_key": card_key,
            "payload": card.model_dump(mode="json"),
            "reason": reason[:300] or None,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": max(not_before or self._now, self._now),
            "created_at": self._now,
        }


def stored_key(key: str) -> str:
    """``key`` as the dedupe_key column holds it: unchanged when it fits, otherwise its start
    and a digest of the whole, so two long keys that differ anywhere stay two keys (cutting
    them short would drop the second message as a duplicate of the first)."""
    if len(key) <= DEDUPE_KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: DEDUPE_KEY_MAX - len(digest) - 1]}#{digest}"


def route_target(framework: Framework, route: str, platform: str) -> str | None:
    """The configured channel id (Slack) or channel name/id (Teams) of a route, if any."""
    channels = framework.channels
    if route.startswith("team:"):
        found = channels.teams.get(route.removeprefix("team:"))
    else:
        found = getattr(channels, route, None)
    if found is None:
        return None
    value = getattr(found, platform, None)
    return value if isinstance(value, str) and value else None


async def claim_due(
    session: AsyncSession,
    now: datetime,
    claimant: Claimant,
    *,
    limit: int,
    platforms: Collection[str] | None = None,
    other_platforms: Collection[str] = (),
    stale_after: timedelta = timedelta(minutes=5),
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due rows for ``claimant``: pending rows whose time has come, and
    rows an orphaned claim left half-sent (its claimant is dead, or unknown and silent for
    ``stale_after``). ``platforms`` picks rows of those platforms; ``other_platforms`` picks
    rows of any platform but those.

    One ``UPDATE ... RETURNING`` statement, so two workers can never claim the same row: on
    PostgreSQL the inner select skips rows another worker has locked; SQLite has one writer.
    """
    orphaned = or_(
        claimant.is_orphaned(OutboxMessage.claimed_by),
        and_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claimed_at < now - stale_after),
    )
    due = or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SENDING, orphaned),
    )
    if platforms is not None:
        due = and_(due, OutboxMessage.platform.in_(platforms))
    if other_platforms:
        due = and_(due, OutboxMessage.platform.not_in(other_platforms))
    candidates = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates.scalar_subquery()), due)
        .values(status=SENDING, claimed_at=now, claimed_by=claimant.id)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.execute(stmt)).scalars())
    rows.sort(key=lambda row: row.id)
    return rows


async def release_claims(
    session: AsyncSession, claimant: Claimant, ids: Collection[int], at: datetime | None = None
) -> int:
    """Hand back rows claimed but not sent (to be sent at ``at``, or when they were due)."""
    released = 0
    values: dict[str, Any] = {"status": PENDING, "claimed_by": None}
    if at is not None:
        values["next_attempt_at"] = at
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ordered[start : start + 500]),
                OutboxMessage.status == SENDING,
                OutboxMessage.claimed_by == claimant.id,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        released += result.rowcount or 0  # type: ignore[attr-defined]
    return released


async def find_channel(session: AsyncSession, platform: str, target: str) -> ChannelLink | None:
    """A channel the bot knows by id or by name."""
    result = await session.execute(
        select(ChannelLink)
        .where(
            ChannelLink.platform == platform,
            ChannelLink.active.is_(True),
            or_(ChannelLink.conversation_id == target, ChannelLink.name == target),
        )
        .order_by(ChannelLink.updated_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def posts_after(session: AsyncSession, after: int) -> list[OutboxMessage]:
    """Every post queued after outbox id ``after``, oldest first (``qabot simulate``)."""
    result = await session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.id > after, OutboxMessage.operation == "post")
        .order_by(OutboxMessage.id)
    )
    return list(result.scalars())
