"""A dispute walked on Microsoft Teams through /api/messages and the fake Bot Connector:
Adaptive Card forms, Action.Execute invoke responses and in-place updates (PUT)."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

from tests.allocations.support import CHRIS, PRIYA, SAM, TESS, at, qa_env
from tests.conftest import BotEnv
from tests.escalations.test_slack_walk import deliver_all
from tests.nominations.support import teams_cards_in, teams_member, teams_press, teams_updates

__all__ = ["qa_env"]

PEOPLE = {"aad-sam": SAM, "aad-priya": PRIYA, "aad-tess": TESS, "aad-chris": CHRIS}


def personal(aad: str) -> str:
    return f"a:personal-{aad}"


def card_in(body: dict[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = body["value"]
    return card


def _execute_data(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and isinstance(node.get("data"), dict):
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def test_a_full_walk_on_teams(qa: BotEnv) -> None:
    env = qa
    env.clock.set(at(date(2026, 12, 1), 10))
    for aad, email in PEOPLE.items():
        teams_member(env, aad, email)
        status, _ = await env.teams.say(aad, "help")
        assert status in (200, 201)
    await deliver_all(env)
    status, _ = await env.teams.say("aad-sam", "rpd")
    assert status in (200, 201)
    await deliver_all(env)
    question = teams_cards_in(env, personal("aad-sam"))[-1]
    assert "immediate risk" in json.dumps(question)
    form = card_in(await teams_press(env, "aad-sam", question, "No"))
    assert "Raise it" in json.dumps(form)
    raised = card_in(
        await teams_press(
            env,
            "aad-sam",
            form,
            "Raise it",
            {
                "other_email": PRIYA,
                "other_name": "",
                "other_agency": "Yeovil CiC",
                "case_reference": "1187342",
                "category": "Threshold decision",
                "resolution_sought": "A joint visit this week to agree the threshold.",
            },
        )
    )
    assert "Dispute 1 is raised" in json.dumps(raised)
    await deliver_all(env)
    notes = teams_cards_in(env, personal("aad-sam"))
    assert "RPD case note" in json.dumps(notes[-1])
    (to_priya,) = [
        c for c in teams_cards_in(env, personal("aad-priya")) if "Dispute 1" in json.dumps(c)
    ]

    form = card_in(await teams_press(env, "aad-sam", raised, "Not resolved"))
    escalated = card_in(
        await teams_press(
            env, "aad-sam", form, "Escalate to the next stage", {"text": "We could not agree."}
        )
    )
    assert "Escalated to Stage 2: the managers" in json.dumps(escalated)
    await deliver_all(env)
    (to_tess,) = [
        c for c in teams_cards_in(env, personal("aad-tess")) if "Dispute 1" in json.dumps(c)
    ]
    assert any("Stage 2" in json.dumps(u) for u in teams_updates(env, personal("aad-priya")))

    # Priya's card from before the escalation answers with where the dispute is now.
    stale = card_in(await teams_press(env, "aad-priya", to_priya, "Resolved"))
    assert "moved on" in json.dumps(stale) and "Stage 2: the managers" in json.dumps(stale)
    # A stranger replaying a payload learns nothing, not even that it exists.
    forged = copy.deepcopy(to_priya)
    for data in _execute_data(forged):
        data.update({"d": 1, "v": 2})
    refused = card_in(await teams_press(env, "aad-chris", forged, "Resolved"))
    assert "find dispute 1" in json.dumps(refused) and "Stage" not in json.dumps(refused)

    form = card_in(await teams_press(env, "aad-tess", to_tess, "Resolved"))
    closed = card_in(
        await teams_press(env, "aad-tess", form, "Record it resolved", {"text": "Joint visit."})
    )
    assert "Resolved" in json.dumps(closed)
    await deliver_all(env)
    assert any("Resolved" in json.dumps(u) for u in teams_updates(env, personal("aad-priya")))
    note = teams_cards_in(env, personal("aad-tess"))[-1]
    assert "Agreed outcome: Joint visit." in json.dumps(note)
    assert to_priya
