"""Sweep marks keep each decision once, however long its key."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.allocations import store
from tests.conftest import BotEnv

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_long_keys_that_differ_only_at_the_end_stay_two_decisions(
    env: BotEnv,
) -> None:
    # A team or activity name can make a key longer than the column: cutting both keys to
    # the same 300 characters would make the second decision look taken already.
    first = "nudge:" + "x" * 400 + ":team-a"
    second = "nudge:" + "x" * 400 + ":team-b"
    async with env.runtime.db.session() as session:
        await store.mark(session, [first], NOW)
    async with env.runtime.db.session() as session:
        assert await store.unmarked(session, [first, second]) == [second]
        await store.mark_each(session, [(second, {"why": "gap"})], NOW)
    async with env.runtime.db.session() as session:
        assert await store.unmarked(session, [first, second]) == []
