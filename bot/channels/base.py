"""What the delivery worker needs from a platform: resolve an address, post, update."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards.model import Card
from bot.store.models import OutboxMessage


@dataclass(frozen=True)
class SendResult:
    ok: bool
    ref: dict[str, Any] | None = None
    retry_after: float | None = None  # the platform said "slow down" (429)
    permanent: bool = False  # retrying cannot help (blocked, channel gone, bad request)
    error: str = ""
    # Information for the address book (e.g. a 1:1 conversation created on the way).
    learned: dict[str, Any] | None = None

    @classmethod
    def sent(cls, ref: dict[str, Any] | None = None) -> SendResult:
        return cls(ok=True, ref=ref)

    @classmethod
    def failed(cls, error: str, *, permanent: bool = False) -> SendResult:
        return cls(ok=False, error=error, permanent=permanent)

    @classmethod
    def throttled(cls, retry_after: float, error: str = "rate limited") -> SendResult:
        return cls(ok=False, retry_after=retry_after, error=error)


class AddressError(Exception):
    """The outbox row's recipient cannot be reached on this platform (not linked, no channel)."""


class Sender(Protocol):
    platform: str

    async def resolve(self, session: AsyncSession, message: OutboxMessage) -> dict[str, Any]:
        """The platform address of a message's recipient; raises AddressError."""
        ...

    async def post(self, address: dict[str, Any], card: Card) -> SendResult: ...

    async def update(self, ref: dict[str, Any], card: Card) -> SendResult: ...


class LookupFailed(Exception):
    """The platform could not say what was posted (no scope, not in the channel, throttled)."""


@runtime_checkable
class Reconciling(Protocol):
    """A sender whose posts carry their outbox key, so a post a crash may have cut off after
    the platform accepted it can be looked for instead of being sent again."""

    async def post_marked(self, address: dict[str, Any], card: Card, key: str) -> SendResult:
        """``post``, with ``key`` attached where ``find_posted`` can read it back."""
        ...

    async def find_posted(
        self, address: dict[str, Any], keys: Collection[str], since: datetime
    ) -> dict[str, dict[str, Any]]:
        """Which of ``keys`` were posted to ``address`` since ``since``: key -> the post's
        ref (as ``post`` returns it). Raises LookupFailed."""
        ...


def conversation_key(message: OutboxMessage) -> str:
    """Groups messages that go to one conversation (rate limits apply per conversation)."""
    if message.address:
        reference = message.address.get("reference") or {}
        conv = (
            message.address.get("conversation_id")
            or message.address.get("channel")
            or (reference.get("conversation") or {}).get("id")
        )
        if conv:
            return f"{message.platform}:c:{conv}"
    if message.person_id is not None:
        return f"{message.platform}:p:{message.person_id}"
    if message.route:
        return f"{message.platform}:r:{message.route}"
    if message.card_key:
        return f"{message.platform}:k:{message.card_key}"
    return f"{message.platform}:m:{message.id}"
