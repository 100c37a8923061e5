"""What one area's work tells the others, through the core (``Router.on_work``): plain data, so
areas never import each other. The allocations area says when a cycle is confirmed or opens
itself and when allocated work is done; the quotas area keeps the calendar's rotations and
counts an allocated manager audit towards the manager's quota."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CycleConfirmed:
    """A cycle of these activities was confirmed by the QA team, or opened itself, on ``on``."""

    activities: tuple[str, ...]
    on: date


@dataclass(frozen=True)
class WorkDone:
    """Allocated work of ``activity`` was marked done by ``person_id`` (the assignee), about
    ``case_ref``; ``reference`` is the allocation's own (``allocation:ID``), so a listener can
    record it once."""

    activity: str
    person_id: int
    completed_on: date
    reference: str
    case_ref: str = ""


WorkEvent = CycleConfirmed | WorkDone
