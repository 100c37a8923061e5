"""Allocation deadlines in the private calendar feeds: the allocations area contributes them
through ``Router.calendar_events``; a person's feed has exactly their own open work, a team's
feed its members', and the QA team's none of anyone's allocations."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from tests.allocations.support import (  # noqa: F401
    CHRIS,
    QUINN,
    SAM,
    TESS,
    allocate_csv,
    qa_env,
)
from tests.conftest import BotEnv
from tests.quotas.support import at
from tests.quotas.test_feeds import _get, _link


def _due_events(text: str) -> set[tuple[date, str]]:
    return {
        (event.decoded("dtstart"), str(event.get("summary")))
        for event in Calendar.from_ical(text).walk("VEVENT")
        if str(event.get("summary")).startswith("Due: ")
    }


async def test_a_persons_feed_holds_their_open_allocation_deadlines(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 16), 10))
    await allocate_csv(
        qa,
        [
            f"2045871,Yeovil CiC,practice_evaluation,{TESS},,PE Nov",
            f"2045872,Taunton CP,practice_evaluation,{CHRIS},,PE Nov",
        ],
    )
    # Practice Evaluations are due three weeks after allocation (seed 000 [U]).
    status, text = await _get(qa, await _link(qa, TESS))
    assert status == 200
    assert _due_events(text) == {(date(2026, 12, 7), "Due: Practice Evaluation, case 2045871")}
    _, text = await _get(qa, await _link(qa, CHRIS))
    assert _due_events(text) == {(date(2026, 12, 7), "Due: Practice Evaluation, case 2045872")}
    _, text = await _get(qa, await _link(qa, SAM))
    assert _due_events(text) == set()
    # Tess manages Taunton CP: the team's feed names whose work it is.
    _, text = await _get(qa, await _link(qa, TESS, "team"))
    assert _due_events(text) == {
        (date(2026, 12, 7), "Due: Practice Evaluation, case 2045871 (Tess Manager)")
    }
    _, text = await _get(qa, await _link(qa, QUINN, "qa"))
    assert _due_events(text) == set()
