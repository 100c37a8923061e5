"""West Sussex (seed 002): "Each action will be given a date for completion (maximum 4 weeks)":
a later date is refused with the reason, beside the field."""

from __future__ import annotations

from datetime import date

from tests.allocations.support import TESS, allocate_csv, allocations, at, press, running
from tests.conftest import Database
from tests.harness import FakeClock

ROW = f"2045871,Yeovil CiC,case_audit,{TESS},,Dec audits"


async def test_an_action_due_after_four_weeks_is_refused(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock, framework="west-sussex") as env:
        env.clock.set(at(date(2026, 12, 4), 10))
        await allocate_csv(env, [ROW])
        (audit,) = await allocations(env)
        outcome = {
            "grade": "good",
            "completed_on": "2026-12-04",
            "action_1": "Update the chronology",
            "action_1_owner": TESS,
            "action_1_due": "2027-01-05",
        }
        (again,) = await press(env, TESS, "alloc.outcome", {"a": audit.id}, outcome)
        errors = {i.id: i.error for i in again.inputs if i.error}
        # Four weeks is New Year's Day, so the next working day is the latest.
        assert errors == {
            "action_1_due": "Actions are due within 4 weeks under your framework: choose "
            "Mon 4 Jan 2027 or earlier."
        }
        (done,) = await press(
            env, TESS, "alloc.outcome", {"a": audit.id}, outcome | {"action_1_due": "2027-01-04"}
        )
        assert not any(i.error for i in done.inputs), done.fallback
