"""Good-practice nominations on Microsoft Teams, through /api/messages and the fake Bot
Connector: Adaptive Card forms, Action.Execute invoke responses and in-place updates."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import BotEnv
from tests.nominations.support import (
    DIFFERENCE,
    SOURCE,
    THEME,
    WHAT,
    audit_actions,
    card_text,
    deliver,
    library,
    nominations,
    person_id,
    teams_cards_in,
    teams_channel,
    teams_member,
    teams_press,
    teams_updates,
    votes,
)

CSW = "19:csw-group@thread.tacv2"
PEOPLE = {
    "aad-sam": "sam.sw@example.gov.uk",
    "aad-priya": "priya.sw@example.gov.uk",
    "aad-chris": "chris.csw@example.gov.uk",
    "aad-bea": "bea.csw@example.gov.uk",
    "aad-finn": "finn.csw@example.gov.uk",
    "aad-tess": "tess.tm@example.gov.uk",
}


@pytest.fixture
async def teams(staffed: BotEnv) -> BotEnv:
    """Everyone has said hello to the bot in Teams; the bot is in the CSW group's team."""
    for aad, email in PEOPLE.items():
        teams_member(staffed, aad, email)
        status, _ = await staffed.teams.say(aad, "help")
        assert status in (200, 201)
    await teams_channel(staffed, "team-csw", CSW, "csw-group")
    await deliver(staffed)
    return staffed


def personal(aad: str) -> str:
    return f"a:personal-{aad}"


async def open_form(env: BotEnv, aad: str, text: str) -> dict[str, object]:
    before = len(teams_cards_in(env, personal(aad)))
    status, _ = await env.teams.say(aad, text)
    assert status in (200, 201)
    await deliver(env)
    cards = teams_cards_in(env, personal(aad))
    assert len(cards) == before + 1
    return cards[-1]


async def nominate(env: BotEnv, **overrides: object) -> dict[str, object]:
    form = await open_form(env, "aad-sam", "nominate")
    priya = await person_id(env, "priya.sw@example.gov.uk")
    inputs = {
        "nominees": str(priya),
        "team": "",
        "what_happened": WHAT,
        "difference_made": DIFFERENCE,
        "evidence_source": SOURCE,
        "evidence": "",
        "theme": THEME,
        "case_reference": "",
        "family_voice": "true",
        "consent": "true",
    } | overrides
    answer = await teams_press(env, "aad-sam", form, "Submit nomination", inputs)
    await deliver(env)
    return answer


def vote_card(env: BotEnv) -> dict[str, object]:
    cards = teams_cards_in(env, CSW)
    assert len(cards) == 1
    return cards[0]


async def test_nomination_goes_from_submission_to_the_library(teams: BotEnv) -> None:
    env = teams
    answer = await nominate(env)
    # The form is replaced in place by the acknowledgement.
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Nomination received: GP-2026-0001" in card_text(answer["value"])
    card = vote_card(env)
    assert card["version"] == "1.5" and "0 of 3" in card_text(card)

    pressed = await teams_press(env, "aad-chris", card, "Ratify", conversation=CSW)
    # Chris sees the updated tally at once; everyone else's copy is updated in place.
    assert "1 of 3" in card_text(pressed["value"])
    await deliver(env)
    assert "1 of 3" in card_text(teams_updates(env, CSW)[-1])
    assert teams_cards_in(env, CSW) == [card]  # nothing new posted in the channel

    await teams_press(env, "aad-bea", card, "Ratify", conversation=CSW)
    last = await teams_press(env, "aad-finn", card, "Ratify", conversation=CSW)
    assert "Vote closed: Ratified" in card_text(last["value"])
    await deliver(env)
    assert "Vote closed: Ratified" in card_text(teams_updates(env, CSW)[-1])
    outcome = teams_cards_in(env, personal("aad-sam"))[-1]
    assert "ratified your nomination GP-2026-0001" in card_text(outcome)
    recognised = teams_cards_in(env, personal("aad-priya"))[-1]
    assert "Your practice has been recognised" in card_text(recognised)
    assert [e.reference for e in await library(env)] == ["GP-2026-0001"]

    shown = await open_form(env, "aad-tess", "library")
    assert "GP-2026-0001" in card_text(shown)
    older = await teams_press(env, "aad-tess", shown, "Read GP-2026-0001")
    assert "Good practice GP-2026-0001" in card_text(older["value"])


