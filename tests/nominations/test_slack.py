"""Good-practice nominations on Slack, through /slack/events and the fake Slack Web API."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock
from tests.nominations.support import (
    CELEBRATE_CHANNEL,
    CSW_CHANNEL,
    DIFFERENCE,
    QA_CHANNEL,
    SOURCE,
    THEME,
    WHAT,
    audit_actions,
    count_outbox,
    deliver,
    dms_to,
    last_view,
    library,
    london,
    nominations,
    person_id,
    posts_to,
    slack_button,
    slack_form,
    slack_submit,
    slack_vote,
    sweep_at,
    text_of,
    updates_to,
    votes,
)

CASE_NUMBER = "2045871"


async def nominate(env: BotEnv, user: str = "USAM", **overrides: object) -> dict[str, object]:
    """Sam nominates Priya through the /qa nominate modal; returns Slack's answer."""
    priya = await person_id(env, "priya.sw@example.gov.uk")
    values: dict[str, object] = {
        "nominees": [str(priya)],
        "what_happened": WHAT,
        "difference_made": DIFFERENCE,
        "evidence_source": SOURCE,
        "theme": THEME,
        "case_reference": CASE_NUMBER,
        "family_voice": True,
        "consent": True,
    }
    values.update(overrides)
    view = await slack_form(env, user, "nominate")
    answer = await slack_submit(env, user, view, values)
    await deliver(env)
    return answer


def vote_card(env: BotEnv) -> dict[str, object]:
    posted = posts_to(env, CSW_CHANNEL)
    assert len(posted) == 1, [p["text"] for p in posted]
    return posted[0]


async def test_nomination_goes_from_submission_to_the_library(staffed: BotEnv) -> None:
    env = staffed
    assert await nominate(env) == {}  # the modal closes
    ack = dms_to(env, "USAM")[-1]
    assert (
        "GP-2026-0001" in ack["text"]
        and "gone to the Consultant Social Worker group" in ack["text"]
    )
    card = vote_card(env)
    assert "0 of 3" in text_of(card)
    assert CASE_NUMBER in text_of(card)  # the CSW group may check the case record
    assert [b["label"] for b in _buttons(card)] == ["Ratify", "Decline…", "Needs more information…"]

    await slack_vote(env, "UCHRIS", card, "Ratify")
    await deliver(env)
    first = updates_to(env, CSW_CHANNEL)[-1]
    assert "1 of 3" in text_of(first)
    assert "Chris" not in text_of(first)  # counts, never who voted what
    assert "recorded: Ratify" in dms_to(env, "UCHRIS")[-1]["text"]

    await slack_vote(env, "UBEA", card, "Ratify")
    await slack_vote(env, "UFINN", card, "Ratify")
    await deliver(env)
    closed = updates_to(env, CSW_CHANNEL)[-1]
    assert "Vote closed: Ratified" in text_of(closed)
    assert _buttons(closed) == []
    assert "vote has closed: Ratified" in dms_to(env, "UFINN")[-1]["text"]

    outcome = dms_to(env, "USAM")[-1]
    assert "ratified your nomination GP-2026-0001" in text_of(outcome)
    assert "Good Practice Library" in text_of(outcome)
    assert "Your practice has been recognised" in text_of(dms_to(env, "UPRIYA")[-1])
    celebration = posts_to(env, CELEBRATE_CHANNEL)
    assert len(celebration) == 1 and "Priya Patel" in celebration[0]["text"]
    assert CASE_NUMBER not in text_of(celebration[0])

    entries = await library(env)
    assert [e.reference for e in entries] == ["GP-2026-0001"]
    status, body = await env.slack.command("UTESS", "library three houses")
    assert status == 200
    found = json.loads(body)
    assert "1 example matching" in text_of(found) and "GP-2026-0001" in text_of(found)
    assert CASE_NUMBER not in text_of(found)
    actions = await audit_actions(env)
    for expected in (
        "nomination.submitted",
        "nomination.vote",
        "nomination.vote_closed",
        "nomination.outcome",
        "library.added",
    ):
        assert expected in actions


def _buttons(message: dict[str, object]) -> list[dict[str, object]]:
    from tests.harness import find_buttons

    return find_buttons(message["blocks"])  # type: ignore[arg-type]


