"""A broadcast interrupted by stopping the process (SIGTERM) or killing it (SIGKILL) part-way,
then finished by a new process: every channel gets its copy, none twice (after SIGKILL, a
Slack post in flight at the very moment of the kill, accepted by Slack but not recorded, is
found in the channel's history by its metadata and not posted again), and the report's totals
still add up."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import framework_path
from tests.conftest import STAFF_CSV
from tests.fakes import FakeSlackApi
from tests.processes import fleet, process_database

CHANNELS = 40


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    fake.known_channels.update(f"C{i:07d}" for i in range(CHANNELS))
    # Slack answers each post a little after accepting it, so a kill can fall in between.
    fake.post_delay = 0.2
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def framework_with_channels(tmp_path: Path) -> Path:
    text = framework_path("somerset").read_text(encoding="utf-8")
    text += "".join(
        f'\n[channels.teams."Team {i:03d}"]\nslack = "C{i:07d}"\n' for i in range(CHANNELS)
    )
    path = tmp_path / "framework.toml"
    path.write_text(text, encoding="utf-8")
    return path


def posted(slack_api: FakeSlackApi) -> list[tuple[str, float]]:
    return [
        (c.params["channel"], c.at)
        for c in slack_api.accepted
        if c.method == "chat.postMessage" and c.params["channel"].startswith("C00")
    ]


async def wait_until(check: object, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("how", ["terminate", "kill"])
async def test_a_broadcast_survives_a_restart_in_the_middle(
    how: str, tmp_path: Path, slack_api: FakeSlackApi
) -> None:
    async with (
        process_database("sqlite", tmp_path) as database_url,
        fleet(
            database_url,
            tmp_path,
            SLACK_API_URL=slack_api.api_url,
            QABOT_FRAMEWORK=str(framework_with_channels(tmp_path)),
            QABOT_SWEEP_INTERVAL_SECONDS="1",
        ) as processes,
    ):
        staff = tmp_path / "staff.csv"
        staff.write_text(STAFF_CSV)
        await processes.cli("import", "staff", str(staff))
        letter = tmp_path / "letter.md"
        letter.write_text("# Winter news\n\n## Audits\n\nThank you, everyone.\n")
        out = await processes.cli(
            "newsletter",
            "send",
            str(letter),
            "--audience",
            "all-teams",
            "--approver",
            "quinn.qa@example.gov.uk",
        )
        assert "Broadcast 1" in out, out
        first = await processes.serve()
        await wait_until(lambda: len(posted(slack_api)) >= 10, 30, "ten channels posted")
        if how == "kill":
            first.kill()
            await first.proc.wait()
        else:
            await first.terminate()
        assert len(posted(slack_api)) < CHANNELS, "the broadcast finished before the stop"
        await processes.serve()
        await wait_until(lambda: len(set(dict(posted(slack_api)))) == CHANNELS, 60, "all posted")
        await asyncio.sleep(1.5)
        counts = Counter(channel for channel, _ in posted(slack_api))
        assert set(counts) == {f"C{i:07d}" for i in range(CHANNELS)}
        twice = [channel for channel, n in counts.items() if n > 1]
        assert twice == [], f"posted twice after {how}: {twice}"
        report = tmp_path / "report.csv"
        await processes.cli("broadcast", "report", "1", "--out", str(report))
        lines = report.read_text().splitlines()[1:]
        assert len(lines) == CHANNELS
        assert Counter(line.split(",")[1] for line in lines) == {"delivered": CHANNELS}
