"""The same logging form and progress grid on Slack (/slack/events) and Teams
(/api/messages), against the strict fakes of each platform."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import BotEnv
from tests.nominations.support import (
    card_text,
    deliver,
    person_id,
    slack_form,
    slack_submit,
    teams_cards_in,
    teams_member,
    teams_press,
)
from tests.quotas.support import at, items

SAM = "sam.sw@example.gov.uk"
TESS = "tess.tm@example.gov.uk"


async def test_slack_logs_feedback_in_a_modal_and_shows_the_team_grid(staffed: BotEnv) -> None:
    env = staffed
    env.clock.set(at(date(2026, 11, 16), 10))
    view = await slack_form(env, "UTESS", "log feedback")
    assert view["type"] == "modal"
    answer = await slack_submit(
        env,
        "UTESS",
        view,
        {
            "occurred_on": "2026-11-20",
            "subject": str(await person_id(env, SAM)),
            "source": "parent",
            "feedback_kind": "compliment",
        },
    )
    assert answer["response_action"] == "errors"
    assert "future" in json.dumps(answer["errors"])
    answer = await slack_submit(
        env,
        "UTESS",
        view,
        {
            "occurred_on": "2026-11-12",
            "subject": str(await person_id(env, SAM)),
            "source": "parent",
            "feedback_kind": "compliment",
        },
    )
    assert answer == {} or answer.get("response_action") in ("clear", "update")
    assert [i.kind for i in await items(env)] == ["feedback"]
    status, body = await env.slack.command("UTESS", "quotas")
    assert status == 200
    text = json.dumps(json.loads(body), ensure_ascii=False)
    assert "Sam Social" in text and "Priya Patel" in text and "✗ 0 of 1" in text
    await deliver(env)


async def test_teams_logs_feedback_on_a_card_and_shows_the_team_grid(staffed: BotEnv) -> None:
    env = staffed
    env.clock.set(at(date(2026, 11, 16), 10))
    teams_member(env, "aad-tess", TESS)
    status, _ = await env.teams.say("aad-tess", "log feedback")
    assert status in (200, 201)
    await deliver(env)
    (form,) = teams_cards_in(env, "a:personal-aad-tess")
    answer = await teams_press(
        env,
        "aad-tess",
        form,
        "Log it",
        {
            "occurred_on": "2026-11-12",
            "subject": str(await person_id(env, SAM)),
            "source": "parent",
            "feedback_kind": "compliment",
            "case_ref": "",
            "themes": "",
        },
    )
    assert "Logged" in card_text(answer)
    status, _ = await env.teams.say("aad-tess", "quotas")
    await deliver(env)
    grid = teams_cards_in(env, "a:personal-aad-tess")[-1]
    text = card_text(grid)
    assert "Sam Social" in text and "Priya Patel" in text and "✗ 0 of 1" in text
