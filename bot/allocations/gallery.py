"""The allocations' cards with sample data, for the card gallery."""

from __future__ import annotations

from datetime import date

from bot.allocations import cards
from bot.allocations.cards import Line, ProposalView, WorkView
from bot.cards.model import Button, Card


def samples() -> list[Card]:
    """Every card of the flow, with sample data."""
    evaluation = WorkView(
        id=42,
        activity="Practice Evaluation",
        case_label="LCS / EHM number",
        case_ref="2045871",
        team="Taunton CP",
        role="evaluator",
        status="allocated",
        status_label="not yet accepted",
        allocated_on=date(2027, 2, 1),
        due_on=date(2027, 2, 22),
        cycle="PE Feb 2027",
        partner="Chris Consultant",
        gradable=True,
        stretch_target=True,
    )
    waiting = WorkView(
        **{
            **evaluation.__dict__,
            "id": 43,
            "role": "moderator",
            "status": "waiting",
            "status_label": "waiting for the evaluation",
            "due_on": None,
            "partner": "Sam Social",
            "partner_label": "Evaluated by",
        }
    )
    ready = WorkView(
        **{
            **waiting.__dict__,
            "status": "allocated",
            "status_label": "not yet accepted",
            "due_on": date(2027, 3, 15),
        }
    )
    done_button = Button(label="Done 2045871", verb="alloc.done", data={"a": 42})
    today = [
        Line(
            "Practice Evaluation, case 2045871: due in 2 working days (Mon 22 Feb 2027)",
            done_button,
        ),
        Line(
            "Action “Update the chronology”: overdue: it was due Fri 19 Feb 2027 (1 working "
            "day ago)",
            urgent=True,
        ),
    ]
    late = [
        Line(
            "Sam Social: Practice Evaluation, case 2045871, due Mon 22 Feb 2027, 3 working "
            "days overdue",
            urgent=True,
        )
    ]
    proposal = ProposalView(
        cycle_id=7,
        title="Proposed allocation 7: PE Feb 2027 (Practice Evaluation)",
        status="proposed",
        cases=89,
        people=40,
        per_service=[("Social Work", "60 of 60"), ("Youth Justice", "8 of 8")],
        lines=[
            "2045871 (Taunton CP): Practice Evaluation by Sam Social; moderator Chris "
            "Consultant, due Mon 22 Feb 2027"
        ],
        problems=["line 12: Priya Patel is away until Fri 12 Feb 2027"],
        errors=["line 4: no one with the email x@example.gov.uk is in the directory"],
    )
    return [
        cards.how_to_card([("practice_evaluation", "Practice Evaluation")], "2045871"),
        cards.proposal_card(proposal),
        cards.import_failed_card(
            ["line 2: case_ref 'Jayden' is not a LCS / EHM number (e.g. 2045871)"],
            header_hint="case_ref,team,activity,assignee_email,moderator_email,cycle",
        ),
        cards.allocation_card(evaluation),
        cards.allocation_card(waiting),
        cards.moderation_ready_card(ready),
        cards.outcome_form(evaluation, today=date(2027, 2, 19), action_due=date(2027, 3, 19)),
        cards.cant_do_form(evaluation),
        cards.help_form(evaluation),
        cards.reassign_form(evaluation),
        cards.returned_card(evaluation, "Sam Social", "on leave for three weeks"),
        cards.unassigned_card(ready, "nobody with a suitable role was free"),
        cards.help_requested_card(evaluation, "Sam Social", "Who is the practitioner?"),
        cards.notice_card("Allocation 7 confirmed", ["Quinn confirmed PE Feb 2027."]),
        cards.inadequate_alert_card(
            "Inadequate confirmed: case 2045871",
            [
                "The Inadequate grade of case 2045871 is confirmed at moderation.",
                "The case is re-audited by Mon 24 May 2027.",
            ],
        ),
        cards.inadequate_escalation_card(
            "Mosaic number",
            "1187342",
            "Re-audit at 3 months; still Inadequate: escalate.",
            [("Graded Inadequate", "Mon 22 Feb 2027"), ("Further audits", "1")],
        ),
        cards.work_done_card(evaluation, ["Chris Consultant has been told."], today[:1]),
        cards.action_done_card("Update the chronology", []),
        cards.morning_summary_card("Sam", today, today[:1]),
        cards.escalation_card("Tess", late),
        cards.digest_card("Tess", date(2027, 3, 1), late),
        cards.kept_cohort_choice(
            cards.KeptCohort(
                activity_key="practice_evaluation",
                activity="Practice Evaluation",
                cohort_id=3,
                cases=240,
                uploaded_on=date(2027, 1, 28),
                uploaded_by="Quinn Improvement",
            )
        ),
    ]
