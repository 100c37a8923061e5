"""The morning's sweeps tell everyone due something in a fixed number of database statements:
the cost grows with the rows read and written, not with a round trip per person told."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.allocations import store
from bot.allocations.store import Allocation, AllocationAction
from bot.store import directory
from bot.store.models import OutboxMessage
from tests.allocations.support import rows, running, settle
from tests.conftest import STAFF_CSV, Database, _drop_schema, _postgres_schema
from tests.harness import FakeClock

# Monday 7 December 2026, 10:00 in London: a working morning and the weekly digest's day.
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SWEEPS = ("allocations.morning_summary", "allocations.escalations", "allocations.weekly_digest")


def staff_with(workers: int) -> str:
    """The small directory plus ``workers`` people, each with a line manager of their own."""
    lines = [STAFF_CSV.rstrip("\n")]
    for n in range(workers):
        manager = f"mgr{n}@example.gov.uk"
        lines.append(f"{manager},Manager{n} Lead,team_manager,Team {n},SW,,UM{n}")
        lines.append(f"worker{n}@example.gov.uk,Worker{n} Busy,csw,Team {n},SW,{manager},UW{n}")
    return "\n".join(lines) + "\n"


async def seed_due_work(env: Any, workers: int) -> None:
    """Each worker holds an evaluation ten working days overdue, one due today, and an action
    from the overdue one that is overdue too."""
    async with env.runtime.db.session() as session:
        for n in range(workers):
            person = await directory.person_by_email(session, f"worker{n}@example.gov.uk")
            assert person is not None
            for ref, due in ((f"9{n:05d}", date(2026, 11, 23)), (f"8{n:05d}", date(2026, 12, 7))):
                allocation = Allocation(
                    activity="practice_evaluation",
                    case_ref=ref,
                    team=f"Team {n}",
                    assignee_id=person.id,
                    role=store.EVALUATOR,
                    allocated_on=date(2026, 11, 2),
                    due_on=due,
                    status=store.ACCEPTED,
                    created_at=MONDAY,
                    updated_at=MONDAY,
                )
                session.add(allocation)
            await session.flush()
            session.add(
                AllocationAction(
                    allocation_id=allocation.id,
                    owner_id=person.id,
                    description=f"Update the plan {n}",
                    due_on=date(2026, 11, 30),
                    created_at=MONDAY,
                )
            )


@contextlib.contextmanager
def counting_statements(env: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = env.runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextlib.asynccontextmanager
async def fresh_database(like: Database, tmp_path: Path, name: str) -> AsyncIterator[Database]:
    if like.schema is None:
        yield Database(f"sqlite+aiosqlite:///{tmp_path / name}.db", None)
        return
    schema = await _postgres_schema()
    try:
        yield Database(like.url, schema)
    finally:
        await _drop_schema(schema)


async def first_sweep(database: Database, workers: int) -> tuple[int, list[OutboxMessage]]:
    """Statements of the first sweep of the morning, and what it wrote."""
    clock = FakeClock(MONDAY)
    async with running(database, clock, staff=staff_with(workers)) as env:
        await seed_due_work(env, workers)
        await settle(env)  # the delivery worker's statements are not the sweep's
        with counting_statements(env) as statements:
            await env.runtime.bot.run_sweeps(SWEEPS)
        return len(statements), await rows(env)


async def test_the_first_morning_sweep_does_not_make_a_round_trip_per_person(
    database: Database, tmp_path: Path
) -> None:
    async with fresh_database(database, tmp_path, "few") as few_db:
        few, few_rows = await first_sweep(few_db, 5)
    async with fresh_database(database, tmp_path, "many") as many_db:
        many, many_rows = await first_sweep(many_db, 50)

    def told(found: list[OutboxMessage], kind: str) -> int:
        return len({r.person_id for r in found if r.kind == kind and r.person_id})

    # Everyone heard: each worker their summary, each manager an escalation and a digest.
    for found, workers in ((few_rows, 5), (many_rows, 50)):
        assert told(found, "reminder") >= workers
        assert told(found, "escalation") >= workers
        assert told(found, "digest") >= workers
        assert all(r.platform == "slack" for r in found if r.person_id)
    assert many == few, f"{few} statements for 5 people, {many} for 50"
