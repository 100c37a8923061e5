"""Stopping ``qabot serve`` with SIGTERM, as a real process: within five seconds whatever is
queued, one log line, no traceback, and nothing lost (the inbox and the outbox keep the rest
for the next start)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.store.db import Database
from tests.conftest import STAFF_CSV
from tests.fakes import FakeSlackApi
from tests.harness import SlackClient
from tests.processes import Fleet, Served, fleet, postgres_database, process_database

STOP_WITHIN = 5.0


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    await fake.start()
    for line in STAFF_CSV.strip().splitlines()[1:]:
        fields = line.split(",")
        fake.users[fields[-1]] = fields[0]
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with process_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def processes(
    database_url: str, tmp_path: Path, slack_api: FakeSlackApi
) -> AsyncIterator[Fleet]:
    async with fleet(
        database_url,
        tmp_path,
        SLACK_API_URL=slack_api.api_url,
        QABOT_SWEEP_INTERVAL_SECONDS="1",
    ) as started:
        yield started


def assert_stopped_cleanly(served: Served) -> None:
    assert served.stopped_in is not None and served.stopped_in < STOP_WITHIN, served.stopped_in
    log = served.log()
    assert log.count("stopped in") == 1, log[-3000:]
    assert "Traceback" not in log and "CancelledError" not in log, log[-3000:]


async def test_an_idle_stop_is_quick_quiet_and_logged_once(processes: Fleet) -> None:
    served = await processes.serve()
    await asyncio.sleep(2.5)  # a couple of sweep ticks
    await served.terminate()
    assert_stopped_cleanly(served)


async def test_a_stop_during_a_stuck_sweep_tick_is_quick_and_quiet(
    tmp_path: Path, slack_api: FakeSlackApi
) -> None:
    """PostgreSQL only: the test holds a row lock from outside the process."""
    async with (
        postgres_database() as database_url,
        fleet(
            database_url,
            tmp_path,
            SLACK_API_URL=slack_api.api_url,
            QABOT_SWEEP_INTERVAL_SECONDS="1",
        ) as processes,
    ):
        await stop_during_a_stuck_tick(processes, database_url)


async def stop_during_a_stuck_tick(processes: Fleet, database_url: str) -> None:
    served = await processes.serve()
    outside = Database(database_url)
    try:
        async with outside.engine.connect() as conn:
            # Hold the heartbeat row, so the next tick waits for it as long as we like.
            await conn.execute(
                text("SELECT * FROM service_state WHERE key = 'scheduler.heartbeat' FOR UPDATE")
            )
            await asyncio.sleep(2.0)
            await served.terminate()
            await conn.rollback()
    finally:
        await outside.dispose()
    assert_stopped_cleanly(served)


async def test_sigterm_with_saved_requests_queued_loses_none_and_answers_each_once(
    processes: Fleet, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV)
    await processes.cli("import", "staff", str(staff))
    served = await processes.serve()
    users = sorted(slack_api.users)
    count = 8 * len(users)
    async with aiohttp.ClientSession() as http:
        slack = SlackClient(http, served.base_url)
        answers = await asyncio.gather(
            *(slack.dm(users[n % len(users)], "help") for n in range(count))
        )
    assert all(status == 200 for status, _ in answers), answers
    # Every request was acknowledged, so each is saved; stop while most are still queued.
    await served.terminate()
    assert_stopped_cleanly(served)

    await processes.serve()
    with contextlib.suppress(AssertionError):  # counted below, with a clearer message
        await slack_api.wait_for("chat.postMessage", count, within=60)
    await asyncio.sleep(2.0)  # anything sent twice would show by now
    replies = slack_api.calls_to("chat.postMessage")
    assert len(replies) == count, f"{len(replies)} replies to {count} requests"
    by_user: dict[str, int] = {}
    for call in replies:
        by_user[call.params["channel"]] = by_user.get(call.params["channel"], 0) + 1
    assert set(by_user.values()) == {8}, by_user
