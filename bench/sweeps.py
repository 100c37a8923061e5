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
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.seeding import (
    SENIORS,
    Directory,
    connection,
    copy_rows,
    seed_directory,
    throwaway_database,
)

# Thursday 10 December 2026, 10:00 in London: a working day, inside the send window.
NOW = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
TEAMS = 250
ACTIVITIES = ("practice_evaluation", "moderation", "feedback")
# Q3 2026-27 (Somerset counts quotas in financial quarters) and the quarter before it.
QUARTER_START, LAST_QUARTER = date(2026, 10, 1), (date(2026, 7, 1), date(2026, 9, 30))
QUOTA_KINDS = ("feedback", "observation")  # per practitioner; dip reviews are per team
CATEGORIES = ("Threshold decision", "Information sharing", "Plan and review", "Other")


@dataclass(frozen=True)
class Mix:
    """How many rows of each kind a size seeds, and how many of them are due today. The items
    this quarter's quotas need (one feedback and one observation a practitioner, one dip review
    a team, but for the gaps) come first, whatever the size; the rest of the quota share is
    history, and what is left goes to the other areas in fixed shares."""

    items: int
    due: int
    practitioners: int

    @property
    def quota_gaps(
        self,
    ) -> int:  # practitioners without feedback, and others without an observation
        return self.due // 10

    @property
    def dip_gaps(self) -> int:  # teams without a dip review this quarter
        return max(1, self.due // 100)

    @property
    def quota_now(self) -> int:
        return 2 * (self.practitioners - self.quota_gaps) + TEAMS - self.dip_gaps

    @property
    def quota_items(self) -> int:
        return max(self.items // 5, self.quota_now)

    def share(self, per_mille: int) -> int:
        return (self.items - self.quota_items) * per_mille // 1000

    @property
    def allocations(self) -> int:
        return self.share(720)

    @property
    def actions(self) -> int:
        return self.share(250)

    @property
    def disputes(self) -> int:
        return max(self.share(25), self.due_disputes)

    @property
    def nominations(self) -> int:
        return max(self.share(4), self.due_nominations)

    @property
    def broadcasts(self) -> int:
        return max(self.share(1), 2)

    @property
    def due_allocations(self) -> int:
        return self.due * 55 // 100

    @property
    def due_actions(self) -> int:
        return self.due * 20 // 100

    @property
    def due_disputes(self) -> int:  # half past a stage deadline, half reminded today
        return self.due * 10 // 100

    @property
    def due_nominations(self) -> int:  # half past their voting deadline, half reminded today
        return max(2, self.due * 2 // 100)

    def counts(self) -> dict[str, int]:
        return {
            "allocations": self.allocations,
            "actions": self.actions,
            "quota items": self.quota_items,
            "disputes": self.disputes,
            "nominations": self.nominations,
            "broadcasts": self.broadcasts,
        }


async def seed(url: str, people: int, items: int, due: int) -> dict[str, int]:
    """``people`` people in teams with managers and ``items`` open items of every area, of
    which about ``due`` are due for a reminder, overdue or past a deadline today; the rest are
    due in 2 to 9 months. Returns the rows seeded of each kind."""
    rng = random.Random(9)
    practitioners = people - TEAMS - sum(SENIORS.values())
    mix = Mix(items, due, practitioners)
    async with connection(url) as conn:
        directory = await seed_directory(conn, teams=TEAMS, practitioners=practitioners, now=NOW)
        allocations = await _seed_allocations(conn, rng, directory, mix)
        await _seed_actions(conn, rng, directory, mix, allocations)
        await _seed_quota_items(conn, rng, directory, mix)
        await _seed_disputes(conn, rng, directory, mix)
        await _seed_nominations(conn, rng, directory, mix)
        await _seed_broadcasts(conn, directory, mix)
        await _seed_calendar_and_away(conn, rng, directory, mix)
        await conn.execute("ANALYZE")
    return mix.counts()


def _far(rng: random.Random) -> date:
    return TODAY + timedelta(days=rng.randint(60, 270))


async def _seed_allocations(conn: Any, rng: random.Random, directory: Directory, mix: Mix) -> int:
    from bot.allocations.store import Allocation

    staff = directory.practitioners
    rows = []
    for a in range(1, mix.allocations + 1):
        assignee = rng.choice(staff)
        if a <= mix.due_allocations:
            # Half overdue by a few days, half due within the reminder window.
            due_on = TODAY + timedelta(days=rng.choice((-3, -1, 1, 2)))
        else:
            due_on = _far(rng)
        rows.append(
            {
                "id": a,
                "activity": rng.choice(ACTIVITIES),
                "case_ref": f"{100000 + a}",
                "team": directory.team_name(directory.team_of(assignee)),
                "service": "Social Work",
                "assignee_id": assignee,
                "role": "evaluator",
                "allocated_on": due_on - timedelta(days=21),
                "due_on": due_on,
                "status": "accepted",
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    await copy_rows(conn, Allocation, rows)
    return len(rows)


async def _seed_actions(
    conn: Any, rng: random.Random, directory: Directory, mix: Mix, allocations: int
) -> None:
    from bot.allocations.store import AllocationAction

    rows = []
    for n in range(1, mix.actions + 1):
        if n <= mix.due_actions:
            due_on = TODAY + timedelta(days=rng.choice((-3, -1, 0)))
        else:
            due_on = _far(rng)
        rows.append(
            {
                "id": n,
                "allocation_id": rng.randint(1, allocations),
                "owner_id": rng.choice(directory.practitioners),
                "description": f"Action {n}",
                "due_on": due_on,
                "status": "open",
                "created_at": NOW,
            }
        )
    await copy_rows(conn, AllocationAction, rows)


async def _seed_quota_items(conn: Any, rng: random.Random, directory: Directory, mix: Mix) -> None:
    """This quarter: feedback and an observation for every practitioner and a dip review for
    every team, but for the gaps; then history over the seven quarters before. The quarter
    before has its results kept, as the period-end sweep left them on 1 October."""
    from bot.quotas.store import QuotaItem, QuotaPeriodResult

    staff = list(directory.practitioners)
    no_feedback = set(rng.sample(staff, mix.quota_gaps))
    no_observation = set(rng.sample(staff, mix.quota_gaps))
    no_dip = set(rng.sample(list(directory.managers), mix.dip_gaps))
    days_so_far = (TODAY - QUARTER_START).days

    def item(kind: str, person: int | None, team: int, day: date) -> dict[str, Any]:
        return {
            "kind": kind,
            "status": "active",
            "subject_person_id": person,
            "subject_team_id": team,
            "done_by_id": team,  # the team's manager
            "logged_by_id": team,
            "occurred_on": day,
            "themes": [],
            "created_at": NOW,
            "updated_at": NOW,
            "via": "import",
        }

    rows = []
    for kind, gaps in zip(QUOTA_KINDS, (no_feedback, no_observation), strict=True):
        for p in staff:
            if p not in gaps:
                day = QUARTER_START + timedelta(days=rng.randrange(days_so_far))
                rows.append(item(kind, p, directory.team_of(p), day))
    for team in directory.managers:
        if team not in no_dip:
            day = QUARTER_START + timedelta(days=rng.randrange(days_so_far))
            rows.append(item("dip_review", None, team, day))
    while len(rows) < mix.quota_items:
        p = rng.choice(staff)
        day = QUARTER_START - timedelta(days=1 + rng.randrange(7 * 91))
        rows.append(item(rng.choice(QUOTA_KINDS), p, directory.team_of(p), day))
    await copy_rows(conn, QuotaItem, [dict(r, id=n) for n, r in enumerate(rows, start=1)])
    start, end = LAST_QUARTER
    await copy_rows(
        conn,
        QuotaPeriodResult,
        [
            {
                "quota_key": key,
                "period_start": start,
                "period_end": end,
                "counted": len(staff),
                "met": len(staff) - mix.quota_gaps,
                "details": {},
                "created_at": datetime(2026, 10, 1, 9, 30, tzinfo=UTC),
            }
            for key in ("family_feedback", "dip_review", "practice_observation")
        ],
    )


async def _seed_disputes(conn: Any, rng: random.Random, directory: Directory, mix: Mix) -> None:
    """Open RPDs at every stage, with their parties and the people of each stage reached.
    The due ones: half a day past their stage deadline (the owners are asked whether to
    escalate), half due today or the next working day (a line in the morning summary)."""
    from bot.escalations.store import Dispute, DisputeMember

    heads = directory.by_role["head_of_service"]
    disputes, members = [], []
    for d in range(1, mix.disputes + 1):
        raiser, other = rng.sample(directory.practitioners, 2)
        stage = rng.randrange(3)  # the last stage has no deadline, so never comes due
        if d <= mix.due_disputes // 2:
            due_on: date | None = TODAY - timedelta(days=1)
        elif d <= mix.due_disputes:
            due_on = TODAY + timedelta(days=rng.choice((0, 1)))
        else:
            due_on = _far(rng)
        assert due_on is not None
        started = due_on - timedelta(days=7)
        disputes.append(
            {
                "id": d,
                "ladder": "rpd",
                "status": "open",
                "raised_by_id": raiser,
                "other_person_id": other,
                "case_reference": f"{200000 + d}",
                "category": rng.choice(CATEGORIES),
                "resolution_sought": "An agreed plan for the child.",
                "stage_index": stage,
                "started_at_stage": 0,
                "stage_started_on": started,
                "stage_due_on": due_on,
                "opened_on": started - timedelta(days=7 * stage),
                "total_due_on": None,
                "created_at": NOW,
            }
        )
        reached = {raiser: (0, True), other: (0, True)}
        if stage >= 1:
            for person in (raiser, other):
                reached.setdefault(directory.team_of(person), (1, False))
        if stage >= 2:
            reached.setdefault(heads[d % len(heads)], (2, False))
        members += [
            {"dispute_id": d, "person_id": p, "stage_index": s, "party": party}
            for p, (s, party) in reached.items()
        ]
    await copy_rows(conn, Dispute, disputes)
    await copy_rows(conn, DisputeMember, members)


async def _seed_nominations(conn: Any, rng: random.Random, directory: Directory, mix: Mix) -> None:
    """Nominations in their first vote round. Due: half past their closing day (some with
    enough votes to ratify, some with none: extended once), half reminded today (closing
    tomorrow); the rest close in the future."""
    from bot.nominations.store import Nomination, Nominee, Vote, VoteRound

    csws = directory.by_role["csw"]
    staff = directory.practitioners[len(csws) :]
    past, reminded = mix.due_nominations // 2, mix.due_nominations
    nominations, nominees, rounds, votes = [], [], [], []
    for n in range(1, mix.nominations + 1):
        nominator, nominee = rng.sample(staff, 2)
        if n <= past:
            closes_on, remind_on = TODAY - timedelta(days=1), TODAY - timedelta(days=2)
        elif n <= reminded:
            closes_on, remind_on = TODAY + timedelta(days=1), TODAY
        else:
            closes_on = _far(rng)
            remind_on = closes_on - timedelta(days=1)
        opened_on = closes_on - timedelta(days=7)
        at = datetime.combine(opened_on, datetime.min.time(), UTC) + timedelta(hours=10)
        nominations.append(
            {
                "id": n,
                "nominator_id": nominator,
                "what_happened": "Direct work with the family, week by week.",
                "difference_made": "The plan starts from what the child said.",
                "evidence_source": "Supervision",
                "theme": "Direct work with children",
                "status": "voting",
                "round": 1,
                "submitted_at": at,
                "updated_at": at,
            }
        )
        nominees.append({"nomination_id": n, "person_id": nominee})
        rounds.append(
            {
                "id": n,
                "nomination_id": n,
                "number": 1,
                "opened_at": at,
                "opened_on": opened_on,
                "closes_on": closes_on,
                "remind_on": remind_on,
                "eligible": csws,
            }
        )
        if n % 2 == 0 or n > past:  # past ones: every other one has enough votes to ratify
            for voter in csws[: 3 if n <= past else rng.randrange(3)]:
                votes.append(
                    {
                        "nomination_id": n,
                        "round": 1,
                        "voter_id": voter,
                        "choice": "ratify",
                        "cast_at": at,
                        "updated_at": at,
                    }
                )
    await copy_rows(conn, Nomination, nominations)
    await copy_rows(conn, Nominee, nominees)
    await copy_rows(conn, VoteRound, rounds)
    await copy_rows(conn, Vote, [dict(v, id=i) for i, v in enumerate(votes, start=1)])


async def _seed_broadcasts(conn: Any, directory: Directory, mix: Mix) -> None:
    """Approved broadcasts waiting for their time: two are due (to the CSWs and to the QA
    team's channel), the rest go out in the coming months."""
    from bot.broadcasts.store import Broadcast

    rows = []
    for b in range(1, mix.broadcasts + 1):
        send_at = NOW - timedelta(minutes=5) if b <= 2 else NOW + timedelta(days=30 + b % 200)
        title = f"Practice briefing {b}"
        content = {
            "title": title,
            "kind": "briefing",
            "sections": [{"heading": "What we learned", "body": "Seven minutes on planning."}],
        }
        rows.append(
            {
                "id": b,
                "kind": "briefing",
                "title": title,
                "content": content,
                "audience": ["role:csw"] if b % 2 else ["route:qa_team"],
                "status": "approved",
                "send_at": send_at,
                "approved_by_id": directory.by_role["qa_team"][0],
                "approved_at": NOW - timedelta(days=1),
                "chart_token": f"bench-chart-{b}",
                "created_at": NOW - timedelta(days=2),
                "updated_at": NOW - timedelta(days=1),
            }
        )
    await copy_rows(conn, Broadcast, rows)


async def _seed_calendar_and_away(
    conn: Any, rng: random.Random, directory: Directory, mix: Mix
) -> None:
    """Whose turn each rotation of the QA calendar last gave, and people away today."""
    from bot.config import load_framework
    from bot.quotas.store import CalendarTurn
    from bot.store.models import AwayPeriod

    framework = load_framework("somerset")
    turns = [
        {
            "rotation": f"{activity.key}.{rotation.key}",
            "member": directory.team_name(3) if rotation.of == "team" else str(TEAMS + 1),
            "cycle_on": date(2026, 10, 1),
            "updated_at": NOW,
        }
        for activity in framework.activities
        for rotation in activity.rotations
    ]
    await copy_rows(conn, CalendarTurn, turns)
    away = rng.sample(directory.practitioners, mix.due // 20)
    await copy_rows(
        conn,
        AwayPeriod,
        [
            {
                "person_id": p,
                "starts_on": TODAY - timedelta(days=2),
                "ends_on": TODAY + timedelta(days=5),
                "reason": "leave",
            }
            for p in away
        ],
    )


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


async def written_by_kind(db: Any) -> dict[str, int]:
    """The outbox rows written so far, by kind (reminder, escalation, dispute, ...)."""
    from sqlalchemy import func, select

    from bot.store.models import OutboxMessage

    t = OutboxMessage.__table__.c
    async with db.session() as session:
        rows = await session.execute(select(t.kind, func.count()).group_by(t.kind))
        return {str(kind): int(n) for kind, n in rows.all()}


@dataclass
class Timings:
    """Each sweep's (and each morning-summary source's) wall time, CPU time and rows written,
    in the tick being timed."""

    rows: dict[str, list[float]]
    statements: list[int]  # SQL statements sent so far (one counter for the process)

    def wrap_sweeps(self, router: Any) -> None:
        for name, sweep in list(router.sweeps.items()):
            router.sweeps[name] = self._timed_sweep(name, sweep)

    def wrap_summaries(self, router: Any) -> None:
        from bot.dialogs.base import GatedSummary

        for index, source in enumerate(router.summary_sources):
            inner = source.source if isinstance(source, GatedSummary) else source
            name = f"  summary: {inner.__module__.removeprefix('bot.')}.{inner.__name__}"
            timed = self._timed_source(name, inner)
            router.summary_sources[index] = (
                GatedSummary(source.gate, timed) if isinstance(source, GatedSummary) else timed
            )

    def _timed_sweep(self, name: str, sweep: Any) -> Any:
        async def timed(ctx: Any) -> None:
            started, cpu, before = time.perf_counter(), time.process_time(), ctx.outbox.written
            sent = self.statements[0]
            try:
                await sweep(ctx)
            finally:
                self._add(name, started, cpu, ctx.outbox.written - before, sent)

        return timed

    def _timed_source(self, name: str, source: Any) -> Any:
        async def timed(ctx: Any) -> Any:
            started, cpu, sent = time.perf_counter(), time.process_time(), self.statements[0]
            try:
                items = await source(ctx)
            finally:
                self._add(name, started, cpu, 0, sent)
            self.rows[name][2] += len(items)
            return items

        return timed

    def _add(self, name: str, started: float, cpu: float, written: int, sent: int) -> None:
        row = self.rows.setdefault(name, [0.0, 0.0, 0, 0])
        row[0] += time.perf_counter() - started
        row[1] += time.process_time() - cpu
        row[2] += written
        row[3] += self.statements[0] - sent


async def one_sweep(
    url: str, profile: str | None = None, dump: str | None = None
) -> dict[str, Any]:
    """Run in the child: build the bot as `qabot serve` does and run every sweep twice (the
    first writes what is due; the second finds it all done, as every later tick does)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import event

    from bot.app import QABot
    from bot.areas import build_router
    from bot.config import load_framework
    from bot.store.db import Database

    db = Database(url)
    framework = load_framework("somerset")
    router = build_router()
    statements = [0]
    first_timings, steady_timings = Timings({}, statements), Timings({}, statements)
    bot = QABot(
        db=db,
        router=router,
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

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    plain_sweeps, plain_sources = dict(router.sweeps), list(router.summary_sources)
    first_timings.wrap_sweeps(router)
    first_timings.wrap_summaries(router)
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
    by_kind = await written_by_kind(db)
    router.sweeps.update(plain_sweeps)
    router.summary_sources[:] = plain_sources
    steady_timings.wrap_sweeps(router)
    steady_timings.wrap_summaries(router)
    if profiler:
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
        "by_kind": by_kind,
        "sweeps_first": first_timings.rows,
        "sweeps_steady": steady_timings.rows,
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
    async with throwaway_database() as url:
        started = time.perf_counter()
        seeded = await seed(url, people, items, due)
        seed_s = time.perf_counter() - started
        prefix = f"{profile}-{items}" if profile else None
        where = f"{dump}-{items}.jsonl" if dump else None
        result = await asyncio.to_thread(run_child, url, prefix, where)
        return {
            "people": people,
            "items": items,
            "due": due,
            "seeded": seeded,
            "seed_s": round(seed_s, 1),
            **result,
        }


def print_details(r: dict[str, Any]) -> None:
    seeded = ", ".join(f"{n} {kind}" for kind, n in r["seeded"].items())
    print(f"\n{r['items']} items: {seeded}")
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(r["by_kind"].items()))
    print(f"  outbox rows by kind after the first sweep: {kinds}")
    print(
        "  sweep                                        first s (cpu)  rows  SQL"
        "   steady s (cpu)  SQL"
    )
    steady = r["sweeps_steady"]
    for name, (wall, cpu, n, sql) in r["sweeps_first"].items():
        again = steady.get(name, [0.0, 0.0, 0, 0])
        label = "items" if name.startswith("  summary") else "rows"
        print(
            f"  {name:<44} {wall:>6.3f} ({cpu:.3f})  {n:>5} {label:<5} {sql:>4}"
            f"  {again[0]:>6.3f} ({again[1]:.3f}) {again[3]:>4}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument(
        "--due", type=int, default=1000, help="items due, overdue or past a deadline today"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="run each size this many times (a fresh seed each)"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="leave out the per-sweep table and the kinds"
    )
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
    rows = []
    for size in args.sizes:
        for _ in range(args.runs):
            rows.append(asyncio.run(measure(args.people, size, args.due, args.profile, args.dump)))
            if not args.quiet:
                print_details(rows[-1])
    header = (
        "people  open items  due  first sweep (cpu)  steady sweep (cpu)  written  peak RSS"
        "  (RSS before)"
    )
    print()
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
