"""Helpers for the nomination tests: filling Slack modals and Teams cards as a person would,
reading what the fake platforms received, and looking at the store."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot.nominations.store import LibraryEntry, Nomination, Vote
from bot.store.models import AuditEntry, ChannelLink, OutboxMessage, Person
from tests.conftest import BotEnv
from tests.harness import card_of, execute_action, find_buttons

CSW_CHANNEL = "C0CSWGROUP"
QA_CHANNEL = "C0QATEAM01"
CELEBRATE_CHANNEL = "C0GOODPRAC"
THEME = "Child's voice and lived experience"
SOURCE = "Family feedback"
WHAT = (
    "Sam used a three houses exercise over four visits so the child could say what worried "
    "them at home, and took their words to the conference."
)
DIFFERENCE = "The plan was rewritten around what the child said and the family felt listened to."


# --- the store ------------------------------------------------------------------------------------


async def person_id(env: BotEnv, email: str) -> int:
    async with env.runtime.db.session() as session:
        result = await session.execute(select(Person.id).where(Person.email == email))
        return int(result.scalar_one())


async def nominations(env: BotEnv) -> list[Nomination]:
    async with env.runtime.db.session() as session:
        result = await session.execute(select(Nomination).order_by(Nomination.id))
        return list(result.unique().scalars())


async def votes(env: BotEnv, nomination_id: int) -> list[Vote]:
    async with env.runtime.db.session() as session:
        result = await session.execute(
            select(Vote).where(Vote.nomination_id == nomination_id).order_by(Vote.id)
        )
        return list(result.scalars())


async def library(env: BotEnv) -> list[LibraryEntry]:
    async with env.runtime.db.session() as session:
        return list((await session.execute(select(LibraryEntry))).scalars())


async def audit_actions(env: BotEnv) -> list[str]:
    async with env.runtime.db.session() as session:
        result = await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))
        return list(result.scalars())


async def count_outbox(env: BotEnv, **where: Any) -> int:
    async with env.runtime.db.session() as session:
        query = select(func.count(OutboxMessage.id))
        for key, value in where.items():
            query = query.where(getattr(OutboxMessage, key) == value)
        return int((await session.execute(query)).scalar_one())


async def deliver(env: BotEnv) -> None:
    """Send everything due now, as the background worker would.

    Slack listeners queue their replies just after acknowledging (Bolt answers Slack first), so
    this waits for a short quiet spell rather than returning at the first empty pass.
    """
    assert env.runtime.worker is not None
    quiet = 0
    for _ in range(200):
        if await env.runtime.worker.drain_once():
            quiet = 0
            continue
        quiet += 1
        if quiet == 3:
            return
        await asyncio.sleep(0.03)


async def sweep_at(env: BotEnv, when: datetime) -> None:
    env.clock.set(when)
    await env.runtime.bot.run_sweeps()
    await deliver(env)


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    # November and December are GMT: London time is UTC.
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Slack ----------------------------------------------------------------------------------------


def slack_state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (input id -> value) in the shape of a view_submission's state.values."""
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input" or block["block_id"] not in values:
            continue
        element = block["element"]
        kind, value = element["type"], values[block["block_id"]]
        if kind == "plain_text_input":
            entry: dict[str, Any] = {"type": kind, "value": value}
        elif kind in ("static_select", "radio_buttons"):
            entry = {"type": kind, "selected_option": {"value": value} if value else None}
        elif kind == "multi_static_select":
            entry = {"type": kind, "selected_options": [{"value": v} for v in value]}
        elif kind == "checkboxes":
            chosen = ["qabot.toggle.on"] if value is True else ([] if value is False else value)
            entry = {"type": kind, "selected_options": [{"value": v} for v in chosen]}
        elif kind == "datepicker":
            entry = {"type": kind, "selected_date": value}
        else:
            raise AssertionError(f"unknown element {kind}")
        state[block["block_id"]] = {element["action_id"]: entry}
    return state


def last_view(env: BotEnv) -> dict[str, Any]:
    calls = env.slack_api.calls_to("views.open")
    assert calls, "no modal was opened"
    view: dict[str, Any] = calls[-1].params["view"]
    return view


async def slack_form(env: BotEnv, user: str, command: str) -> dict[str, Any]:
    before = len(env.slack_api.calls_to("views.open"))
    status, _ = await env.slack.command(user, command)
    assert status == 200
    await env.slack_api.wait_for("views.open", before + 1)
    return last_view(env)


