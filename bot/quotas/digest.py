"""What quotas give the QA digest (issue 12): breadth (each quota met by how many of the people
or teams it counts, in the quota's periods that ended within the digest's; feedback by kind
and source) and themes (from feedback, dip reviews and audits). Each quota is counted by the
database in one statement per period (``store.met_and_counted``: the subjects ``flows.count_quota``
counts, without loading them); the scope is the directory's team or service of the person or
team counted.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.dialogs.base import Context, Router
from bot.dialogs.forms import calendar
from bot.domain.digest import (
    DigestPart,
    DigestPeriod,
    DigestScope,
    Distribution,
    Figure,
    Section,
    Unavailable,
)
from bot.domain.quotas import Quota, QuotaPeriod
from bot.domain.roles import Role
from bot.domain.workdays import add_months
from bot.quotas import calendar_flows, store
from bot.quotas.rules import FEEDBACK_KINDS, FEEDBACK_SOURCES, month_schedule
from bot.store.scope import person_or_team_in

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

SOURCE = "quotas"
QUOTA_CHART = "Quotas met (who met the target, of those counted)"
HELD = "Calendar meetings and analyses held"
PERIOD_WORDS = {"month": "month", "quarter": "quarter", "year": "year"}


async def digest(ctx: Context, period: DigestPeriod, scope: DigestScope) -> list[DigestPart]:
    return [await _breadth(ctx, period, scope), await _themes(ctx, period, scope)]


def periods_within(ctx: Context, quota: Quota, period: DigestPeriod) -> list[QuotaPeriod]:
    """The quota's periods that lie wholly within [start, end): a monthly quota has three in
    a quarter, a quarterly one one, a yearly one none. A rolling quota is counted once, over
    the months up to the digest's last day."""
    cal = calendar(ctx)
    last = period.end - timedelta(days=1)
    if quota.period == "rolling":
        return [quota.period_of(last, cal)]
    found: list[QuotaPeriod] = []
    day = period.start
    while day <= last:
        current = quota.period_of(day, cal)
        if current.start >= period.start and current.end <= last:
            found.append(current)
        day = current.end + timedelta(days=1)
    return found


async def quota_figure(
    ctx: Context, quota: Quota, period: DigestPeriod, scope: DigestScope
) -> Figure | Unavailable:
    if scope.kind != "authority" and quota.per in ("service", "partnership"):
        return Unavailable(
            quota.name, f"counted for the {quota.per} as a whole, not per {scope.kind}"
        )
    periods = periods_within(ctx, quota, period)
    if not periods:
        word = PERIOD_WORDS.get(quota.period, f"{quota.months} months")
        return Unavailable(quota.name, f"counted per {word}; none ended within {period.label}")
    roles = list(quota.roles) if quota.per == "role" else [Role.PRACTITIONER.value]
    met = counted = 0
    for each in periods:
        met_here, counted_here = await store.met_and_counted(
            ctx.session, quota.counts, quota.per, roles, quota.target, each.start, each.end, scope
        )
        met += met_here
        counted += counted_here
    if not counted:
        return Unavailable(quota.name, f"nobody it counts is in {scope.label}")
    note = f"target {quota.target}"
    if len(periods) > 1:
        span = f"{periods[0].label} to {periods[-1].label}"
        note += f", counted in each of {len(periods)} periods ({span})"
    return Figure(f"{quota.name}: met the target", met, of=counted, note=note)


async def _breadth(ctx: Context, period: DigestPeriod, scope: DigestScope) -> DigestPart:
    figures: list[Figure] = []
    unavailable: list[Unavailable] = []
    completion: list[tuple[str, int, int]] = []
    for quota in ctx.framework.quotas:
        result = await quota_figure(ctx, quota, period, scope)
        if isinstance(result, Figure):
            figures.append(result)
            completion.append((quota.name, result.value or 0, result.of or 0))
        else:
            unavailable.append(result)
    if not ctx.framework.quotas:
        unavailable.append(Unavailable("Quotas met", "this framework sets no quotas"))
    held = await held_figure(ctx, period, scope)
    if isinstance(held, Figure):
        figures.append(held)
    elif held is not None:
        unavailable.append(held)
    distributions: tuple[Distribution, ...] = ()
    if completion:
        # One picture of how far each quota was met: bars out of 100 %.
        distributions = (
            Distribution(
                QUOTA_CHART,
                tuple((name, met) for name, met, _ in completion),
                kind="completion",
                of=tuple(of for *_, of in completion),
            ),
        )
    if any(q.counts == "feedback" for q in ctx.framework.quotas):
        by = await store.feedback_counts(ctx.session, period.start, period.end, _scope(scope))
        figures.append(Figure("Feedback logged", sum(by.values())))
        distributions += (
            _by("Feedback by kind", by, FEEDBACK_KINDS, 0),
            _by("Feedback by source", by, FEEDBACK_SOURCES, 1),
        )
    else:
        unavailable.append(
            Unavailable("Family and professional feedback", "this framework does not log feedback")
        )
    return DigestPart(
        Section.BREADTH,
        SOURCE,
        figures=tuple(figures),
        distributions=distributions,
        unavailable=tuple(unavailable),
    )


async def held_figure(
    ctx: Context, period: DigestPeriod, scope: DigestScope
) -> Figure | Unavailable | None:
    """ "N of M calendar meetings held": the meetings and analyses their leads run whose cycle
    fell in the period and had opened by today, and how many were marked as held. None when
    the calendar has none."""
    if not any(a.leads for a in ctx.framework.activities):
        return None
    if scope.kind != "authority":
        return Unavailable(HELD, f"held for the whole framework, not per {scope.kind}")
    cal = calendar(ctx)
    last = period.end - timedelta(days=1)
    due: list[tuple[str, date]] = []
    month = period.start.replace(day=1)
    while month <= last:
        for entry in month_schedule(ctx.framework, month, cal):
            activity = ctx.framework.activity(entry.key)
            cycle_on = entry.cycle_on
            if activity is None or not activity.leads or cycle_on is None:
                continue
            if period.start <= cycle_on <= last and entry.opens_on <= ctx.today:
                due.append((entry.key, cycle_on))
        month = add_months(month, 1)
    if not due:
        return Unavailable(HELD, f"none opened in {period.label}")
    held = await store.held_between(ctx.session, period.start, last)
    count = sum(1 for key, cycle_on in due if calendar_flows.held_key(key, cycle_on) in held)
    return Figure(HELD, count, of=len(due), note=f"{len(due) - count} not marked as held")


def _by(
    title: str, counts: dict[tuple[str, str], int], choices: tuple[tuple[str, str], ...], at: int
) -> Distribution:
    totals: dict[str, int] = {}
    for key, n in counts.items():
        totals[key[at]] = totals.get(key[at], 0) + n
    return Distribution(title, tuple((label, totals.get(value, 0)) for value, label in choices))


async def _themes(ctx: Context, period: DigestPeriod, scope: DigestScope) -> DigestPart:
    found = await store.theme_counts(ctx.session, period.start, period.end, _scope(scope))
    # Themes are merged across areas by the digest (one chart of the themes that came up most).
    themes = tuple(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
    return DigestPart(Section.THEMES, SOURCE, themes=themes)


def _scope(scope: DigestScope) -> ColumnElement[bool]:
    return person_or_team_in(
        store.QuotaItem.subject_person_id, store.QuotaItem.subject_team_id, scope
    )


def register(router: Router) -> None:
    router.digest(digest)
