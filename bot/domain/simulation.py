"""What ``qabot simulate`` is asked to set up before its fake clock starts (plain values).

The core harness (``bot/simulation/``) reads the staff file, then hands these inputs to every
area's seeding (``Router.simulation``); each area uses only what is its own (the allocations
file, the feedback file, the sample dispute) and says what it set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DisputeRequest:
    """A sample dispute nobody acts on; empty values mean "choose a sensible sample"."""

    ladder: str = ""  # the framework's default ladder
    raised_by: str = ""  # an email; "" = the first practitioner with a line manager
    other: str = ""  # an email; "" = a professional from another agency
    start_stage: int = 0  # an index into the ladder's stages


@dataclass(frozen=True)
class SimulationInputs:
    start: date
    end: date
    allocations: str | None = None  # the text of an allocations CSV
    feedback: str | None = None  # the text of a feedback CSV (as for `qabot import feedback`)
    dispute: DisputeRequest | None = None


class SimulationError(ValueError):
    """The inputs cannot be simulated; ``problems`` names each bad line and why."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])
