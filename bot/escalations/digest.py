"""What escalations give the QA digest (issue 12): impact (professional disagreements raised,
resolved and at which stage, still open at the period's end, resolved within the ladder's
timescale) and themes (the disputes' categories, and the ladders they climbed). Aggregate
queries only (``store``); the scope is the directory's team or service of the person who
raised the dispute.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.dialogs.base import Context, Router
from bot.domain.digest import (
    DigestPart,
    DigestPeriod,
    DigestScope,
    Distribution,
    Figure,
    Section,
    Unavailable,
)
from bot.domain.framework import Framework
from bot.escalations import store
from bot.store.scope import person_in

SOURCE = "escalations"


async def digest(ctx: Context, period: DigestPeriod, scope: DigestScope) -> list[DigestPart]:
    if not ctx.framework.escalations.ladders:
        missing = Unavailable(
            "Professional disagreements", "this framework sets no escalation ladder"
        )
        return [DigestPart(Section.IMPACT, SOURCE, unavailable=(missing,))]
    in_scope = person_in(store.Dispute.raised_by_id, scope)
    raised = await store.raised_by_ladder_and_category(
        ctx.session, period.start, period.end, in_scope
    )
    resolved = await store.resolved_by_stage(ctx.session, period.start, period.end, in_scope)
    still_open = await store.open_at(ctx.session, period.end, in_scope)
    return [
        _impact(ctx.framework, raised, resolved, still_open),
        _themes(ctx.framework, raised),
    ]


def _impact(
    framework: Framework,
    raised: dict[tuple[str, str], int],
    resolved: dict[tuple[str, int], tuple[int, int, int]],
    still_open: int,
) -> DigestPart:
    total_resolved = sum(n for n, _, _ in resolved.values())
    timed = sum(t for _, t, _ in resolved.values())
    within = sum(w for _, _, w in resolved.values())
    figures = [
        Figure("Disagreements raised", sum(raised.values())),
        Figure("Disagreements resolved", total_resolved),
        Figure("Disagreements still open at the end of the period", still_open),
        Figure("Resolved within the ladder's timescale", within, of=timed)
        if timed
        else Figure(
            "Resolved within the ladder's timescale",
            None,
            note="no dispute on a ladder with an overall timescale was resolved in this period",
        ),
    ]
    stages = Distribution(
        "Disagreements resolved, by the stage they reached",
        tuple(
            (_stage_name(framework, ladder, index), n)
            for (ladder, index), (n, _, _) in sorted(resolved.items(), key=_stage_order(framework))
        ),
    )
    return DigestPart(
        Section.IMPACT,
        SOURCE,
        figures=tuple(figures),
        distributions=(stages,) if resolved else (),
    )


_Resolved = tuple[tuple[str, int], tuple[int, int, int]]


def _stage_order(framework: Framework) -> Callable[[_Resolved], tuple[int, str, int]]:
    keys = [ladder.key for ladder in framework.escalations.ladders]

    def order(item: _Resolved) -> tuple[int, str, int]:
        (ladder, index), _ = item
        return (keys.index(ladder) if ladder in keys else len(keys), ladder, index)

    return order


def _stage_name(framework: Framework, key: str, index: int) -> str:
    ladder = framework.escalations.ladder(key)
    if ladder is None or index >= len(ladder.stages):
        return f"{key} stage {index + 1}"
    stage = ladder.stages[index].name
    return stage if len(framework.escalations.ladders) == 1 else f"{ladder.name}: {stage}"


def _themes(framework: Framework, raised: dict[tuple[str, str], int]) -> DigestPart:
    categories: dict[str, int] = {}
    ladders: dict[str, int] = {}
    for (ladder, category), n in raised.items():
        categories[category] = categories.get(category, 0) + n
        found = framework.escalations.ladder(ladder)
        name = found.name if found else ladder
        ladders[name] = ladders.get(name, 0) + n
    themes = tuple(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])))
    by_ladder = tuple(sorted(ladders.items(), key=lambda kv: (-kv[1], kv[0])))
    return DigestPart(
        Section.THEMES,
        SOURCE,
        themes=themes,
        distributions=(Distribution("Disagreements by ladder", by_ladder),) if by_ladder else (),
    )


def register(router: Router) -> None:
    router.digest(digest)
