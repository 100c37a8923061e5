"""Cycles that open themselves: Dudley's managers each get one case a month from the cohort
the QA team uploaded (seed 001), never from their own team; residential managers one a
quarter; the QA team is told what opened, or asked once for a cohort."""

from __future__ import annotations

from datetime import date

from bot.allocations.cycle_opening import Auditor, pick_cases, quota_due
from bot.config import load_framework
from tests.allocations.support import QUINN, TESS, allocations, card_text, rows, running
from tests.conftest import STAFF_CSV, Database
from tests.harness import FakeClock
from tests.quotas.support import morning, say

DUDLEY_STAFF = STAFF_CSV + (
    "tom.tm@example.gov.uk,Tom Manager,team_manager,Yeovil CiC,SW,helen.hos@example.gov.uk,UTOM\n"
    "sue.sm@example.gov.uk,Sue Service,service_manager,Leadership,SW,"
    "helen.hos@example.gov.uk,USUE\n"
    "rosa.rm@example.gov.uk,Rosa Homes,residential_manager,Oak House,Residential,"
    "helen.hos@example.gov.uk,UROSA\n"
)
COHORT = "\n".join(
    [
        "case_ref,team",
        "3000001,Taunton CP",
        "3000002,Taunton CP",
        "3000003,Yeovil CiC",
        "3000004,Oak House",
    ]
)


def test_cases_are_never_from_the_auditors_own_team_nor_recently_audited() -> None:
    cases = [
        {"case_ref": "1", "team": "A"},
        {"case_ref": "2", "team": "A"},
        {"case_ref": "3", "team": "B"},
    ]
    auditors = [Auditor(1, "Ann", "A", 1), Auditor(2, "Bob", "B", 2)]
    for seed in range(20):
        picks, short = pick_cases(cases, auditors, {"2"}, own_team_allowed=False, seed=seed)
        assert {(p.person_id, p.case_ref) for p in picks} == {(1, "3"), (2, "1")}
        assert short == [auditors[1]]  # Bob's second case: none left outside his team


def test_residential_managers_audit_in_the_first_month_of_each_quarter() -> None:
    dudley = load_framework("dudley")
    (residential,) = [
        q for q in dudley.cycle_quotas if [r.value for r in q.roles] == ["residential_manager"]
    ]
    due = [m for m in range(1, 13) if quota_due(residential, date(2027, m, 1), 4)]
    assert due == [1, 4, 7, 10]


async def test_dudleys_monthly_audits_open_themselves_from_the_uploaded_cohort(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock, framework="dudley", staff=DUDLEY_STAFF) as env:
        await morning(env, date(2026, 12, 1))
        (asked,) = [card_text(r.payload) for r in await rows(env, kind="notice")]
        assert "no cohort" in asked and "cohort case_audit" in asked
        await morning(env, date(2026, 12, 2))  # asked once
        assert len(await rows(env, kind="notice")) == 1
        (kept,) = await say(env, QUINN, "cohort case_audit\n" + COHORT)
        assert kept.name == "cohort_kept" and "4 cases" in kept.fallback
        (refused,) = await say(env, TESS, "cohort case_audit\n" + COHORT)
        assert refused.name == "not_allowed"
        await morning(env, date(2026, 12, 3))
        await morning(env, date(2026, 12, 4))  # opened once
        work = await allocations(env)
        by_person = {a.assignee.email: a for a in work if a.assignee}
        # The team and service managers, one case each; Rosa's quarter starts in January.
        assert set(by_person) == {TESS, "tom.tm@example.gov.uk", "sue.sm@example.gov.uk"}
        assert by_person[TESS].team != "Taunton CP"
        assert by_person["tom.tm@example.gov.uk"].team != "Yeovil CiC"
        assert all(a.status == "allocated" and a.due_on == date(2026, 12, 31) for a in work)
        told = [card_text(r.payload) for r in await rows(env, kind="notice")]
        assert len(told) == 2 and "Case file audit Dec 2026 opened itself" in told[1]
        assert "3 case(s) allocated" in told[1]
        assert len(await rows(env, kind="allocation")) == 3
        # January: a new cycle, and Rosa's quarterly case; December's cases are not sampled
        # again, so the cohort runs short and the QA team is told for whom.
        await morning(env, date(2027, 1, 4))
        january = [a for a in await allocations(env) if a.allocated_on == date(2027, 1, 4)]
        assert {a.case_ref for a in january}.isdisjoint({a.case_ref for a in work})
        assert len(january) == 1
        (report,) = [
            card_text(r.payload)
            for r in await rows(env, kind="notice")
            if "Jan 2027 opened itself" in card_text(r.payload)
        ]
        assert "The cohort ran short for" in report
