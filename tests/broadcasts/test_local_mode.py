"""Local mode (Teams with no app id, as `qabot demo` runs): a channel the Teams app has not
been added to gets no Teams copy of a broadcast, so nothing is dead-lettered and the delivery
report shows no failure; it says so once in the log, not per message."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.broadcasts import flows
from bot.domain.framework import ChannelRoute
from tests.broadcasts.support import (
    QUINN,
    broadcast_rows,
    broadcasts,
    card_text,
    compose,
    drain,
    facts,
    press,
)
from tests.conftest import STAFF_CSV, BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock


@pytest.fixture(name="local")
async def local_env(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    """Teams in local mode and Slack off: what `qabot demo` runs."""
    env = await start_env(database, clock, slack_bot_token="", slack_signing_secret="")
    try:
        report = await env.import_staff(STAFF_CSV)
        assert not report.errors, report.errors  # type: ignore[attr-defined]
        yield env
    finally:
        await env.runtime.finish_delivery(within_seconds=10)
        await stop_env(env)


def configure(env: BotEnv, teams: dict[str, ChannelRoute]) -> None:
    runtime = env.runtime
    channels = runtime.framework.channels.model_copy(update={"teams": teams})
    runtime.bot.framework = runtime.framework.model_copy(update={"channels": channels})


async def test_unlinked_teams_channels_get_no_copy_and_no_failure(
    local: BotEnv, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flows, "_told_left_out", False)  # as in a fresh process
    assert local.runtime.bot.teams_local and local.runtime.bot.platforms == {"teams"}
    configure(
        local,
        {
            "Team A": ChannelRoute(teams="team-a"),
            "Team B": ChannelRoute(teams="team-b"),
            # Configured nowhere at all: a real gap, still reported as a failed recipient.
            "Team C": ChannelRoute(),
        },
    )
    caplog.set_level(logging.INFO, logger="bot.broadcasts.flows")
    await compose(local, QUINN, audience="all-teams, celebrations")
    (draft,) = await broadcasts(local)
    (note,) = await press(local, QUINN, "bcast.approve", {"b": draft.id})
    assert "1 recipient" in card_text(note), card_text(note)
    await drain(local)

    rows = await broadcast_rows(local, draft.id)
    assert [r.route for r in rows] == ["team:Team C"]
    assert not [c for c in local.connector.calls if c.method.endswith("/activities")]
    (report,) = await press(local, QUINN, "bcast.refresh", {"b": draft.id})
    shown = facts(report)
    assert (shown["Recipients"], shown["Failed"]) == ("1", "1"), shown
    text = card_text(report)
    assert "Team C" in text and "team-a" not in text and "celebrations" not in text.lower()
    left_out = [r for r in caplog.records if "get no copy there" in r.getMessage()]
    assert len(left_out) == 1, [r.getMessage() for r in caplog.records]
