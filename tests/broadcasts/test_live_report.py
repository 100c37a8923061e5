"""The delivery report is live: while a broadcast is sending, the report card in the QA team
channel is updated in place within seconds of deliveries (throttled), and a last time with the
final totals, without waiting for the five-minute sweep; "Got it" presses show on it within
seconds too, with one update for many presses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from sqlalchemy import select

from bot.scheduler.delivery import DeliveryWorker
from bot.store.models import OutboxMessage
from bot.store.outbox import Delivered
from tests.broadcasts.support import (
    QUINN,
    broadcasts,
    compose,
    drain,
    press,
    qa_env,
    with_team_channels,
)
from tests.conftest import BotEnv
from tests.harness import button

__all__ = ["qa_env"]
CHANNELS = 6


def report_updates(env: BotEnv) -> list[str]:
    """The delivery report's in-place updates Slack accepted, as JSON text."""
    return [
        json.dumps(c.params)
        for c in env.slack_api.accepted
        if c.method == "chat.update" and "Delivery:" in json.dumps(c.params)
    ]


async def test_the_report_shows_the_final_totals_without_the_sweep(qa: BotEnv) -> None:
    worker = qa.runtime.worker
    assert isinstance(worker, DeliveryWorker)
    worker.after_batch_seconds = 0.3
    await with_team_channels(qa, CHANNELS)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    qa.slack_api.fail_next(
        "chat.postMessage", status=200, body={"ok": False, "error": "channel_not_found"}
    )
    await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    await drain(qa)
    # No sweep runs: the worker tells the broadcasts area, which queues the update in place.
    await worker.told()
    await drain(qa)

    updates = report_updates(qa)
    assert updates, "the report was never updated without the sweep"
    recipients = 2 * CHANNELS
    assert f"{recipients - 1} delivered, 0 waiting, 1 failed of {recipients}" in updates[-1]
    assert "Team 000 (Slack): the Slack channel does not exist" in updates[-1], updates[-1]
    # Throttled: no more updates than the batches could have caused (one per recipient here
    # would be one for each of the 12).
    assert len(updates) < recipients
    (done,) = await broadcasts(qa)
    assert done.status == "done"


async def test_the_worker_tells_at_most_once_a_throttle_interval_and_after_the_last() -> None:
    told: list[list[Delivered]] = []

    async def listener(rows: Sequence[Delivered]) -> None:
        told.append(list(rows))

    worker = DeliveryWorker(
        db=None,  # type: ignore[arg-type]
        senders={},
        limiters={},
        framework=None,  # type: ignore[arg-type]
        clock=lambda: None,  # type: ignore[arg-type,return-value]
        after_batch=listener,
        watch_kinds=frozenset({"broadcast"}),
        after_batch_seconds=0.5,
    )

    class Row:
        def __init__(self, n: int, kind: str = "broadcast") -> None:
            self.kind, self.dedupe_key = kind, f"bcast:1:team:{n}"

    loop = asyncio.get_running_loop()
    started = loop.time()
    for n in range(30):
        worker._note(Row(n), "sent")  # type: ignore[arg-type]
        worker._note(Row(n, "nudge"), "sent")  # type: ignore[arg-type]
        await asyncio.sleep(0.05)
    await worker.told()
    elapsed = loop.time() - started
    # 30 rows over about 1.5 s: told in a few calls, never two within the interval...
    assert 2 <= len(told) <= int(elapsed / 0.5) + 1, [len(t) for t in told]
    # ...every watched row exactly once, the others never.
    keys = [d.dedupe_key for batch in told for d in batch]
    assert sorted(keys) == sorted(f"bcast:1:team:{n}" for n in range(30))
    assert {d.kind for batch in told for d in batch} == {"broadcast"}


async def test_got_it_presses_show_on_the_report_within_seconds_in_one_update(qa: BotEnv) -> None:
    worker = qa.runtime.worker
    assert isinstance(worker, DeliveryWorker)
    worker.after_batch_seconds = 0.3
    await with_team_channels(qa, 1, teams_too=False)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    await drain(qa)
    await worker.told()
    await drain(qa)
    before = report_updates(qa)
    assert r"*Read (Got it)*\n0" in before[-1], before[-1]

    # Five people press "Got it" on the channel message at once, through Slack's endpoint.
    (sent,) = [
        c.params
        for c in qa.slack_api.accepted
        if c.method == "chat.postMessage" and c.params["channel"] == "C0000000"
    ]
    got_it = button(sent["blocks"], "Got it")
    for user in ("USAM", "UHELEN", "UCHRIS", "UBEA", "UQUINN"):
        status, _ = await qa.slack.press(user, got_it, channel="C0000000")
        assert status == 200
    await qa.slack.press("USAM", got_it, channel="C0000000")  # a second press is not counted
    # No sweep and no Refresh: the reads reach the report when their short window ends.
    qa.clock.advance(seconds=6)
    await drain(qa)
    await worker.told()
    await drain(qa)

    after = report_updates(qa)[len(before) :]
    assert len(after) == 1, after  # one update for the five presses, not one each
    shown = after[0]
    assert r"*Read (Got it)*\n5" in shown, shown
    assert r"*CSW group*\n2" in shown and r"*Taunton CP*\n1" in shown, shown
    async with qa.runtime.db.session() as session:
        marks = (
            (
                await session.execute(
                    select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("bcast-read:"))
                )
            )
            .scalars()
            .all()
        )
    assert len(marks) == 1 and marks[0].status == "sent"
