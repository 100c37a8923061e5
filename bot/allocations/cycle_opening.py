"""Cycles that open themselves (``opens_itself`` in the framework file).

Dudley's managers each audit one case a month (seed 001: "Each month, the cases to be audited
are selected randomly from the identified theme and cohort of all relevant children"). The QA
team uploads the cohort once (``cohort ACTIVITY`` with the CSV, kept until a newer one); on
the first working morning of each month of the activity's cadence the bot allocates, to every
holder of the roles in the activity's ``[[cycle_quotas]]`` with ``per = "auditor"`` whose
``cycle_months`` falls due, ``per_cycle`` cases at random from the cohort: never a case of
their own team (unless the activity allows it) and never a case allocated for the activity in
the last twelve months. The QA team is told what opened, who was left out (away all month)
and when the cohort ran short; without a cohort it is asked once for one.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.allocations import cards, store
from bot.allocations.dialogs.support import calendar_of, in_send_window, role_for, team_name
from bot.allocations.flows import send_assignment, tell_qa
from bot.allocations.imports import (
    COHORT_COLUMNS,
    CsvFormatError,
    clean_pasted_text,
    csv_from_message,
    find_activity,
    parse_cohort_csv,
)
from bot.allocations.store import Allocation, AllocationCycle, Cohort
from bot.cards.model import Card, TextBlock
from bot.dialogs.base import Context, Reply, Router, tell_areas
from bot.domain.activities import ActivityType, CycleQuota, months_between
from bot.domain.framework import Framework
from bot.domain.roles import Role
from bot.domain.work_events import CycleConfirmed
from bot.domain.workdays import add_months
from bot.store import directory
from bot.store.models import Person

log = logging.getLogger(__name__)

START_WINDOW_WORKING_DAYS = 4
NOT_AGAIN_MONTHS = 12


def register(router: Router) -> None:
    router.command(
        "cohort",
        summary="Keep the cohort a cycle samples from (a self-opening cycle each month)",
        roles={Role.QA_TEAM},
        usage="cohort ACTIVITY + cohort CSV",
        offered=lambda framework: any(keeps_cohort(framework, a) for a in framework.activities),
    )(cohort_command)
    router.sweep("allocations.cycle_opening")(open_cycles)


# --- pure rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Auditor:
    person_id: int
    name: str
    team: str
    cases: int


@dataclass(frozen=True)
class Pick:
    person_id: int
    case_ref: str
    team: str
    service: str


def keeps_cohort(framework: Framework, activity: ActivityType) -> bool:
    """A cohort is kept for a cycle that opens itself, or one that ``allocate cycle`` samples
    (a per-cohort cycle quota, or moderation): the calendar prompt's button offers it."""
    return (
        activity.opens_itself
        or activity.requires_moderation
        or any(q.activity == activity.key and q.per == "cohort" for q in framework.cycle_quotas)
    )


def opens_in(framework: Framework, activity: ActivityType, first: date) -> bool:
    """Whether the activity's cycle opens in ``first``'s month (never in a quiet month)."""
    if not activity.opens_itself or first.month in framework.calendar.quiet_months:
        return False
    if activity.every is not None:
        last = add_months(first, 1) - timedelta(days=1)
        return bool(activity.every.occurrences(first, last))
    return first.month in activity.months


def quota_due(quota: CycleQuota, first: date, year_start_month: int) -> bool:
    """An auditor quota every ``cycle_months`` months from the framework year's start."""
    year_start = date(
        first.year if first.month >= year_start_month else first.year - 1, year_start_month, 1
    )
    return months_between(year_start, first) % quota.every_months == 0


def pick_cases(
    cases: Sequence[dict[str, str]],
    auditors: Sequence[Auditor],
    recent: set[str],
    *,
    own_team_allowed: bool,
    seed: int,
) -> tuple[list[Pick], list[Auditor]]:
    """Each auditor's cases at random; returns the picks and the auditors left short."""
    rng = random.Random(seed)
    pool = [c for c in cases if c.get("case_ref") and c["case_ref"] not in recent]
    rng.shuffle(pool)
    picks: list[Pick] = []
    short: list[Auditor] = []
    for auditor in auditors:
        for _ in range(auditor.cases):
            found = next(
                (c for c in pool if own_team_allowed or c.get("team", "") != auditor.team), None
            )
            if found is None:
                short.append(auditor)
                break
            pool.remove(found)
            picks.append(
                Pick(
                    auditor.person_id,
                    found["case_ref"],
                    found.get("team", ""),
                    found.get("service", ""),
                )
            )
    return picks, short


