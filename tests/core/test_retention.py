"""Retention: a daily pass removes the content of old finished messages (keeping the rows
whose dedupe keys stop a repeat) and, when a period is set, deletes old audit entries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.store import retention
from bot.store.models import AuditEntry, OutboxMessage
from tests.conftest import BotEnv

CARD = {"name": "morning_summary", "title": "Your QA work today", "fallback": "Sam Social"}


def message(key: str, status: str, created: datetime) -> OutboxMessage:
    return OutboxMessage(
        dedupe_key=key,
        kind="reminder",
        operation="post",
        platform="console",
        address={"conversation": "c1"},
        card_name="morning_summary",
        payload=CARD,
        reason="due today",
        status=status,
        attempts=1,
        # A pending row is not due for days: the delivery worker leaves it alone.
        next_attempt_at=created + timedelta(days=400),
        created_at=created,
    )


async def by_key(env: BotEnv) -> dict[str, OutboxMessage]:
    async with env.runtime.db.session() as session:
        found = await session.execute(select(OutboxMessage))
        return {m.dedupe_key: m for m in found.scalars()}


async def audit_count(env: BotEnv) -> int:
    async with env.runtime.db.session() as session:
        return int((await session.execute(select(func.count(AuditEntry.id)))).scalar_one())


async def test_old_finished_messages_lose_their_content_once_a_day(env: BotEnv) -> None:
    now = env.clock()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    async with env.runtime.db.session() as session:
        session.add_all(
            [
                message("old-sent", "sent", old),
                message("old-dead", "dead", old),
                message("old-pending", "pending", old),
                message("recent-sent", "sent", recent),
            ]
        )
        session.add(AuditEntry(at=old, action="quota.logged", subject="item:1"))
    audit_before = await audit_count(env)
    scheduler = env.runtime.scheduler
    assert scheduler is not None

    pruned = await scheduler.daily_retention()

    assert pruned == retention.Pruned(messages=2, audit_entries=0)
    rows = await by_key(env)
    for key in ("old-sent", "old-dead"):
        # The row and its dedupe key stay, so no sweep sends it again; its content goes.
        assert rows[key].payload == retention.EXPIRED_CARD
        assert rows[key].address is None and rows[key].reason is None
    assert rows["old-sent"].status == "sent"
    assert rows["recent-sent"].payload == CARD and rows["old-pending"].payload == CARD
    # The audit log is kept indefinitely unless a period is set.
    assert await audit_count(env) == audit_before
    # Once a day: a later tick the same day does nothing.
    assert await scheduler.daily_retention() is None
    env.clock.advance(days=1)
    assert await scheduler.daily_retention() == retention.Pruned(messages=0, audit_entries=0)


async def test_audit_entries_past_the_period_are_deleted_in_batches(env: BotEnv) -> None:
    now = env.clock()
    async with env.runtime.db.session() as session:
        session.add_all(
            [AuditEntry(at=now - timedelta(days=400 + n), action="vote.cast") for n in range(5)]
        )
        session.add(AuditEntry(at=now - timedelta(days=10), action="vote.cast", subject="kept"))
    pruned = await retention.prune(env.runtime.db, now, outbox_days=0, audit_days=365, batch=2)
    assert pruned.audit_entries >= 5
    async with env.runtime.db.session() as session:
        left = (await session.execute(select(AuditEntry.at))).scalars().all()
    assert left and all(at >= now - timedelta(days=365) for at in left)
