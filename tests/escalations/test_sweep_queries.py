"""The stage-deadline sweep reads what it needs for every dispute due in a fixed number of
statements: asking a dozen disputes' owners, and telling the QA team each has passed its
total time, costs no more reads than doing it for three. (Each
message is still written on its own, two statements a row in ``OutboxWriter.to_person``:
those are left out of the count.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from bot.escalations.store import Dispute
from bot.store import directory
from bot.store.models import OutboxMessage
from tests.allocations.support import running, settle
from tests.allocations.test_sweep_queries import (
    MONDAY,
    counting_statements,
    fresh_database,
    staff_with,
)
from tests.conftest import Database
from tests.harness import FakeClock

WORKERS = 12
FRIDAY = date(2026, 12, 4)  # the stage was due then: on Monday its deadline has passed


def one_message_write(statement: str) -> bool:
    """The two statements ``to_person`` sends for each message (its platform, its insert)."""
    text = " ".join(statement.split())
    return text.startswith("INSERT INTO outbox") or (
        text.startswith("SELECT platform_identities.platform FROM platform_identities")
        and "platform_identities.person_id =" in text
    )


async def first_deadline_sweep(database: Database, disputes: int) -> tuple[int, int, set[int], int]:
    """Reads sent by the deadline sweep with ``disputes`` disputes past their stage deadline
    at the managers' stage (worker n against worker n+1) and past their total time: the
    reads, the owners' questions written, who was asked, the over-cap notices written."""
    clock = FakeClock(MONDAY)
    async with running(database, clock, staff=staff_with(WORKERS)) as env:
        async with env.runtime.db.session() as session:
            workers = [
                await directory.person_by_email(session, f"worker{n}@example.gov.uk")
                for n in range(WORKERS)
            ]
            for n in range(disputes):
                raiser, other = workers[n], workers[(n + 1) % WORKERS]
                assert raiser is not None and other is not None
                session.add(
                    Dispute(
                        ladder="rpd",
                        status="open",
                        raised_by_id=raiser.id,
                        other_person_id=other.id,
                        other_name=other.name,
                        case_reference=f"{300000 + n}",
                        category="Care planning",
                        resolution_sought="An agreed plan for the child.",
                        stage_index=1,
                        started_at_stage=0,
                        stage_started_on=date(2026, 11, 27),
                        stage_due_on=FRIDAY,
                        opened_on=date(2026, 11, 20),
                        total_due_on=FRIDAY,
                        created_at=MONDAY,
                    )
                )
        await settle(env)  # the delivery worker's statements are not the sweep's
        with counting_statements(env) as statements:
            await env.runtime.bot.run_sweeps(("escalations.deadlines",))
        async with env.runtime.db.session() as session:
            asked = list(
                (
                    await session.execute(
                        select(OutboxMessage.person_id).where(
                            OutboxMessage.dedupe_key.like("dispute:%:deadline:%")
                        )
                    )
                ).scalars()
            )
            over_cap = list(
                (
                    await session.execute(
                        select(OutboxMessage.person_id).where(
                            OutboxMessage.dedupe_key.like("dispute:%:over-cap:%")
                        )
                    )
                ).scalars()
            )
            managers = {
                p.id
                for n in range(WORKERS)
                if (p := await directory.person_by_email(session, f"mgr{n}@example.gov.uk"))
            }
        reads = [s for s in statements if not one_message_write(s)]
        assert set(asked) <= managers
        return len(reads), len(asked), set(asked), len(over_cap)


async def test_the_deadline_sweep_reads_the_same_for_three_disputes_as_for_twelve(
    database: Database, tmp_path: Path
) -> None:
    async with fresh_database(database, tmp_path, "few") as few_db:
        few, few_asked, few_people, few_over = await first_deadline_sweep(few_db, 3)
    async with fresh_database(database, tmp_path, "many") as many_db:
        many, many_asked, many_people, many_over = await first_deadline_sweep(many_db, WORKERS)

    # Each dispute's two parties' managers were asked whether to escalate.
    assert few_asked == 2 * 3 and len(few_people) == 4
    assert many_asked == 2 * WORKERS and len(many_people) == WORKERS
    # The QA team (one person here) heard that each had passed its total time.
    assert (few_over, many_over) == (3, WORKERS)
    assert many == few, f"{few} reads for 3 disputes, {many} for {WORKERS}"
