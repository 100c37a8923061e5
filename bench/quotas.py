"""The quota sweep at scale: N practitioners and M logged items on PostgreSQL.

    .venv/bin/python -m bench.quotas [--practitioners 5000] [--items 100000] [--url URL]

Seeds a throwaway schema (dropped at the end), then times the morning's gap nudges (every
Somerset quota counted and each gap's owner found) on a nudge day, and prints the time and the
peak memory the sweep allocated (tracemalloc, in a run of its own: it slows the
sweep down). Target: under one second a sweep, under 250 MB,
and a cost that grows with the number of gaps rather than the number of items: the run is
repeated with ten times fewer items to show it. This is the first count of a nudge day: later
ticks that day do not count at all (``GatedSummary``, bot/quotas/sweeps.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import random
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import insert

from bot.app import collector_paused
from bot.config import load_framework
from bot.dialogs.base import Context
from bot.quotas.store import QuotaItem
from bot.quotas.sweeps import gap_nudges
from bot.store.audit import AuditWriter
from bot.store.db import Database
from bot.store.models import Person, PersonRole, Service, Team
from bot.store.outbox import OutboxWriter

DEFAULT_URL = os.environ.get(
    "QABOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
NUDGE_DAY = date(2026, 11, 12)  # week 6 of Q3 2026-27
TEAM_SIZE = 20


async def seed(db: Database, practitioners: int, items: int) -> None:
    rng = random.Random(7)
    teams = max(1, practitioners // TEAM_SIZE)
    now = datetime.now(UTC)
    async with db.session() as session:
        await session.execute(insert(Service), [{"id": 1, "name": "Social Work"}])
        await session.execute(
            insert(Team),
            [{"id": t + 1, "name": f"Team {t + 1}", "service_id": 1} for t in range(teams)],
        )
        managers = [
            {
                "id": t + 1,
                "email": f"tm{t + 1}@example.gov.uk",
                "name": f"Manager {t + 1}",
                "team_id": t + 1,
                "manager_id": None,
                "active": True,
            }
            for t in range(teams)
        ]
        staff = [
            {
                "id": teams + p + 1,
                "email": f"sw{p + 1}@example.gov.uk",
                "name": f"Worker {p + 1}",
                "team_id": p % teams + 1,
                "manager_id": p % teams + 1,
                "active": True,
            }
            for p in range(practitioners)
        ]
        await session.execute(insert(Person), managers + staff)
        await session.execute(
            insert(PersonRole),
            [{"person_id": m["id"], "role": "team_manager"} for m in managers]
            + [{"person_id": s["id"], "role": "practitioner"} for s in staff],
        )
        # Items spread over the last two years; about half the practitioners have one this quarter.
        rows = []
        for n in range(items):
            subject = teams + rng.randrange(practitioners) + 1
            day = NUDGE_DAY - timedelta(days=rng.randrange(730))
            rows.append(
                {
                    "kind": "feedback",
                    "status": "active",
                    "subject_person_id": subject,
                    "subject_team_id": (subject - teams - 1) % teams + 1,
                    "done_by_id": 1,
                    "logged_by_id": 1,
                    "occurred_on": day,
                    "themes": [],
                    "created_at": now,
                    "updated_at": now,
                    "via": "import",
                }
            )
            if len(rows) == 10_000 or n == items - 1:
                await session.execute(insert(QuotaItem), rows)
                rows = []


async def sweep_once(
    db: Database, *, trace: bool = False, profile: str | None = None
) -> tuple[float, float, int]:
    """The time of one sweep, or with ``trace`` its peak allocation (tracemalloc slows it
    down a lot, so the time and the memory come from separate runs)."""
    framework = load_framework("somerset")
    tz = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 12, 10, 0, tzinfo=tz).astimezone(UTC)
    async with db.session() as session:
        ctx = Context(
            session=session,
            framework=framework,
            tz=tz,
            now=now,
            person=None,
            outbox=OutboxWriter(session, framework, now, ["slack"]),
            audit=AuditWriter(session, now),
        )
        profiler = cProfile.Profile() if profile else None
        if trace:
            tracemalloc.start()
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        with collector_paused():  # as in a scheduler tick (QABot.run_sweeps)
            found = await gap_nudges(ctx)
        elapsed = time.perf_counter() - started
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile or "")
        peak = 0
        if trace:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return elapsed, peak / 1e6, len(found)


async def run(url: str, practitioners: int, items: int, profile: str | None) -> None:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    for count in (items, items // 10):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        db = Database(url, schema=schema)
        try:
            await db.upgrade()
            print(f"seeding {practitioners} practitioners and {count} items ...", flush=True)
            await seed(db, practitioners, count)
            await sweep_once(db)  # warm the connection pool and caches
            elapsed, _, lines = await sweep_once(db)
            _, peak, _ = await sweep_once(db, trace=True)
            if profile:
                await sweep_once(db, profile=f"{profile}-{count}")
            print(
                f"{count:>7} items: gap nudges {elapsed:.3f} s, peak {peak:.1f} MB allocated, "
                f"{lines} summary lines",
                flush=True,
            )
        finally:
            await db.dispose()
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practitioners", type=int, default=5000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument(
        "--profile", metavar="PREFIX", help="also write a cProfile of a sweep to PREFIX-<items>"
    )
    args = parser.parse_args()
    asyncio.run(run(args.url, args.practitioners, args.items, args.profile))


if __name__ == "__main__":
    main()
