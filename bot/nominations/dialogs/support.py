"""Helpers shared by the nomination dialogs: reading card inputs, drafts, refusals, the
working calendar and how a nomination is shown."""

from __future__ import annotations

import logging

from bot.cards.shared import simple
from bot.dialogs.base import Context, Reply

log = logging.getLogger("bot.nominations.dialogs")

# A draft keeps at most this much of one field (a pasted 300 KB text is cut, not stored).


# --- reading inputs and button data (never trusted: any type may arrive) ----------------------


# --- drafts -------------------------------------------------------------------------------------


# --- refusals and stale cards ------------------------------------------------------------------


def refuse(ctx: Context, verb: str, reason: str, subject: str | None = None) -> None:
    """Log (never message text) and audit an action refused for want of permission."""
    person_id = ctx.person.id if ctx.person else None
    log.warning("refused %s from person %s: %s", verb, person_id, reason)
    ctx.audit.record(
        "nomination.refused",
        actor_id=person_id,
        subject=subject,
        details={"verb": verb, "reason": reason},
    )


def not_allowed(text: str) -> list[Reply]:
    return [Reply(simple("not_allowed", "That isn't available to you", text, "warning"))]


def out_of_date(ctx: Context, verb: str, why: str, text: str | None = None) -> list[Reply]:
    log.warning(
        "out-of-date %s from person %s: %s", verb, ctx.person.id if ctx.person else None, why
    )
    message = text or (
        "That card is out of date or no longer available, so nothing was changed. "
        "Type my nominations or my tasks for a fresh one."
    )
    return [Reply(simple("stale_card", "This card is out of date", message, "warning"))]


# --- the calendar -------------------------------------------------------------------------------


# --- how a nomination is shown ------------------------------------------------------------------


# --- the privacy screen -------------------------------------------------------------------------
