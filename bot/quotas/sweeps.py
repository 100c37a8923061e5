"""The quotas' reminders and sweep.

- Gap nudges join the one morning summary (``Router.summary``): at each nudge point of a
  period, whoever owns a gap gets one line per quota naming who is still without it. Each
  line's key names the quota, the period, the person and the nudge point, so it is sent once.
- When a period ends, its figures are kept (``quota_period_results``) and a compliance
  summary goes to the heads of service (their service) and the QA team (everyone).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from bot.cards.model import Button
from bot.dialogs.base import Context, GatedSummary, Router, SummaryItem
from bot.dialogs.forms import calendar
from bot.domain.quotas import Quota
from bot.domain.roles import Role
from bot.quotas import flows, store
from bot.quotas.cards import SummarySection, period_summary
from bot.quotas.flows import QuotaCount, service_of
from bot.quotas.rules import current_stage, gaps, names_list
from bot.quotas.store import QuotaPeriodResult
from bot.store import directory

log = logging.getLogger("bot.quotas.sweeps")

LOG_WORDS = {
    "feedback": "log feedback",
    "dip_review": "log dip review",
    "observation": "log observation",
    "manager_audit": "log audit",
    "multi_agency_audit": "log multi-agency audit",
    "follow_up_call": "log call",
    "safeguarding_conversation": "log safeguarding conversation",
}


def register(router: Router) -> None:
    router.summary(GatedSummary(nudge_occasions, gap_nudges))
    router.sweep("quotas.period_end")(period_end)


def nudge_occasions(ctx: Context) -> list[str]:
    """The nudge points current today, one key each per day (no store read): the morning
    summary counts the quotas only while one of them is not yet marked, so the first tick of
    a working day counts and later ticks cost nothing. (What changes within a day, a gap's
    owner recorded as away or a newcomer, is nudged the next working day of the stage.)"""
    cal = calendar(ctx)
    keys: list[str] = []
    for quota in ctx.framework.quotas:
        period = flows.period_of(ctx, quota)
        stage = current_stage(quota, period, ctx.today, cal)
        if stage is not None:
            keys.append(f"nudge:quota-day:{quota.key}:{period.key}:{stage.name}:{ctx.today}")
    return keys


async def gap_nudges(ctx: Context) -> list[SummaryItem]:
    """One line per quota for each person who owns a gap at the current nudge point."""
    items: list[SummaryItem] = []
    cal = calendar(ctx)
    owners: flows.Owners | None = None
    subjects = flows.Subjects()
    for quota in ctx.framework.quotas:
        period = flows.period_of(ctx, quota)
        stage = current_stage(quota, period, ctx.today, cal)
        if stage is None:
            continue
        if owners is None:
            # The directory is read once, as plain values, for every quota and gap.
            subjects.staffing = await flows.Staffing.read(ctx)
            owners = await flows.Owners.today(ctx, subjects.staffing)
        result = await flows.count_quota(ctx, quota, period, subjects)
        by_owner: dict[int, list[str]] = defaultdict(list)
        for gap in gaps(result.counted):
            for owner in await flows.gap_owners(ctx, result, gap, owners):
                by_owner[owner.id].append(gap.label)
        # One button for the quota's lines (a card model is validated when it is made).
        button = Button(label="Log it", verb="quota.form", data={"kind": quota.counts})
        for owner_id, names in by_owner.items():
            items.append(
                SummaryItem(
                    person_id=owner_id,
                    key=f"nudge:quota:{quota.key}:{period.key}:p{owner_id}:{stage.name}",
                    text=_line(quota, result, owner_id, names, stage.last),
                    button=button,
                    urgent=stage.last,
                    ident=f"quota:{quota.key}",
                )
            )
    return items


def _line(quota: Quota, result: QuotaCount, owner_id: int, names: list[str], last: bool) -> str:
    ends = f"{result.period.end:%a} {result.period.end.day} {result.period.end:%b}"
    when = f"the {result.period.label} period ends {ends}"
    if quota.gap_owner == "self":
        what = f"you have {_short(quota)} logged"
    else:
        what = f"still without: {names_list(names)}"
    urgency = "Last reminder: " if last else ""
    return (
        f"{urgency}{quota.name} ({quota.target} per {_per(quota)}): {what}; {when}. "
        f"Type `{LOG_WORDS[quota.counts]}`."
    )


def _short(quota: Quota) -> str:
    return f"fewer than {quota.target}" if quota.target > 1 else "none"


def _per(quota: Quota) -> str:
    unit = {
        "practitioner": "practitioner",
        "team": "team",
        "role": "person",
        "service": "service",
        "partnership": "partnership",
    }[quota.per]
    period = {"month": "month", "quarter": "quarter", "year": "year"}.get(
        quota.period, f"{quota.months} months"
    )
    return f"{unit} per {period}"


def _in_working_morning(ctx: Context) -> bool:
    """A working day, from the morning summary time to the end of working hours: when the
    bot's own messages go out."""
    rules = ctx.framework.calendar
    local = ctx.now.astimezone(ctx.tz)
    return (
        calendar(ctx).is_working_day(local.date())
        and rules.morning_summary_at <= local.time() < rules.working_hours_end
    )


