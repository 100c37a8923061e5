"""A 1,000-message Slack burst survives its process being killed (kill -9) while sends are in
flight, as real processes: everything is delivered soon after the restart, and nothing twice.
Slack answers each post slowly here, so the kill lands after Slack accepted some posts and
before the process heard so: those are found in the channels' history, not sent again."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes import FakeSlackApi
from tests.processes import (
    Fleet,
    fleet,
    process_database,
    queue_slack_burst,
    slack_burst_channels,
)

BURST = 1000
# Slack's pace (390 posts a minute) makes a 1,000-message burst last over two minutes, so
# the kill comes near its end: what is left still takes about 15 s at that pace.
LEFT_AT_THE_KILL = 100
RESTART_DELIVERS_WITHIN = 30.0
CHECKED = re.compile(r"(\d+) message\(s\) may have been posted just before a crash: (\d+) already")


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with process_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    fake.known_channels.update(slack_burst_channels(40))
    # Slack stores each post, then answers 0.3 s later: with a post leaving every ~0.15 s,
    # one or two are always accepted but unanswered.
    fake.post_delay = 0.3
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def processes(
    database_url: str, tmp_path: Path, slack_api: FakeSlackApi
) -> AsyncIterator[Fleet]:
    async with fleet(database_url, tmp_path, SLACK_API_URL=slack_api.api_url) as started:
        yield started


def posted_keys(slack_api: FakeSlackApi) -> list[str]:
    """The outbox key of every message Slack accepted, in order (from its metadata)."""
    return [
        message["metadata"]["event_payload"]["key"]
        for messages in slack_api.conversations.values()
        for message in messages
        if (message.get("metadata") or {}).get("event_type") == "qabot_outbox"
    ]


async def wait_for_posts(slack_api: FakeSlackApi, count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while len(set(posted_keys(slack_api))) < count:
        if time.monotonic() > deadline:
            distinct = len(set(posted_keys(slack_api)))
            raise AssertionError(f"{distinct} of {count} messages delivered within {within}s")
        await asyncio.sleep(0.05)


async def test_kill_9_with_posts_in_flight_then_restart_delivers_everything_once(
    processes: Fleet, slack_api: FakeSlackApi, database_url: str
) -> None:
    await processes.serve()
    await queue_slack_burst(database_url, BURST)
    await wait_for_posts(slack_api, BURST - LEFT_AT_THE_KILL, within=300)
    first = processes.started[0]
    first.kill()
    await first.proc.wait()
    before_restart = len(set(posted_keys(slack_api)))
    assert before_restart < BURST, "the burst ended before the kill: nothing was tested"

    restarted = time.monotonic()
    second = await processes.serve()
    await wait_for_posts(slack_api, BURST, within=RESTART_DELIVERS_WITHIN + 30)
    took = time.monotonic() - restarted
    assert took <= RESTART_DELIVERS_WITHIN, f"the rest took {took:.1f}s after the restart"

    twice = [key for key, n in Counter(posted_keys(slack_api)).items() if n > 1]
    log = second.log()
    checked = [(int(a), int(b)) for a, b in CHECKED.findall(log)]
    print(
        f"kill -9: {before_restart} sent before, rest in {took:.1f}s, {len(twice)} twice, {checked}"
    )
    assert twice == [], f"{len(twice)} messages sent twice: {twice}"
    # Not vacuous: Slack had accepted posts the killed process never heard about, and the new
    # process found them in the history instead of posting them again.
    assert sum(found for _, found in checked) >= 1, log[-3000:]
    assert slack_api.calls_to("conversations.history"), "no history was read"
    assert "could not look for" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
