"""One full sweep at council scale, on PostgreSQL: its time and its peak memory.

Seeds a database of its own (created here, dropped at the end) with a directory of people
and open work (allocations and their actions), most of it due well in the future, then runs
every registered sweep once, in a separate process so its memory is its own, as the leader
replica would at a tick. Two sizes with the same amount due show whether the cost grows with
what is due or with what exists.

    .venv/bin/python -m bench.sweeps                      # 5,000 people; 20,000 and 100,000 items
    .venv/bin/python -m bench.sweeps --sizes 100000 --due 2000
    .venv/bin/python -m bench.sweeps --sizes 100000 --dump /tmp/before   # every outbox row

Needs PostgreSQL (QABOT_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test
for the admin connection). Prints a table; nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ADMIN_URL = os.environ.get("QABOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Thursday 10 December 2026, 10:00 in London: a working day, inside the send window.
NOW = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
TEAMS = 250
ACTIVITIES = ("practice_evaluation", "moderation", "feedback")


async def create_database() -> str:
    import asyncpg

    name = f"qabot_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def url_of(name: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def seed(url: str, people: int, items: int, due: int) -> None:
    """``people`` people in teams with managers; ``items`` open allocations and actions, of
    which ``due`` are due for a reminder or overdue today, the rest due in 2 to 9 months."""
    import asyncpg

    from bot.store.db import Database

    db = Database(url)
    await db.upgrade()
    await db.dispose()
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    rng = random.Random(9)
    try:
        await conn.copy_records_to_table(
            "teams",
            records=[(t + 1, f"Team {t}") for t in range(TEAMS)],
            columns=["id", "name"],
        )
        managers = TEAMS
        people_rows = []
        for p in range(1, people + 1):
            team = (p - 1) % TEAMS + 1
            manager = None if p <= managers else team
            people_rows.append(
                (p, f"person{p}@bench.gov.uk", f"Person {p}", team, manager, True, NOW, NOW)
            )
        await conn.copy_records_to_table(
            "people",
            records=people_rows,
            columns=[
                "id",
                "email",
                "name",
                "team_id",
                "manager_id",
                "active",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "person_roles",
            records=[
                (p, "team_manager" if p <= managers else "practitioner")
                for p in range(1, people + 1)
            ],
            columns=["person_id", "role"],
        )
        allocations = items * 3 // 4
        actions = items - allocations
        due_allocations = due * 3 // 4
        alloc_rows = []
        for a in range(1, allocations + 1):
            assignee = rng.randint(managers + 1, people)
            if a <= due_allocations:
                # Half overdue by a few days, half due within the reminder window.
                due_on = TODAY + timedelta(days=rng.choice((-3, -1, 1, 2)))
            else:
                due_on = TODAY + timedelta(days=rng.randint(60, 270))
            allocated_on = due_on - timedelta(days=21)
            alloc_rows.append(
                (
                    a,
                    rng.choice(ACTIVITIES),
                    f"{100000 + a}",
                    f"Team {(assignee - 1) % TEAMS}",
                    "Children's Social Care",
                    assignee,
                    "evaluator",
                    allocated_on,
                    due_on,
                    "accepted",
                    NOW,
                    NOW,
                )
            )
        await conn.copy_records_to_table(
            "allocations",
            records=alloc_rows,
            columns=[
                "id",
                "activity",
                "case_ref",
                "team",
                "service",
                "assignee_id",
                "role",
                "allocated_on",
                "due_on",
                "status",
                "created_at",
                "updated_at",
            ],
        )
        action_rows = []
        due_actions = due - due_allocations
        for n in range(1, actions + 1):
            owner = rng.randint(managers + 1, people)
            if n <= due_actions:
                due_on = TODAY + timedelta(days=rng.choice((-3, -1, 0)))
            else:
                due_on = TODAY + timedelta(days=rng.randint(60, 270))
            action_rows.append(
                (n, rng.randint(1, allocations), owner, f"Action {n}", due_on, "open", NOW)
            )
        await conn.copy_records_to_table(
            "allocation_actions",
            records=action_rows,
            columns=[
                "id",
                "allocation_id",
                "owner_id",
                "description",
                "due_on",
                "status",
                "created_at",
            ],
        )
        for table in ("teams", "people", "allocations", "allocation_actions"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def dump_outbox(db: Any, path: str) -> None:
    """Every outbox row the sweeps wrote, in key order, to compare two versions' messages."""
    from sqlalchemy import select

    from bot.store.models import OutboxMessage

    t = OutboxMessage.__table__.c
    async with db.session() as session:
        rows = await session.execute(
            select(
                t.dedupe_key,
                t.kind,
                t.platform,
                t.person_id,
                t.route,
                t.card_name,
                t.reason,
                t.payload,
            ).order_by(t.dedupe_key)
        )
        lines = [json.dumps(list(row), sort_keys=True) + "\n" for row in rows.tuples()]
    with open(path, "w") as out:  # noqa: ASYNC230 (after the timed ticks)
        out.writelines(lines)


