"""Good-practice nominations, the CSW group's vote and the Good Practice Library.

Sources: Somerset's good practice process (seed 000: anyone nominates at any time, the
Consultant Social Worker group verifies, the nominator hears back, ratified practice goes into
the Good Practice Library), North Somerset's Good Practice Conversations (seed 004: heads of
service nominate teams) and West Sussex's Practice Recognition (seed 002).

The flows live in small modules:
- ``nomination_form``: nominate, drafts, the privacy check, my nominations, more information;
- ``nomination_voting``: vote rounds, votes, closing, reminders, outcomes, QA withdraw/reopen;
- ``nomination_library``: search and read the library;
- ``nomination_export``: the CSV export (chat link and ``qabot library export``);
- ``nomination_teams``: team nominations for Good Practice Conversations;
- ``nomination_cards``: the cards.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cards.model import Card, Choice
from bot.dialogs import (
    nomination_export,
    nomination_form,
    nomination_library,
    nomination_teams,
    nomination_voting,
)
from bot.dialogs.base import Router
from bot.dialogs.nomination_cards import (
    FormChoices,
    celebration,
    more_information_form,
    my_nominations,
    no_quorum_for_qa,
    nomination_received,
    nomination_withdrawn,
    outcome_for_nominator,
    practice_recognised,
    privacy_check_form,
    resubmitted,
    vote_card,
    vote_comment_form,
    vote_recorded,
    vote_refused,
    vote_reminder,
    withdraw_form,
)
from bot.dialogs.nomination_cards import (
    nomination_form as form_card,
)
from bot.domain import privacy
from bot.domain.framework import Authority, Framework
from bot.domain.voting import Tally


def register(router: Router) -> None:
    nomination_form.register(router)
    nomination_voting.register(router)
    nomination_library.register(router)
    nomination_export.register(router)
    nomination_teams.register(router)
    router.gallery(_gallery)


def _gallery() -> list[Card]:
    framework = Framework(authority=Authority(name="Somerset Council", short_name="Somerset"))
    view = nomination_voting.sample_view()
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
