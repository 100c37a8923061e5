"""The QA team's start-of-month prompt carries one button per cycle to sample: pressing it runs
`allocate cycle KEY` as if typed (the role is checked against the directory), on Slack and on
Teams, against the strict fakes of each platform."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import BotEnv
from tests.harness import find_buttons
from tests.nominations.support import (
    QA_CHANNEL,
    deliver,
    posts_to,
    slack_button,
    teams_cards_in,
    teams_channel,
    teams_member,
    teams_press,
)
from tests.quotas.support import at

QA_TEAMS = "19:qa-team@thread.tacv2"
BUTTON = "Propose a sample: Practice Evaluation"


async def _february_prompt(env: BotEnv) -> None:
    env.clock.set(at(date(2027, 2, 1), 9, 45))
    await env.runtime.bot.run_sweeps()
    await deliver(env)


def _sent_after(env: BotEnv, before: int) -> str:
    calls = env.slack_api.calls[before:]
    return json.dumps([c.params for c in calls], ensure_ascii=False)


async def test_slack_the_prompts_button_asks_for_the_cohort_only_for_the_qa_team(
    staffed: BotEnv,
) -> None:
    env = staffed
    env.slack_api.users["UQUINN"] = "quinn.qa@example.gov.uk"
    env.slack_api.users["UTESS"] = "tess.tm@example.gov.uk"
    await _february_prompt(env)
    (prompt,) = [p for p in posts_to(env, QA_CHANNEL) if "To start in February" in p["text"]]
    button = slack_button(prompt, BUTTON)
    # MAPE is sampled too; the cycles that their leads run have no button.
    slack_button(prompt, "Propose a sample: Multi-Agency Practice Evaluation (MAPE)")
    before = len(env.slack_api.calls)
    status, _ = await env.slack.press("UQUINN", button, channel=QA_CHANNEL, message=prompt)
    assert status == 200
    await deliver(env)
    answer = _sent_after(env, before)
    # The same answer as typing `allocate cycle practice_evaluation` with no CSV.
    assert "Send the cohort" in answer and "Social Work 60" in answer
    before = len(env.slack_api.calls)
    status, _ = await env.slack.press("UTESS", button, channel=QA_CHANNEL, message=prompt)
    assert status == 200
    await deliver(env)
    refused = _sent_after(env, before)
    assert "Send the cohort" not in refused and "allocate" in refused.lower()


async def test_teams_the_prompts_button_runs_allocate_cycle(staffed: BotEnv) -> None:
    env = staffed
    teams_member(env, "aad-quinn", "quinn.qa@example.gov.uk")
    teams_member(env, "aad-sam", "sam.sw@example.gov.uk")
    await teams_channel(env, "team-qa", QA_TEAMS, "qa-team")
    await _february_prompt(env)
    (prompt,) = [c for c in teams_cards_in(env, QA_TEAMS) if "To start in February" in str(c)]
    answer = await teams_press(env, "aad-quinn", prompt, BUTTON, conversation=QA_TEAMS)
    assert "Send the cohort" in json.dumps(answer, ensure_ascii=False)
    refused = await teams_press(env, "aad-sam", prompt, BUTTON, conversation=QA_TEAMS)
    text = json.dumps(refused, ensure_ascii=False)
    assert "Send the cohort" not in text and "allocate" in text.lower()


KEPT_COHORT = "\n".join(
    ["case_ref,team,service"]
    + [
        f"{3000200 + i},{team},Social Work"
        for i, team in enumerate(["Taunton CP", "Yeovil CiC"] * 3)
    ]
)


async def test_slack_with_a_kept_cohort_the_button_offers_it_and_allocates_from_it(
    staffed: BotEnv,
) -> None:
    env = staffed
    env.slack_api.users["UQUINN"] = "quinn.qa@example.gov.uk"
    await _february_prompt(env)
    before = len(env.slack_api.calls)
    status, _ = await env.slack.dm("UQUINN", f"cohort practice_evaluation\n{KEPT_COHORT}")
    assert status == 200
    await deliver(env)
    assert "6 cases kept for Practice Evaluation" in _sent_after(env, before)
    (prompt,) = [p for p in posts_to(env, QA_CHANNEL) if "To start in February" in p["text"]]
    before = len(env.slack_api.calls)
    status, _ = await env.slack.press(
        "UQUINN", slack_button(prompt, BUTTON), channel=QA_CHANNEL, message=prompt
    )
    assert status == 200
    await deliver(env)
    (choice,) = [
        c.params for c in env.slack_api.calls[before:] if "a cohort is kept" in json.dumps(c.params)
    ]
    assert "by Quinn Improvement" in json.dumps(choice, ensure_ascii=False)
    slack_button(choice, "Upload a new cohort")
    (allocate,) = [
        b
        for b in find_buttons(choice["blocks"])
        if b["label"].startswith("Allocate from the kept cohort (6 cases, uploaded 1 Feb 2027")
    ]
    before = len(env.slack_api.calls)
    status, _ = await env.slack.press("UQUINN", allocate, channel=QA_CHANNEL, message=choice)
    assert status == 200
    await deliver(env)
    answer = _sent_after(env, before)
    # The proposal, as from a CSV sent with the command: nobody is told until it is confirmed.
    assert "Confirm" in answer and "Send the cohort" not in answer
    assert "Practice Evaluation Feb 2027: 6 cases for 5 people" in answer, answer
