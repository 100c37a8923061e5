"""What an area contributes to a QA digest ("Closing the Loop", a quarterly report).

The digest is composed from data (issue 12): breadth (how much did we do), depth (how well did
we do it), impact (is anyone better off), ratified good practice and recurring themes. The
broadcasts area owns the digest; each area that holds the data answers for its own part through
a *digest source* registered with ``Router.digest`` (``bot.dialogs.base``). A source runs
aggregate queries for one period and scope and returns ``DigestPart`` values: plain data, no
cards, no I/O here. Where an area cannot yet say something, it returns ``Unavailable`` rather
than an invented number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ScopeKind = Literal["authority", "service", "team"]


@dataclass(frozen=True)
class DigestScope:
    """Who the digest is about: the whole authority, one service, or one team (by the names
    in the directory's ``service`` and ``team`` columns)."""

    kind: ScopeKind = "authority"
    name: str | None = None

    @property
    def label(self) -> str:
        return "the whole authority" if self.kind == "authority" else f"{self.name}"


@dataclass(frozen=True)
class DigestPeriod:
    """A half-open span of local dates ``[start, end)`` and how people name it
    ("Q2 2026-27", "October 2026")."""

    start: date
    end: date
    label: str


class Section(StrEnum):
    BREADTH = "breadth"  # how much did we do: activities completed against planned, quotas met
    DEPTH = "depth"  # how well: grade distribution, moderation agreement
    IMPACT = "impact"  # is anyone better off: actions on time, re-audits improved, disputes
    GOOD_PRACTICE = "good_practice"  # ratified good practice from the library
    THEMES = "themes"  # recurring themes from audit, feedback and dispute categories


@dataclass(frozen=True)
class Figure:
    """One number, optionally out of a total ("41 of 48 audits completed"). ``value`` None
    means "no data", which is shown as such, never as 0."""

    label: str
    value: int | None
    of: int | None = None
    note: str = ""

    @property
    def percent(self) -> int | None:
        if self.value is None or not self.of:
            return None
        return round(100 * self.value / self.of)


@dataclass(frozen=True)
class Distribution:
    """Counts by category, in display order (grades Outstanding..Inadequate, themes by count):
    drawn as a chart where people would rather look than read, and always listed as text."""

    title: str
    counts: tuple[tuple[str, int], ...]
    # "bar" for categories, "line" for a trend over periods (labels are period names),
    # "completion" for how far each category is of its own total (``of``): quotas met.
    kind: Literal["bar", "line", "completion"] = "bar"
    # For "completion": each category's total, in the order of ``counts`` ("12 of 15").
    of: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.kind == "completion" and len(self.of) != len(self.counts):
            raise ValueError("a completion chart needs an 'of' total for every category")
        if self.kind != "completion" and self.of:
            raise ValueError("only a completion chart has 'of' totals")

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def completion(self) -> list[tuple[str, int, int, int | None]]:
        """For a completion chart: (label, count, of, percent), percent None when of is 0."""
        return [
            (label, n, of, round(100 * n / of) if of else None)
            for (label, n), of in zip(self.counts, self.of, strict=True)
        ]


def completion_text(count: int, of: int, percent: int | None) -> str:
    """ "12 of 15 (80 %)"; "3 of 0 (no one to count)" when the total is 0."""
    return f"{count} of {of} ({percent} %)" if percent is not None else f"{count} of 0 (none due)"


@dataclass(frozen=True)
class Highlight:
    """A line worth reading in full: a ratified practice from the library, a learning point.
    ``reference`` is what the reader can look up (a library entry number); never a child's
    name: case-record numbers only."""

    title: str
    text: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Unavailable:
    """Something the digest would show but cannot: the capability that holds the data is not
    built yet, or the framework does not count it. Shown as a sentence, not a number."""

    what: str
    reason: str


@dataclass(frozen=True)
class DigestPart:
    """One area's contribution to one section of a digest."""

    section: Section
    source: str  # the area that answered ("allocations", "quotas" ...)
    figures: tuple[Figure, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()
    # Theme name -> how many times it came up (merged across areas for the THEMES section).
    themes: tuple[tuple[str, int], ...] = field(default=())


# --- The framework file's [broadcasts] table -----------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Audience = Literal["all_team_channels", "qa_team", "csw_group", "celebrations"]


class LearningResource(_Strict):
    """A resource the digest points people to (a practice guide, a training page)."""

    title: str = Field(min_length=1, max_length=150)
    url: str | None = Field(default=None, max_length=1000)
    note: str = Field(default="", max_length=300)


class DigestRules(_Strict):
    """When the framework's QA digest is drafted, what it covers and who it goes to.

    ``months`` are the months in which the digest of the period just ended is drafted (Somerset's
    Closing the Loop: January, April, July and October, each about the quarter before), on the
    ``draft_on_working_day``-th working day of the month. Nothing is sent before someone with the
    QA role approves it.
    """

    name: str = Field(default="Closing the Loop", min_length=1, max_length=80)
    period: Literal["month", "quarter", "half_year", "year"] = "quarter"
    months: tuple[int, ...] = (1, 4, 7, 10)
    draft_on_working_day: int = Field(default=1, ge=1, le=15)
    sections: tuple[Section, ...] = tuple(Section)
    # Where the approved digest goes: every team channel in [channels.teams], or named channels.
    audience: tuple[Audience, ...] = ("all_team_channels",)
    resources: tuple[LearningResource, ...] = ()
    source: str = ""

    @model_validator(mode="after")
    def _months_valid(self) -> DigestRules:
        bad = [m for m in self.months if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"digest months must be 1-12, not {bad}")
        return self


SEVEN_MINUTE_HEADINGS: tuple[str, ...] = (
    "Background",
    "Why it matters",
    "Key points",
    "Things to remember",
    "What to do",
    "What we will do next",
    "Resources",
)


class BroadcastRules(_Strict):
    """The framework's digest (None: the authority drafts none) and its 7-minute briefing
    headings (seed 001; DOMAIN.md section 7)."""

    digest: DigestRules | None = DigestRules()
    briefing_headings: tuple[str, ...] = SEVEN_MINUTE_HEADINGS
