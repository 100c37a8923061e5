"""Drafts of multi-step forms: one row per person and flow (``dialog_state``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import DialogState
from bot.store.upserts import dialect_of, insert_or_replace


async def load(session: AsyncSession, person_id: int, flow: str) -> DialogState | None:
    result = await session.execute(
        select(DialogState).where(DialogState.person_id == person_id, DialogState.flow == flow)
    )
    return result.scalar_one_or_none()


async def save(
    session: AsyncSession, person_id: int, flow: str, state: dict[str, Any], now: datetime
) -> None:
    """Create or replace the person's draft for a flow."""
    stmt = insert_or_replace(
        dialect_of(session), DialogState.__table__, ("person_id", "flow"), ("state", "updated_at")
    )
    values = {"person_id": person_id, "flow": flow, "state": state, "updated_at": now}
    await session.execute(stmt, values)


async def remove(session: AsyncSession, person_id: int, flow: str) -> None:
    await session.execute(
        delete(DialogState).where(DialogState.person_id == person_id, DialogState.flow == flow)
    )


async def forget_older_than(
    session: AsyncSession, flows: tuple[str, ...], prefix: str, before: datetime
) -> None:
    """Delete drafts of ``flows`` (or whose flow starts with ``prefix``) last saved before."""
    await session.execute(
        delete(DialogState).where(
            or_(DialogState.flow.in_(flows), DialogState.flow.like(f"{prefix}%")),
            DialogState.updated_at < before,
        )
    )
