"""A terminal channel: talk to the bot with no Slack or Teams at all.

Cards are shown as text with numbered buttons; type a number to press one. A button that
submits a form asks for each field in turn (Enter keeps the value shown in brackets).
Messages the bot sends you proactively (reminders, vote cards) appear before each prompt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from sqlalchemy import select

from bot.app import QABot
from bot.cards.model import Button, Card, ChoiceInput, DateInput, TextInput, ToggleInput
from bot.cards.text import render_text
from bot.dialogs.base import Action, Turn
from bot.store.models import OutboxMessage, Person

Prompt = Callable[[str], Awaitable[str | None]]


async def stdin_prompt(label: str) -> str | None:
    try:
        return await asyncio.to_thread(input, label)
    except EOFError:
        return None


class ConsoleChannel:
    def __init__(
        self, bot: QABot, email: str, *, prompt: Prompt = stdin_prompt, out: TextIO | None = None
    ) -> None:
        self.bot = bot
        self.email = email.strip().lower()
        self.prompt = prompt
        self.out = out
        self.buttons: list[tuple[Card, Button]] = []
        self._last_seen_outbox = 0

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def run(self) -> None:
        self.say(f"Talking to {self.bot.framework.authority.bot_name} as {self.email}.")
        self.say("Type help, a command, or the number of a button. Type quit to leave.")
        self._last_seen_outbox = await self._latest_outbox_id()
        await self.send_text("help")
        while True:
            await self.show_inbox()
            line = await self.prompt("\nyou> ")
            if line is None or line.strip().lower() in ("quit", "exit", "bye"):
                self.say("Goodbye.")
                return
            line = line.strip()
            if not line:
                continue
            if line.isdigit() and self.buttons:
                await self.press(int(line))
            else:
                await self.send_text(line)

    async def send_text(self, text: str) -> None:
        turn = Turn(platform="console", user_id=self.email, conversation_id="console", text=text)
        await self._run(turn)

    async def press(self, number: int) -> None:
        if not 1 <= number <= len(self.buttons):
            self.say(f"There is no button {number}.")
            return
        card, button = self.buttons[number - 1]
        if button.url:
            self.say(f"Open this link: {button.url}")
            return
        inputs: dict[str, Any] = {}
        if button.submits:
            for field in card.inputs:
                value = await self._ask(field)
                if value is None:
                    self.say("Cancelled.")
                    return
                inputs[field.id] = value
        turn = Turn(
            platform="console",
            user_id=self.email,
            conversation_id="console",
            action=Action(verb=button.verb, data=dict(button.data), inputs=inputs),
        )
        await self._run(turn)

    async def _run(self, turn: Turn) -> None:
        result = await self.bot.handle(turn)
        self.buttons = []
        for reply in result.replies:
            self.show(reply.card)

    def show(self, card: Card) -> None:
        text, buttons = render_text(card)
        offset = len(self.buttons)
        if offset:
            # Number buttons across several cards shown together.
            for index in range(len(buttons), 0, -1):
                text = text.replace(f"[{index}]", f"[{index + offset}]")
        self.say("")
        self.say(text)
        self.buttons.extend((card, b) for b in buttons)

    async def _ask(self, field: TextInput | ChoiceInput | DateInput | ToggleInput) -> Any:
        required = " (required)" if getattr(field, "required", False) else ""
        if isinstance(field, ChoiceInput):
            self.say(f"{field.label}{required}:")
            for index, choice in enumerate(field.choices, 1):
                mark = "*" if choice.value in field.value else " "
                self.say(f"  {mark}{index}. {choice.title}")
            hint = "numbers separated by commas" if field.multi else "a number"
            answer = await self.prompt(f"  choose {hint} (Enter keeps *): ")
            if answer is None:
                return None
            if not answer.strip():
                return list(field.value) if field.multi else (field.value[0] if field.value else "")
            picked = []
            for part in answer.replace(" ", "").split(","):
                if part.isdigit() and 1 <= int(part) <= len(field.choices):
                    picked.append(field.choices[int(part) - 1].value)
            return picked if field.multi else (picked[0] if picked else "")
        if isinstance(field, ToggleInput):
            answer = await self.prompt(f"{field.label} (y/n) [{'y' if field.value else 'n'}]: ")
            if answer is None:
                return None
            return field.value if not answer.strip() else answer.strip().lower().startswith("y")
        current = f" [{field.value}]" if field.value else ""
        hint = " (YYYY-MM-DD)" if isinstance(field, DateInput) else ""
        answer = await self.prompt(f"{field.label}{hint}{required}{current}: ")
        if answer is None:
            return None
        return answer if answer.strip() else (field.value or "")

    async def show_inbox(self) -> None:
        async with self.bot.db.session() as session:
            person = (
                (await session.execute(select(Person).where(Person.email == self.email)))
                .unique()
                .scalar_one_or_none()
            )
            if person is None:
                return
            rows = (
                (
                    await session.execute(
                        select(OutboxMessage)
                        .where(
                            OutboxMessage.id > self._last_seen_outbox,
                            OutboxMessage.platform == "console",
                            OutboxMessage.operation == "post",
                            OutboxMessage.person_id == person.id,
                        )
                        .order_by(OutboxMessage.id)
                    )
                )
                .scalars()
                .all()
            )
        if not rows:
            return
        self._last_seen_outbox = rows[-1].id
        self.say(f"\n--- {len(rows)} new message(s) for you ---")
        self.buttons = []
        for row in rows:
            self.show(Card.model_validate(row.payload))

    async def _latest_outbox_id(self) -> int:
        async with self.bot.db.session() as session:
            result = await session.execute(
                select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)
            )
            return result.scalar_one_or_none() or 0
