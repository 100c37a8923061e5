"""Helpers for the allocation and nudge tests: talk to the bot as someone, read the outbox, and
move the clock to a working morning and run the sweeps."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.allocations import store
from bot.allocations.store import Allocation
from bot.cards.model import Button, Card
from bot.dialogs.base import Action, Turn
from bot.store import directory
from bot.store.models import AwayPeriod, OutboxMessage
from tests.conftest import STAFF_CSV, BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock

LONDON = ZoneInfo("Europe/London")
HEADER = "case_ref,team,activity,assignee_email,moderator_email,cycle"
QUINN = "quinn.qa@example.gov.uk"
CHRIS = "chris.csw@example.gov.uk"
BEA = "bea.csw@example.gov.uk"
FINN = "finn.csw@example.gov.uk"
TESS = "tess.tm@example.gov.uk"
HELEN = "helen.hos@example.gov.uk"
SAM = "sam.sw@example.gov.uk"
PRIYA = "priya.sw@example.gov.uk"


@contextlib.asynccontextmanager
async def running(
    database: Database, clock: FakeClock, *, framework: str = "somerset", staff: str = STAFF_CSV
) -> AsyncIterator[BotEnv]:
    """A running bot with a directory; stopped only once its delivery worker is idle, so no
    delivery is cut off half-way through a database call when the test ends."""
    env = await start_env(database, clock, framework=framework)
    try:
        report = await env.import_staff(staff)
        assert not report.errors, report.errors  # type: ignore[attr-defined]
        yield env
    finally:
        await settle(env)
        await stop_env(env)


async def settle(env: BotEnv) -> None:
    await env.runtime.finish_delivery(within_seconds=10)


@pytest.fixture(name="qa")
async def qa_env(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    """Like ``staffed`` (the small Somerset directory), settled before it stops."""
    async with running(database, clock) as env:
        env.slack_api.users.update(
            {"UHELEN": HELEN, "USAM": SAM, "UCHRIS": CHRIS, "UQUINN": QUINN, "UBEA": BEA}
        )
        yield env


def at(day: date, hour: int = 9, minute: int = 45) -> datetime:
    """A London wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


async def say(env: BotEnv, email: str, text: str, *, attachment: str | None = None) -> list[Card]:
    turn = Turn(
        platform="console",
        user_id=email,
        conversation_id="console",
        text=text,
        attachment_text=attachment,
    )
    result = await env.runtime.bot.handle(turn)
    return [r.card for r in result.replies]


async def press(
    env: BotEnv, email: str, verb: str, data: dict[str, Any], inputs: dict[str, Any] | None = None
) -> list[Card]:
    turn = Turn(
        platform="console",
        user_id=email,
        conversation_id="console",
        action=Action(verb=verb, data=data, inputs=inputs or {}),
    )
    result = await env.runtime.bot.handle(turn)
    return [r.card for r in result.replies]


async def press_button(
    env: BotEnv, email: str, card: Card, label: str, **inputs: Any
) -> list[Card]:
    return await press(env, email, *_button(card, label), inputs)


def _button(card: Card, label: str) -> tuple[str, dict[str, Any]]:
    for button in card.buttons:
        if button.label == label:
            return button.verb, dict(button.data)
    raise AssertionError(f"no button {label!r} in {[b.label for b in card.buttons]}")


def button_of(card: Card, label: str) -> Button:
    for button in card.buttons:
        if button.label == label:
            return button
    raise AssertionError(f"no button {label!r} in {[b.label for b in card.buttons]}")


async def allocate_csv(env: BotEnv, rows: list[str], *, confirm: bool = True) -> Card:
    """The QA team pastes a CSV after `allocate` (and confirms the proposal)."""
    (proposal,) = await say(env, QUINN, "allocate\n" + "\n".join([HEADER, *rows]))
    assert proposal.name == "allocation_proposal", proposal.fallback
    if confirm:
        (confirmed,) = await press_button(
            env, QUINN, proposal, next(b.label for b in proposal.buttons if b.style == "primary")
        )
        return confirmed
    return proposal


async def rows(env: BotEnv, **where: Any) -> list[OutboxMessage]:
    """Outbox rows that are posts (not card updates), oldest first, filtered by column."""
    async with env.runtime.db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.operation == "post")
        for column, value in where.items():
            query = query.where(getattr(OutboxMessage, column) == value)
        return list((await session.execute(query.order_by(OutboxMessage.id))).scalars())


async def person_id(env: BotEnv, email: str) -> int:
    async with env.runtime.db.session() as session:
        person = await directory.person_by_email(session, email)
        assert person is not None
        return person.id


async def messages_to(env: BotEnv, email: str, kind: str | None = None) -> list[OutboxMessage]:
    pid = await person_id(env, email)
    found = await rows(env, person_id=pid)
    return [r for r in found if kind is None or r.kind == kind]


async def allocations(env: BotEnv) -> list[Allocation]:
    async with env.runtime.db.session() as session:
        result = await session.execute(select(Allocation).order_by(Allocation.id))
        return list(result.unique().scalars())


async def allocation(env: BotEnv, allocation_id: int) -> Allocation:
    async with env.runtime.db.session() as session:
        found = await store.allocation_by_id(session, allocation_id)
        assert found is not None
        return found


async def sweep(env: BotEnv, when: datetime) -> int:
    env.clock.set(when)
    return await env.runtime.bot.run_sweeps()


async def away(env: BotEnv, email: str, first: date, last: date) -> None:
    pid = await person_id(env, email)
    async with env.runtime.db.session() as session:
        session.add(AwayPeriod(person_id=pid, starts_on=first, ends_on=last, reason="leave"))


def card_text(card: Card | dict[str, Any]) -> str:
    if isinstance(card, dict):
        card = Card.model_validate(card)
    from bot.cards.text import render_text

    return render_text(card)[0]
