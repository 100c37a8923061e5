"""Team nominations for Good Practice Conversations (North Somerset, seed 004): heads of
service nominate a team; the QA team sees the list and arranges them; nobody votes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from tests.conftest import STAFF_CSV, BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock
from tests.nominations.support import (
    audit_actions,
    deliver,
    dms_to,
    posts_to,
    slack_button,
    slack_form,
    slack_submit,
    text_of,
)

QA = "C0QASTEAM1"  # North Somerset's Quality Assurance and Safeguarding Team channel


@pytest.fixture
async def north(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    env = await start_env(database, clock, framework="north-somerset")
    try:
        await env.import_staff(STAFF_CSV)
        yield env
    finally:
        await stop_env(env)


async def team_id(env: BotEnv, name: str) -> str:
    from sqlalchemy import select

    from bot.store.models import Team

    async with env.runtime.db.session() as session:
        return str((await session.execute(select(Team.id).where(Team.name == name))).scalar_one())


async def test_a_head_of_service_nominates_a_team_and_the_qa_team_arranges_it(
    north: BotEnv,
) -> None:
    env = north
    taunton = await team_id(env, "Taunton CP")
    view = await slack_form(env, "UHELEN", "nominate team")
    months = json.dumps(view)
    assert "December 2026" not in months and "January 2027" in months  # quiet months left out
    reason = "How the team keeps children's voices at the centre of plans."
    answer = await slack_submit(
        env, "UHELEN", view, {"team": taunton, "reason": reason, "month": "2027-01"}
    )
    assert answer == {}
    await deliver(env)
    assert (
        "Taunton CP is nominated for a Good Practice Conversation"
        in dms_to(env, "UHELEN")[-1]["text"]
    )
    (posted,) = [
        p for p in posts_to(env, QA) if "Good Practice Conversation nomination" in text_of(p)
    ]
    assert "Taunton CP" in text_of(posted) and reason in text_of(posted)
    assert "Ratify" not in text_of(posted)  # listed, not voted on

    # A second nomination of the same team is refused beside the field.
    view = await slack_form(env, "UHELEN", "nominate team")
    answer = await slack_submit(env, "UHELEN", view, {"team": taunton, "reason": "Again"})
    assert "already nominated" in answer["errors"]["team"]

    status, body = await env.slack.command("UQUINN", "team nominations")
    listing = json.loads(body)
    assert "Taunton CP" in text_of(listing)
    status, _ = await env.slack.press("UQUINN", slack_button(posted, "Mark arranged"), channel=QA)
    assert status == 200
    await deliver(env)
    assert "is being arranged" in dms_to(env, "UHELEN")[-1]["text"]
    updated = [c.params for c in env.slack_api.calls_to("chat.update") if c.params["channel"] == QA]
    assert updated and "Arranged" in text_of(updated[-1])
    assert "team_nomination.submitted" in await audit_actions(env)
    assert "team_nomination.arranged" in await audit_actions(env)


async def test_only_heads_of_service_nominate_teams_and_only_qa_arranges(north: BotEnv) -> None:
    env = north
    _status, body = await env.slack.command("USAM", "nominate team")
    assert "isn't available to you" in body
    taunton = await team_id(env, "Taunton CP")
    forged = {
        "action_id": "team_nomination.submit:0",
        "value": json.dumps(
            {"verb": "team_nomination.submit", "data": {"team": taunton, "reason": "x"}}
        ),
    }
    await env.slack.press("USAM", forged)
    await deliver(env)
    assert not [p for p in posts_to(env, QA) if "Good Practice Conversation" in text_of(p)]
    assert "nomination.refused" in await audit_actions(env)


async def test_team_nominations_are_off_where_the_framework_has_none(staffed: BotEnv) -> None:
    _status, body = await staffed.slack.command("UHELEN", "nominate team")
    assert "switched off" in body and "nominate and choose the whole team" in body


async def test_help_offers_team_nominations_where_the_framework_has_them(north: BotEnv) -> None:
    _status, body = await north.slack.command("UHELEN", "help")
    assert "nominate team" in body and "team nominations" in body


async def test_help_leaves_team_nominations_out_where_the_framework_has_none(
    staffed: BotEnv,
) -> None:
    _status, body = await staffed.slack.command("UHELEN", "help")
    assert "nominate team" not in body and "team nominations" not in body
    _status, body = await staffed.slack.command("UQUINN", "help")
    assert "team nominations" not in body
