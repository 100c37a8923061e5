"""Every rule of a framework with where it comes from: the seed passage it cites, our reading
of the source ("[U]"), or a local default the authority should confirm against its own
framework document. Used by ``qabot framework explain``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from bot.domain.framework import Framework
from bot.domain.ladders import LadderStage

LOCAL_DEFAULT = "local default: no seed states it; confirm against your framework document"
_SEED = re.compile(r"\bseed 00\d\b", re.IGNORECASE)


@dataclass(frozen=True)
class Explained:
    rule: str
    value: str
    source: str

    @property
    def mark(self) -> str:
        """``seed``, ``reading`` (a seed read our way, "[U]") or ``default``."""
        # "local default: seed 000 says six monthly but names no months" cites a seed only to
        # say what it leaves open.
        if not _SEED.search(self.source) or self.source.startswith("local default"):
            return "default"
        return "reading" if "[U" in self.source else "seed"


def explain(framework: Framework) -> list[Explained]:
    rules: list[Explained] = []
    voting = framework.voting
    for name in (
        "quorum",
        "threshold",
        "close_after_working_days",
        "remind_before_working_days",
        "tie_rule",
        "extend_without_quorum_working_days",
    ):
        rules.append(Explained(f"voting.{name}", str(getattr(voting, name)), LOCAL_DEFAULT))
    for activity in framework.activities:
        where = f"activities.{activity.key}"
        deadline = activity.deadline.model_dump(exclude_none=True)
        rules.append(
            Explained(f"{where}.deadline", _plain(deadline), activity.source or LOCAL_DEFAULT)
        )
        if activity.months:
            rules.append(
                Explained(
                    f"{where}.months", _plain(activity.months), activity.source or LOCAL_DEFAULT
                )
            )
        if activity.every is not None:
            interval = activity.every
            unit = f"{interval.weeks} weeks" if interval.weeks else f"{interval.months} months"
            per = " per team" if interval.per == "team" else ""
            value = f"every {unit}{per} from {interval.starts}"
            rules.append(Explained(f"{where}.every", value, interval.source))
        for rotation in activity.rotations:
            whom = ", ".join(rotation.order) or (
                "the directory's teams" if rotation.of == "team" else _plain(rotation.roles)
            )
            rules.append(
                Explained(f"{where}.rotations.{rotation.key}", f"in turn: {whom}", rotation.source)
            )
        if activity.opens_itself:
            rules.append(
                Explained(f"{where}.opens_itself", "yes", activity.source or LOCAL_DEFAULT)
            )
        rules.append(Explained(f"{where}.reminders", _plain(activity.reminders), LOCAL_DEFAULT))
        for step in activity.escalation:
            rules.append(
                Explained(
                    f"{where}.escalation",
                    f"{step.after_working_days} working days overdue: {step.to}",
                    LOCAL_DEFAULT,
                )
            )
    rules.append(
        Explained(
            "calendar.lead_reminder_working_days",
            str(framework.calendar.lead_reminder_working_days),
            framework.calendar.lead_reminder_source,
        )
    )
    for cycle in framework.cycle_quotas:
        where = f"cycle_quotas.{cycle.activity}" + (f" ({cycle.service})" if cycle.service else "")
        every = f" every {cycle.every_months} months" if cycle.per == "auditor" else " a cycle"
        value = f"{cycle.per_cycle} per {cycle.per}{every}"
        rules.append(Explained(where, value, cycle.source or LOCAL_DEFAULT))
    for rate in framework.moderation_rates:
        where = f"moderation_rates.{rate.activity}" + (f" ({rate.service})" if rate.service else "")
        rules.append(Explained(where, f"{rate.share:.0%}", rate.source or LOCAL_DEFAULT))
    if framework.inadequate_ladder is not None:
        ladder = framework.inadequate_ladder
        for stage in ladder.stages:
            rules.append(
                Explained(
                    f"inadequate_ladder.stages.{stage.key}", _stage_words(stage), stage.source
                )
            )
    for quota in framework.quotas:
        where = f"quotas.{quota.key}"
        period = quota.period if quota.months is None else f"{quota.months} months"
        rules.append(Explained(where, f"{quota.target} per {quota.per} per {period}", quota.source))
        if quota.nudges:
            points = ", ".join(point.name for point in quota.nudges)
            rules.append(Explained(f"{where}.nudges", points, LOCAL_DEFAULT))
    rules.extend(_digest(framework))
    return rules


def _digest(framework: Framework) -> list[Explained]:
    """The QA digest's schedule, sections, audience and resources ([broadcasts.digest])."""
    digest = framework.broadcasts.digest
    if digest is None:
        return [Explained("broadcasts.digest", "none: no digest is drafted", LOCAL_DEFAULT)]
    source = digest.source or LOCAL_DEFAULT
    months = ", ".join(calendar.month_name[m] for m in digest.months)
    where = "broadcasts.digest"
    rules = [
        Explained(where, f"{digest.name}, every {digest.period.replace('_', ' ')}", source),
        Explained(f"{where}.months", f"drafted in {months}", source),
        Explained(f"{where}.draft_on_working_day", str(digest.draft_on_working_day), LOCAL_DEFAULT),
        Explained(f"{where}.sections", _plain([s.value for s in digest.sections]), source),
        Explained(f"{where}.audience", _plain(digest.audience), source),
    ]
    rules.extend(
        Explained(f"{where}.resources", resource.title, source) for resource in digest.resources
    )
    return rules


def _stage_words(stage: LadderStage) -> str:
    if stage.working_days is not None:
        clock = f"{stage.working_days} working day" + ("s" if stage.working_days != 1 else "")
    elif stage.months is not None:
        clock = f"{stage.months} month" + ("s" if stage.months != 1 else "")
    else:
        clock = "no fixed timescale"
    told = ", ".join(role.value for role in stage.roles)
    return clock + (f"; tells {told}" if told else "")


def _plain(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)
