"""What allocations give the QA digest (issue 12): breadth (work completed against planned, per
activity), depth (the grades given, moderation agreement) and impact (actions closed on time,
Inadequate re-audits that improved, escalations of overdue work). Aggregate queries only
(``store``); the scope is the directory's team or service of the person the work is with.
"""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

from bot.allocations import store
from bot.allocations.dialogs.support import GRADES
from bot.dialogs.base import Context, Router
from bot.domain.activities import Grade
from bot.domain.digest import (
    DigestPart,
    DigestPeriod,
    DigestScope,
    Distribution,
    Figure,
    Section,
    Unavailable,
)
from bot.domain.workdays import add_months
from bot.store.scope import local_midnight, person_in

SOURCE = "allocations"
TREND_PERIODS = 4


async def digest(ctx: Context, period: DigestPeriod, scope: DigestScope) -> list[DigestPart]:
    return [
        await _breadth(ctx, period, scope),
        await _depth(ctx, period, scope),
        await _impact(ctx, period, scope),
    ]


def _activity_name(ctx: Context, key: str) -> str:
    activity = ctx.framework.activity(key)
    return activity.name if activity else key.replace("_", " ")


async def _breadth(ctx: Context, period: DigestPeriod, scope: DigestScope) -> DigestPart:
    counts = await store.planned_and_done(
        ctx.session, period.start, period.end, person_in(store.Allocation.assignee_id, scope)
    )
    order = {a.key: n for n, a in enumerate(ctx.framework.activities)}
    figures = tuple(
        Figure(f"{_activity_name(ctx, key)} completed", done, of=planned)
        for key, (planned, done) in sorted(counts.items(), key=lambda kv: order.get(kv[0], 999))
    )
    unavailable: tuple[Unavailable, ...] = ()
    if not figures:
        unavailable = (
            Unavailable(
                "QA activities completed against planned",
                "no QA work was allocated with a due date in this period",
            ),
        )
    spans = trend_spans(period)
    done = await store.done_counts(
        ctx.session, spans, person_in(store.Allocation.assignee_id, scope)
    )
    trend = Distribution(
        "QA work completed, last four periods",
        tuple((span_label(first, last), n) for (first, last), n in zip(spans, done, strict=True)),
        kind="line",
    )
    return DigestPart(
        Section.BREADTH, SOURCE, figures=figures, distributions=(trend,), unavailable=unavailable
    )


async def _depth(ctx: Context, period: DigestPeriod, scope: DigestScope) -> DigestPart:
    grades = await store.grade_counts(
        ctx.session, period.start, period.end, person_in(store.Allocation.assignee_id, scope)
    )
    distribution = Distribution(
        "Grades given",
        tuple((GRADES[grade], grades.get(grade, 0)) for grade in get_args(Grade)),
    )
    moderated, agreed = await store.moderation_agreement(
        ctx.session, period.start, period.end, _scope_of(scope)
    )
    agreement = (
        Figure("Moderations agreeing with the original grade", agreed, of=moderated)
        if moderated
        else Figure(
            "Moderations agreeing with the original grade",
            None,
            note="no moderation of graded work was completed in this period",
        )
    )
    return DigestPart(
        Section.DEPTH,
        SOURCE,
        figures=(Figure("Graded audits and evaluations", distribution.total), agreement),
        distributions=(distribution,),
    )


async def _impact(ctx: Context, period: DigestPeriod, scope: DigestScope) -> DigestPart:
    due, on_time = await store.actions_due(
        ctx.session, period.start, period.end, person_in(store.AllocationAction.owner_id, scope)
    )
    figures = [
        Figure("Actions closed on time", on_time, of=due)
        if due
        else Figure("Actions closed on time", None, note="no actions fell due in this period")
    ]
    unavailable = [
        Unavailable(
            "Whether the actions made a difference for the child",
            "the bot records that an action was done, not its effect; that is on the case record",
        )
    ]
    if ctx.framework.inadequate_ladder is None:
        unavailable.append(
            Unavailable(
                "Re-audits of Inadequate cases",
                "this framework has no Inadequate re-audit ladder",
            )
        )
    else:
        done, improved = await store.reaudits_completed(
            ctx.session, period.start, period.end, person_in(store.Allocation.assignee_id, scope)
        )
        figures.append(
            Figure("Re-audits of Inadequate cases that improved", improved, of=done)
            if done
            else Figure(
                "Re-audits of Inadequate cases that improved",
                None,
                note="no re-audit was completed in this period",
            )
        )
    escalations = await store.escalations_sent(
        ctx.session,
        local_midnight(period.start, ctx.tz),
        local_midnight(period.end, ctx.tz),
        scope,
    )
    figures.append(Figure("Escalations of overdue work", escalations))
    return DigestPart(
        Section.IMPACT, SOURCE, figures=tuple(figures), unavailable=tuple(unavailable)
    )


def _scope_of(scope: DigestScope) -> Any:
    return lambda column: person_in(column, scope)


def trend_spans(period: DigestPeriod, count: int = TREND_PERIODS) -> list[tuple[date, date]]:
    """This period and the ones before it of the same length in months, oldest first."""
    months = max(
        1, (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    )
    return [
        (add_months(period.start, -months * back), add_months(period.end, -months * back))
        for back in range(count - 1, -1, -1)
    ]


def span_label(first: date, end: date) -> str:
    last = date.fromordinal(end.toordinal() - 1)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b}-{last:%b %Y}"
    return f"{first:%b %Y}-{last:%b %Y}"


def register(router: Router) -> None:
    router.digest(digest)