async def test_decline_asks_for_a_comment_in_place(teams: BotEnv) -> None:
    env = teams
    await nominate(env)
    card = vote_card(env)
    form = await teams_press(env, "aad-bea", card, "Decline…", conversation=CSW)
    assert "Your comment" in card_text(form["value"])
    empty = await teams_press(
        env, "aad-bea", form["value"], "Decline", {"comment": ""}, conversation=CSW
    )
    assert "Please say why you are declining" in card_text(empty["value"])
    done = await teams_press(
        env,
        "aad-bea",
        form["value"],
        "Decline",
        {"comment": "Too little on the outcome."},
        conversation=CSW,
    )
    assert "1 of 3" in card_text(done["value"])
    (vote,) = await votes(env, (await nominations(env))[0].id)
    assert vote.choice == "decline" and vote.comment == "Too little on the outcome."
    # Back from the comment form shows the vote card again and records nothing.
    form = await teams_press(env, "aad-finn", card, "Needs more information…", conversation=CSW)
    back = await teams_press(env, "aad-finn", form["value"], "Back", conversation=CSW)
    assert "Ratify" in card_text(back["value"]) and "1 of 3" in card_text(back["value"])


async def test_a_double_click_on_ratify_is_counted_once(teams: BotEnv) -> None:
    env = teams
    await nominate(env)
    card = vote_card(env)
    first = await teams_press(env, "aad-chris", card, "Ratify", conversation=CSW)
    second = await teams_press(env, "aad-chris", card, "Ratify", conversation=CSW)
    assert "1 of 3" in card_text(first["value"]) and "1 of 3" in card_text(second["value"])
    await deliver(env)
    assert len(await votes(env, (await nominations(env))[0].id)) == 1
    assert len(teams_updates(env, CSW)) == 1
    assert (await audit_actions(env)).count("nomination.vote") == 1


async def test_a_forged_vote_from_outside_the_csw_group_is_refused(
    teams: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    env = teams
    await nominate(env)
    card = vote_card(env)
    caplog.set_level(logging.WARNING)
    refused = await teams_press(env, "aad-tess", card, "Ratify", conversation=CSW)
    assert "Only the CSW group votes" in card_text(refused["value"])
    assert await votes(env, (await nominations(env))[0].id) == []
    assert any("refused vote.cast" in r.getMessage() for r in caplog.records)
    await deliver(env)
    assert teams_updates(env, CSW) == []


async def test_a_300_kb_field_gets_a_clear_message_and_nothing_is_lost(teams: BotEnv) -> None:
    env = teams
    huge = "The family said it helped. " * 12_000  # about 320 KB
    answer = await nominate(env, what_happened=huge)
    card = answer["value"]
    text = card_text(card)
    assert "please keep it to 2,000" in text
    assert len(json.dumps(card)) < 80_000
    assert await nominations(env) == []
    # The form comes back with everything else kept, and the draft is saved.
    assert DIFFERENCE in text
    again = await open_form(env, "aad-sam", "nominate")
    assert "I kept your draft" in card_text(again) and DIFFERENCE in card_text(again)


async def test_an_unknown_nominee_in_a_forged_payload_is_refused_beside_the_field(
    teams: BotEnv,
) -> None:
    env = teams
    answer = await nominate(env, nominees="99999", team="88888")
    text = card_text(answer["value"])
    assert "no longer in the directory" in text
    assert await nominations(env) == []


async def test_my_nominations_and_my_tasks(teams: BotEnv) -> None:
    env = teams
    await nominate(env)
    mine = await open_form(env, "aad-sam", "my nominations")
    assert "GP-2026-0001" in card_text(mine) and "With the CSW group" in card_text(mine)
    tasks = await open_form(env, "aad-chris", "my tasks")
    assert "Votes waiting for you" in card_text(tasks)
    shown = await teams_press(env, "aad-chris", tasks, "Vote on GP-2026-0001")
    assert "Vote: good practice nomination GP-2026-0001" in card_text(shown["value"])
    voted = await teams_press(env, "aad-chris", shown["value"], "Ratify")
    assert "1 of 3" in card_text(voted["value"])
    tasks = await open_form(env, "aad-chris", "my tasks")
    assert "Votes waiting for you" not in card_text(tasks)


async def test_the_library_search_form(teams: BotEnv) -> None:
    env = teams
    await nominate(env)
    card = vote_card(env)
    for aad in ("aad-chris", "aad-bea", "aad-finn"):
        await teams_press(env, aad, card, "Ratify", conversation=CSW)
    await deliver(env)
    shown = await open_form(env, "aad-tess", "library")
    form = await teams_press(env, "aad-tess", shown, "Search")
    assert "Search the library" in card_text(form["value"])
    bad = await teams_press(
        env, "aad-tess", form["value"], "Search", {"words": "", "theme": "any", "since": "soon"}
    )
    assert "Please give a date as YYYY-MM-DD." in card_text(bad["value"])
    found = await teams_press(
        env, "aad-tess", form["value"], "Search", {"words": "houses", "theme": THEME, "team": "any"}
    )
    assert "1 example matching" in card_text(found["value"])
    none = await teams_press(
        env, "aad-tess", form["value"], "Search", {"words": "kinship", "theme": "any"}
    )
    assert "Nothing in the library matches" in card_text(none["value"])
