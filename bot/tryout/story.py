"""A believable department for a fresh demo, made the way people would make it: by chatting
with the bot. Two practices ratified into the library, one nomination in its CSW vote,
allocations in flight (one of them overdue), an open professional disagreement, and the
quarter's quotas with nothing logged yet (so their gaps show).

Everything goes through ``QABot.handle`` with the same turns the console channel sends, so
the story needs no area's internals and stays true when the areas change.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.app import QABot
from bot.cards.model import Button, Card, ChoiceInput
from bot.dialogs.base import Action, Turn

log = logging.getLogger(__name__)

DOMAIN = "demo.somerset.gov.uk"
REFERENCE = re.compile(r"GP-\d{4}-\d{4}")


class StoryError(Exception):
    """A step of the story did not go as expected (the demo starts without the rest)."""


@dataclass(frozen=True)
class Nomination:
    nominator: str
    nominee: str
    what: str
    difference: str
    voters: tuple[str, ...]


NOMINATIONS = [
    Nomination(
        "sam.sw",
        "Priya Patel",
        "Priya used a three houses exercise over four visits so the child could say what "
        "worried them at home, and took their words to the child protection conference.",
        "The plan was rewritten around what the child said and the family felt listened to.",
        ("bea.csw", "finn.csw", "gail.csw", "chris.csw"),
    ),
    Nomination(
        "lee.sw",
        "Mo Ahmed",
        "Mo kept a young person's life-story work going through three placement moves, "
        "meeting them at school so nothing was lost.",
        "The young person says Mo is the one adult who always came back.",
        ("bea.csw", "finn.csw", "gail.csw", "chris.csw"),
    ),
    Nomination(
        "dana.fw",
        "Kate Manager",
        "Kate ran a family network meeting the same week the referral came in, so the "
        "grandparents could step in before anything went to court.",
        "The children stayed with family and the plan ended early.",
        ("finn.csw",),
    ),
]


def allocations_csv(today: date) -> str:
    """Work in flight: one allocated six weeks ago (overdue by now), one this week."""
    long_ago = (today - timedelta(days=42)).isoformat()
    return "\n".join(
        [
            "case_ref,team,activity,assignee_email,moderator_email,cycle,allocated_on",
            f"2046001,Yeovil Children in Care,practice_evaluation,priya.sw@{DOMAIN},"
            f"bea.csw@{DOMAIN},Autumn PE,{long_ago}",
            f"2046002,Taunton Child Protection,practice_evaluation,mo.sw@{DOMAIN},"
            f"finn.csw@{DOMAIN},Autumn PE,{today.isoformat()}",
        ]
    )


class Chat:
    """One person's side of a conversation with the bot, pressing buttons by their label."""

    def __init__(self, bot: QABot, name: str) -> None:
        self.bot = bot
        self.email = f"{name}@{DOMAIN}" if "@" not in name else name
        self.cards: list[Card] = []

    async def say(self, text: str) -> list[Card]:
        return await self._turn(Turn("console", self.email, "demo-story", text=text))

    async def press(self, label: str, inputs: dict[str, Any] | None = None) -> list[Card]:
        card, button = self.button(label)
        action = Action(verb=button.verb, data=dict(button.data), inputs=inputs or {})
        del card
        return await self._turn(Turn("console", self.email, "demo-story", action=action))

    def button(self, label: str) -> tuple[Card, Button]:
        for card in reversed(self.cards):
            for button in card.buttons:
                if button.label.startswith(label):
                    return card, button
        raise StoryError(f"{self.email}: no button {label!r}")

    def card_with(self, input_id: str) -> Card:
        for card in reversed(self.cards):
            if any(i.id == input_id for i in card.inputs):
                return card
        raise StoryError(f"{self.email}: no form with {input_id!r}")

    async def _turn(self, turn: Turn) -> list[Card]:
        result = await self.bot.handle(turn)
        self.cards = [reply.card for reply in result.replies]
        return self.cards


def choice(card: Card, input_id: str, title: str | None = None) -> str:
    """The value of the choice titled ``title`` (or the first real choice)."""
    field = next(i for i in card.inputs if i.id == input_id)
    assert isinstance(field, ChoiceInput)
    for option in field.choices:
        if option.value and (title is None or option.title.startswith(title)):
            return option.value
    raise StoryError(f"no choice {title!r} in {input_id}")


async def nominate(bot: QABot, story: Nomination) -> str:
    chat = Chat(bot, story.nominator)
    await chat.say("nominate")
    form = chat.card_with("what_happened")
    inputs = {
        "nominees": choice(form, "nominees", story.nominee),
        "what_happened": story.what,
        "difference_made": story.difference,
        "evidence_source": choice(form, "evidence_source"),
        "theme": choice(form, "theme"),
        "family_voice": "true",
        "consent": "true",
    }
    said = await chat.press("Submit nomination", inputs)
    found = REFERENCE.search(" ".join(c.fallback for c in said))
    if found is None:
        raise StoryError(f"the nomination was not received: {said[0].fallback if said else ''}")
    reference = found[0]
    for voter in story.voters:
        csw = Chat(bot, voter)
        await csw.say("my tasks")
        await csw.press(f"Vote on {reference}")
        await csw.press("Ratify")
    return reference


async def tell_the_story(bot: QABot) -> list[str]:
    """Make the demo's department; returns what was made, one line each."""
    made: list[str] = []
    for story in NOMINATIONS:
        reference = await nominate(bot, story)
        state = "in the library" if len(story.voters) > 1 else "in its CSW vote"
        made.append(f"{reference} ({story.nominee}) {state}")
    qa = Chat(bot, "quinn.qa")
    await qa.say("allocate\n" + allocations_csv(bot.clock().astimezone(bot.tz).date()))
    await qa.press("Confirm")
    made.append("2 allocations in flight, one overdue")
    made.append(await raise_dispute(bot))
    made.append("the quarter's quotas with nothing logged yet: type `quotas` as Kate or Quinn")
    return made


async def raise_dispute(bot: QABot) -> str:
    """Sam disagrees with Priya about a threshold decision: an RPD at its first stage."""
    sam = Chat(bot, "sam.sw")
    await sam.say("rpd")
    await sam.press("No")
    form = sam.card_with("resolution_sought")
    inputs = {
        "other_email": f"priya.sw@{DOMAIN}",
        "other_name": "",
        "other_agency": "Yeovil Children in Care",
        "case_reference": "2046003",
        "category": choice(form, "category"),
        "resolution_sought": "A joint visit this week to agree whether the threshold is met.",
    }
    said = await sam.press("Raise it", inputs)
    if not said or said[0].name != "dispute":
        raise StoryError(f"the dispute was not raised: {said[0].fallback if said else ''}")
    return f"an open disagreement (Sam and Priya, stage 1): {said[0].title}"
