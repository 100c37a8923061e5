"""A nomination that names a child several times, on Slack and on Teams: the privacy check lists
each thing found, previews the text as it will be shared, and "Remove these for me" removes every
occurrence (not only the first), so the CSW channel and the store get exactly the preview."""

from __future__ import annotations

import json

from bot.domain.privacy import REMOVED
from tests.conftest import BotEnv
from tests.nominations.support import (
    CSW_CHANNEL,
    card_text,
    deliver,
    last_view,
    nominations,
    posts_to,
    slack_button,
    slack_submit,
    slack_vote,
    teams_cards_in,
    teams_press,
    text_of,
    votes,
)
from tests.nominations.test_slack import nominate as slack_nominate
from tests.nominations.test_slack import vote_card
from tests.nominations.test_teams import CSW, teams  # noqa: F401 (the fixture)
from tests.nominations.test_teams import nominate as teams_nominate

WHAT = (
    "Hope has been settled since the move; Kayden's mum says Kayden sleeps better now. "
    "Sam visited Kayden and Hope at 14 Acacia Avenue every week, and Kayden chose where to meet."
)
# "Rayden" is in no names list: only the word "son" marks it, once; the later mentions must go too.
DIFFERENCE = (
    "Kayden told the review he felt listened to; we hope it lasts. Her son Rayden joined in, "
    "and Rayden drew the family tree."
)
SHARED_WHAT = (
    f"{REMOVED} has been settled since the move; {REMOVED}'s mum says {REMOVED} sleeps better "
    f"now. Sam visited {REMOVED} and {REMOVED} at {REMOVED} every week, and {REMOVED} chose "
    "where to meet."
)
SHARED_DIFFERENCE = (
    f"{REMOVED} told the review he felt listened to; we hope it lasts. Her son {REMOVED} joined "
    f"in, and {REMOVED} drew the family tree."
)


def assert_nothing_identifying(shown: str) -> None:
    for identifier in ("Kayden", "Hope", "Acacia", "Rayden"):
        assert identifier not in shown, identifier
    assert "we hope it lasts" in shown  # the word "hope" is not a name


async def test_slack_removes_every_repeat_and_shares_exactly_the_preview(
    staffed: BotEnv,
) -> None:
    env = staffed
    answer = await slack_nominate(env, what_happened=WHAT, difference_made=DIFFERENCE)
    check = answer["view"]
    assert check["callback_id"] == "nominate.privacy"
    shown = json.dumps(check, ensure_ascii=False)
    assert "“Kayden” (×4): this looks like a child's name" in shown
    assert "“Hope” (×2)" in shown and "home address" in shown
    assert "“Rayden” (×2)" in shown
    assert "If I remove them, this is exactly what will be shared:" in shown
    assert SHARED_WHAT in shown and SHARED_DIFFERENCE in shown
    assert posts_to(env, CSW_CHANNEL) == []

    answer = await slack_submit(env, "USAM", check, {"privacy_choice": "remove"})
    assert answer == {}
    await deliver(env)
    (posted,) = posts_to(env, CSW_CHANNEL)
    assert_nothing_identifying(text_of(posted))
    (nomination,) = await nominations(env)
    assert nomination.what_happened == SHARED_WHAT
    assert nomination.difference_made == SHARED_DIFFERENCE


async def test_teams_removes_every_repeat_and_shares_exactly_the_preview(
    teams: BotEnv,  # noqa: F811
) -> None:
    env = teams
    answer = await teams_nominate(env, what_happened=WHAT, difference_made=DIFFERENCE)
    check = answer["value"]
    shown = card_text(check)
    assert "Check before it is shared" in shown
    assert "“Kayden” (×4): this looks like a child's name" in shown
    assert SHARED_WHAT in shown and SHARED_DIFFERENCE in shown
    assert teams_cards_in(env, CSW) == []

    await teams_press(env, "aad-sam", check, "Continue", {"privacy_choice": "remove"})
    await deliver(env)
    (posted,) = teams_cards_in(env, CSW)
    assert_nothing_identifying(card_text(posted))
    (nomination,) = await nominations(env)
    assert nomination.what_happened == SHARED_WHAT
    assert nomination.difference_made == SHARED_DIFFERENCE


async def test_confirming_keeps_the_text_as_written(staffed: BotEnv) -> None:
    env = staffed
    answer = await slack_nominate(env, what_happened=WHAT, difference_made=DIFFERENCE)
    answer = await slack_submit(env, "USAM", answer["view"], {"privacy_choice": "confirm"})
    await deliver(env)
    (nomination,) = await nominations(env)
    assert nomination.what_happened == WHAT
    assert "child_name" in nomination.privacy_confirmed


# Tess and Finn are in the directory (tests/conftest.py STAFF_CSV): named bare, with no role or
# professional verb, the screen alone would take them for children.
COLLEAGUES = (
    "Tess said the plan Priya wrote was the clearest she had seen. Finn told the panel it made "
    "the child's wishes plain."
)


async def test_colleagues_in_the_directory_named_bare_raise_no_check(staffed: BotEnv) -> None:
    env = staffed
    answer = await slack_nominate(env, what_happened=COLLEAGUES)
    assert answer == {}  # straight through: no privacy check
    (nomination,) = await nominations(env)
    assert nomination.what_happened == COLLEAGUES


async def test_a_family_cue_still_flags_a_name_a_colleague_shares(staffed: BotEnv) -> None:
    env = staffed
    text = "Her son Finn told the panel the plan made sense to him."
    answer = await slack_nominate(env, what_happened=text)
    check = answer["view"]
    assert check["callback_id"] == "nominate.privacy"
    assert "“Finn”" in json.dumps(check, ensure_ascii=False)
    assert await nominations(env) == []


# A vote comment is screened as the nomination form's text is: with the staff directory.
async def test_a_vote_comment_naming_a_colleague_in_the_directory_is_accepted(
    staffed: BotEnv,
) -> None:
    env = staffed
    await slack_nominate(env)
    card = vote_card(env)
    comment = "Tess said the outcome for the family was not clear enough."
    await slack_vote(env, "UBEA", card, "Decline…", comment=comment)  # accepted: no errors
    (nomination,) = await nominations(env)
    (vote,) = await votes(env, nomination.id)
    assert vote.choice == "decline" and vote.comment == comment


async def test_a_vote_comment_naming_a_child_who_shares_a_colleagues_name_is_refused(
    staffed: BotEnv,
) -> None:
    env = staffed
    await slack_nominate(env)
    card = vote_card(env)
    await env.slack.press("UBEA", slack_button(card, "Decline…"), channel=CSW_CHANNEL)
    answer = await slack_submit(
        env, "UBEA", last_view(env), {"comment": "Tess's mum says the plan did not help."}
    )
    assert answer["response_action"] == "errors"
    assert "child's name" in answer["errors"]["comment"]
    assert await votes(env, (await nominations(env))[0].id) == []
