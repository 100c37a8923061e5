"""The cards of real conversations, on both platforms' rules and Microsoft's official renderer.

The gallery holds one sample of each card; a conversation makes the cards people actually get:
answers to every command for each role, the cards behind every button pressed (forms sent
empty, so their error cards too), and what the outbox sends to others. Each distinct card is
rendered for Teams (official schema and renderer) and for Slack (slack_sdk and Slack's rules).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft6Validator
from slack_sdk.models.blocks import Block
from sqlalchemy import select

from bot.cards import adaptive, blockkit
from bot.cards.model import Card
from bot.dialogs.base import Action, Turn
from bot.gallery import slack_payload
from bot.store.models import OutboxMessage
from tests.allocations.support import (
    CHRIS,
    HELEN,
    QUINN,
    SAM,
    TESS,
    allocate_csv,
    running,
)
from tests.conftest import BotEnv, Database
from tests.core import slack_rules
from tests.core.teams_renderer import install, report
from tests.harness import FakeClock
from tests.schemas import load_schema

PEOPLE = (QUINN, SAM, CHRIS, HELEN, TESS)
ROWS = [
    f"2045871,Taunton CP,practice_evaluation,{CHRIS},bea.csw@example.gov.uk,PE Nov",
    f"2045872,Taunton CP,audit,{SAM},,Audit Nov",
]
MAX_PRESSES = 250
# Somerset with allocations in flight; Dudley's audits and observations by managers. (All five
# presets passed when this was written; two keep the suite quick.)
FRAMEWORKS = ("somerset", "dudley")


async def _turn(env: BotEnv, email: str, **what: Any) -> list[Card]:
    turn = Turn(platform="console", user_id=email, conversation_id="console", **what)
    result = await env.runtime.bot.handle(turn)
    return [r.card for r in result.replies]


async def _conversation_cards(env: BotEnv, framework: str) -> dict[str, Card]:
    """Every distinct card a conversation produced, by a name saying where it came from."""
    cards: dict[str, Card] = {}
    seen: set[str] = set()

    def keep(origin: str, card: Card) -> bool:
        key = json.dumps(card.model_dump(mode="json"), sort_keys=True)
        if key in seen:
            return False
        seen.add(key)
        cards[f"{card.name} <- {origin}"] = card
        return True

    if framework == "somerset":  # the rows name Somerset's activities
        await allocate_csv(env, ROWS)
    pending: list[tuple[str, Card]] = []
    for email in PEOPLE:
        for command in env.runtime.bot.router.commands:
            for card in await _turn(env, email, text=command.name):
                if keep(f"{email.split('@')[0]}: {command.name}", card):
                    pending.append((email, card))
    presses = 0
    while pending and presses < MAX_PRESSES:
        email, card = pending.pop(0)
        for button in card.buttons:
            if button.url or presses >= MAX_PRESSES:
                continue
            presses += 1
            action = Action(verb=button.verb, data=dict(button.data), inputs={})
            for reply in await _turn(env, email, action=action):
                if keep(f"{email.split('@')[0]} pressed {button.label!r} on {card.name}", reply):
                    pending.append((email, reply))
    async with env.runtime.db.session() as session:
        # Every row that carries a card (a "mark" only tells an area something was done).
        carrying = OutboxMessage.operation.in_(("post", "update"))
        rows = (await session.execute(select(OutboxMessage).where(carrying))).scalars().all()
        for row in rows:
            keep(f"outbox {row.kind}", Card.model_validate(row.payload))
    return cards


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_every_card_of_a_conversation_is_valid_on_teams_and_slack(
    database: Database, clock: FakeClock, framework: str
) -> None:
    async with running(database, clock, framework=framework) as env:
        cards = await _conversation_cards(env, framework)
    assert len(cards) >= 60, sorted(cards)
    assert any(i.error for c in cards.values() for i in c.inputs), "no form came back with errors"
    validator = Draft6Validator(load_schema("adaptivecards/adaptive-card-1.5.0.json"))
    found: list[str] = []
    payloads = {}
    for name, card in cards.items():
        payload = adaptive.render(card)
        payloads[name] = payload
        found += [f"{name} (AC schema): {e.message[:200]}" for e in validator.iter_errors(payload)]
        # As sent (a form as a modal), as a message (the outbox posts any card), and in App Home.
        slacks = [slack_payload(card), blockkit.render_message(card)]
        slacks += [] if card.is_form else [blockkit.render_home([card])]
        for slack in slacks:
            surface = str(slack.get("type", "message"))
            found += [f"{name} ({surface}): {p}" for p in slack_rules.problems(slack, surface)]
            for block in slack["blocks"]:
                parsed = Block.parse(block)
                if parsed is None:
                    found.append(f"{name} ({surface}): unknown block {block.get('type')}")
                else:
                    parsed.validate_json()
    assert not found, "\n".join(found)

    renderer = install()
    problems = {k: p for k, p in renderer.problems(payloads).items() if p}
    assert not problems, "Microsoft's Adaptive Cards renderer reports:\n" + report(problems)