async def slack_submit(
    env: BotEnv, user: str, view: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """Submit a modal; returns Slack's view_submission answer ({} when the modal closes)."""
    status, body = await env.slack.submit_view(user, view, slack_state(view, values))
    assert status == 200, body
    return json.loads(body) if body.strip() else {}


def posts_to(env: BotEnv, channel: str) -> list[dict[str, Any]]:
    return [
        c.params
        for c in env.slack_api.calls_to("chat.postMessage")
        if c.params["channel"] == channel
    ]


def updates_to(env: BotEnv, channel: str) -> list[dict[str, Any]]:
    return [
        c.params for c in env.slack_api.calls_to("chat.update") if c.params["channel"] == channel
    ]


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False) + message.get("text", "")


def slack_button(message: dict[str, Any], label: str) -> dict[str, Any]:
    for found in find_buttons(message["blocks"]):
        if found["label"] == label:
            return found
    labels = [b["label"] for b in find_buttons(message["blocks"])]
    raise AssertionError(f"no button {label!r} in {labels}")


async def slack_vote(
    env: BotEnv, user: str, card: dict[str, Any], label: str, comment: str | None = None
) -> None:
    """Press a vote button on a Slack message; for Decline/Needs more information fill the
    comment modal that opens."""
    before = len(env.slack_api.calls_to("views.open"))
    status, _ = await env.slack.press(
        user, slack_button(card, label), channel=CSW_CHANNEL, message={"ts": "1700000000.000001"}
    )
    assert status == 200
    if comment is not None:
        await env.slack_api.wait_for("views.open", before + 1)
        answer = await slack_submit(env, user, last_view(env), {"comment": comment})
        assert answer == {}, answer


def dms_to(env: BotEnv, user: str) -> list[dict[str, Any]]:
    return [
        c.params
        for c in env.slack_api.calls_to("chat.postMessage")
        if c.params["channel"] in (user, "D" + user[1:])
    ]


# --- Teams ----------------------------------------------------------------------------------------


def teams_member(env: BotEnv, aad: str, email: str) -> None:
    env.connector.members[f"29:{aad}"] = {"id": f"29:{aad}", "aadObjectId": aad, "email": email}


async def teams_channel(env: BotEnv, team_id: str, channel_id: str, name: str) -> None:
    """Add the bot to a team whose channel is ``name``, through /api/messages."""
    env.connector.channels[team_id] = [{"id": channel_id, "name": name}]
    activity = env.teams.activity(
        "aad-installer",
        type="conversationUpdate",
        conversation_id=channel_id,
        conversation_type="channel",
        membersAdded=[{"id": env.teams.bot_id}],
    )
    activity["channelData"] = {"team": {"id": team_id, "name": name}, "tenant": {"id": "t"}}
    status, _ = await env.teams.send(activity)
    assert status in (200, 201)
    for _ in range(100):
        async with env.runtime.db.session() as session:
            found = await session.execute(
                select(ChannelLink).where(ChannelLink.conversation_id == channel_id)
            )
            link = found.scalar_one_or_none()
            if link is not None and link.name == name:
                return
        await asyncio.sleep(0.02)
    raise AssertionError(f"Teams channel {name} was not recorded")


def teams_cards_in(env: BotEnv, conversation: str) -> list[dict[str, Any]]:
    return [
        card_of(call.params["body"])
        for call in env.connector.calls
        if call.method == "POST conversations/*/activities"
        and call.params["path"] == f"conversations/{conversation}/activities"
    ]


def teams_updates(env: BotEnv, conversation: str) -> list[dict[str, Any]]:
    return [
        card_of(call.params["body"])
        for call in env.connector.calls
        if call.method == "PUT conversations/*/activities/*"
        and call.params["path"].startswith(f"conversations/{conversation}/activities/")
    ]


async def teams_press(
    env: BotEnv,
    aad: str,
    card: dict[str, Any],
    title: str,
    inputs: dict[str, Any] | None = None,
    *,
    conversation: str | None = None,
) -> dict[str, Any]:
    """Press an Action.Execute button (Teams sends the inputs merged into the data)."""
    action = execute_action(card, title)
    data = {**action.get("data", {}), **(inputs or {})}
    activity = env.teams.activity(
        aad,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": action["verb"], "data": data}},
        conversation_id=conversation,
        conversation_type="channel" if conversation else "personal",
    )
    status, body = await env.teams.send(activity)
    assert status == 200, body
    assert body["statusCode"] == 200
    result: dict[str, Any] = body
    return result


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)
