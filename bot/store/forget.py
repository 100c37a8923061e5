"""Removing a leaver's personal data while their part in the QA history stays counted.

The ``people`` row and its id are kept, because allocations, actions, nominations, votes and
the audit log point at it; its name and email become placeholders. What identifies the person
or reaches them is deleted: their Slack and Teams accounts and conversations, leave dates,
roles, unfinished forms. Every outbox message that was addressed to them or that names them
has its content replaced (a message not yet sent is withdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.audit import AuditWriter
from bot.store.models import (
    AwayPeriod,
    DialogState,
    OutboxMessage,
    Person,
    PersonRole,
    PlatformIdentity,
)
from bot.store.outbox import PENDING, SUPERSEDED

REMOVED_CARD = {
    "name": "removed",
    "title": "Removed",
    "fallback": "This message was removed with a leaver's personal data.",
    "body": [],
}


@dataclass(frozen=True)
class Forgotten:
    person_id: int
    accounts: int
    messages: int


def placeholder_email(person_id: int) -> str:
    return f"forgotten-{person_id}@invalid"


async def forget_person(session: AsyncSession, email: str, now: datetime) -> Forgotten | None:
    """Forget the person with this email (None if there is no one); commit is the caller's."""
    person = (
        await session.execute(select(Person).where(Person.email == email.strip().lower()))
    ).scalar_one_or_none()
    if person is None:
        return None
    name, address = person.name, person.email
    person_id = person.id
    accounts = await session.execute(
        delete(PlatformIdentity).where(PlatformIdentity.person_id == person_id)
    )
    for table in (AwayPeriod, PersonRole, DialogState):
        await session.execute(delete(table).where(table.person_id == person_id))
    payload_text = cast(OutboxMessage.payload, Text)
    naming = or_(
        OutboxMessage.person_id == person_id,
        payload_text.contains(name),
        payload_text.contains(address),
    )
    await session.execute(
        update(OutboxMessage)
        .where(naming, OutboxMessage.status == PENDING)
        .values(status=SUPERSEDED)
        .execution_options(synchronize_session=False)
    )
    messages = await session.execute(
        update(OutboxMessage)
        .where(naming)
        .values(payload=REMOVED_CARD, card_name="removed", address=None, reason=None)
        .execution_options(synchronize_session=False)
    )
    person.name = f"Former member of staff {person_id}"
    person.email = placeholder_email(person_id)
    person.active = False
    person.updated_at = now
    AuditWriter(session, now).record(
        "person.forgotten", actor_id=None, subject=f"person:{person_id}"
    )
    return Forgotten(
        person_id,
        accounts.rowcount or 0,  # type: ignore[attr-defined]
        messages.rowcount or 0,  # type: ignore[attr-defined]
    )