async def test_a_comment_that_identifies_a_child_keeps_the_vote_modal_open(
    staffed: BotEnv,
) -> None:
    env = staffed
    await nominate(env)
    card = vote_card(env)
    await env.slack.press("UBEA", slack_button(card, "Decline…"), channel=CSW_CHANNEL)
    modal = last_view(env)
    answer = await slack_submit(
        env, "UBEA", modal, {"comment": "The child, born 12/03/2015, said it helped."}
    )
    assert answer["response_action"] == "errors"
    assert "date of birth" in answer["errors"]["comment"]
    assert await votes(env, (await nominations(env))[0].id) == []


async def test_a_decline_sends_the_nominator_the_comments_without_names(staffed: BotEnv) -> None:
    env = staffed
    await nominate(env)
    card = vote_card(env)
    # A decline needs a comment: an empty one keeps the modal open with the reason beside it.
    status, _ = await env.slack.press("UBEA", slack_button(card, "Decline…"), channel=CSW_CHANNEL)
    assert status == 200
    modal = last_view(env)
    answer = await slack_submit(env, "UBEA", modal, {"comment": ""})
    assert answer["response_action"] == "errors"
    assert "Please say why" in answer["errors"]["comment"]
    assert await votes(env, (await nominations(env))[0].id) == []

    await slack_submit(env, "UBEA", modal, {"comment": "The difference for the child isn't clear."})
    await slack_vote(env, "UFINN", card, "Decline…", "Please show the family's view.")
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await deliver(env)

    outcome = text_of(dms_to(env, "USAM")[-1])
    assert "has not ratified your nomination GP-2026-0001" in outcome
    assert "A CSW: The difference for the child isn't clear." in outcome
    assert "A CSW: Please show the family's view." in outcome
    assert "Bea" not in outcome and "Finn" not in outcome
    assert await library(env) == []
    assert dms_to(env, "UPRIYA") == []  # nominees hear only of ratified practice
    assert "Vote closed: Declined" in text_of(updates_to(env, CSW_CHANNEL)[-1])


async def test_a_tie_asks_for_more_information_and_a_resubmission_reopens_the_vote(
    staffed: BotEnv,
) -> None:
    env = staffed
    await nominate(env)
    card = vote_card(env)
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await slack_vote(env, "UBEA", card, "Decline…", "Not enough on the outcome.")
    await slack_vote(env, "UFINN", card, "Needs more information…", "What did the child say?")
    await deliver(env)
    # One each: Ratify is exactly half of Ratify + Decline, and Somerset's tie rule asks for more.
    assert "Vote closed: More information needed" in text_of(updates_to(env, CSW_CHANNEL)[-1])
    outcome = dms_to(env, "USAM")[-1]
    assert "needs more information" in text_of(outcome)
    assert "A CSW: What did the child say?" in text_of(outcome)

    before = len(env.slack_api.calls_to("views.open"))
    status, _ = await env.slack.press("USAM", slack_button(outcome, "Add information"))
    assert status == 200
    await env.slack_api.wait_for("views.open", before + 1)
    form = last_view(env)
    assert "What did the child say?" in json.dumps(form)
    answer = await slack_submit(env, "USAM", form, {"more": "They said they now feel heard."})
    assert answer == {}
    await deliver(env)
    assert "back with the CSW group for round 2" in dms_to(env, "USAM")[-1]["text"]

    rounds = posts_to(env, CSW_CHANNEL)
    assert len(rounds) == 2  # a fresh card for round 2: everyone votes again
    second = rounds[-1]
    assert "(round 2)" in text_of(second) and "0 of 3" in text_of(second)
    assert "They said they now feel heard." in text_of(second)
    for user in ("UCHRIS", "UBEA", "UFINN"):
        await slack_vote(env, user, second, "Ratify")
    await deliver(env)
    nomination = (await nominations(env))[0]
    assert nomination.status == "ratified" and nomination.round == 2
    entry = (await library(env))[0]
    assert "They said they now feel heard." in entry.more_information
    assert "nomination.resubmitted" in await audit_actions(env)


