"""Retention: what the bot keeps of old messages and old audit entries, pruned once a day by
the scheduler's leader, in batches (each its own transaction, so a large first pass never
holds a long lock and a stop loses at most one batch).

- The outbox: a message sent, dead or withdrawn more than ``QABOT_OUTBOX_RETENTION_DAYS``
  ago (default 30) loses its content (the card, the address, the reason), as a forgotten
  leaver's messages do. The row itself stays: its dedupe key is what stops a sweep from
  sending the same message again (an escalation question is asked once, however long the
  dispute waits at that stage), and its status and times keep the delivery figures.
- The audit log: entries older than ``QABOT_AUDIT_RETENTION_DAYS`` are deleted. The default,
  0, keeps them indefinitely, as docs/operations.md's policy says until the authority's data
  protection officer sets a period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from bot.store.db import Database
from bot.store.models import AuditEntry, OutboxMessage
from bot.store.outbox import DEAD, SENT, SUPERSEDED

log = logging.getLogger(__name__)

BATCH = 1000
EXPIRED_CARD = {
    "name": "expired",
    "title": "Expired",
    "fallback": "This message's content was removed at the end of its retention period.",
    "body": [],
}
FINISHED = (SENT, DEAD, SUPERSEDED)
# Content already removed: by the retention sweep, or by `qabot people forget`.
CONTENT_GONE = ("expired", "removed")


@dataclass(frozen=True)
class Policy:
    """Days to keep each kind of record (0: indefinitely)."""

    outbox_days: int = 30
    audit_days: int = 0


@dataclass(frozen=True)
class Pruned:
    messages: int
    audit_entries: int


async def expire_messages(db: Database, before: datetime, batch: int = BATCH) -> int:
    """Remove the content of finished messages created before ``before``; how many."""
    total = 0
    while True:
        async with db.session() as session:
            ids = list(
                (
                    await session.execute(
                        select(OutboxMessage.id)
                        .where(
                            OutboxMessage.status.in_(FINISHED),
                            OutboxMessage.created_at < before,
                            OutboxMessage.card_name.not_in(CONTENT_GONE),
                        )
                        .order_by(OutboxMessage.id)
                        .limit(batch)
                    )
                ).scalars()
            )
            if ids:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(payload=EXPIRED_CARD, card_name="expired", address=None, reason=None)
                    .execution_options(synchronize_session=False)
                )
        total += len(ids)
        if len(ids) < batch:
            return total


async def delete_audit_entries(db: Database, before: datetime, batch: int = BATCH) -> int:
    """Delete audit entries recorded before ``before``; how many."""
    total = 0
    while True:
        async with db.session() as session:
            ids = list(
                (
                    await session.execute(
                        select(AuditEntry.id)
                        .where(AuditEntry.at < before)
                        .order_by(AuditEntry.id)
                        .limit(batch)
                    )
                ).scalars()
            )
            if ids:
                await session.execute(
                    delete(AuditEntry)
                    .where(AuditEntry.id.in_(ids))
                    .execution_options(synchronize_session=False)
                )
        total += len(ids)
        if len(ids) < batch:
            return total


async def prune(
    db: Database, now: datetime, *, outbox_days: int, audit_days: int, batch: int = BATCH
) -> Pruned:
    """One retention pass; a period of 0 days keeps that data indefinitely."""
    messages = (
        await expire_messages(db, now - timedelta(days=outbox_days), batch) if outbox_days else 0
    )
    entries = (
        await delete_audit_entries(db, now - timedelta(days=audit_days), batch) if audit_days else 0
    )
    if messages or entries:
        log.info(
            "retention: content removed from %d message(s), %d audit entr%s deleted",
            messages,
            entries,
            "y" if entries == 1 else "ies",
        )
    return Pruned(messages, entries)
