"""The vote sweep reminds the CSWs of every round due in a fixed number of statements: eight
rounds' reminders cost no more round trips than two rounds'."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.domain.roles import Role
from bot.nominations.store import Nomination, Nominee, Vote, VoteRound
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

OPENED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


async def first_vote_sweep(database: Database, rounds: int) -> tuple[int, list[tuple[int, int]]]:
    """Statements of the vote sweep with ``rounds`` first rounds reminded today (closing
    tomorrow), in each of which the first CSW has voted; and who was reminded of what."""
    clock = FakeClock(MONDAY)
    async with running(database, clock, staff=staff_with(4)) as env:
        async with env.runtime.db.session() as session:
            csws = sorted(p.id for p in await directory.people_with_role(session, Role.CSW))
            sam = await directory.person_by_email(session, "sam.sw@example.gov.uk")
            priya = await directory.person_by_email(session, "priya.sw@example.gov.uk")
            assert sam is not None and priya is not None
            for _ in range(rounds):
                nomination = Nomination(
                    nominator_id=sam.id,
                    what_happened="Direct work with the family, week by week.",
                    difference_made="The plan starts from what the child said.",
                    evidence_source="Supervision",
                    theme="Direct work with children",
                    status="voting",
                    round=1,
                    submitted_at=OPENED,
                    updated_at=OPENED,
                    nominees=[Nominee(person_id=priya.id)],
                )
                session.add(nomination)
                await session.flush()
                session.add(
                    VoteRound(
                        nomination_id=nomination.id,
                        number=1,
                        opened_at=OPENED,
                        opened_on=OPENED.date(),
                        closes_on=date(2026, 12, 8),
                        remind_on=MONDAY.date(),
                        eligible=csws,
                    )
                )
                session.add(
                    Vote(
                        nomination_id=nomination.id,
                        round=1,
                        voter_id=csws[0],
                        choice="ratify",
                        cast_at=OPENED,
                        updated_at=OPENED,
                    )
                )
        await settle(env)  # the delivery worker's statements are not the sweep's
        with counting_statements(env) as statements:
            await env.runtime.bot.run_sweeps(("nominations.votes",))
        async with env.runtime.db.session() as session:
            reminded = (
                await session.execute(
                    select(OutboxMessage.person_id, OutboxMessage.dedupe_key).where(
                        OutboxMessage.kind == "reminder"
                    )
                )
            ).tuples()
            told = sorted((person or 0, int(key.split(":")[1])) for person, key in reminded)
        expected = sorted(
            (csw, nomination)
            for nomination in {nomination for _, nomination in told}
            for csw in csws[1:]
        )
        assert told == expected, "every CSW who has not voted, once a round; not the voter"
        return len(statements), told


async def test_the_vote_sweep_reminds_eight_rounds_in_as_many_statements_as_two(
    database: Database, tmp_path: Path
) -> None:
    async with fresh_database(database, tmp_path, "few") as few_db:
        few, few_told = await first_vote_sweep(few_db, 2)
    async with fresh_database(database, tmp_path, "many") as many_db:
        many, many_told = await first_vote_sweep(many_db, 8)

    assert len({nomination for _, nomination in few_told}) == 2
    assert len({nomination for _, nomination in many_told}) == 8
    assert many == few, f"{few} statements for 2 rounds, {many} for 8"
