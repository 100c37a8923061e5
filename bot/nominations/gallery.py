"""The nominations' cards with sample data, for the card gallery."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cards.model import Card, Choice
from bot.cards.shared import privacy_check_form
from bot.domain import privacy
from bot.domain.framework import Authority, Framework
from bot.nominations.cards import (
    FormChoices,
    NominationView,
    celebration,
    more_information_form,
    my_nominations,
    no_quorum_for_qa,
    nomination_received,
    nomination_withdrawn,
    outcome_for_nominator,
    practice_recognised,
    resubmitted,
    vote_card,
    vote_comment_form,
    vote_recorded,
    vote_refused,
    vote_reminder,
    withdraw_form,
)
from bot.nominations.cards import nomination_form as form_card
from bot.nominations.rules import Tally


def samples() -> list[Card]:
    framework = Framework(authority=Authority(name="Somerset Council", short_name="Somerset"))
    view = sample_view()
    closes = datetime(2026, 11, 30, 17, 0)
    tally = Tally(ratify=2, decline=0, needs_more_information=1, voters=frozenset({1, 2, 3}))
    text = "Her son Jayden Smith (DOB 12/03/2015) lives at 14 Acacia Avenue."
    flagged = [("What happened", f) for f in privacy.screen(text)]
    comments = ["A CSW: Lovely example; please say what the child said about the plan."]
    choices = FormChoices(
        people=[Choice(title="Sam Social (Taunton CP)", value="3")],
        teams=[Choice(title="No: only the people chosen", value="none")],
    )
    # One sample of each card (the gallery is keyed by card name).
    return [
        form_card(
            framework,
            FormChoices(choices.people, choices.teams, many_people=True),
            {"what_happened": "Sam used a three houses exercise."},
            form_key="k",
            note="I kept your draft from Mon 23 Nov 2026, 10:04.",
        ),
        privacy_check_form(flagged, verb="nominate.privacy", data={"form": "k"}),
        nomination_received(view, closes),
        vote_card(
            view,
            round_number=2,
            tally=tally,
            eligible=5,
            closes=closes,
            case_label="LCS / EHM number",
            extended=True,
        ),
        vote_comment_form(view, round_number=1, choice="decline", back=True),
        vote_recorded(view, "ratify", closes, changed=False),
        vote_refused("Only the CSW group votes", "Only members of the CSW group vote."),
        vote_reminder(view, round_number=1, closes=closes),
        outcome_for_nominator(view, "needs_more_information", comments),
        practice_recognised(view, nominator="Tess Manager", shared=True),
        celebration(view, what_happened=view.what_happened, difference_made=view.difference_made),
        no_quorum_for_qa(view, voted=2, eligible=5),
        more_information_form(view, comments, max_length=2000),
        resubmitted(view, closes),
        withdraw_form(view),
        nomination_withdrawn(view, "The nominee asked for it not to go ahead."),
        my_nominations(
            [(view, "With the CSW group until Mon 30 Nov 2026, 17:00")],
            draft_saved=datetime(2026, 11, 23, 10, 4, tzinfo=UTC),
        ),
    ]


def sample_view() -> NominationView:
    return NominationView(
        id=42,
        reference="GP-2026-0042",
        theme="Child's voice and lived experience",
        nominees="Sam Social (Taunton CP)",
        what_happened="Sam used a three houses exercise over four visits so the child could say "
        "what worried them at home, and brought their words to the conference.",
        difference_made="The plan was rewritten around what the child said; school attendance "
        "has improved and the family feel listened to.",
        evidence_source="Family feedback",
        evidence="The family's feedback form.",
        family_voice=True,
        consent_to_share=True,
        case_reference="2045871",
        nominator="Tess Manager",
    )
