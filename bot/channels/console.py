"""A terminal channel: talk to the bot with no Slack or Teams at all.

Cards are shown as text with numbered buttons; type a number to press one. A button that
submits a form asks for each field in turn (Enter keeps the value shown in brackets).
Messages the bot sends you proactively (reminders, vote cards) appear before each prompt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import ColumnElement, select

from bot.app import QABot
from bot.cards.model import Button, Card, ChoiceInput, DateInput, TextInput, ToggleInput
from bot.cards.text import render_text
from bot.dialogs.base import Action, Turn
from bot.domain.holding import held_note
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
        await self.show_held()
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
                continue
            if is_bare_allocate(line):
                line = await self._read_pasted_rows(line)
            try:
                line = with_attached_file(line)
            except OSError as exc:
                self.say(f"Cannot read that file: {exc.strerror or exc}.")
                continue
            await self.send_text(line)

    async def _read_pasted_rows(self, command: str) -> str:
        """The rows pasted after a bare ``allocate``, up to an empty line, as one message."""
        self.say("Paste the CSV rows, then press Enter on an empty line:")
        rows: list[str] = []
        while (row := await self.prompt("")) is not None and row.strip():
            rows.append(row)
        return "\n".join([command, *rows])

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

    async def show_held(self) -> None:
        """Messages already waiting for you, held until working hours."""
        rows = await self._my_rows(OutboxMessage.status == "pending")
        if rows:
            self.say(f"\n--- {len(rows)} message(s) waiting for you ---")
            self._show_rows(rows)

    async def show_inbox(self) -> None:
        rows = await self._my_rows(OutboxMessage.id > self._last_seen_outbox)
        if not rows:
            return
        self._last_seen_outbox = rows[-1].id
        self.say(f"\n--- {len(rows)} new message(s) for you ---")
        self._show_rows(rows)

    def _show_rows(self, rows: Sequence[OutboxMessage]) -> None:
        self.buttons = []
        now = self.bot.clock()
        for row in rows:
            self.show(Card.model_validate(row.payload))
            if row.next_attempt_at > now:
                self.say(held_note(self.bot.framework.calendar, row.next_attempt_at, self.bot.tz))

    async def _my_rows(self, condition: ColumnElement[bool]) -> Sequence[OutboxMessage]:
        async with self.bot.db.session() as session:
            person = (
                (await session.execute(select(Person).where(Person.email == self.email)))
                .unique()
                .scalar_one_or_none()
            )
            if person is None:
                return []
            return (
                (
                    await session.execute(
                        select(OutboxMessage)
                        .where(
                            condition,
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

    async def _latest_outbox_id(self) -> int:
        async with self.bot.db.session() as session:
            result = await session.execute(
                select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)
            )
            return result.scalar_one_or_none() or 0


def is_bare_allocate(line: str) -> bool:
    words = line.lower().split()
    return words == ["allocate"] or (len(words) == 3 and words[:2] == ["allocate", "cycle"])


def with_attached_file(line: str) -> str:
    """``allocate FILE`` (and ``allocate cycle ACTIVITY FILE``) send the file's rows as if they
    had been pasted after the command: a terminal hands a pasted CSV over one line at a time."""
    words = line.split()
    if len(words) < 2 or words[0].lower() != "allocate":
        return line
    path = Path(words[-1]).expanduser()
    if not path.is_file():
        return line
    return " ".join(words[:-1]) + "\n" + path.read_text("utf-8-sig")
