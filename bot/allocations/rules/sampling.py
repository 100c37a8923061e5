"""Fair allocation of a cycle's cases to evaluators and moderators.

Rules (seed 000 Somerset, seed 001 Dudley):
- a random sample of each service's cohort meets that service's quota;
- nobody gets a case from their own team, as evaluator or as moderator;
- when the activity is moderated, each person has one role in the cycle, so a case's evaluator
  and moderator are always different people; if the activity alternates roles, whoever
  evaluated last cycle moderates this one and vice versa, and people new to it take either;
- people away during any part of the cycle window are left out;
- within each role, counts per person (existing load included) differ by at most one wherever
  the team rule allows it.
The result is a proposal for the QA team, with the problems found in plain words.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.domain.activities import ActivityType, CycleQuota, Grade, ModerationRate
from bot.domain.roles import Role

CycleRole = Literal["evaluator", "moderator"]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class CohortCase:
    case_ref: str
    team: str
    service: str


@dataclass(frozen=True)
class StaffMember:
    person_id: str
    team: str
    service: str
    roles: frozenset[Role] = frozenset()
    away: tuple[Period, ...] = ()
    current_load: int = 0
    previous_role: CycleRole | None = None


@dataclass(frozen=True)
class Allocation:
    case_ref: str
    team: str
    service: str
    evaluator: str
    moderator: str | None


@dataclass(frozen=True)
class AllocationPlan:
    activity: str
    allocations: tuple[Allocation, ...]
    problems: tuple[str, ...]
    # People left out because they are away during the cycle window.
    away: tuple[str, ...] = ()


def service_quotas(quotas: Iterable[CycleQuota], activity_key: str) -> dict[str, int]:
    """The per-service cohort quotas of an activity (Somerset: 60/10/6/8/5)."""
    return {
        q.service: q.per_cycle
        for q in quotas
        if q.activity == activity_key and q.per == "cohort" and q.service is not None
    }


def allocate_cycle(
    cohort: Sequence[CohortCase],
    staff: Sequence[StaffMember],
    quotas: Mapping[str, int],
    activity: ActivityType,
    window: Period,
    seed: int | random.Random,
) -> AllocationPlan:
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    problems: list[str] = []
    sample = _sample_cohort(cohort, quotas, rng, problems)

    eligible = [p for p in staff if _has_role(p, activity.roles_allowed)]
    away = {p.person_id for p in eligible if any(window.overlaps(a) for a in p.away)}
    present = [p for p in eligible if p.person_id not in away]

    if activity.requires_moderation:
        evaluators, moderators = _split_roles(present, len(sample), activity.alternate_roles, rng)
    else:
        evaluators, moderators = present, []

    evaluator_of = _assign(sample, evaluators, rng, "evaluator", problems)
    moderator_of: dict[str, str] = {}
    if activity.requires_moderation:
        staffed = [c for c in sample if c.case_ref in evaluator_of]
        moderator_of = _assign(staffed, moderators, rng, "moderator", problems)

    allocations = tuple(
        Allocation(
            c.case_ref, c.team, c.service, evaluator_of[c.case_ref], moderator_of.get(c.case_ref)
        )
        for c in sorted(sample, key=lambda c: (c.service, c.case_ref))
        if c.case_ref in evaluator_of
    )
    return AllocationPlan(activity.key, allocations, tuple(problems), tuple(sorted(away)))


def _has_role(person: StaffMember, allowed: Sequence[Role]) -> bool:
    return not allowed or bool(person.roles.intersection(allowed))


def _sample_cohort(
    cohort: Sequence[CohortCase],
    quotas: Mapping[str, int],
    rng: random.Random,
    problems: list[str],
) -> list[CohortCase]:
    by_service: dict[str, dict[str, CohortCase]] = defaultdict(dict)
    for case in cohort:
        if case.case_ref in by_service[case.service]:
            problems.append(f"case {case.case_ref} appears more than once in the cohort")
        by_service[case.service].setdefault(case.case_ref, case)

    sample: list[CohortCase] = []
    for service in sorted(quotas):
        cases = sorted(by_service.get(service, {}).values(), key=lambda c: c.case_ref)
        wanted = quotas[service]
        if len(cases) < wanted:
            problems.append(f"{service}: quota {wanted} but only {len(cases)} cases in the cohort")
        sample += rng.sample(cases, min(wanted, len(cases)))
    for service in sorted(set(by_service) - set(quotas)):
        problems.append(
            f"{service}: {len(by_service[service])} cases in the cohort but no quota for that "
            "service, so none were sampled"
        )
    return sample


def _split_roles(
    people: Sequence[StaffMember], cases: int, alternate: bool, rng: random.Random
) -> tuple[list[StaffMember], list[StaffMember]]:
    """One role per person: evaluators and moderators, alternating with the last cycle if asked."""
    evaluators: list[StaffMember] = []
    moderators: list[StaffMember] = []
    free: list[StaffMember] = []
    for person in sorted(people, key=lambda p: p.person_id):
        if alternate and person.previous_role == "moderator":
            evaluators.append(person)
        elif alternate and person.previous_role == "evaluator":
            moderators.append(person)
        else:
            free.append(person)
    rng.shuffle(free)

    def pressure(pool: list[StaffMember]) -> float:
        if not pool:
            return math.inf
        return (sum(p.current_load for p in pool) + cases) / len(pool)

    for person in free:
        pool = moderators if pressure(moderators) > pressure(evaluators) else evaluators
        pool.append(person)
    return evaluators, moderators


def _assign(
    cases: Sequence[CohortCase],
    people: Sequence[StaffMember],
    rng: random.Random,
    role: CycleRole,
    problems: list[str],
) -> dict[str, str]:
    """Case reference -> person id, never from the case's own team, loads as even as possible."""
    if not cases:
        return {}
    if not people:
        problems.append(f"no one is available as {role} for this cycle")
        return {}
    people = sorted(people, key=lambda p: p.person_id)
    load = {p.person_id: p.current_load for p in people}
    outsiders = {c.case_ref: [p for p in people if p.team != c.team] for c in cases}

    # Most constrained cases first, each to the least loaded outsider (random among equals).
    order = list(cases)
    rng.shuffle(order)
    order.sort(key=lambda c: len(outsiders[c.case_ref]))
    holder: dict[str, str] = {}
    missing: dict[str, list[str]] = defaultdict(list)
    for case in order:
        choices = outsiders[case.case_ref]
        if not choices:
            missing[case.team].append(case.case_ref)
            continue
        lightest = min(load[p.person_id] for p in choices)
        chosen = rng.choice([p for p in choices if load[p.person_id] == lightest])
        holder[case.case_ref] = chosen.person_id
        load[chosen.person_id] += 1

    _rebalance(holder, outsiders, load)
    for team, refs in sorted(missing.items()):
        problems.append(
            f"no eligible {role} outside team {team} for {len(refs)} case(s): "
            + ", ".join(sorted(refs))
        )
    return holder


