"""The QA team allocates; people are told, act on their cards, and the work moves on: through
Slack, Teams and the console, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

from bot.allocations.rules.nudges import day_label
from tests.allocations.support import (
    BEA,
    CHRIS,
    FINN,
    HEADER,
    QUINN,
    SAM,
    TESS,
    allocate_csv,
    allocation,
    allocations,
    card_text,
    messages_to,
    press,
    press_button,
    qa_env,  # noqa: F401 (the qa fixture)
    rows,
    say,
)
from tests.conftest import BotEnv
from tests.harness import button, card_of, execute_action, file_share_event

PE_ROW = f"2045871,Taunton CP,practice_evaluation,{CHRIS},{BEA},PE Nov"


def _slack_blocks_to(env: BotEnv, channel: str) -> list[list[dict[str, object]]]:
    return [
        c.params["blocks"]
        for c in env.slack_api.calls_to("chat.postMessage")
        if c.params.get("channel") == channel
    ]


async def _drain(env: BotEnv) -> None:
    await env.runtime.worker.drain_once()  # type: ignore[union-attr]


async def test_a_pe_cycle_on_slack_from_allocation_to_moderation(qa: BotEnv) -> None:
    env = qa
    # Slack turns pasted emails into mail links; the bot reads through that.
    linked = PE_ROW.replace(CHRIS, f"<mailto:{CHRIS}|{CHRIS}>")
    await env.slack.dm("UQUINN", f"allocate\n{HEADER}\n{linked}")
    await env.slack_api.wait_for("chat.postMessage")
    (proposal,) = _slack_blocks_to(env, "DQUINN")
    assert "Nobody has been told yet" in json.dumps(proposal)
    assert _slack_blocks_to(env, "UCHRIS") == []  # nobody is told before the QA team confirms

    status, _ = await env.slack.press("UQUINN", button(proposal, "Confirm and tell 2 people"))
    assert status == 200
    await env.slack_api.wait_for("chat.postMessage", 3)
    await _drain(env)
    (chris_card,) = _slack_blocks_to(env, "UCHRIS")
    (bea_card,) = _slack_blocks_to(env, "UBEA")
    text = json.dumps(chris_card)
    assert "2045871" in text and "Mon 14 Dec 2026" in text  # three weeks from Mon 23 Nov
    assert "Bea Consultant" in text  # who moderates
    assert "once the evaluation is done" in json.dumps(bea_card)

    await env.slack.press("UCHRIS", button(chris_card, "Accept"), message={"ts": "1.1"})
    await env.slack_api.wait_for("chat.update")
    (chris_allocation, bea_allocation) = await allocations(env)
    assert chris_allocation.status == "accepted"

    await env.slack.press("UCHRIS", button(chris_card, "Done"), message={"ts": "1.1"})
    (opened,) = await env.slack_api.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "alloc.outcome"
    # Submitting without a grade keeps the modal open with the reason beside the field.
    status, body = await env.slack.submit_view("UCHRIS", view, {})
    assert status == 200 and json.loads(body)["errors"]["grade"] == "Choose a grade."
    assert (await allocation(env, chris_allocation.id)).status == "accepted"

    values = {
        "grade": {"grade": {"type": "static_select", "selected_option": {"value": "good"}}},
        "action_1": {"action_1": {"type": "plain_text_input", "value": "Update the chronology"}},
        "action_1_owner": {"action_1_owner": {"type": "plain_text_input", "value": SAM}},
        "completed_on": {"completed_on": {"type": "datepicker", "selected_date": "2026-11-23"}},
    }
    status, body = await env.slack.submit_view("UCHRIS", view, values)
    assert status == 200 and body == ""
    await env.slack_api.wait_for("chat.postMessage", 5)
    await _drain(env)
    moderation = await allocation(env, bea_allocation.id)
    assert moderation.status == "allocated" and moderation.started_on == date(2026, 11, 23)
    assert moderation.due_on == date(2026, 12, 14)  # the moderator's own three weeks
    ready = _slack_blocks_to(env, "UBEA")[-1]
    assert "Ready to moderate: case 2045871" in json.dumps(ready)
    assert "Tue 22 Dec 2026" not in json.dumps(ready)
    sam_tasks = card_text((await say(env, SAM, "my tasks"))[0])
    assert "Update the chronology" in sam_tasks and "due Mon 21 Dec 2026" in sam_tasks

    # The moderator records the moderated grade; nothing is left open for either of them.
    await env.slack.press("UBEA", button(ready, "Done"), message={"ts": "1.2"})
    views = await env.slack_api.wait_for("views.open", 2)
    grade = {"grade": {"grade": {"type": "static_select", "selected_option": {"value": "good"}}}}
    await env.slack.submit_view("UBEA", views[-1].params["view"], grade)
    assert (await allocation(env, bea_allocation.id)).status == "done"
    for email in (CHRIS, BEA):
        assert "nothing open right now" in card_text((await say(env, email, "my tasks"))[0])


async def test_lines_that_cannot_be_used_are_named_and_the_rest_proposed(qa: BotEnv) -> None:
    proposal = await allocate_csv(
        qa,
        [
            PE_ROW,
            f"2045872,Taunton CP,practice_evaluation,{TESS},,PE Nov",
            "2045873,Yeovil CiC,practice_evaluation,nobody@example.gov.uk,,PE Nov",
            f"Jayden,Yeovil CiC,practice_evaluation,{FINN},,PE Nov",
            f"2045871,Yeovil CiC,practice_evaluation,{FINN},,PE Dec",
        ],
        confirm=False,
    )
    text = card_text(proposal)
    assert "Cases:      1" in text
    assert "line 3: Tess Manager is in Taunton CP, the case's own team" in text
    assert "line 4: no one with the email nobody@example.gov.uk is in the directory" in text
    assert "line 5: case_ref 'Jayden' is not a LCS / EHM number" in text
    assert "line 6: case 2045871 already has a practice evaluation on line 2" in text
    assert await rows(qa, kind="allocation") == []


async def test_a_csv_without_any_usable_line_allocates_nothing(qa: BotEnv) -> None:
    (card,) = await say(qa, QUINN, f"allocate\n{HEADER}\nnot,a,real,row,,x")
    assert card.name == "allocation_import_errors"
    assert "line 2:" in card_text(card)
    assert await allocations(qa) == []
    (card,) = await say(qa, QUINN, "allocate\nemail,name\nx,y")
    assert "couldn't find the header row" in card_text(card)
    (card,) = await say(qa, QUINN, "upload", attachment="email,name\nx,y\n")
    assert "missing: case_ref, team, activity" in card_text(card)
    (card,) = await say(qa, QUINN, "upload", attachment="")
    assert "could not read the attached file" in card_text(card)


async def test_only_the_qa_team_can_allocate_or_confirm(qa: BotEnv) -> None:
    (card,) = await say(qa, SAM, f"allocate\n{HEADER}\n{PE_ROW}")
    assert card.name == "not_allowed"
    proposal = await allocate_csv(qa, [PE_ROW], confirm=False)
    confirm = next(b for b in proposal.buttons if b.style == "primary")
    (card,) = await press(qa, SAM, confirm.verb, dict(confirm.data))
    assert card.name == "not_allowed"
    assert await rows(qa, kind="allocation") == []


async def test_confirming_twice_tells_people_once(qa: BotEnv) -> None:
    proposal = await allocate_csv(qa, [PE_ROW], confirm=False)
    confirm = next(b for b in proposal.buttons if b.style == "primary")
    await press(qa, QUINN, confirm.verb, dict(confirm.data))
    (again,) = await press(qa, QUINN, confirm.verb, dict(confirm.data))
    assert "was confirmed by Quinn Improvement" in card_text(again)
    assert len(await messages_to(qa, CHRIS, "allocation")) == 1
    (cancel,) = await press(qa, QUINN, "alloc.cycle.cancel", dict(confirm.data))
    assert (await allocations(qa))[0].status == "allocated"  # too late to cancel
    assert "confirmed" in card_text(cancel)


async def test_a_stale_or_forged_card_changes_nothing(qa: BotEnv) -> None:
    await allocate_csv(qa, [PE_ROW])
    mine = (await allocations(qa))[0]
    for data in ({"a": 999}, {"a": "abc"}, {}):
        (card,) = await press(qa, CHRIS, "alloc.accept", data)
        assert card.name == "stale_card"
    (card,) = await press(qa, SAM, "alloc.done", {"a": mine.id})
    assert card.name == "not_your_allocation" and "with Chris Consultant" in card.fallback
    (card,) = await press(qa, CHRIS, "no.such.verb", {"a": mine.id})
    assert card.name == "stale_card"
    assert (await allocation(qa, mine.id)).status == "allocated"


async def test_the_outcome_form_refuses_bad_input_and_keeps_what_was_typed(
    qa: BotEnv,
) -> None:
    await allocate_csv(qa, [PE_ROW])
    evaluation = (await allocations(qa))[0]
    (form,) = await press(qa, CHRIS, "alloc.done", {"a": evaluation.id})
    assert form.name == "allocation_outcome_form"
    bad = {
        "grade": "good",
        "action_1": "Ask her son Jayden Smith about school",
        "action_1_owner": SAM,
        "action_2": "x" * 300_000,
        "action_2_owner": SAM,
        "action_3": "Book the review",
        "action_3_owner": "nobody@example.gov.uk",
        "completed_on": "2027-01-01",
    }
    (again,) = await press(qa, CHRIS, "alloc.outcome", {"a": evaluation.id}, bad)
    errors = {i.id: i.error for i in again.inputs if i.error}
    assert "child's name" in errors["action_1"]
    assert "under 300 characters" in errors["action_2"]
    assert "nobody@example.gov.uk" in errors["action_3_owner"]
    assert "future" in errors["completed_on"]
    kept = {i.id: getattr(i, "value", None) for i in again.inputs}
    assert kept["action_3"] == "Book the review"
    assert (await allocation(qa, evaluation.id)).status == "allocated"


async def test_cant_do_returns_it_to_the_qa_team_who_reallocate(qa: BotEnv) -> None:
    await allocate_csv(qa, [PE_ROW])
    evaluation = (await allocations(qa))[0]
    (form,) = await press(qa, CHRIS, "alloc.cant", {"a": evaluation.id})
    (again,) = await press_button(qa, CHRIS, form, "Hand back", reason="")
    assert again.name == "allocation_cant_do_form"  # a reason is needed
    (done,) = await press_button(qa, CHRIS, form, "Hand back", reason="I know the family")
    assert done.name == "allocation_handed_back"
    (notice,) = await rows(qa, card_name="allocation_returned", platform="slack")
    assert notice.route == "qa_team" and "I know the family" in notice.payload["fallback"]
    assert "nothing open" in card_text((await say(qa, CHRIS, "my tasks"))[0])
    qa_tasks = card_text((await say(qa, QUINN, "my tasks"))[0])
    assert "Waiting for the QA team" in qa_tasks and "I know the family" in qa_tasks

    (form,) = await press(qa, QUINN, "alloc.reassign", {"a": evaluation.id})
    (refused,) = await press_button(qa, QUINN, form, "Allocate", assignee_email=SAM)
    assert "the case's team" in (refused.inputs[0].error or "")
    (ok,) = await press_button(qa, QUINN, form, "Allocate", assignee_email=FINN)
    assert ok.name == "allocation_reallocated"
    moved = await allocation(qa, evaluation.id)
    assert moved.status == "allocated" and moved.assignee is not None
    assert moved.assignee.email == FINN and moved.due_on == date(2026, 12, 14)
    (card,) = await messages_to(qa, FINN, "allocation")
    assert card.card_name == "allocation"
    # Chris's old button no longer acts on Finn's work.
    (card,) = await press(qa, CHRIS, "alloc.done", {"a": evaluation.id})
    assert card.name == "not_your_allocation"


async def test_need_help_tells_the_qa_team(qa: BotEnv) -> None:
    await allocate_csv(qa, [PE_ROW])
    evaluation = (await allocations(qa))[0]
    (form,) = await press(qa, CHRIS, "alloc.help", {"a": evaluation.id})
    (done,) = await press_button(qa, CHRIS, form, "Ask for help", message="Who is the SW?")
    assert done.name == "allocation_help_sent"
    (notice,) = await rows(qa, card_name="allocation_help_requested", platform="slack")
    assert "Who is the SW?" in notice.payload["fallback"]
    assert (await allocation(qa, evaluation.id)).status == "allocated"


async def test_an_upload_in_a_slack_dm_is_read_as_the_csv(qa: BotEnv) -> None:
    env = qa
    content = f"\ufeff{HEADER}\r\n{PE_ROW}\r\n".encode()
    url = env.slack_api.file_url("allocations.csv", content)
    event = file_share_event("UQUINN", url, "allocations.csv", size=len(content))
    status, _ = await env.slack.event(event)
    assert status == 200
    (posted,) = await env.slack_api.wait_for("chat.postMessage")
    assert "Proposed allocation 1: PE Nov" in json.dumps(posted.params["blocks"])
    (download,) = env.slack_api.calls_to("files.download")
    assert download.headers["Authorization"] == "Bearer xoxb-test-token"

    picture = {**event["files"][0], "name": "photo.png", "mimetype": "image/png"}  # type: ignore[index]
    await env.slack.event({**event, "files": [picture], "ts": "1700000002.000100"})
    calls = await env.slack_api.wait_for("chat.postMessage", 2)
    assert "could not read the attached file" in json.dumps(calls[-1].params["blocks"])


async def test_a_file_sent_to_the_bot_in_teams_is_read_as_the_csv(qa: BotEnv) -> None:
    env = qa
    env.connector.members["29:aad-quinn"] = {
        "id": "29:aad-quinn",
        "aadObjectId": "aad-quinn",
        "email": QUINN,
    }
    url = env.connector.file_url("alloc.csv", f"{HEADER}\n{PE_ROW}\n".encode())
    activity = env.teams.activity(
        "aad-quinn",
        text="allocate",
        attachments=[
            {
                "contentType": "application/vnd.microsoft.teams.file.download.info",
                "name": "alloc.csv",
                "content": {"downloadUrl": url, "uniqueId": "u1", "fileType": "csv"},
            }
        ],
    )
    status, _ = await env.teams.send(activity)
    assert status in (200, 201)
    (call,) = await env.connector.wait_for("POST conversations/*/activities")
    card = card_of(call.params["body"])
    assert "Proposed allocation 1" in json.dumps(card)
    confirm = execute_action(card, "Confirm and tell 2 people")
    status, body = await env.teams.execute("aad-quinn", confirm["verb"], confirm["data"])
    assert status == 200 and "was confirmed by Quinn Improvement" in json.dumps(body)
    assert len(await messages_to(env, CHRIS, "allocation")) == 1


async def test_my_tasks_on_slack_app_home_shows_open_work_and_due_dates(qa: BotEnv) -> None:
    await allocate_csv(qa, [PE_ROW])
    status, _ = await qa.slack.event({"type": "app_home_opened", "user": "UCHRIS", "tab": "home"})
    assert status == 200
    (published,) = await qa.slack_api.wait_for("views.publish")
    home = json.dumps(published.params["view"])
    assert "Your allocations" in home
    assert "Practice Evaluation, case 2045871: due Mon 14 Dec 2026 (not yet accepted)" in home
    assert "Open 2045871" in home


async def test_a_manager_sees_their_teams_overdue_work(qa: BotEnv) -> None:
    await allocate_csv(qa, [f"2045872,Yeovil CiC,practice_evaluation,{TESS},,PE Nov"])
    helen = "helen.hos@example.gov.uk"
    assert "Overdue in your team" not in card_text((await say(qa, helen, "my tasks"))[0])
    qa.clock.set(qa.clock.now.replace(month=12, day=15))
    text = card_text((await say(qa, helen, "my tasks"))[0])
    assert "Overdue in your team" in text
    assert (
        f"Tess Manager: Practice Evaluation, case 2045872: due {day_label(date(2026, 12, 14))}"
        in text
    )
