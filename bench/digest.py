"""The QA digest's data at council scale on PostgreSQL: every area's digest source for a quarter.

    .venv/bin/python -m bench.digest [--practitioners 5000] [--rows 100000] [--url URL]

Seeds a throwaway database (bench/seeding.py, dropped at the end) with the directory and feedback of
``bench.quotas`` plus ``--rows`` allocations (with actions), a tenth as many disputes and
nominations (half ratified into the library), then times each area's digest source for Q3
2026-27, for the whole authority and for one team, and prints the time, the statements sent
and the peak memory allocated (tracemalloc). Target: under one second a source and a
statement count that does not grow with the rows: the run is repeated with ten times fewer.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from bench.quotas import seed as seed_directory_and_feedback
from bench.seeding import ADMIN_URL, connection, copy_rows, sweep_context, throwaway_database
from bot.allocations.store import Allocation, AllocationAction
from bot.areas import build_router
from bot.config import load_framework
from bot.domain.digest import DigestPeriod, DigestScope
from bot.escalations.store import Dispute
from bot.nominations.store import LibraryEntry, Nomination
from bot.store.db import Database

QUARTER = DigestPeriod(date(2026, 10, 1), date(2027, 1, 1), "Q3 2026-27")
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")


def _day(rng: random.Random) -> date:
    """A day in the two years up to the end of the quarter."""
    return QUARTER.end - timedelta(days=1 + rng.randrange(730))


async def seed(url: str, practitioners: int, rows: int) -> None:
    directory = await seed_directory_and_feedback(url, practitioners, rows)
    rng = random.Random(11)
    now = datetime.now(UTC)

    def person() -> int:
        return rng.choice(directory.practitioners)

    async with connection(url) as conn:
        for start in range(0, rows, 10_000):
            batch = []
            for n in range(start, min(rows, start + 10_000)):
                due = _day(rng)
                done = rng.random() < 0.8
                batch.append(
                    {
                        "id": n + 1,
                        "activity": "practice_evaluation",
                        "case_ref": f"{1000000 + n}",
                        "assignee_id": person(),
                        "role": "evaluator",
                        "allocated_on": due - timedelta(days=30),
                        "due_on": due,
                        "status": "done" if done else "accepted",
                        "completed_on": due - timedelta(days=rng.randrange(5)) if done else None,
                        "grade": rng.choice(GRADES) if done else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            await copy_rows(conn, Allocation, batch)
            await copy_rows(
                conn,
                AllocationAction,
                [
                    {
                        "allocation_id": row["id"],
                        "owner_id": row["assignee_id"],
                        "description": "Update the plan",
                        "due_on": row["due_on"] + timedelta(days=28),
                        "status": "open",
                        "created_at": now,
                    }
                    for row in batch[::2]
                ],
            )
        disputes = [
            {
                "ladder": "rpd",
                "status": rng.choice(("open", "resolved", "withdrawn")),
                "raised_by_id": person(),
                "category": rng.choice(("Threshold decision", "Information sharing", "Other")),
                "resolution_sought": "A decision",
                "stage_index": rng.randrange(4),
                "started_at_stage": 0,
                "stage_started_on": (opened := _day(rng)),
                "opened_on": opened,
                "total_due_on": opened + timedelta(days=30),
                "closed_on": opened + timedelta(days=rng.randrange(60)),
                "created_at": now,
            }
            for _ in range(rows // 10)
        ]
        await copy_rows(conn, Dispute, disputes)
        nominations = []
        for n in range(rows // 10):
            at = datetime.combine(_day(rng), datetime.min.time(), UTC) + timedelta(hours=10)
            nominations.append(
                {
                    "id": n + 1,
                    "nominator_id": person(),
                    "what_happened": "Direct work with the family, week by week.",
                    "difference_made": "The plan starts from what the child said.",
                    "evidence_source": "Supervision",
                    "theme": rng.choice(("Child's voice", "Direct work", "Recording")),
                    "status": "ratified" if n % 2 else "voting",
                    "round": 1,
                    "submitted_at": at,
                    "updated_at": at,
                    "decided_at": at + timedelta(days=7) if n % 2 else None,
                }
            )
        await copy_rows(conn, Nomination, nominations)
        await copy_rows(
            conn,
            LibraryEntry,
            [
                {
                    "nomination_id": row["id"],
                    "reference": f"GP-2026-{row['id']:04d}",
                    "theme": row["theme"],
                    "team_id": None,
                    "team_name": "Team 1",
                    "nominees": "Worker",
                    "what_happened": row["what_happened"],
                    "difference_made": row["difference_made"],
                    "evidence_source": "Supervision",
                    "ratified_on": row["decided_at"].date(),
                    "added_at": row["decided_at"],
                    "search_text": "",
                }
                for row in nominations
                if row["decided_at"] is not None
            ],
        )
        await conn.execute("ANALYZE")


async def time_sources(db: Database) -> list[tuple[str, float, int, float]]:
    framework = load_framework("somerset")
    tz = ZoneInfo("Europe/London")
    now = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    found: list[tuple[str, float, int, float]] = []
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        for source in build_router().digest_sources:
            for scope in (DigestScope(), DigestScope("team", "Team 1")):
                async with db.session() as session:
                    ctx = sweep_context(session, framework, tz, now)
                    statements.clear()
                    tracemalloc.start()
                    started = time.perf_counter()
                    await source(ctx, QUARTER, scope)
                    elapsed = time.perf_counter() - started
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                name = f"{source.__module__.split('.')[1]} ({scope.kind})"
                found.append((name, elapsed, len(statements), peak / 1e6))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    return found


async def run(admin_url: str, practitioners: int, rows: int) -> None:
    for count in (rows, rows // 10):
        async with throwaway_database(admin_url) as url:
            print(f"seeding {practitioners} practitioners and {count} rows ...", flush=True)
            await seed(url, practitioners, count)
            db = Database(url)
            try:
                await time_sources(db)  # warm the connection pool and caches
                for name, elapsed, sent, peak in await time_sources(db):
                    print(
                        f"{count:>7} rows  {name:<26} {elapsed:.3f} s  {sent:>2} statements  "
                        f"peak {peak:.1f} MB",
                        flush=True,
                    )
            finally:
                await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practitioners", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", default=ADMIN_URL, help="the admin connection")
    args = parser.parse_args()
    asyncio.run(run(args.url, args.practitioners, args.rows))


if __name__ == "__main__":
    main()
