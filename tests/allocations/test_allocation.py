"""Properties of fair allocation, checked over many seeds (plain loops, no hypothesis)."""

import itertools
import random
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import bot
from bot.allocations.rules.sampling import (
    AllocationPlan,
    CohortCase,
    CompletedItem,
    CycleRole,
    Period,
    StaffMember,
    allocate_cycle,
    select_for_moderation,
    service_quotas,
)
from bot.domain.activities import ActivityType, ModerationRate
from bot.domain.framework import Framework
from bot.domain.roles import Role

SEEDS = range(150)
WINDOW = Period(date(2027, 2, 1), date(2027, 3, 12))
TM = frozenset({Role.TEAM_MANAGER})

with (Path(bot.__file__).parent / "presets" / "somerset.toml").open("rb") as _file:
    SOMERSET = Framework.model_validate(tomllib.load(_file))
_PE = SOMERSET.activity("practice_evaluation")
assert _PE is not None
PE: ActivityType = _PE
QUOTAS = service_quotas(SOMERSET.cycle_quotas, "practice_evaluation")
TEAMS = {
    "Social Work": ["SW North", "SW South", "SW East", "SW West", "SW Mendip"],
    "Family Intervention Service": ["FIS East", "FIS West"],
    "Fostering and Kinship": ["Fostering"],
    "Youth Justice": ["YJT"],
    "Children with Disabilities Early Support": ["CwD ES"],
}
AUDIT = ActivityType.model_validate(
    {
        "key": "case_audit",
        "name": "Case audit",
        "deadline": {"kind": "end_of_month"},
        "roles_allowed": ["team_manager"],
    }
)


def cohort(per_service: dict[str, int]) -> list[CohortCase]:
    cases = []
    for service, count in per_service.items():
        teams = TEAMS[service]
        cases += [
            CohortCase(f"{service[:3]}{i:04d}", teams[i % len(teams)], service)
            for i in range(count)
        ]
    return cases


def workforce(size: int, seed: int = 7) -> list[StaffMember]:
    rng = random.Random(seed)
    teams = [(service, team) for service, names in TEAMS.items() for team in names]
    previous: list[CycleRole | None] = ["evaluator", "moderator", None]
    people = []
    for i in range(size):
        service, team = teams[i % len(teams)]
        people.append(
            StaffMember(
                person_id=f"p{i:03d}",
                team=team,
                service=service,
                roles=frozenset({rng.choice([Role.TEAM_MANAGER, Role.CSW, Role.IRO])}),
                current_load=rng.randrange(3),
                previous_role=rng.choice(previous),
            )
        )
    return people


FULL_COHORT = cohort({s: 3 * q for s, q in QUOTAS.items()})
STAFF = workforce(60)
BY_ID = {p.person_id: p for p in STAFF}


def plan_for(seed: int) -> AllocationPlan:
    return allocate_cycle(FULL_COHORT, STAFF, QUOTAS, PE, WINDOW, seed)


def test_quotas_are_met_from_a_large_enough_cohort() -> None:
    for seed in SEEDS:
        plan = plan_for(seed)
        assert plan.problems == ()
        assert Counter(a.service for a in plan.allocations) == QUOTAS
        assert len({a.case_ref for a in plan.allocations}) == sum(QUOTAS.values())


def test_never_your_own_team_and_evaluator_is_not_moderator() -> None:
    for seed in SEEDS:
        for a in plan_for(seed).allocations:
            assert a.moderator is not None
            assert BY_ID[a.evaluator].team != a.team
            assert BY_ID[a.moderator].team != a.team
            assert a.evaluator != a.moderator


def test_roles_alternate_with_the_previous_cycle() -> None:
    for seed in SEEDS:
        plan = plan_for(seed)
        evaluators = {a.evaluator for a in plan.allocations}
        moderators = {a.moderator for a in plan.allocations}
        assert not evaluators & moderators  # one role each in a cycle
        assert all(BY_ID[p].previous_role != "evaluator" for p in evaluators)
        assert all(BY_ID[p].previous_role != "moderator" for p in moderators if p)


def test_loads_within_a_role_differ_by_at_most_one() -> None:
    # Staff in teams with no cases in the cohort: the team rule never binds.
    staff = [
        StaffMember(
            f"q{i:02d}",
            f"Hub {i % 4}",
            "QA",
            TM,
            current_load=i % 3,
            previous_role=("evaluator", "moderator", None)[i % 3],
        )
        for i in range(25)
    ]
    for seed in SEEDS:
        plan = allocate_cycle(FULL_COHORT, staff, QUOTAS, PE, WINDOW, seed)
        for role in ("evaluator", "moderator"):
            held = Counter(getattr(a, role) for a in plan.allocations)
            pool = [p for p in staff if p.person_id in held or _could_be(p, role)]
            totals = [p.current_load + held[p.person_id] for p in pool]
            assert max(totals) - min(totals) <= 1, (seed, role, totals)


