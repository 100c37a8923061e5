"""The escalations cards with sample data, for `qabot cards gallery` and the schema tests."""

from __future__ import annotations

from bot.cards.model import Card
from bot.escalations import cards

SAMPLE = cards.DisputeView(
    number=12,
    version=3,
    ladder="Resolving Professional Differences",
    stage="Stage 2: the managers",
    stage_number=2,
    stages=4,
    guidance="The practitioners' managers talk and agree an action plan.",
    record="An RPD case note with the managers' agreed action plan.",
    ends_when="The managers agree a plan, or escalate to senior managers.",
    clock="due Mon 07 Dec 2026 (3 working days left)",
    status="open",
    raised_by="Sam Social (Practitioner, Somerset)",
    other="Dr Jo Bloggs, GP (Other professional, Health)",
    case_reference="1187342",
    category="Threshold decision",
    resolution_sought="A strategy discussion this week.",
    can_escalate=True,
)


def samples() -> list[Card]:
    return [
        cards.risk_question(),
        cards.child_protection_route(
            "the front door", "the Emergency Duty Team", ["Tess Manager (Team manager)"], ""
        ),
        cards.safety_alert("Sam Social", "Practitioner"),
        cards.start_form(
            [("rpd", "Resolving Professional Differences"), ("drp", "IRO DRP")],
            "rpd",
            ["Threshold decision", "Other"],
            [(0, "Stage 1"), (1, "Stage 2")],
            "case record number",
            False,
        ),
        cards.dispute_card(SAMPLE, "This disagreement has been escalated to you."),
        cards.step_form(12, 3, "escalate", SAMPLE.stage),
        cards.case_note_card(12, "RPD", "RPD case note: ...", "https://qabot.example.org/x"),
        cards.not_found("12"),
        cards.disputes_list([("RPD", [("Dispute 12", "Stage 2: due Mon")])], "None."),
        cards.my_disputes([("Dispute 12", "Stage 2: due Mon")], [(12, "Dispute 12")]),
        cards.quarterly_report("Q3 2026-27", [("By ladder", [("RPD", "3")])], None),
    ]
