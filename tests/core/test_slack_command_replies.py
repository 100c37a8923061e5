"""A Slack slash command answered with several cards: the acknowledgement carries the first
cards that fit in one message (at most 50 blocks, no two buttons with one action_id), and the
rest follow as messages of their own; nothing is cut silently."""

from __future__ import annotations

import json
from typing import Any

from bot.cards.model import Button, Card, TextBlock
from bot.dialogs.base import Context, Reply
from tests.conftest import BotEnv


def big_card(n: int, paragraphs: int) -> Card:
    return Card(
        name="sample",
        title=f"Card {n}",
        fallback=f"Card {n}",
        body=[TextBlock(text=f"Card {n}, paragraph {p}") for p in range(paragraphs)],
        buttons=[Button(label="Open", verb="sample.open", data={"n": n})],
    )


def with_command(env: BotEnv, cards: list[Card]) -> None:
    async def several(ctx: Context, args: str) -> list[Reply]:
        return [Reply(card) for card in cards]

    env.runtime.bot.router.command("several", summary="Several cards")(several)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks for e in b.get("elements") or [] if "action_id" in e]


async def dms_to(env: BotEnv, user: str) -> list[str]:
    worker = env.runtime.worker
    assert worker is not None
    while await worker.drain_once():
        pass
    return [
        json.dumps(c.params)
        for c in env.slack_api.accepted
        if c.method == "chat.postMessage" and c.params.get("channel") == user
    ]


async def test_the_cards_that_do_not_fit_follow_as_messages(staffed: BotEnv) -> None:
    # 3 cards of 20 paragraphs: 22 blocks each (header, 20 sections, actions).
    with_command(staffed, [big_card(n, 20) for n in range(3)])
    status, body = await staffed.slack.command("USAM", "several")
    assert status == 200
    ack = json.loads(body)
    shown = json.dumps(ack["blocks"])
    # Two cards would have 44 blocks, but both have their "Open" button as sample.open:0.
    assert len(ack["blocks"]) <= 50
    assert len(set(action_ids(ack["blocks"]))) == len(action_ids(ack["blocks"]))
    assert "Card 0, paragraph 19" in shown and "Card 1" not in shown
    later = await dms_to(staffed, "USAM")
    assert len(later) == 2, later
    for n, message in ((1, later[0]), (2, later[1])):
        assert f"Card {n}, paragraph 0" in message and f"Card {n}, paragraph 19" in message


async def test_cards_without_shared_buttons_share_the_acknowledgement_up_to_50_blocks(
    staffed: BotEnv,
) -> None:
    cards = [big_card(n, 14).model_copy(update={"buttons": []}) for n in range(4)]
    with_command(staffed, cards)  # 15 blocks each: three fit in 50, the fourth does not
    status, body = await staffed.slack.command("USAM", "several")
    assert status == 200
    ack = json.loads(body)
    shown = json.dumps(ack["blocks"])
    assert len(ack["blocks"]) == 45
    assert all(f"Card {n}, paragraph 13" in shown for n in range(3))
    assert "Card 3" not in shown
    (later,) = await dms_to(staffed, "USAM")
    assert "Card 3, paragraph 13" in later
