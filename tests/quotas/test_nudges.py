"""Quota nudges inside the morning summary at the framework's nudge points, to whoever owns a
gap (away people's gaps go to their manager), and the end-of-period compliance summary."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from bot.quotas import store
from tests.allocations.support import (  # noqa: F401
    HELEN,
    PRIYA,
    SAM,
    TESS,
    away,
    messages_to,
    qa_env,
    rows,
)
from tests.conftest import BotEnv
from tests.quotas.support import at, card_text, log_feedback, morning


async def _summaries(env: BotEnv, email: str) -> list[str]:
    return [card_text(m.payload) for m in await messages_to(env, email, "reminder")]


async def _mornings(env: BotEnv, first: date, last: date) -> None:
    day = first
    while day <= last:
        await morning(env, day)
        day += timedelta(days=1)


async def test_the_gap_owner_is_nudged_at_week_6_naming_who_is_still_without(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 2), 10))
    await log_feedback(qa, TESS, SAM, date(2026, 11, 2))
    await _mornings(qa, date(2026, 11, 9), date(2026, 11, 11))
    assert not any("Family feedback" in t for t in await _summaries(qa, TESS))
    await _mornings(qa, date(2026, 11, 12), date(2026, 11, 16))
    (summary,) = [t for t in await _summaries(qa, TESS) if "Family feedback" in t]
    feedback_line = next(line for line in summary.splitlines() if "Family feedback" in line)
    assert "Priya Patel" in feedback_line and "Sam Social" not in feedback_line
    # The observation quota has no observations at all: both practitioners are named.
    observation = next(line for line in summary.splitlines() if "Practice observation" in line)
    assert "Sam Social" in observation and "Priya Patel" in observation
    # Week 10: once more, still one line a quota.
    await _mornings(qa, date(2026, 12, 10), date(2026, 12, 10))
    assert len([t for t in await _summaries(qa, TESS) if "Family feedback" in t]) == 2


async def test_no_gap_no_nudge(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 2), 10))
    await log_feedback(qa, TESS, SAM, date(2026, 11, 2))
    await log_feedback(qa, TESS, PRIYA, date(2026, 11, 1))
    await _mornings(qa, date(2026, 11, 12), date(2026, 11, 12))
    summaries = await _summaries(qa, TESS)
    assert summaries and not any("Family feedback" in t for t in summaries)


async def test_an_away_owners_gaps_go_to_their_manager(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 2), 10))
    await away(qa, TESS, date(2026, 11, 9), date(2026, 11, 20))
    await _mornings(qa, date(2026, 11, 12), date(2026, 11, 12))
    assert not any("Family feedback" in t for t in await _summaries(qa, TESS))
    (helen,) = [t for t in await _summaries(qa, HELEN) if "Family feedback" in t]
    assert "Sam Social" in helen and "Priya Patel" in helen


async def test_a_period_that_ends_is_summarised_once_and_its_figures_kept(qa: BotEnv) -> None:
    await morning(qa, date(2026, 12, 1))  # the bot starts watching: Jul-Sep is a baseline
    assert [r for r in await rows(qa, route="qa_team") if r.kind == "compliance"] == []
    qa.clock.set(at(date(2026, 12, 2), 10))
    await log_feedback(qa, TESS, SAM, date(2026, 12, 2))
    await morning(qa, date(2027, 1, 4))
    await morning(qa, date(2027, 1, 5))
    posts = [
        card_text(r.payload) for r in await rows(qa, route="qa_team") if r.kind == "compliance"
    ]
    feedback = [p for p in posts if "Family feedback" in p]
    assert len(posts) == 1 and len(feedback) == 1
    assert "Family feedback, Q3 2026-27" in feedback[0] and "Team dip review" in feedback[0]
    assert "1 of 2" in feedback[0] and "Priya Patel" in feedback[0]
    helen = [card_text(m.payload) for m in await messages_to(qa, HELEN, "compliance")]
    assert len(helen) == 1 and "Family feedback" in helen[0] and "1 of 2" in helen[0]
    async with qa.runtime.db.session() as session:
        kept = await store.results_for(session, "family_feedback")
    assert [(r.period_start, r.counted, r.met) for r in kept][-1] == (date(2026, 10, 1), 2, 1)


async def test_an_away_owner_hears_of_the_gaps_when_back_while_the_nudge_point_lasts(
    qa: BotEnv,
) -> None:
    qa.clock.set(at(date(2026, 11, 2), 10))
    await away(qa, TESS, date(2026, 11, 9), date(2026, 11, 12))
    await _mornings(qa, date(2026, 11, 12), date(2026, 11, 12))
    assert [t for t in await _summaries(qa, HELEN) if "Family feedback" in t]
    assert not any("Family feedback" in t for t in await _summaries(qa, TESS))
    await _mornings(qa, date(2026, 11, 13), date(2026, 11, 13))
    (tess,) = [t for t in await _summaries(qa, TESS) if "Family feedback" in t]
    assert "Sam Social" in tess and "Priya Patel" in tess


@contextlib.contextmanager
def statements_of(env: BotEnv) -> Iterator[list[str]]:
    found: list[str] = []

    def record(*args: Any) -> None:
        found.append(args[2])

    engine = env.runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_the_quotas_are_counted_once_a_nudge_day_not_at_every_tick(qa: BotEnv) -> None:
    day = date(2026, 11, 12)
    with statements_of(qa) as first:
        await morning(qa, day)
    with statements_of(qa) as later:
        await morning(qa, day, hour=11)
    with statements_of(qa) as next_day:
        await morning(qa, day + timedelta(days=1))
    assert any("quota_items" in s for s in first)
    assert not any("quota_items" in s for s in later)
    assert any("quota_items" in s for s in next_day)
    assert len([t for t in await _summaries(qa, TESS) if "Family feedback" in t]) == 1
