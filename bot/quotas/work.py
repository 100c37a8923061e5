"""What the allocations area's work means for quotas and the calendar, heard through the core
(``Router.on_work``; the areas never import each other):

- a cycle confirmed by the QA team (or opened by itself) keeps the turns its calendar entry
  names, so the rotations move on (a cycle never run keeps nobody's turn);
- allocated work of an activity a quota lists in ``completed_by`` (Dudley's monthly case
  audits) counts as an item done by the assignee, once, so a manager who completed the
  allocated audit is not nudged to ``log audit``.
"""

from __future__ import annotations

import logging

from bot.dialogs.base import Context, Router
from bot.domain.work_events import CycleConfirmed, WorkDone, WorkEvent
from bot.quotas import calendar_flows, store
from bot.quotas.store import QuotaItem

log = logging.getLogger(__name__)
VIA_ALLOCATION = "allocation"


def register(router: Router) -> None:
    router.on_work(on_work)


async def on_work(ctx: Context, event: WorkEvent) -> None:
    if isinstance(event, CycleConfirmed):
        kept = await calendar_flows.keep_confirmed_turns(ctx, event.activities)
        if kept:
            log.info("calendar turns kept for %d confirmed cycle(s)", kept)
    elif isinstance(event, WorkDone):
        await count_allocated_work(ctx, event)


async def count_allocated_work(ctx: Context, event: WorkDone) -> None:
    kinds = sorted({q.counts for q in ctx.framework.quotas if event.activity in q.completed_by})
    for kind in kinds:
        if await store.has_allocated_item(ctx.session, kind, event.person_id, event.reference):
            continue
        store.add_item(
            ctx.session,
            QuotaItem(
                kind=kind,
                status=store.ACTIVE,
                done_by_id=event.person_id,
                logged_by_id=None,
                occurred_on=event.completed_on,
                case_ref=event.case_ref or None,
                # The allocation it came from ("allocation:ID"), so it is counted once.
                notes=event.reference,
                themes=[],
                created_at=ctx.now,
                updated_at=ctx.now,
                via=VIA_ALLOCATION,
            ),
        )
        ctx.audit.record(
            "quota_item.counted",
            actor_id=ctx.person.id if ctx.person else None,
            subject=event.reference,
            details={"kind": kind, "person_id": event.person_id},
        )
        log.info("allocated %s counted as %s for person %s", event.activity, kind, event.person_id)
