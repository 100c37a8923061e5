"""Two ``qabot serve`` replicas on one PostgreSQL database, as real processes: requests
alternated between them are each handled once, proactive messages go out once, one replica
at a time runs the sweeps, and when that one is killed the other takes over its sweeps, the
requests it had saved and the messages it had claimed."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import STAFF_CSV
from tests.fakes import FakeConnector, FakeSlackApi
from tests.harness import SlackClient, TeamsClient
from tests.processes import Fleet, Served, fleet, postgres_database, queue_teams_burst

SWEEP_INTERVAL = 2
RECLAIM_INTERVAL = 1
TEAMS_PEOPLE = {"aad-priya": "priya.sw@example.gov.uk", "aad-quinn": "quinn.qa@example.gov.uk"}


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeSlackApi, FakeConnector]]:
    slack_api, connector = FakeSlackApi(), FakeConnector()
    await slack_api.start()
    await connector.start()
    for line in STAFF_CSV.strip().splitlines()[1:]:
        fields = line.split(",")
        slack_api.users[fields[-1]] = fields[0]
    for aad, email in TEAMS_PEOPLE.items():
        connector.members[f"29:{aad}"] = {"id": f"29:{aad}", "aadObjectId": aad, "email": email}
    try:
        yield slack_api, connector
    finally:
        await slack_api.stop()
        await connector.stop()


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with postgres_database() as url:
        yield url


@pytest.fixture
async def replicas(
    database_url: str, tmp_path: Path, fakes: tuple[FakeSlackApi, FakeConnector]
) -> AsyncIterator[Fleet]:
    slack_api, _ = fakes
    async with fleet(
        database_url,
        tmp_path,
        SLACK_API_URL=slack_api.api_url,
        QABOT_SWEEP_INTERVAL_SECONDS=str(SWEEP_INTERVAL),
        QABOT_RECLAIM_INTERVAL_SECONDS=str(RECLAIM_INTERVAL),
    ) as started:
        staff = tmp_path / "staff.csv"
        staff.write_text(STAFF_CSV)
        await started.cli("import", "staff", str(staff))
        yield started


async def sweeps_run(http: aiohttp.ClientSession, served: Served) -> float:
    async with http.get(served.base_url + "/metrics") as response:
        body = await response.text()
    found = re.search(r"^qabot_sweeps_total ([0-9.e+]+)$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def eventually(check: object, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.1)


def teams_posts(connector: FakeConnector) -> list[tuple[str, float]]:
    return [
        (c.params["body"].get("summary", ""), c.at)
        for c in connector.calls
        if c.method == "POST conversations/*/activities"
    ]


async def test_two_replicas_share_the_work_once_and_survive_a_kill_9(
    replicas: Fleet, fakes: tuple[FakeSlackApi, FakeConnector], database_url: str
) -> None:
    slack_api, connector = fakes
    pair = [await replicas.serve(), await replicas.serve()]
    users = sorted(slack_api.users)
    async with aiohttp.ClientSession() as http:
        slacks = [SlackClient(http, s.base_url) for s in pair]
        teams = [TeamsClient(http, s.base_url, connector.url) for s in pair]

        # Requests alternated between the replicas, as a round-robin balancer would.
        slack_sent = 0
        for n in range(16):
            status, _ = await slacks[n % 2].dm(users[n % len(users)], "help")
            assert status == 200
            slack_sent += 1
        teams_sent = 0
        for n, aad in enumerate(sorted(TEAMS_PEOPLE) * 4):
            status, _ = await teams[n % 2].send(teams[n % 2].activity(aad, text="help"))
            assert status in (200, 201, 202)
            teams_sent += 1

        # Proactive messages, written once, delivered by whichever replica claims them.
        await queue_teams_burst(database_url, connector.url, 200, conversations=20)

        async def all_answered() -> bool:
            burst = {t for t, _ in teams_posts(connector) if t.startswith("burst ")}
            replies = [t for t, _ in teams_posts(connector) if not t.startswith("burst ")]
            slack = slack_api.calls_to("chat.postMessage")
            return len(burst) == 200 and len(replies) >= teams_sent and len(slack) >= slack_sent

        await eventually(all_answered, 60, "every request answered and the burst delivered")
        await asyncio.sleep(1.0)
        assert len(slack_api.calls_to("chat.postMessage")) == slack_sent
        assert len([t for t, _ in teams_posts(connector) if not t.startswith("burst ")]) == (
            teams_sent
        )
        burst_counts = Counter(t for t, _ in teams_posts(connector) if t.startswith("burst "))
        assert [t for t, n in burst_counts.items() if n > 1] == []

        # Exactly one replica runs the sweeps.
        await asyncio.sleep(SWEEP_INTERVAL * 2)
        counts = [await sweeps_run(http, s) for s in pair]
        assert sorted(c > 0 for c in counts) == [False, True], counts
        leader, survivor = (pair[0], pair[1]) if counts[0] > 0 else (pair[1], pair[0])
        leader_client = slacks[pair.index(leader)]

        # The leader takes requests and claims messages, then dies mid-way.
        await queue_teams_burst(database_url, connector.url, 200, conversations=20, prefix="more")
        answers = await asyncio.gather(
            *(leader_client.dm(users[n % len(users)], "my tasks") for n in range(24))
        )
        assert all(status == 200 for status, _ in answers)
        slack_sent += len(answers)
        leader.kill()
        killed_at = asyncio.get_running_loop().time()
        await leader.proc.wait()

        async def survivor_sweeps() -> bool:
            return await sweeps_run(http, survivor) > 0

        await eventually(survivor_sweeps, SWEEP_INTERVAL + 1.5, "the survivor runs the sweeps")

        async def survivor_finished() -> bool:
            burst = {t for t, _ in teams_posts(connector) if t.startswith("more ")}
            return len(burst) == 200 and len(slack_api.calls_to("chat.postMessage")) >= slack_sent

        await eventually(survivor_finished, 60, "the survivor handles what the leader left")
        await asyncio.sleep(1.5)

    assert len(slack_api.calls_to("chat.postMessage")) == slack_sent
    assert "saved requests a stopped process left" in survivor.log()
    first_posted: dict[str, float] = {}
    for text, at in teams_posts(connector):
        first_posted.setdefault(text, at)
    posted = Counter(t for t, _ in teams_posts(connector) if t.startswith(("burst ", "more ")))
    twice = [t for t, n in posted.items() if n > 1]
    # Only a message the platform accepted at the instant of the kill can go out again.
    assert all(killed_at - first_posted[t] < 0.5 for t in twice), twice
    assert len(twice) <= 2, twice