def _could_be(person: StaffMember, role: str) -> bool:
    # Someone new to the cycle who was given the other role is not in this role's pool.
    return person.previous_role is not None and person.previous_role != role


def _sum_of_squares(plan: AllocationPlan, staff: list[StaffMember]) -> int:
    held = Counter(a.evaluator for a in plan.allocations)
    return sum((p.current_load + held[p.person_id]) ** 2 for p in staff)


def test_loads_are_as_even_as_the_team_rule_allows() -> None:
    # Small worlds where the team rule binds, checked against every possible assignment.
    teams = ["A", "B", "C"]
    for seed in range(300):
        rng = random.Random(seed)
        staff = [
            StaffMember(
                f"s{i}", rng.choice(teams), "Social Work", TM, current_load=rng.randrange(3)
            )
            for i in range(rng.randint(2, 4))
        ]
        cases = [
            CohortCase(f"c{i}", rng.choice(teams), "Social Work") for i in range(rng.randint(1, 6))
        ]
        plan = allocate_cycle(cases, staff, {"Social Work": len(cases)}, AUDIT, WINDOW, seed)
        staffed = {a.case_ref for a in plan.allocations}
        options = [[p for p in staff if p.team != c.team] for c in cases if c.case_ref in staffed]
        best = min(
            sum((p.current_load + choice.count(p)) ** 2 for p in staff)
            for choice in itertools.product(*options)
        )
        assert _sum_of_squares(plan, staff) == best, seed
        unstaffed = [c for c in cases if c.case_ref not in staffed]
        assert all(all(p.team == c.team for p in staff) for c in unstaffed)


def test_busy_people_get_fewer_new_cases() -> None:
    staff = [StaffMember(f"p{i}", f"Hub {i}", "QA", TM) for i in range(4)]
    staff.append(StaffMember("busy", "Hub 9", "QA", TM, current_load=6))
    cases = cohort({"Social Work": 12})
    plan = allocate_cycle(cases, staff, {"Social Work": 12}, AUDIT, WINDOW, 1)
    held = Counter(a.evaluator for a in plan.allocations)
    assert held["busy"] == 0
    assert sorted(held.values()) == [3, 3, 3, 3]


def test_a_short_cohort_is_reported_and_fully_used() -> None:
    sizes = {s: 3 * q for s, q in QUOTAS.items()} | {"Fostering and Kinship": 4}
    for seed in range(20):
        plan = allocate_cycle(cohort(sizes), STAFF, QUOTAS, PE, WINDOW, seed)
        assert plan.problems == ("Fostering and Kinship: quota 6 but only 4 cases in the cohort",)
        assert Counter(a.service for a in plan.allocations)["Fostering and Kinship"] == 4


def test_a_service_without_a_quota_is_reported() -> None:
    cases = [*cohort({"Social Work": 80}), CohortCase("9001", "Leaving Care", "Leaving Care")]
    plan = allocate_cycle(cases, STAFF, {"Social Work": 60}, PE, WINDOW, 3)
    assert plan.problems == (
        "Leaving Care: 1 cases in the cohort but no quota for that service, so none were sampled",
    )


def test_no_evaluator_outside_the_team_is_reported() -> None:
    staff = [StaffMember(f"p{i}", "SW North", "Social Work", TM) for i in range(3)]
    cases = [
        CohortCase("1001", "SW North", "Social Work"),
        CohortCase("1002", "SW East", "Social Work"),
        CohortCase("1003", "SW East", "Social Work"),
    ]
    plan = allocate_cycle(cases, staff, {"Social Work": 3}, AUDIT, WINDOW, 0)
    assert [a.case_ref for a in plan.allocations] == ["1002", "1003"]
    assert plan.problems == ("no eligible evaluator outside team SW North for 1 case(s): 1001",)


def test_no_moderator_left_is_reported_and_the_case_keeps_its_evaluator() -> None:
    staff = [
        StaffMember("mod", "Hub", "QA", TM, previous_role="moderator"),
        StaffMember("eval", "SW North", "Social Work", TM, previous_role="evaluator"),
    ]
    cases = [CohortCase("1001", "SW North", "Social Work")]
    plan = allocate_cycle(cases, staff, {"Social Work": 1}, PE, WINDOW, 0)
    assert [(a.evaluator, a.moderator) for a in plan.allocations] == [("mod", None)]
    assert plan.problems == ("no eligible moderator outside team SW North for 1 case(s): 1001",)


