"""Helpers for the quotas' tests: talk to the bot on the console, read what was logged, run the
sweeps on a working morning."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import select

from bot.cards.model import Card
from bot.quotas.store import QuotaItem
from bot.store.models import AuditEntry
from tests.allocations.support import at, card_text, person_id, press, say
from tests.conftest import BotEnv

__all__ = ["at", "card_text", "person_id", "press", "say"]


async def items(env: BotEnv) -> list[QuotaItem]:
    async with env.runtime.db.session() as session:
        result = await session.execute(select(QuotaItem).order_by(QuotaItem.id))
        return list(result.unique().scalars())


async def audit_actions(env: BotEnv, prefix: str = "quota.") -> list[str]:
    async with env.runtime.db.session() as session:
        result = await session.execute(select(AuditEntry).order_by(AuditEntry.id))
        return [e.action for e in result.scalars() if e.action.startswith(prefix)]


async def submit(env: BotEnv, email: str, form: Card, **inputs: Any) -> list[Card]:
    """Press the form's primary button with these inputs."""
    button = next(b for b in form.buttons if b.style == "primary")
    return await press(env, email, button.verb, dict(button.data), inputs)


async def morning(env: BotEnv, day: date, hour: int = 9, minute: int = 45) -> None:
    env.clock.set(at(day, hour, minute))
    await env.runtime.bot.run_sweeps()


async def log_feedback(env: BotEnv, email: str, subject_email: str, day: date) -> Card:
    (form,) = await say(env, email, "log feedback")
    (done,) = await submit(
        env,
        email,
        form,
        occurred_on=day.isoformat(),
        subject=str(await person_id(env, subject_email)),
        source="parent",
        feedback_kind="compliment",
    )
    assert done.name == "quota_logged", done.fallback
    return done


def at_time(day: date, when: time) -> Any:
    return at(day, when.hour, when.minute)