# --- the QA team's upload ---------------------------------------------------------------------


def _notice(name: str, title: str, text: str, style: str = "body") -> list[Reply]:
    return [
        Reply(Card(name=name, title=title, fallback=text, body=[TextBlock(text=text, style=style)]))
    ]


async def cohort_command(ctx: Context, args: str) -> list[Reply]:
    lowered = args.lower()
    head = args[: lowered.find("case_ref")] if "case_ref" in lowered else args
    activity = find_activity(ctx.framework, head.strip())
    keeping = [a for a in ctx.framework.activities if keeps_cohort(ctx.framework, a)]
    if activity is None or not keeps_cohort(ctx.framework, activity):
        names = ", ".join(a.key for a in keeping) or "none in this framework"
        return _notice(
            "cohort_which_activity",
            "Which activity?",
            f"A cohort is kept for a cycle that opens itself or is sampled ({names}). Send "
            "`cohort ACTIVITY` with the cohort (case_ref,team) on the lines after it, or upload "
            "it as a .csv file. For other activities use `allocate`.",
            "warning",
        )
    turn = ctx.turn
    if turn is not None and turn.attachment_text is not None:
        text: str | None = clean_pasted_text(turn.attachment_text)
    else:
        text = csv_from_message(turn.text or "" if turn else "", "case_ref")
    if not text:
        return _notice(
            "cohort_missing",
            "Send the cohort",
            f"Put the cohort for {activity.name} on the lines after the command, with the header "
            "case_ref,team (and optionally service), or upload it as a .csv file.",
            "warning",
        )
    try:
        parsed = parse_cohort_csv(text, ctx.framework)
    except CsvFormatError as exc:
        return [Reply(cards.import_failed_card([str(exc)], header_hint=",".join(COHORT_COLUMNS)))]
    if parsed.errors:
        log.info("cohort for %s refused: %d bad lines", activity.key, len(parsed.errors))
        return [
            Reply(cards.import_failed_card(parsed.errors, header_hint=",".join(COHORT_COLUMNS)))
        ]
    store.add_cohort(
        ctx.session,
        Cohort(
            activity=activity.key,
            cases=[
                {"case_ref": r.case_ref, "team": r.team, "service": r.service} for r in parsed.rows
            ],
            uploaded_by_id=ctx.person.id if ctx.person else None,
            uploaded_at=ctx.now,
        ),
    )
    ctx.audit.record(
        "allocation.cohort_uploaded",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"activity:{activity.key}",
        details={"cases": len(parsed.rows)},
    )
    use = (
        "Each month's cycle opens itself from this cohort on its first working morning"
        if activity.opens_itself
        else f"`allocate cycle {activity.key}` (and the calendar prompt's button) offers to "
        "sample from it"
    )
    return _notice(
        "cohort_kept",
        "Cohort kept",
        f"{len(parsed.rows)} cases kept for {activity.name}. {use} (until you upload a newer one).",
    )


# --- the sweep --------------------------------------------------------------------------------


async def open_cycles(ctx: Context) -> None:
    """On the first working mornings of a month, open each self-opening cycle once."""
    if not in_send_window(ctx):
        return
    cal = calendar_of(ctx.framework)
    first = ctx.today.replace(day=1)
    opens = cal.on_or_after(first)
    if not opens <= ctx.today <= cal.add_working_days(opens, START_WINDOW_WORKING_DAYS):
        return
    for activity in ctx.framework.activities:
        if opens_in(ctx.framework, activity, first):
            await _open(ctx, activity, first)


