"""The authority's QA framework: calendar, channels, nominations, voting and activities.

This is configuration, validated with pydantic. Loading it from TOML (and pointing errors at a
line) lives in ``bot.config``; this module only describes what a valid framework is.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.activities import (
    ActivityType,
    CycleQuota,
    ModerationRate,
    reference_problems,
)
from bot.domain.digest import BroadcastRules
from bot.domain.ladders import EscalationRules, InadequateLadder
from bot.domain.quotas import Quota, quota_problems


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Authority(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    short_name: str = Field(min_length=1, max_length=30)
    source: str = Field(
        default="", description="The source framework document this configuration encodes."
    )
    bot_name: str = Field(default="QA bot", max_length=30)


class CalendarRules(StrictModel):
    quarter_start_month: int = Field(default=4, ge=1, le=12)
    closure_days: tuple[date, ...] = ()
    working_hours_start: time = time(9, 0)
    working_hours_end: time = time(17, 0)
    morning_summary_at: time = time(9, 30)
    weekly_digest_weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday"] = (
        "monday"
    )
    # Months with no core QA activity (North Somerset: August and December).
    quiet_months: tuple[int, ...] = ()
    # Leads of a calendar activity are reminded this many working days before it opens (and
    # on the first working day of its month), in their morning summary.
    lead_reminder_working_days: int = Field(default=5, ge=1, le=40)
    lead_reminder_source: str = "local default: no seed says when leads are reminded"

    @model_validator(mode="after")
    def _hours_in_order(self) -> CalendarRules:
        if self.working_hours_end <= self.working_hours_start:
            raise ValueError("working_hours_end must be after working_hours_start")
        return self


class ChannelRoute(StrictModel):
    """Where a named audience lives on each platform (Slack channel id, Teams channel id)."""

    slack: str | None = None
    teams: str | None = None


class Channels(StrictModel):
    qa_team: ChannelRoute = ChannelRoute()
    csw_group: ChannelRoute = ChannelRoute()
    celebrations: ChannelRoute = ChannelRoute()
    # Team name -> that team's channel, for celebrations and digests.
    teams: dict[str, ChannelRoute] = {}


class CaseReferenceRule(StrictModel):
    label: str = "case record number"
    pattern: str = r"^[0-9]{5,10}$"
    example: str = "1234567"

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value.strip()) is not None


class NominationRules(StrictModel):
    themes: tuple[str, ...] = (
        "Child's voice",
        "Relationship-based practice",
        "Direct work",
        "Partnership working",
        "Assessment and analysis",
        "Planning and review",
        "Recording",
    )
    evidence_sources: tuple[str, ...] = (
        "Supervision",
        "Audit or practice evaluation",
        "Family feedback",
        "Team meeting",
        "Team diagnostic",
        "Peer discussion",
        "Other",
    )
    what_happened_max: int = Field(default=2000, ge=100, le=2900)
    difference_made_max: int = Field(default=2000, ge=100, le=2900)
    evidence_max: int = Field(default=1000, ge=50, le=2900)
    # Heads of service nominate whole teams for Good Practice Conversations (seed 004).
    team_conversations: bool = False


class VotingRules(StrictModel):
    quorum: int = Field(default=3, ge=1)
    # Share of the cast Ratify/Decline votes that must be Ratify.
    threshold: float = Field(default=0.5, gt=0, le=1)
    close_after_working_days: int = Field(default=5, ge=1, le=60)
    remind_before_working_days: int = Field(default=1, ge=0, le=30)
    tie_rule: Literal["needs_more_information", "ratify", "decline"] = "needs_more_information"
    name_commenters: bool = False
    # Quorum not met at the deadline: the vote is extended once by this many working days
    # (the CSWs who have not voted are reminded again); 0 sends it straight to the QA team.
    extend_without_quorum_working_days: int = Field(default=3, ge=0, le=30)


class Framework(StrictModel):
    authority: Authority
    calendar: CalendarRules = CalendarRules()
    channels: Channels = Channels()
    case_reference: CaseReferenceRule = CaseReferenceRule()
    nominations: NominationRules = NominationRules()
    voting: VotingRules = VotingRules()
    activities: tuple[ActivityType, ...] = ()
    cycle_quotas: tuple[CycleQuota, ...] = ()
    moderation_rates: tuple[ModerationRate, ...] = ()
    inadequate_ladder: InadequateLadder | None = None
    escalations: EscalationRules = EscalationRules()
    # Quotas of logged items (feedback, dip reviews, observations ...): bot/quotas.
    quotas: tuple[Quota, ...] = ()
    # The QA digest, newsletters and briefings: bot/broadcasts.
    broadcasts: BroadcastRules = BroadcastRules()

    @model_validator(mode="after")
    def _activity_keys_unique(self) -> Framework:
        seen: set[str] = set()
        for activity in self.activities:
            if activity.key in seen:
                raise ValueError(f"activity key {activity.key!r} appears twice")
            seen.add(activity.key)
        problems = reference_problems(
            self.activities, self.cycle_quotas, self.moderation_rates, self.inadequate_ladder
        )
        problems += quota_problems(self.quotas)
        problems += [
            f"quota {quota.key}: completed_by names no activity {key!r}"
            for quota in self.quotas
            for key in quota.completed_by
            if key not in seen
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def quota(self, key: str) -> Quota | None:
        return next((quota for quota in self.quotas if quota.key == key), None)

    def activity(self, key: str) -> ActivityType | None:
        for activity in self.activities:
            if activity.key == key:
                return activity
        return None