async def test_a_round_left_open_by_a_nomination_that_moved_on_is_closed_before_its_day(
    staffed: BotEnv,
) -> None:
    """The sweep reads only the rounds due today, and also those a nomination has left behind
    (its status changed without closing its round): they are closed at the next tick, days
    before they would have closed, and nobody is reminded about them."""
    from sqlalchemy import select, update

    from bot.nominations.store import Nomination, VoteRound

    env = staffed
    await nominate(env)
    await nominate(env, what_happened=WHAT + " Again, with the school.")
    first, second = await nominations(env)
    async with env.runtime.db.session() as session:
        await session.execute(
            update(Nomination).where(Nomination.id == first.id).values(status="withdrawn")
        )
    await sweep_at(env, london(2026, 11, 24, 10, 0))  # days before the close and the reminder
    async with env.runtime.db.session() as session:
        rounds = {r.nomination_id: r for r in (await session.execute(select(VoteRound))).scalars()}
    assert rounds[first.id].outcome == "superseded" and rounds[first.id].closed_at is not None
    assert rounds[second.id].closed_at is None
    assert not [m for m in dms_to(env, "UCHRIS") if "Reminder" in text_of(m)]


async def test_quorum_not_met_extends_once_then_goes_to_the_qa_team(staffed: BotEnv) -> None:
    env = staffed
    await nominate(env)
    card = vote_card(env)
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await deliver(env)
    # Friday 27 Nov, the working day before the close: reminders to the two who haven't voted.
    await sweep_at(env, london(2026, 11, 27, 9, 0))  # before the morning summary time
    assert dms_to(env, "UBEA") == []
    await sweep_at(env, london(2026, 11, 27, 9, 45))
    await sweep_at(env, london(2026, 11, 27, 11, 0))  # a second sweep repeats nothing
    for user in ("UBEA", "UFINN"):
        reminders = [m for m in dms_to(env, user) if "Reminder" in text_of(m)]
        assert len(reminders) == 1
    assert [m for m in dms_to(env, "UCHRIS") if "Reminder" in text_of(m)] == []

    # The deadline passes (Mon 30 Nov, 17:00) with one vote of three: extended once.
    await sweep_at(env, london(2026, 11, 30, 17, 5))
    extended = updates_to(env, CSW_CHANNEL)[-1]
    assert "extended" in text_of(extended) and "Thu 3 Dec 2026" in text_of(extended)
    assert (await nominations(env))[0].status == "voting"
    assert not [p for p in posts_to(env, QA_CHANNEL) if "needs the QA team" in text_of(p)]
    # Those who still haven't voted are reminded once more, the working day before the new close.
    await sweep_at(env, london(2026, 12, 2, 10, 0))
    await sweep_at(env, london(2026, 12, 2, 14, 0))
    for user in ("UBEA", "UFINN"):
        assert len([m for m in dms_to(env, user) if "Reminder" in text_of(m)]) == 2

    await sweep_at(env, london(2026, 12, 3, 17, 1))
    nomination = (await nominations(env))[0]
    assert nomination.status == "no_quorum"
    # Decided after working hours: the news waits for the next morning.
    assert not [p for p in posts_to(env, QA_CHANNEL) if "needs the QA team" in text_of(p)]
    await sweep_at(env, london(2026, 12, 4, 9, 0))
    qa = [p for p in posts_to(env, QA_CHANNEL) if "needs the QA team" in text_of(p)]
    assert len(qa) == 1 and "Only 1 of 3" in text_of(qa[0])
    assert "Too few of the Consultant Social Worker group voted" in text_of(dms_to(env, "USAM")[-1])

    # The QA team reopens the vote: a new card, votes start again.
    status, _ = await env.slack.press(
        "UQUINN", slack_button(qa[0], "Reopen the vote"), channel=QA_CHANNEL
    )
    assert status == 200
    await deliver(env)
    assert len(posts_to(env, CSW_CHANNEL)) == 2
    assert (await nominations(env))[0].status == "voting"


