"""The quota sweep at scale: N practitioners and M logged items on PostgreSQL.

    .venv/bin/python -m bench.quotas [--practitioners 5000] [--items 100000] [--url URL]

Seeds a throwaway database (bench/seeding.py, dropped at the end), then times the morning's
gap nudges (every Somerset quota counted and each gap's owner found) on a nudge day, and prints
the time and the peak memory the sweep allocated (tracemalloc, in a run of its own: it slows
the sweep down). Target: under one second a sweep, under 250 MB,
and a cost that grows with the number of gaps rather than the number of items: the run is
repeated with ten times fewer items to show it. This is the first count of a nudge day: later
ticks that day do not count at all (``GatedSummary``, bot/quotas/sweeps.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import random
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.seeding import (
    ADMIN_URL,
    TEAM_SIZE,
    Directory,
    connection,
    copy_rows,
    seed_directory,
    sweep_context,
    throwaway_database,
)
from bot.app import collector_paused
from bot.config import load_framework
from bot.quotas.store import QuotaItem
from bot.quotas.sweeps import gap_nudges
from bot.store.db import Database

NUDGE_DAY = date(2026, 11, 12)  # week 6 of Q3 2026-27


async def seed(url: str, practitioners: int, items: int) -> Directory:
    """The directory (a team of ``TEAM_SIZE`` a manager) and ``items`` feedback items over the
    last two years: about half the practitioners have one this quarter."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    async with connection(url) as conn:
        directory = await seed_directory(
            conn, teams=max(1, practitioners // TEAM_SIZE), practitioners=practitioners, now=now
        )
        staff = directory.practitioners
        rows = []
        for n in range(items):
            subject = rng.choice(staff)
            rows.append(
                {
                    "id": n + 1,
                    "kind": "feedback",
                    "status": "active",
                    "subject_person_id": subject,
                    "subject_team_id": directory.team_of(subject),
                    "done_by_id": 1,
                    "logged_by_id": 1,
                    "occurred_on": NUDGE_DAY - timedelta(days=rng.randrange(730)),
                    "themes": [],
                    "created_at": now,
                    "updated_at": now,
                    "via": "import",
                }
            )
        await copy_rows(conn, QuotaItem, rows)
        await conn.execute("ANALYZE")
    return directory


async def sweep_once(
    db: Database, *, trace: bool = False, profile: str | None = None
) -> tuple[float, float, int]:
    """The time of one sweep, or with ``trace`` its peak allocation (tracemalloc slows it
    down a lot, so the time and the memory come from separate runs)."""
    framework = load_framework("somerset")
    tz = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 12, 10, 0, tzinfo=tz).astimezone(UTC)
    async with db.session() as session:
        ctx = sweep_context(session, framework, tz, now)
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


async def run(admin_url: str, practitioners: int, items: int, profile: str | None) -> None:
    for count in (items, items // 10):
        async with throwaway_database(admin_url) as url:
            print(f"seeding {practitioners} practitioners and {count} items ...", flush=True)
            await seed(url, practitioners, count)
            db = Database(url)
            try:
                await sweep_once(db)  # warm the connection pool and caches
                elapsed, _, lines = await sweep_once(db)
                _, peak, _ = await sweep_once(db, trace=True)
                if profile:
                    await sweep_once(db, profile=f"{profile}-{count}")
            finally:
                await db.dispose()
            print(
                f"{count:>7} items: gap nudges {elapsed:.3f} s, peak {peak:.1f} MB allocated, "
                f"{lines} summary lines",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practitioners", type=int, default=5000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--url", default=ADMIN_URL, help="the admin connection")
    parser.add_argument(
        "--profile", metavar="PREFIX", help="also write a cProfile of a sweep to PREFIX-<items>"
    )
    args = parser.parse_args()
    asyncio.run(run(args.url, args.practitioners, args.items, args.profile))


if __name__ == "__main__":
    main()