async def _open(ctx: Context, activity: ActivityType, first: date) -> None:
    key = f"cycle-open:{activity.key}:{first:%Y-%m}"
    if await store.is_marked(ctx.session, key):
        return
    cohort = await store.latest_cohort(ctx.session, activity.key)
    if cohort is None:
        asked = f"{key}:no-cohort"
        if not await store.is_marked(ctx.session, asked):
            await store.mark(ctx.session, [asked], ctx.now)
            await tell_qa(
                ctx,
                asked,
                f"{activity.name}: no cohort to open {first:%B}'s cycle",
                [
                    f"{activity.name} opens itself each month from the cohort you upload. "
                    f"Send `cohort {activity.key}` with the cohort (case_ref,team) and it opens "
                    "on the next working morning."
                ],
                reason="self-opening cycle without a cohort",
            )
        return
    auditors, away = await _auditors(ctx, activity, first)
    since = add_months(first, -NOT_AGAIN_MONTHS)
    recent = await store.cases_allocated_since(ctx.session, activity.key, since)
    seed = secrets.randbelow(1_000_000)
    picks, short = pick_cases(
        cohort.cases, auditors, recent, own_team_allowed=activity.own_team_allowed, seed=seed
    )
    await store.mark(ctx.session, [key], ctx.now, {"cases": len(picks), "seed": seed})
    cycle = AllocationCycle(
        name=f"{activity.name} {first:%b %Y}",
        activity=activity.key,
        source="auto",
        status=store.CONFIRMED,
        seed=seed,
        problems=[],
        created_at=ctx.now,
        decided_at=ctx.now,
    )
    ctx.session.add(cycle)
    await ctx.session.flush()
    people = await directory.people_by_ids(ctx.session, {p.person_id for p in picks})
    cal = calendar_of(ctx.framework)
    for pick in picks:
        allocation = Allocation(
            cycle_id=cycle.id,
            cycle_label=cycle.name,
            activity=activity.key,
            case_ref=pick.case_ref,
            team=pick.team,
            service=pick.service,
            assignee_id=pick.person_id,
            assignee=people[pick.person_id],
            role=role_for(activity),
            allocated_on=ctx.today,
            started_on=ctx.today,
            earliest_on=activity.earliest.due(ctx.today, cal) if activity.earliest else None,
            due_on=activity.deadline.due(ctx.today, cal),
            status=store.ALLOCATED,
            origin_key=f"{key}:p{pick.person_id}:{pick.case_ref}",
            created_at=ctx.now,
            updated_at=ctx.now,
        )
        ctx.session.add(allocation)
        await ctx.session.flush()
        await send_assignment(ctx, allocation, reason=f"the {first:%B} cycle opened itself")
    ctx.audit.record(
        "allocation.cycle_opened",
        actor_id=None,
        subject=f"cycle:{cycle.id}",
        details={"cases": len(picks), "short": len(short), "seed": seed},
    )
    await tell_qa(
        ctx,
        key,
        f"{cycle.name} opened itself",
        _report(picks, people, short, away),
        reason="self-opening cycle",
    )
    log.info("cycle %s opened itself: %d cases", cycle.id, len(picks))
    await tell_areas(ctx, CycleConfirmed((activity.key,), ctx.today))


async def _auditors(
    ctx: Context, activity: ActivityType, first: date
) -> tuple[list[Auditor], list[Person]]:
    """Each holder of a due auditor quota's roles with their number of cases; and who is away
    the whole month (left out)."""
    quotas = [
        q
        for q in ctx.framework.cycle_quotas
        if q.activity == activity.key
        and q.per == "auditor"
        and quota_due(q, first, ctx.framework.calendar.quarter_start_month)
    ]
    last = add_months(first, 1) - timedelta(days=1)
    away_all_month = {
        p.person_id
        for p in await directory.away_between(ctx.session, first, last)
        if p.starts_on <= max(first, ctx.today) and p.ends_on >= last
    }
    counts: dict[int, int] = {}
    people: dict[int, Person] = {}
    for person in await directory.active_people(ctx.session):
        for quota in quotas:
            if person.role_names & {r.value for r in quota.roles}:
                counts[person.id] = max(counts.get(person.id, 0), quota.per_cycle)
                people[person.id] = person
    auditors = [
        Auditor(pid, people[pid].name, team_name(people[pid]), n)
        for pid, n in sorted(counts.items())
        if pid not in away_all_month and n > 0
    ]
    away = [people[pid] for pid in sorted(counts) if pid in away_all_month]
    return auditors, away


def _report(
    picks: list[Pick], people: dict[int, Person], short: list[Auditor], away: list[Person]
) -> list[str]:
    lines = [f"{len(picks)} case(s) allocated, each manager told:"]
    lines += [f"case {p.case_ref} ({p.team}): {people[p.person_id].name}" for p in picks[:60]]
    if len(picks) > 60:
        lines.append(f"and {len(picks) - 60} more")
    if short:
        names = ", ".join(a.name for a in short)
        lines.append(
            f"The cohort ran short for: {names}. Upload a larger cohort with `cohort` or "
            "allocate them with `allocate`."
        )
    if away:
        lines.append("Left out, away all month: " + ", ".join(p.name for p in away))
    return lines
