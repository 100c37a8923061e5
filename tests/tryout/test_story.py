"""A fresh demo tells a story: library entries, a vote in progress, work in flight (one piece
overdue), an open professional disagreement and quotas with gaps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bot
from bot.tryout.story import tell_the_story
from tests.conftest import DEFAULT_NOW, BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock

DEMO_STAFF = (Path(bot.__file__).parent / "demo" / "staff.csv").read_text("utf-8")


@pytest.fixture
async def demo(database: Database) -> AsyncIterator[BotEnv]:
    env = await start_env(database, FakeClock(DEFAULT_NOW))
    report = await env.import_staff(DEMO_STAFF)
    assert not report.errors, report.errors  # type: ignore[attr-defined]
    try:
        yield env
    finally:
        await stop_env(env)


async def test_a_fresh_demo_has_something_of_everything(demo: BotEnv) -> None:
    made = await tell_the_story(demo.runtime.bot)
    text = "\n".join(made)
    assert text.count("in the library") == 2
    assert "in its CSW vote" in text
    assert "2 allocations in flight, one overdue" in text
    assert "an open disagreement (Sam and Priya, stage 1)" in text
    assert "quotas" in text