async def period_end(ctx: Context) -> None:
    """Keep the figures of each period that has just ended and tell the QA team (everything)
    and each head of service (their service): one message each, whatever number of quotas
    ended. Once: the result rows and the outbox keys make it idempotent."""
    if not _in_working_morning(ctx):
        return
    cal = calendar(ctx)
    ended: list[Ended] = []
    subjects = flows.Subjects()
    for quota in ctx.framework.quotas:
        if quota.period == "rolling":
            continue
        current = flows.period_of(ctx, quota)
        previous = quota.period_of(current.start - timedelta(days=1), cal)
        if await store.period_result(ctx.session, quota.key, previous.start) is not None:
            continue
        if subjects.staffing is None:
            subjects.staffing = await flows.Staffing.read(ctx)
        # The bot reports on periods it watched: the first time it runs, the period before is
        # kept as a baseline without telling anyone.
        watched = await store.has_results(ctx.session, quota.key)
        result = await flows.count_quota(ctx, quota, previous, subjects)
        by_service = _keep(ctx, quota, result)
        if watched:
            ended.append(Ended(quota, result, by_service))
    if ended:
        await _send_summaries(ctx, ended)


@dataclass(frozen=True)
class Ended:
    quota: Quota
    result: QuotaCount
    # Service -> (label, met) of each one counted there.
    by_service: dict[str, list[tuple[str, bool]]]


def _keep(ctx: Context, quota: Quota, result: QuotaCount) -> dict[str, list[tuple[str, bool]]]:
    by_service: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for c in result.counted:
        person = result.people.get(c.key) if c.key is not None else None
        team = result.teams.get(c.key) if c.key is not None else None
        if person is not None:
            service = service_of(person)
        elif team is not None:
            service = team.service.name if team.service else "No service"
        else:
            service = ctx.framework.authority.short_name
        by_service[service].append((c.label, c.met))
    store.add_period_result(
        ctx.session,
        QuotaPeriodResult(
            quota_key=quota.key,
            period_start=result.period.start,
            period_end=result.period.end,
            counted=len(result.counted),
            met=result.met,
            details={
                "services": {
                    s: {"counted": len(rows), "met": sum(1 for _, m in rows if m)}
                    for s, rows in by_service.items()
                },
                "missing": [c.label for c in result.counted if not c.met][:500],
            },
            created_at=ctx.now,
        ),
    )
    log.info(
        "quota %s period %s ended: %d of %d met",
        quota.key,
        result.period.key,
        result.met,
        len(result.counted),
    )
    return by_service


def _met(rows: list[tuple[str, bool]]) -> int:
    return sum(1 for _, met in rows if met)


async def _send_summaries(ctx: Context, ended: list[Ended]) -> None:
    key = f"quota-summary:{ctx.today.replace(day=1):%Y-%m}:" + "+".join(
        f"{e.quota.key}@{e.result.period.key}" for e in ended
    )
    for_qa = [
        SummarySection(
            e.quota.name,
            e.result.period.label,
            [(s, _met(rows), len(rows)) for s, rows in sorted(e.by_service.items())],
            [c.label for c in e.result.counted if not c.met],
        )
        for e in ended
        if "qa_team" in e.quota.summary_to
    ]
    if for_qa:
        await ctx.outbox.to_route(
            "qa_team", period_summary(for_qa), key=key[:250], kind="compliance"
        )
    for head in await directory.people_with_role(ctx.session, Role.HEAD_OF_SERVICE):
        service = service_of(head)
        sections = [
            SummarySection(
                e.quota.name,
                e.result.period.label,
                [(service, _met(e.by_service[service]), len(e.by_service[service]))],
                [label for label, met in e.by_service[service] if not met],
            )
            for e in ended
            if "head_of_service" in e.quota.summary_to and service in e.by_service
        ]
        if sections:
            await ctx.outbox.to_person(
                head.id,
                period_summary(sections),
                key=f"{key[:230]}:p{head.id}",
                kind="compliance",
            )