async def one_sweep(
    url: str, profile: str | None = None, dump: str | None = None
) -> dict[str, Any]:
    """Run in the child: build the bot as `qabot serve` does and run every sweep twice (the
    first writes what is due; the second finds it all done, as every later tick does)."""
    from bot.app import QABot
    from bot.areas import build_router
    from bot.config import load_framework
    from bot.store.db import Database

    db = Database(url)
    framework = load_framework("somerset")
    from zoneinfo import ZoneInfo

    bot = QABot(
        db=db,
        router=build_router(),
        framework=framework,
        tz=ZoneInfo("Europe/London"),
        clock=lambda: NOW,
        platforms={"slack", "teams"},
        public_url="https://qabot.example.org",
        teams_local=False,
    )
    # A serving process has imported everything before its first morning: the working
    # calendar's bank holidays (the `holidays` package, about 0.5 s to import) are loaded here,
    # not in the timed tick.
    from bot.allocations.dialogs.support import calendar_of

    calendar_of(framework).is_working_day(TODAY)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    written = await bot.run_sweeps()
    first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{profile}.first")
        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    again = await bot.run_sweeps()
    second, second_cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{profile}.steady")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if dump:
        await dump_outbox(db, dump)
    await db.dispose()
    return {
        "first_s": round(first, 3),
        "steady_s": round(second, 3),
        "first_cpu_s": round(first_cpu, 3),
        "steady_cpu_s": round(second_cpu, 3),
        "written": written,
        "written_again": again,
        "baseline_mb": round(baseline / 1024, 1),
        "peak_mb": round(peak / 1024, 1),
    }


def run_child(url: str, profile: str | None, dump: str | None = None) -> dict[str, Any]:
    extra = ["--profile", profile] if profile else []
    extra += ["--dump", dump] if dump else []
    out = subprocess.run(
        [sys.executable, "-m", "bench.sweeps", "--child", url, *extra],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        timeout=600,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


async def measure(
    people: int, items: int, due: int, profile: str | None, dump: str | None = None
) -> dict[str, Any]:
    name = await create_database()
    try:
        url = url_of(name)
        started = time.perf_counter()
        await seed(url, people, items, due)
        seeded = time.perf_counter() - started
        prefix = f"{profile}-{items}" if profile else None
        where = f"{dump}-{items}.jsonl" if dump else None
        result = await asyncio.to_thread(run_child, url, prefix, where)
        return {"people": people, "items": items, "due": due, "seed_s": round(seeded, 1), **result}
    finally:
        await drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--due", type=int, default=1000, help="items due or overdue today")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="write cProfile stats of each sweep to PREFIX-<items>.first and .steady "
        "(profiling slows it down: do not read the figures of a profiled run)",
    )
    parser.add_argument(
        "--dump",
        metavar="PREFIX",
        help="write the outbox rows the sweeps wrote to PREFIX-<items>.jsonl (key order), "
        "to check that a change leaves every message as it was",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(one_sweep(args.child, args.profile, args.dump))))
        return
    rows = [
        asyncio.run(measure(args.people, size, args.due, args.profile, args.dump))
        for size in args.sizes
    ]
    header = (
        "people  open items  due  first sweep (cpu)  steady sweep (cpu)  written  peak RSS"
        "  (RSS before)"
    )
    print(header)
    for r in rows:
        print(
            f"{r['people']:>6}  {r['items']:>10}  {r['due']:>4}  {r['first_s']:>10.3f}s"
            f" ({r['first_cpu_s']:.2f})  {r['steady_s']:>11.3f}s ({r['steady_cpu_s']:.2f})"
            f"  {r['written']:>7}  {r['peak_mb']:>6.0f} MB"
            f"  ({r['baseline_mb']:.0f} MB)"
        )
    verdict = all(r["first_s"] < 1 and r["steady_s"] < 1 and r["peak_mb"] < 250 for r in rows)
    print("target (< 1 s, < 250 MB):", "PASS" if verdict else "MISS")


if __name__ == "__main__":
    main()
