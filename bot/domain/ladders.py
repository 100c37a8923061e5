"""Ladders as configuration: the stages a professional disagreement, or an Inadequate case,
climbs.

Part of the framework file's model (``[escalations]`` and ``[inadequate_ladder]``). Each ladder
is an ordered list of stages (who is involved, guidance, a timescale in working days or calendar
months, what must be recorded, what ends the stage), the stages one may start at, and an
optional cap on the total time. Every number in a preset cites its seed passage or is marked as
a local default (``source``). The clocks and the order of stages are run by the one ladder
engine, ``bot.domain.ladder_engine``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.domain.roles import Role

NoteKind = Literal["rpd", "drp", "audit"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LadderStage(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=30)
    name: str = Field(min_length=1, max_length=80)
    # Roles in the directory brought in at this stage (found up the raiser's line first).
    roles: tuple[Role, ...] = ()
    # The other agency's named contact takes part (multi-agency ladders).
    other_agency: bool = False
    guidance: str = Field(min_length=1, max_length=600)
    # The stage's timescale, in working days or in calendar months (then the next working day);
    # neither when the source sets none ("at the earliest opportunity").
    working_days: int | None = Field(default=None, ge=1, le=120)
    months: int | None = Field(default=None, ge=1, le=24)
    record: str = Field(min_length=1, max_length=300)
    ends_when: str = Field(min_length=1, max_length=300)
    # At the deadline the bot escalates by itself rather than asking.
    auto_escalate: bool = False
    source: str = Field(min_length=1, max_length=400)

    @model_validator(mode="after")
    def _one_clock(self) -> LadderStage:
        if self.working_days is not None and self.months is not None:
            raise ValueError(f"stage {self.key!r}: give working_days or months, not both")
        return self


class LadderBase(_Strict):
    """What every ladder has, whichever area runs it: the stages and their clocks."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=30)
    name: str = Field(min_length=1, max_length=80)
    stages: tuple[LadderStage, ...] = Field(min_length=1)
    # Stage keys one may start at besides the first (immediate risk, an IRO bypass).
    may_start_at: tuple[str, ...] = ()
    total_working_days: int | None = Field(default=None, ge=1, le=250)
    # Going on from the last stage repeats it (a cycle that runs until the ladder ends).
    repeat_last_stage: bool = False
    source: str = Field(min_length=1, max_length=400)

    @model_validator(mode="after")
    def _stage_keys(self) -> LadderBase:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError(f"ladder {self.key!r}: stage keys must be unique")
        unknown = [k for k in self.may_start_at if k not in keys]
        if unknown:
            raise ValueError(f"ladder {self.key!r}: may_start_at names unknown stages {unknown}")
        return self

    def stage_index(self, key: str) -> int | None:
        for index, stage in enumerate(self.stages):
            if stage.key == key:
                return index
        return None

    @property
    def start_choices(self) -> list[int]:
        """The stage indexes a ladder may start at: the first, then those allowed."""
        allowed = {0} | {i for i, s in enumerate(self.stages) if s.key in self.may_start_at}
        return sorted(allowed)


class Ladder(LadderBase):
    """A professional-disagreement ladder (``[[escalations.ladders]]``, bot/escalations)."""

    note: NoteKind = "rpd"
    # The heading of the case note the local protocol asks for ("RPD", "DRP alert" ...).
    note_title: str = Field(min_length=1, max_length=60)
    multi_agency: bool = False
    # Who oversees every dispute on this ladder: the QA team, or the partnership business unit.
    overseen_by: Role = Role.QA_TEAM

    @model_validator(mode="after")
    def _dispute_consistent(self) -> Ladder:
        if self.multi_agency and not any(s.other_agency for s in self.stages):
            raise ValueError(f"ladder {self.key!r}: a multi-agency ladder needs the other agency")
        if self.repeat_last_stage:
            raise ValueError(f"ladder {self.key!r}: a dispute ladder cannot repeat its last stage")
        return self


_OLD_INADEQUATE_KEYS = ("steps", "moderate_immediately", "moderation_working_days")


class InadequateLadder(LadderBase):
    """West Sussex's Inadequate re-audit ladder (``[inadequate_ladder]``, bot/allocations).

    The first stage is the moderation that confirms an Inadequate grade: with a timescale it is
    moderated that soon ("immediately"), without one on the moderation activity's own clock.
    Every later stage is a re-audit, due on the stage's timescale; a case still Inadequate at a
    re-audit goes on to the next stage, whose roles are told. With ``repeat_last_stage`` the
    case stays on the last stage's cycle until it is no longer Inadequate.
    """

    # The activity of each further audit.
    reaudit_activity: str | None = None
    repeat_last_stage: bool = True

    @model_validator(mode="before")
    @classmethod
    def _old_shape(cls, data: Any) -> Any:
        if isinstance(data, dict):
            old = [key for key in _OLD_INADEQUATE_KEYS if key in data]
            if old:
                raise ValueError(
                    f"{', '.join(old)} belong to the old shape of [inadequate_ladder]: it is now "
                    "a ladder of [[inadequate_ladder.stages]] (a moderation stage, then one "
                    "stage per re-audit with months = ... and the roles told), as in the "
                    "west-sussex preset; see docs/allocations.md"
                )
        return data

    @model_validator(mode="after")
    def _reaudit_stages(self) -> InadequateLadder:
        if len(self.stages) < 2:
            raise ValueError(
                f"ladder {self.key!r}: needs a moderation stage and at least one re-audit stage"
            )
        untimed = [s.key for s in self.stages[1:] if s.working_days is None and s.months is None]
        if untimed:
            raise ValueError(f"ladder {self.key!r}: re-audit stages {untimed} need a timescale")
        return self

    @property
    def moderate_immediately(self) -> bool:
        """The moderation stage has its own (short) clock, not the moderation activity's."""
        first = self.stages[0]
        return first.working_days is not None or first.months is not None


class ChildProtectionRoute(_Strict):
    """What to do when a child is at immediate risk: RPD never stands in for it."""

    front_door: str = Field(min_length=1, max_length=200)
    out_of_hours: str = Field(min_length=1, max_length=200)
    # The named roles told at once, found up the raiser's line (then anyone with the role).
    notify_roles: tuple[Role, ...] = ()
    mailbox: str = Field(default="", max_length=120)
    source: str = Field(min_length=1, max_length=400)


DEFAULT_CATEGORIES: tuple[str, ...] = (
    "Threshold decision",
    "Plan or progress of the plan",
    "Information sharing",
    "Assessment or risk",
    "Audit or moderation grade",
    "Actions or recommendations",
    "Other",
)


class EscalationRules(_Strict):
    ladders: tuple[Ladder, ...] = ()
    # The ladder ``rpd`` / ``dispute`` starts by default.
    default_ladder: str = ""
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    child_protection: ChildProtectionRoute | None = None

    @model_validator(mode="after")
    def _references(self) -> EscalationRules:
        keys = [ladder.key for ladder in self.ladders]
        if len(set(keys)) != len(keys):
            raise ValueError("escalation ladder keys must be unique")
        if self.default_ladder and self.default_ladder not in keys:
            raise ValueError(f"default_ladder {self.default_ladder!r} is not a ladder")
        return self

    def ladder(self, key: str) -> Ladder | None:
        return next((ladder for ladder in self.ladders if ladder.key == key), None)
