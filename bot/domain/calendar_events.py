"""A dated event any area contributes to a private calendar feed (``Router.calendar_events``):
an allocation's deadline, a cycle opening. Plain data: the quotas area's feed renders them with
``icalendar``; the core never knows which area they came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal


@dataclass(frozen=True)
class FeedScope:
    """Whose feed is being built: a person's, a team's (its members' work) or the QA team's."""

    kind: Literal["person", "team", "qa_team"]
    owner_id: int | None
    # The team's members (a team feed), or the person alone.
    person_ids: tuple[int, ...] = ()
    first: date | None = None
    last: date | None = None


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # unique within the feed, stable across requests
    day: date
    summary: str
    description: str = ""
