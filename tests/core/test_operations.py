"""Health, readiness and metrics endpoints; logs that never carry message text at INFO."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.scheduler.jobs import HEARTBEAT_KEY
from bot.store.models import ServiceState
from tests.conftest import BotEnv


async def get(env: BotEnv, path: str) -> tuple[int, str]:
    async with env.http.get(env.base_url + path) as response:
        return response.status, await response.text()


async def test_healthz_and_readyz_when_all_is_well(env: BotEnv) -> None:
    assert (await get(env, "/healthz"))[0] == 200
    status, body = await get(env, "/readyz")
    assert status == 200, body


async def test_readyz_reports_a_stale_scheduler(env: BotEnv) -> None:
    env.clock.advance(hours=2)
    status, body = await get(env, "/readyz")
    assert status == 503
    assert "scheduler heartbeat is stale" in body
    await env.runtime.scheduler.beat()  # type: ignore[union-attr]
    assert (await get(env, "/readyz"))[0] == 200


async def test_readyz_checks_this_replicas_scheduler_not_anothers_beat(env: BotEnv) -> None:
    """Two replicas share the store: the other one's beat in the shared row must not make
    this replica, whose scheduler has stopped, look ready."""
    env.clock.advance(hours=2)
    async with env.runtime.db.session() as session:
        state = await session.get(ServiceState, HEARTBEAT_KEY)
        assert state is not None
        state.updated_at = env.clock()  # another replica beat just now
    status, body = await get(env, "/readyz")
    assert status == 503
    assert "scheduler heartbeat is stale" in body


async def test_readyz_reports_an_outbox_backlog(env: BotEnv) -> None:
    env.runtime.settings.outbox_backlog_limit = 2
    env.runtime.worker.stop()  # type: ignore[union-attr]
    from tests.core.test_delivery import note

    async with env.runtime.db.session() as session:
        ctx = env.runtime.bot.context(session, None)
        for i in range(3):
            await ctx.outbox.to_route(
                "qa_team",
                note("x"),
                key=f"b{i}",
                kind="digest",
                not_before=env.clock() + timedelta(days=1),
            )
    status, body = await get(env, "/readyz")
    assert status == 503
    # Teams runs unauthenticated here and the bot is in no Teams channel: Slack only.
    assert "outbox backlog 3 is above 2" in body


async def test_metrics_in_prometheus_format(staffed: BotEnv) -> None:
    await staffed.slack.command("USAM", "help")
    status, body = await get(staffed, "/metrics")
    assert status == 200
    assert 'qabot_http_requests_total{route="/slack/events",status="200"}' in body
    assert "qabot_outbox_backlog" in body


async def test_message_text_never_logged_at_info(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    secret_text = "my tasks about Jayden Smith 07700 900123"
    with caplog.at_level(logging.INFO):
        await staffed.slack.dm("USAM", secret_text)
        await staffed.slack_api.wait_for("chat.postMessage")
        await staffed.teams.say("aad-nobody", secret_text)
        await staffed.connector.wait_for("POST conversations/*/activities")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "Jayden" not in logged and "07700" not in logged


async def test_heartbeat_row_is_written_on_start(env: BotEnv) -> None:
    async with env.runtime.db.session() as session:
        state = await session.get(ServiceState, HEARTBEAT_KEY)
    assert state is not None
    assert state.updated_at == env.clock()


async def test_privacy_and_terms_pages_exist_for_the_app_stores(env: BotEnv) -> None:
    status, body = await get(env, "/privacy")
    assert status == 200 and "case-record number" in body
    status, body = await get(env, "/terms")
    assert status == 200 and "Somerset" in body
