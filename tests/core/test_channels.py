"""The same conversation on Slack, Teams and the console, through the real endpoints."""

from __future__ import annotations

import io
import json
import time

from tests.conftest import BotEnv
from tests.harness import button, card_of, execute_action, slack_signature


async def test_slack_slash_help_lists_what_this_person_can_do(staffed: BotEnv) -> None:
    status, body = await staffed.slack.command("USAM", "help")
    assert status == 200
    reply = json.loads(body)
    text = json.dumps(reply["blocks"])
    assert "my tasks" in text
    assert "Practitioner" in text  # Sam's own role is named
    assert reply["text"].startswith("Somerset QA help")


async def test_slack_my_tasks_has_an_honest_empty_state(staffed: BotEnv) -> None:
    status, body = await staffed.slack.command("USAM", "my tasks")
    assert status == 200
    assert "nothing open right now" in json.dumps(json.loads(body)["blocks"])


async def test_slack_unknown_command_suggests_the_closest(staffed: BotEnv) -> None:
    status, body = await staffed.slack.command("USAM", "my taks")
    assert status == 200
    assert "Did you mean: my tasks" in body


async def test_slack_dm_is_answered_in_the_dm_once_even_when_retried(staffed: BotEnv) -> None:
    status, _ = await staffed.slack.dm("USAM", "help", event_id="EvHELP1")
    assert status == 200
    calls = await staffed.slack_api.wait_for("chat.postMessage")
    assert calls[0].params["channel"] == "DSAM"
    assert "my tasks" in json.dumps(calls[0].params["blocks"])
    # Slack retries the same event (it thought we timed out): handled, but not answered twice.
    status, _ = await staffed.slack.dm("USAM", "help", event_id="EvHELP1", retry=1)
    assert status == 200
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    assert len(staffed.slack_api.calls_to("chat.postMessage")) == 1


async def test_slack_button_press_is_answered(staffed: BotEnv) -> None:
    status, body = await staffed.slack.command("USAM", "help")
    tasks = button(json.loads(body)["blocks"], "My tasks")
    status, _ = await staffed.slack.press("USAM", tasks)
    assert status == 200
    calls = await staffed.slack_api.wait_for("chat.postMessage")
    assert "nothing open right now" in json.dumps(calls[-1].params["blocks"])


async def test_slack_user_unknown_to_the_directory_is_told_politely(staffed: BotEnv) -> None:
    staffed.slack_api.users["UVISITOR"] = "visitor@elsewhere.org"
    status, body = await staffed.slack.command("UVISITOR", "help")
    assert status == 200
    assert "not in the directory" in body
    assert "ask your QA team" in body.replace("Please ask", "ask")


async def test_slack_user_linked_by_email_on_first_contact(staffed: BotEnv) -> None:
    # Priya was imported without a Slack id link in the fake; her id is new to the bot.
    staffed.slack_api.users["UNEWPRIYA"] = "priya.sw@example.gov.uk"
    status, body = await staffed.slack.command("UNEWPRIYA", "help")
    assert status == 200
    assert "Hello Priya" in body


async def test_forged_and_stale_slack_signatures_are_refused(staffed: BotEnv) -> None:
    body = "command=%2Fqa&text=help&user_id=USAM&team_id=T0DEMO&trigger_id=t1"
    status, _ = await staffed.slack.post(
        body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    assert status == 401
    old = int(time.time()) - 600
    status, _ = await staffed.slack.post(
        body,
        "application/x-www-form-urlencoded",
        timestamp=old,
        signature=slack_signature(body, old),
    )
    assert status == 401
    assert staffed.slack_api.calls_to("chat.postMessage") == []


async def test_teams_message_is_answered_through_the_connector(staffed: BotEnv) -> None:
    staffed.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }
    status, _ = await staffed.teams.say("aad-sam", "help")
    assert status in (200, 201)
    calls = await staffed.connector.wait_for("POST conversations/*/activities")
    activity = calls[0].params["body"]
    assert calls[0].params["path"] == "conversations/a:personal-aad-sam/activities"
    card = card_of(activity)
    assert card["version"] == "1.5"
    assert "Hello Sam" in json.dumps(card)
    assert activity["summary"]


async def test_teams_card_action_is_answered_in_the_same_response(staffed: BotEnv) -> None:
    staffed.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }
    await staffed.teams.say("aad-sam", "help")
    calls = await staffed.connector.wait_for("POST conversations/*/activities")
    action = execute_action(card_of(calls[0].params["body"]), "My tasks")
    status, body = await staffed.teams.execute("aad-sam", action["verb"], action.get("data", {}))
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "nothing open right now" in json.dumps(body["value"])


async def test_teams_unknown_person_is_told_politely(staffed: BotEnv) -> None:
    status, _ = await staffed.teams.say("aad-stranger", "help")
    assert status in (200, 201)
    calls = await staffed.connector.wait_for("POST conversations/*/activities")
    assert "not in the directory" in json.dumps(calls[0].params["body"])


async def test_teams_redelivered_activity_is_not_answered_twice(staffed: BotEnv) -> None:
    staffed.connector.members["29:aad-sam"] = {
        "id": "29:aad-sam",
        "aadObjectId": "aad-sam",
        "email": "sam.sw@example.gov.uk",
    }
    activity = staffed.teams.activity("aad-sam", text="my tasks")
    await staffed.teams.send(activity)
    await staffed.teams.send(activity)
    await staffed.connector.wait_for("POST conversations/*/activities")
    await staffed.runtime.worker.drain_once()  # type: ignore[union-attr]
    assert len(staffed.connector.activities()) == 1


async def test_teams_malformed_body_gets_400(env: BotEnv) -> None:
    async with env.http.post(
        f"{env.base_url}/api/messages",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    ) as response:
        assert response.status == 400
    status, _ = await env.teams.send({"hello": "world"})
    assert status == 400


async def test_console_chat_help_then_press_my_tasks(staffed: BotEnv) -> None:
    from bot.channels.console import ConsoleChannel

    answers = iter(["1", "quit"])

    async def prompt(_label: str) -> str | None:
        return next(answers, None)

    out = io.StringIO()
    await ConsoleChannel(staffed.runtime.bot, "sam.sw@example.gov.uk", prompt=prompt, out=out).run()
    text = out.getvalue()
    assert "Hello Sam" in text
    assert "[1] My tasks" in text
    assert "nothing open right now" in text


async def test_console_person_not_in_directory(env: BotEnv) -> None:
    from bot.channels.console import ConsoleChannel

    async def prompt(_label: str) -> str | None:
        return None

    out = io.StringIO()
    await ConsoleChannel(env.runtime.bot, "nobody@example.gov.uk", prompt=prompt, out=out).run()
    assert "not in the directory" in out.getvalue()
