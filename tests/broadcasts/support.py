"""Helpers for the broadcasts' tests: a directory, team channels on both platforms, the outbox
rows of a broadcast and the delivery worker drained to the end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.broadcasts.store import Broadcast
from bot.cards.model import Card
from bot.domain.framework import ChannelRoute
from bot.store import directory
from bot.store.models import OutboxMessage
from tests.allocations.support import QUINN, SAM, card_text, press, qa_env, say, settle
from tests.conftest import BotEnv

__all__ = ["QUINN", "SAM", "card_text", "press", "qa_env", "say", "settle"]


async def with_team_channels(env: BotEnv, count: int, *, teams_too: bool = True) -> list[str]:
    """``count`` team channels configured on Slack (and Teams, with the bot added there)."""
    runtime = env.runtime
    names = [f"Team {i:03d}" for i in range(count)]
    routes = {
        name: ChannelRoute(slack=f"C{i:07d}", teams=f"19:team{i}@thread" if teams_too else None)
        for i, name in enumerate(names)
    }
    channels = runtime.framework.channels.model_copy(update={"teams": routes})
    runtime.bot.framework = runtime.framework.model_copy(update={"channels": channels})
    if teams_too:
        async with runtime.db.session() as session:
            for i in range(count):
                conv = f"19:team{i}@thread"
                await directory.record_channel(
                    session,
                    platform="teams",
                    conversation_id=conv,
                    name=names[i],
                    team_external_id=f"team-{i}",
                    reference={
                        "serviceUrl": env.connector.url,
                        "channelId": "msteams",
                        "conversation": {"id": conv, "conversationType": "channel"},
                    },
                    now=env.clock(),
                )
    return names


async def broadcast_rows(env: BotEnv, broadcast_id: int) -> list[OutboxMessage]:
    async with env.runtime.db.session() as session:
        result = await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.startswith(f"bcast:{broadcast_id}:"))
            .order_by(OutboxMessage.id)
        )
        return list(result.scalars())


async def broadcasts(env: BotEnv) -> list[Broadcast]:
    async with env.runtime.db.session() as session:
        return list((await session.execute(select(Broadcast).order_by(Broadcast.id))).scalars())


async def drain(env: BotEnv, *, rounds: int = 40) -> None:
    """Run the delivery worker until nothing is due, moving the clock past every backoff."""
    worker = env.runtime.worker
    assert worker is not None
    for _ in range(rounds):
        while await worker.drain_once():
            pass
        env.clock.advance(minutes=20)
        if not await worker.drain_once():
            async with env.runtime.db.session() as session:
                waiting = await session.execute(
                    select(OutboxMessage.id).where(OutboxMessage.status.in_(("pending", "sending")))
                )
                if not waiting.first():
                    return


async def compose(env: BotEnv, email: str, audience: str = "all-teams", **extra: str) -> list[Card]:
    (form,) = await say(env, email, "newsletter")
    assert form.name == "newsletter_compose", card_text(form)
    inputs: dict[str, Any] = {
        "title": "December news",
        "audience": audience,
        "h0": "Audits",
        "b0": "Thank you for the audits this month.",
        **extra,
    }
    return await press(env, email, "bcast.compose", {"kind": "newsletter"}, inputs)


def review_of(cards: list[Card]) -> Card:
    return next(c for c in cards if c.name == "broadcast_review")


def facts(card: Card) -> dict[str, str]:
    from bot.cards.model import Facts

    found: dict[str, str] = {}
    for element in card.body:
        if isinstance(element, Facts):
            found.update(dict(element.facts))
    return found
