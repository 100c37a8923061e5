"""What the try-out page reads: everything the bot has sent or holds, per person and channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import OutboxMessage

LIMIT = 40


@dataclass(frozen=True)
class Sent:
    """One message as the person would see it now (its latest version, if updated)."""

    id: int
    kind: str
    route: str | None
    payload: dict[str, Any]
    due: datetime
    reason: str | None


async def messages_to(session: AsyncSession, person_id: int) -> list[Sent]:
    """The newest messages to one person, newest first."""
    return await _latest(session, OutboxMessage.person_id == person_id)


async def channel_posts(session: AsyncSession) -> list[Sent]:
    """The newest channel posts (the CSW group's vote cards, the QA team's notices)."""
    return await _latest(session, OutboxMessage.route.is_not(None))


async def _latest(session: AsyncSession, whose: Any) -> list[Sent]:
    posts = (
        (
            await session.execute(
                select(OutboxMessage)
                .where(whose, OutboxMessage.operation == "post")
                .order_by(OutboxMessage.id.desc())
                .limit(LIMIT)
            )
        )
        .scalars()
        .all()
    )
    keys = {p.card_key for p in posts if p.card_key}
    newest: dict[str, dict[str, Any]] = {}
    if keys:
        updates = await session.execute(
            select(OutboxMessage.card_key, OutboxMessage.payload)
            .where(OutboxMessage.card_key.in_(keys), OutboxMessage.operation == "update")
            .order_by(OutboxMessage.id)
        )
        for key, payload in updates.all():
            if key is not None:
                newest[key] = payload
    return [
        Sent(
            post.id,
            post.kind,
            post.route,
            newest.get(post.card_key or "", post.payload),
            post.next_attempt_at,
            post.reason,
        )
        for post in posts
    ]
