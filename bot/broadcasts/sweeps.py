"""The broadcasts' sweeps: draft the digest on the framework's schedule (once per period),
queue approved broadcasts whose time has come, and keep the live delivery reports current:
within seconds of deliveries (``Router.delivered``, throttled by the delivery worker) and on
the sweep, which catches up after a restart and keeps counting reads."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from bot.broadcasts import flows, rules, store
from bot.cards.model import Card
from bot.dialogs.base import Context, Router
from bot.dialogs.forms import calendar
from bot.domain.digest import DigestScope
from bot.store.outbox import Delivered

log = logging.getLogger("bot.broadcasts.sweeps")
REPORT_DAYS = 14


def register(router: Router) -> None:
    router.sweep("broadcasts.draft_digest")(draft_digest)
    router.sweep("broadcasts.send_due")(send_due)
    router.sweep("broadcasts.reports")(update_reports)
    # The delivery report names every recipient a broadcast failed to reach, and its reads.
    router.delivered(flows.KIND, flows.READ_KIND, reports_failures=True)(after_delivery)


async def draft_digest(ctx: Context) -> None:
    """On the drafting day, the digest of the period just ended, once: a preview to the QA
    team with Edit, Approve, Schedule and Discard. Nothing is sent to anyone else."""
    digest = ctx.framework.broadcasts.digest
    if digest is None:
        return
    period = rules.due_period(ctx.today, digest, calendar(ctx))
    if period is None:
        return
    key = f"digest:{period.start.isoformat()}"
    if await store.by_dedupe_key(ctx.session, key) is not None:
        return
    content = await flows.compose_digest(ctx, period, DigestScope())
    broadcast = await flows.new_draft(
        ctx, content, flows.default_audience(ctx), dedupe_key=key, period=period
    )
    await send_review(ctx, broadcast)
    log.info("digest for %s drafted for review (broadcast %s)", period.label, broadcast.id)


async def send_review(ctx: Context, broadcast: store.Broadcast) -> None:
    parts = flows.message_cards(ctx, broadcast)
    cards: list[Card] = [*parts, flows.review_card(ctx, broadcast, len(parts))]
    for index, card in enumerate(cards, start=1):
        await ctx.outbox.to_route(
            "qa_team", card, key=f"bcast-review:{broadcast.id}:{index}", kind="broadcast_review"
        )


async def send_due(ctx: Context) -> None:
    for broadcast in await store.due_to_queue(ctx.session, ctx.now):
        await flows.queue(ctx, broadcast)


async def update_reports(ctx: Context) -> None:
    """Each live report shows the current totals (and reads, for two weeks after sending)."""
    for broadcast in await store.to_report(ctx.session, ctx.now - timedelta(days=REPORT_DAYS)):
        await flows.refresh_report(ctx, broadcast)


async def after_delivery(ctx: Context, rows: Sequence[Delivered]) -> None:
    """Recipients of a broadcast were just delivered, retried or failed, or people pressed
    "Got it": its live report shows the new totals (the worker calls this at most every few
    seconds, and once after the last)."""
    ids = sorted({b for row in rows if (b := store.broadcast_of(row.dedupe_key)) is not None})
    for broadcast_id in ids:
        broadcast = await store.by_id(ctx.session, broadcast_id)
        if broadcast is not None and broadcast.status in (store.SENDING, store.DONE):
            await flows.refresh_report(ctx, broadcast)
