"""Issue 10: an escalation that cannot reach the person the framework names says who it went to
instead, and why (no line manager recorded, the manager is away, nobody with the role)."""

from __future__ import annotations

from bot.allocations.dialogs.support import pick_escalation_recipient
from bot.store.models import Person, PersonRole


def person(pid: int, name: str, *roles: str) -> Person:
    found = Person(id=pid, email=f"p{pid}@example.gov.uk", name=name, active=True)
    found.roles = [PersonRole(role=role) for role in roles]
    return found


SAM = person(1, "Sam Social", "practitioner")
TESS = person(2, "Tess Manager", "team_manager")
HELEN = person(3, "Helen Head", "head_of_service")


def test_the_line_manager_gets_it_with_nothing_to_explain() -> None:
    to = pick_escalation_recipient(SAM, "line_manager", [TESS, HELEN], set())
    assert (to.person, to.why) == (TESS, "")


def test_no_line_manager_recorded_goes_to_the_qa_team_and_says_so() -> None:
    to = pick_escalation_recipient(HELEN, "line_manager", [], set())
    assert (to.person, to.name) == (None, "the QA team")
    assert to.why == "Helen Head has no line manager recorded"


def test_a_line_manager_away_goes_up_the_line_and_names_who_was_skipped() -> None:
    to = pick_escalation_recipient(SAM, "line_manager", [TESS, HELEN], {TESS.id})
    assert to.person is HELEN
    assert to.why == "Tess Manager, Sam's line manager, is away"


def test_a_role_nobody_holds_up_the_line_says_so() -> None:
    to = pick_escalation_recipient(SAM, "assistant_director", [TESS, HELEN], set())
    assert to.person is None
    assert to.why == "there is no assistant director up Sam Social's line of management"
    away = pick_escalation_recipient(SAM, "head_of_service", [TESS, HELEN], {HELEN.id})
    assert (away.person, away.why) == (None, "Helen Head, Sam's head of service, is away")
