"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AuditEntry


class AuditWriter:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session = session
        self._now = now

    def record(
        self,
        action: str,
        *,
        actor_id: int | None,
        subject: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self._session.add(
            AuditEntry(
                at=self._now, actor_id=actor_id, action=action, subject=subject, details=details
            )
        )
