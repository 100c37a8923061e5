"""Real ``qabot serve`` processes for tests: started with settings in their environment,
stopped with SIGTERM or SIGKILL, and always cleaned up, plus the databases they share."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import insert

from bot.cards.model import Card, TextBlock
from bot.store.db import Database
from bot.store.models import OutboxMessage
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES
from tests.harness import BOT_TOKEN, SIGNING_SECRET

QABOT = str(Path(sys.executable).parent / "qabot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """One ``qabot serve`` process."""

    proc: asyncio.subprocess.Process
    port: int
    log_path: Path
    started_at: float
    stopped_in: float | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    async def wait_ready(self, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise AssertionError(f"qabot serve exited early:\n{self.log()[-3000:]}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(self.base_url + "/healthz") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise AssertionError(f"qabot serve not up within {within}s:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def terminate(self, within: float = 30.0) -> float:
        """SIGTERM; returns the seconds the process took to exit."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.proc.wait(), within)
        self.stopped_in = time.monotonic() - started
        return self.stopped_in


@dataclass
class Fleet:
    """Every process a test started; all are killed when the test ends, however it ends."""

    directory: Path
    env: dict[str, str]
    started: list[Served] = field(default_factory=list)

    async def serve(self, **settings: str) -> Served:
        port = free_port()
        log_path = self.directory / f"serve-{len(self.started)}-{port}.log"
        env = {**self.env, "QABOT_PORT": str(port), **settings}
        with log_path.open("wb") as log_file:
            proc = await asyncio.create_subprocess_exec(
                QABOT,
                "serve",
                cwd=self.directory,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
            )
        served = Served(proc, port, log_path, time.monotonic())
        self.started.append(served)
        await served.wait_ready()
        return served

    async def cli(self, *args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            QABOT,
            *args,
            cwd=self.directory,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, out.decode()
        return out.decode()

    async def close(self) -> None:
        for served in self.started:
            served.kill()
        for served in self.started:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(served.proc.wait(), 10)


def base_env(database_url: str, directory: Path, **settings: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "QABOT_DATABASE_URL": database_url,
            "QABOT_FRAMEWORK": "somerset",
            "QABOT_HOST": "127.0.0.1",
            "QABOT_LOG_LEVEL": "INFO",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "MICROSOFT_APP_ID": "",
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
    )
    return env


@contextlib.asynccontextmanager
async def fleet(database_url: str, directory: Path, **settings: str) -> AsyncIterator[Fleet]:
    started = Fleet(directory, base_env(database_url, directory, **settings))
    try:
        yield started
    finally:
        await started.close()


async def _admin_connection() -> Any:
    import asyncpg

    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        return await asyncpg.connect(dsn, timeout=5)
    except Exception as exc:
        message = f"PostgreSQL at {dsn} is not reachable: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(message + " (QABOT_REQUIRE_POSTGRES=1)")
        pytest.skip(message)


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A database of its own (processes cannot be given a schema), dropped afterwards."""
    name = f"qabot_p_{uuid.uuid4().hex[:10]}"
    conn = await _admin_connection()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        conn = await _admin_connection()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@contextlib.asynccontextmanager
async def process_database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'qabot.db'}"
        return
    async with postgres_database() as url:
        yield url


async def queue_teams_burst(
    database_url: str,
    service_url: str,
    count: int,
    conversations: int = 100,
    prefix: str = "burst",
) -> None:
    """Write ``count`` Teams messages to the outbox at once, spread over ``conversations``
    conversations, as a broadcast would. Each message's text is ``{prefix} N``."""

    def address(n: int) -> dict[str, Any]:
        return {
            "reference": {
                "serviceUrl": service_url,
                "channelId": "msteams",
                "conversation": {"id": f"a:{prefix}-{n % conversations}"},
                "bot": {"id": "28:qabot", "name": "QA bot"},
            }
        }

    await _queue_burst(database_url, "teams", count, prefix, address)


def slack_burst_channels(conversations: int, prefix: str = "burst") -> list[str]:
    """The Slack channel ids ``queue_slack_burst`` posts to."""
    return [f"C{prefix.upper()[:4]}{n:05d}" for n in range(conversations)]


async def queue_slack_burst(
    database_url: str, count: int, conversations: int = 40, prefix: str = "burst"
) -> None:
    """Write ``count`` Slack channel messages to the outbox at once, spread over
    ``conversations`` channels (``slack_burst_channels``), as a broadcast would. Each message's
    outbox key is ``{prefix}:N`` and its text ``{prefix} N``."""
    channels = slack_burst_channels(conversations, prefix)
    await _queue_burst(
        database_url, "slack", count, prefix, lambda n: {"channel": channels[n % conversations]}
    )


async def _queue_burst(
    database_url: str,
    platform: str,
    count: int,
    prefix: str,
    address: Callable[[int], dict[str, Any]],
) -> None:
    now = datetime.now(UTC)
    rows = []
    for n in range(count):
        card = Card(name="note", title="Note", fallback=f"{prefix} {n}", body=[TextBlock(text="x")])
        rows.append(
            {
                "dedupe_key": f"{prefix}:{n}",
                "kind": "reminder",
                "operation": "post",
                "platform": platform,
                "address": address(n),
                "card_name": card.name,
                "payload": card.model_dump(mode="json"),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    db = Database(database_url)
    try:
        async with db.session() as session:
            await session.execute(insert(OutboxMessage), rows)
    finally:
        await db.dispose()