async def test_a_vote_from_someone_outside_the_csw_group_is_refused_and_logged(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    env = staffed
    await nominate(env)
    card = vote_card(env)
    caplog.set_level(logging.INFO)
    status, _ = await env.slack.press("UTESS", slack_button(card, "Ratify"), channel=CSW_CHANNEL)
    assert status == 200
    await deliver(env)
    assert "Only the CSW group votes" in text_of(dms_to(env, "UTESS")[-1])
    assert await votes(env, (await nominations(env))[0].id) == []
    assert updates_to(env, CSW_CHANNEL) == []
    refusals = [r for r in caplog.records if "refused vote.cast" in r.getMessage()]
    assert refusals and refusals[0].levelno == logging.WARNING
    assert WHAT[:20] not in caplog.text
    assert "nomination.refused" in await audit_actions(env)


async def test_a_double_click_on_ratify_is_counted_once(staffed: BotEnv) -> None:
    env = staffed
    await nominate(env)
    card = vote_card(env)
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await deliver(env)
    nomination = (await nominations(env))[0]
    assert len(await votes(env, nomination.id)) == 1
    assert "1 of 3" in text_of(updates_to(env, CSW_CHANNEL)[-1])
    assert len(updates_to(env, CSW_CHANNEL)) == 1
    assert "already recorded" in dms_to(env, "UCHRIS")[-1]["text"]
    assert (await audit_actions(env)).count("nomination.vote") == 1


async def test_a_csw_can_change_their_vote_until_it_closes(staffed: BotEnv) -> None:
    env = staffed
    await nominate(env)
    card = vote_card(env)
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await slack_vote(env, "UCHRIS", card, "Needs more information…", "Which visit was this?")
    await deliver(env)
    nomination = (await nominations(env))[0]
    (vote,) = await votes(env, nomination.id)
    assert vote.choice == "needs_more_information" and vote.changes == 1
    latest = text_of(updates_to(env, CSW_CHANNEL)[-1])
    assert "1 of 3" in latest
    assert "is now: Needs more information" in dms_to(env, "UCHRIS")[-1]["text"]
    assert "nomination.vote_changed" in await audit_actions(env)
    # After the close, the card is out of date: nothing changes.
    await slack_vote(env, "UBEA", card, "Ratify")
    await slack_vote(env, "UFINN", card, "Ratify")
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await deliver(env)
    assert "has closed, so nothing was changed" in dms_to(env, "UCHRIS")[-1]["text"]
    (chris,) = [v for v in await votes(env, nomination.id) if v.voter_id == vote.voter_id]
    assert chris.choice == "needs_more_information"


async def test_a_csw_who_is_nominated_is_recused(staffed: BotEnv) -> None:
    env = staffed
    chris = await person_id(env, "chris.csw@example.gov.uk")
    await nominate(env, nominees=[str(chris)])
    card = vote_card(env)
    assert "0 of 2" in text_of(card)
    await slack_vote(env, "UCHRIS", card, "Ratify")
    await deliver(env)
    assert "recused" in text_of(dms_to(env, "UCHRIS")[-1])
    assert await votes(env, (await nominations(env))[0].id) == []


async def test_restart_between_submission_and_posting_still_delivers_the_card_once(
    database: Database, clock: FakeClock
) -> None:
    from tests.conftest import STAFF_CSV

    env = await start_env(database, clock)
    try:
        await env.import_staff(STAFF_CSV)
        assert env.runtime.worker is not None
        env.runtime.worker.stop()  # the process dies before anything is sent
        priya = await person_id(env, "priya.sw@example.gov.uk")
        view = await slack_form(env, "USAM", "nominate")
        await slack_submit(
            env,
            "USAM",
            view,
            {
                "nominees": [str(priya)],
                "what_happened": WHAT,
                "difference_made": DIFFERENCE,
                "evidence_source": SOURCE,
                "theme": THEME,
                "consent": True,
            },
        )
        assert posts_to(env, CSW_CHANNEL) == []
    finally:
        await stop_env(env)
    env = await start_env(database, clock)
    try:
        await deliver(env)
        await env.runtime.bot.run_sweeps()
        await deliver(env)
        assert len(posts_to(env, CSW_CHANNEL)) == 1
        assert "GP-2026-0001" in posts_to(env, CSW_CHANNEL)[0]["text"]
        await sweep_at(env, london(2026, 11, 24, 10, 0))
        assert len(posts_to(env, CSW_CHANNEL)) == 1
    finally:
        await stop_env(env)


async def test_form_problems_are_shown_beside_the_fields(staffed: BotEnv) -> None:
    env = staffed
    sam = await person_id(env, "sam.sw@example.gov.uk")
    view = await slack_form(env, "USAM", "nominate")
    answer = await slack_submit(
        env,
        "USAM",
        view,
        {
            "nominees": [],
            "what_happened": "x" * 300_000,
            "difference_made": "",
            "evidence_source": None,
            "theme": THEME,
            "case_reference": "not-a-number",
        },
    )
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert errors["what_happened"].startswith("This is 300,000 characters; please keep it to 2,000")
    assert (
        errors["difference_made"] == "Please say what difference it made for the child or family."
    )
    assert errors["evidence_source"] == "Please choose where you saw it."
    assert "LCS / EHM number" in errors["case_reference"] and "2045871" in errors["case_reference"]
    assert errors["nominees"] == "Choose at least one person, or a whole team."
    answer = await slack_submit(
        env,
        "USAM",
        view,
        {
            "nominees": [str(sam)],
            "what_happened": WHAT,
            "difference_made": DIFFERENCE,
            "evidence_source": SOURCE,
            "theme": THEME,
        },
    )
    assert "can't nominate yourself" in answer["errors"]["nominees"]
    assert await nominations(env) == []
    # What was typed is kept as a draft: opening the form again shows it.
    again = await slack_form(env, "USAM", "nominate")
    assert "I kept your draft" in json.dumps(again) and WHAT[:40] in json.dumps(again)


async def test_the_privacy_check_holds_the_nomination_until_the_person_decides(
    staffed: BotEnv,
) -> None:
    env = staffed
    risky = "Sam visited her son Jayden Smith (8) at 14 Acacia Avenue every week."
    answer = await nominate(env, what_happened=risky)
    assert answer["response_action"] == "update"
    check = answer["view"]
    assert check["callback_id"] == "nominate.privacy"
    shown = json.dumps(check)
    assert "Jayden Smith" in shown and "child's name" in shown and "home address" in shown
    assert posts_to(env, CSW_CHANNEL) == [] and await nominations(env) == []

    # "Let me edit it" goes back to the form with everything kept.
    answer = await slack_submit(env, "USAM", check, {"privacy_choice": "edit"})
    assert answer["response_action"] == "update"
    assert "Jayden Smith" in json.dumps(answer["view"])
    form = answer["view"]
    priya = await person_id(env, "priya.sw@example.gov.uk")
    answer = await slack_submit(
        env,
        "USAM",
        form,
        {
            "nominees": [str(priya)],
            "what_happened": risky,
            "difference_made": DIFFERENCE,
            "evidence_source": SOURCE,
            "theme": THEME,
            "consent": True,
        },
    )
    # "Remove these for me": the vote card never carries what was flagged.
    answer = await slack_submit(env, "USAM", answer["view"], {"privacy_choice": "remove"})
    assert answer == {}
    await deliver(env)
    posted = text_of(vote_card(env))
    assert "Jayden" not in posted and "Acacia" not in posted and "[removed]" in posted
    nomination = (await nominations(env))[0]
    assert "Jayden" not in nomination.what_happened


async def test_a_confirmed_case_number_in_free_text_never_reaches_the_library(
    staffed: BotEnv,
) -> None:
    env = staffed
    answer = await nominate(env, what_happened=WHAT + f" Case {CASE_NUMBER} is a good example.")
    assert "case record number" in json.dumps(answer["view"])
    answer = await slack_submit(env, "USAM", answer["view"], {"privacy_choice": "confirm"})
    assert answer == {}
    await deliver(env)
    card = vote_card(env)
    for user in ("UCHRIS", "UBEA", "UFINN"):
        await slack_vote(env, user, card, "Ratify")
    await deliver(env)
    (entry,) = await library(env)
    assert CASE_NUMBER not in entry.what_happened + entry.search_text
    assert "[removed]" in entry.what_happened
    assert (await nominations(env))[0].privacy_confirmed == ["case_reference"]


async def test_a_saved_draft_survives_a_restart(database: Database, clock: FakeClock) -> None:
    from tests.conftest import STAFF_CSV

    env = await start_env(database, clock)
    try:
        await env.import_staff(STAFF_CSV)
        view = await slack_form(env, "USAM", "nominate")
        state = {"what_happened": {"what_happened": {"type": "plain_text_input", "value": WHAT}}}
        save = slack_button({"blocks": view["blocks"]}, "Save draft")
        status, _ = await env.slack.interaction(
            {
                "type": "block_actions",
                "user": {"id": "USAM"},
                "trigger_id": "t-save",
                "view": {"id": "V1", "state": {"values": state}},
                "actions": [
                    {"type": "button", "action_id": save["action_id"], "value": save["value"]}
                ],
            }
        )
        assert status == 200
        updated = await env.slack_api.wait_for("views.update")
        assert "Draft saved" in json.dumps(updated[-1].params["view"])
    finally:
        await stop_env(env)
    env = await start_env(database, clock)
    try:
        again = await slack_form(env, "USAM", "nominate")
        assert WHAT[:40] in json.dumps(again) and "I kept your draft" in json.dumps(again)
    finally:
        await stop_env(env)


async def test_my_nominations_shows_each_with_its_status(staffed: BotEnv) -> None:
    env = staffed
    _, body = await env.slack.command("USAM", "my nominations")
    assert "haven't nominated anyone yet" in body
    await nominate(env)
    _status, body = await env.slack.command("USAM", "my nominations")
    assert "GP-2026-0001" in body and "With the CSW group until Mon 30 Nov 2026, 17:00" in body


async def test_the_qa_team_exports_the_library_as_csv(staffed: BotEnv) -> None:
    env = staffed
    await nominate(env, what_happened='=HYPERLINK("http://evil") ' + WHAT)
    card = vote_card(env)
    for user in ("UCHRIS", "UBEA", "UFINN"):
        await slack_vote(env, user, card, "Ratify")
    await deliver(env)

    _, body = await env.slack.command("USAM", "library export")
    assert "isn't available to you" in body and "Download" not in body
    _status, body = await env.slack.command("UQUINN", "library export")
    reply = json.loads(body)
    assert "The Good Practice Library as a CSV file: 1 entry." in reply["text"]
    url = next(b["url"] for b in _buttons(reply) if b["label"] == "Download CSV")
    path = url.removeprefix("https://qabot.example.org")
    async with env.http.get(env.base_url + path) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        csv_text = (await response.read()).decode("utf-8-sig")
    assert csv_text.startswith("Reference,Ratified on,Theme")
    assert "GP-2026-0001" in csv_text and CASE_NUMBER not in csv_text
    assert "'=HYPERLINK" in csv_text  # a spreadsheet will not run it
    assert "library.export" in await audit_actions(env)
    env.clock.advance(minutes=31)
    async with env.http.get(env.base_url + path) as response:
        assert response.status == 404
        assert "expired" in await response.text()
    async with env.http.get(env.base_url + "/library/export/guessed-token") as response:
        assert response.status == 404


async def test_only_the_qa_team_withdraws_and_a_forged_press_is_refused(
    staffed: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    env = staffed
    await nominate(env)
    nomination = (await nominations(env))[0]
    forged = {
        "action_id": "nomination.withdraw:0",
        "value": json.dumps(
            {
                "verb": "nomination.withdraw_confirm",
                "data": {"nomination": nomination.id, "reason": "spite"},
            }
        ),
    }
    caplog.set_level(logging.WARNING)
    status, _ = await env.slack.press("UPRIYA", forged)
    assert status == 200
    await deliver(env)
    assert (await nominations(env))[0].status == "voting"
    assert any("refused nomination.withdraw_confirm" in r.getMessage() for r in caplog.records)

    status, body = await env.slack.command("UQUINN", "nominations")
    listing = json.loads(body)
    assert "GP-2026-0001" in text_of(listing)
    before = len(env.slack_api.calls_to("views.open"))
    await env.slack.press("UQUINN", slack_button(listing, "Withdraw GP-2026-0001"))
    await env.slack_api.wait_for("views.open", before + 1)
    answer = await slack_submit(
        env, "UQUINN", last_view(env), {"reason": "The nominee asked us not to."}
    )
    assert answer == {}
    await deliver(env)
    assert (await nominations(env))[0].status == "withdrawn"
    assert "Withdrawn" in text_of(updates_to(env, CSW_CHANNEL)[-1])
    assert "The nominee asked us not to." in text_of(dms_to(env, "USAM")[-1])


async def test_stale_and_malformed_vote_payloads_get_a_clear_answer(staffed: BotEnv) -> None:
    env = staffed
    bad = {
        "action_id": "vote.cast:0",
        "value": json.dumps({"verb": "vote.cast", "data": {"nomination": "x" * 500}}),
    }
    status, _ = await env.slack.press("UCHRIS", bad)
    assert status == 200
    missing = {
        "action_id": "vote.cast:0",
        "value": json.dumps(
            {"verb": "vote.cast", "data": {"nomination": 999, "round": 1, "choice": "ratify"}}
        ),
    }
    status, _ = await env.slack.press("UCHRIS", missing)
    assert status == 200
    await deliver(env)
    replies = [text_of(m) for m in dms_to(env, "UCHRIS")]
    assert len(replies) == 2 and all("out of date" in r for r in replies)
    assert await count_outbox(env, kind="vote") == 0


async def test_when_nobody_can_vote_it_goes_straight_to_the_qa_team(staffed: BotEnv) -> None:
    env = staffed
    from sqlalchemy import select

    from bot.store.models import Team

    async with env.runtime.db.session() as session:
        csw_team = (
            await session.execute(select(Team.id).where(Team.name == "CSW group"))
        ).scalar_one()
    # The whole CSW group is nominated, so every CSW is recused.
    await nominate(env, nominees=[], team=str(csw_team))
    ack = text_of(dms_to(env, "USAM")[-1])
    assert "has gone to the QA team" in ack
    assert not [p for p in posts_to(env, CSW_CHANNEL) if "Vote on" in p["text"]]
    qa = [p for p in posts_to(env, QA_CHANNEL) if "needs the QA team" in text_of(p)]
    assert len(qa) == 1 and "No CSW can vote" in text_of(qa[0])
    assert len(dms_to(env, "USAM")) == 1  # no second, contradictory message


async def test_a_celebration_goes_to_the_nominees_team_channel_when_it_has_one(
    database: Database, clock: FakeClock, tmp_path: pytest.TempPathFactory
) -> None:
    from bot.config import framework_path
    from tests.conftest import STAFF_CSV

    framework = tmp_path / "somerset-with-team-channels.toml"  # type: ignore[operator]
    text = framework_path("somerset").read_text("utf-8")
    framework.write_text(text + '\n[channels.teams."Yeovil CiC"]\nslack = "C0YEOVIL01"\n')
    env = await start_env(database, clock, framework=str(framework))
    try:
        await env.import_staff(STAFF_CSV)
        await nominate(env)
        card = vote_card(env)
        for user in ("UCHRIS", "UBEA", "UFINN"):
            await slack_vote(env, user, card, "Ratify")
        await deliver(env)
        assert len(posts_to(env, "C0YEOVIL01")) == 1
        assert posts_to(env, CELEBRATE_CHANNEL) == []
    finally:
        await stop_env(env)


async def test_an_unsent_draft_is_forgotten_after_thirty_days(staffed: BotEnv) -> None:
    env = staffed
    view = await slack_form(env, "USAM", "nominate")
    answer = await slack_submit(env, "USAM", view, {"what_happened": WHAT})
    assert answer["response_action"] == "errors"
    await sweep_at(env, london(2026, 12, 22, 10, 0))  # 29 days later: kept
    assert "I kept your draft" in json.dumps(await slack_form(env, "USAM", "nominate"))
    await sweep_at(env, london(2026, 12, 24, 10, 0))  # 31 days later: gone
    again = json.dumps(await slack_form(env, "USAM", "nominate"))
    assert "I kept your draft" not in again and WHAT[:40] not in again


async def test_nominate_typed_in_a_direct_message_works_too(staffed: BotEnv) -> None:
    env = staffed
    priya = await person_id(env, "priya.sw@example.gov.uk")
    await env.slack.dm("USAM", "nominate")
    await env.slack_api.wait_for("chat.postMessage")  # message events are answered after the ack
    (form,) = dms_to(env, "USAM")
    submit = slack_button(form, "Submit nomination")
    # Pressed with nothing filled in: the form reopens as a modal that says what to fix.
    status, _ = await env.slack.press("USAM", submit, channel="DSAM", message={"ts": "1.0"})
    assert status == 200
    modal = json.dumps((await env.slack_api.wait_for("views.open"))[-1].params["view"])
    assert "fixing before this can go" in modal and "What happened?" in modal
    state = {
        "nominees": {
            "nominees": {"type": "multi_static_select", "selected_options": [{"value": str(priya)}]}
        },
        "what_happened": {"what_happened": {"type": "plain_text_input", "value": WHAT}},
        "difference_made": {"difference_made": {"type": "plain_text_input", "value": DIFFERENCE}},
        "evidence_source": {
            "evidence_source": {"type": "static_select", "selected_option": {"value": SOURCE}}
        },
        "theme": {"theme": {"type": "static_select", "selected_option": {"value": THEME}}},
    }
    await env.slack.press("USAM", submit, channel="DSAM", message={"ts": "1.0"}, state=state)
    await deliver(env)
    assert len(posts_to(env, CSW_CHANNEL)) == 1
    # The form message itself becomes the acknowledgement.
    assert "Nomination received: GP-2026-0001" in text_of(updates_to(env, "DSAM")[-1])