def test_people_away_during_the_window_are_skipped() -> None:
    away_during = Period(date(2027, 3, 10), date(2027, 3, 20))
    away_before = Period(date(2027, 1, 4), date(2027, 1, 29))
    staff = [
        StaffMember("off", "Hub 1", "QA", TM, away=(away_during,)),
        StaffMember("back", "Hub 2", "QA", TM, away=(away_before,)),
        StaffMember("here", "Hub 3", "QA", TM),
    ]
    for seed in range(30):
        plan = allocate_cycle(
            cohort({"Social Work": 10}), staff, {"Social Work": 10}, AUDIT, WINDOW, seed
        )
        assert plan.away == ("off",)
        assert {a.evaluator for a in plan.allocations} == {"back", "here"}


def test_only_people_with_an_allowed_role_are_allocated() -> None:
    staff = [
        StaffMember("sw", "Hub 1", "QA", frozenset({Role.PRACTITIONER})),
        StaffMember("csw1", "Hub 2", "QA", frozenset({Role.CSW})),
        StaffMember("csw2", "Hub 3", "QA", frozenset({Role.CSW, Role.PRACTITIONER})),
    ]
    plan = allocate_cycle(cohort({"Social Work": 6}), staff, {"Social Work": 6}, PE, WINDOW, 5)
    people = {a.evaluator for a in plan.allocations} | {a.moderator for a in plan.allocations}
    assert people == {"csw1", "csw2"}


def test_allocation_is_deterministic_for_a_seed_and_varies_between_seeds() -> None:
    assert plan_for(42) == plan_for(42)
    assert allocate_cycle(FULL_COHORT, STAFF, QUOTAS, PE, WINDOW, random.Random(42)) == plan_for(42)
    shuffled_cohort, shuffled_staff = FULL_COHORT[:], STAFF[:]
    random.Random(1).shuffle(shuffled_cohort)
    random.Random(2).shuffle(shuffled_staff)
    assert allocate_cycle(shuffled_cohort, shuffled_staff, QUOTAS, PE, WINDOW, 42) == plan_for(42)
    assert len({plan_for(seed).allocations for seed in range(10)}) == 10


def test_duplicate_cases_are_reported_once_and_allocated_once() -> None:
    cases = cohort({"Social Work": 5})
    plan = allocate_cycle(cases + cases[:1], STAFF, {"Social Work": 6}, AUDIT, WINDOW, 0)
    assert plan.problems[0] == f"case {cases[0].case_ref} appears more than once in the cohort"
    assert len(plan.allocations) == 5


# Moderation sampling (Dudley)

DUDLEY_RATES = (
    ModerationRate(activity="case_audit", service="Social Care", share=0.2),
    ModerationRate(activity="case_audit", service="Early Help", share=0.1),
)


def test_dudley_moderation_sample_sizes() -> None:
    items = [CompletedItem(f"sc{i}", "Social Care", "good") for i in range(9)]
    items.append(CompletedItem("sc-inad", "Social Care", "inadequate"))
    items += [CompletedItem(f"eh{i}", "Early Help", "requires_improvement") for i in range(30)]
    items += [CompletedItem(f"res{i}", "Residential", "good") for i in range(4)]
    items.append(CompletedItem("res-inad", "Residential", "inadequate"))
    for seed in SEEDS:
        chosen = select_for_moderation(items, DUDLEY_RATES, "case_audit", seed)
        social_care = [c for c in chosen if c.startswith("sc")]
        assert "sc-inad" in social_care and len(social_care) == 2  # 20% of 10
        assert len([c for c in chosen if c.startswith("eh")]) == 3  # 10% of 30
        assert [c for c in chosen if c.startswith("res")] == ["res-inad"]  # no rate: Inadequate
    assert select_for_moderation(items, DUDLEY_RATES, "case_audit", 4) == select_for_moderation(
        items, DUDLEY_RATES, "case_audit", 4
    )


def test_every_inadequate_is_moderated_even_beyond_the_share() -> None:
    items = [CompletedItem(f"eh{i}", "Early Help", "inadequate") for i in range(3)]
    items += [CompletedItem(f"ok{i}", "Early Help", "good") for i in range(7)]
    chosen = select_for_moderation(items, DUDLEY_RATES, "case_audit", 0)
    assert chosen == ("eh0", "eh1", "eh2")


@pytest.mark.parametrize("size", [1, 5, 10, 11, 49])
def test_share_is_rounded_up(size: int) -> None:
    items = [CompletedItem(f"c{i:02d}", "Social Care", "good") for i in range(size)]
    chosen = select_for_moderation(items, DUDLEY_RATES, "case_audit", 0)
    assert len(chosen) == -(-size // 5)


def test_share_rounding_ignores_floating_point_noise() -> None:
    rate = ModerationRate(activity="case_audit", share=0.14)
    items = [CompletedItem(f"c{i:02d}", "Social Care", "good") for i in range(50)]
    assert len(select_for_moderation(items, (rate,), "case_audit", 0)) == 7