def _rebalance(
    holder: dict[str, str], outsiders: Mapping[str, list[StaffMember]], load: dict[str, int]
) -> None:
    """Move cases along chains until no one holds two more than someone who could take one.

    A chain hands a case from a heavy person to another, who hands one of theirs on, and so on
    to a light person; everyone in between keeps their count. No such chain left means the
    loads are as even as the team rule allows.
    """
    takers: dict[str, list[str]] = defaultdict(list)  # person -> cases they could hold
    for ref, candidates in outsiders.items():
        if ref in holder:
            for candidate in candidates:
                takers[candidate.person_id].append(ref)
    while (chain := _find_chain(holder, takers, load)) is not None:
        for ref, taker in chain:
            load[holder[ref]] -= 1
            holder[ref] = taker
            load[taker] += 1


def _find_chain(
    holder: Mapping[str, str], takers: Mapping[str, list[str]], load: Mapping[str, int]
) -> list[tuple[str, str]] | None:
    """(case, new holder) moves that shift one case from a heavy person to a light one."""
    for level in sorted(set(load.values())):
        sources = [p for p in load if load[p] == level]
        came_from: dict[str, tuple[str, str]] = {}  # person -> (case taken from them, taker)
        queue, seen = list(sources), set(sources)
        while queue:
            taker = queue.pop(0)
            for ref in takers.get(taker, ()):
                giver = holder[ref]
                if giver in seen:
                    continue
                seen.add(giver)
                came_from[giver] = (ref, taker)
                if load[giver] >= level + 2:
                    return _unwind(giver, came_from, sources)
                queue.append(giver)
    return None


def _unwind(
    giver: str, came_from: Mapping[str, tuple[str, str]], sources: Sequence[str]
) -> list[tuple[str, str]]:
    chain: list[tuple[str, str]] = []
    while giver not in sources:
        ref, taker = came_from[giver]
        chain.append((ref, taker))
        giver = taker
    return chain


# Moderation sampling (Dudley: 20% of Social Care audits, 10% of Early Help, all Inadequate)


@dataclass(frozen=True)
class CompletedItem:
    case_ref: str
    service: str
    grade: Grade


def select_for_moderation(
    items: Sequence[CompletedItem],
    rates: Sequence[ModerationRate],
    activity_key: str,
    seed: int | random.Random,
) -> tuple[str, ...]:
    """Case references to moderate: every item with an always-moderated grade, then a random
    sample so that at least ``share`` of each service's items (rounded up) are moderated.

    A service with no rate of its own (and no rate for every service) gets only the
    always-moderated grades of the activity's other rates: Dudley moderates all Inadequates.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    matching = [r for r in rates if r.activity == activity_key]
    any_service_grades = {g for r in matching for g in r.always_for_grades}
    by_service: dict[str, list[CompletedItem]] = defaultdict(list)
    for item in items:
        by_service[item.service].append(item)
    chosen: list[str] = []
    for service in sorted(by_service):
        rate = _rate_for(matching, service)
        share = rate.share if rate else 0.0
        always = set(rate.always_for_grades) if rate else any_service_grades
        group = sorted(by_service[service], key=lambda i: i.case_ref)
        forced = [i.case_ref for i in group if i.grade in always]
        others = [i.case_ref for i in group if i.grade not in always]
        # The tolerance keeps 0.14 * 50 (7.000000000000001 in floating point) at 7.
        target = math.ceil(share * len(group) - 1e-9)
        chosen += forced + rng.sample(others, max(0, min(len(others), target - len(forced))))
    return tuple(sorted(chosen))


def _rate_for(rates: Sequence[ModerationRate], service: str) -> ModerationRate | None:
    exact = [r for r in rates if r.service == service]
    fallback = [r for r in rates if r.service is None]
    return next(iter(exact or fallback), None)
