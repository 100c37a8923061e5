"""The delivery worker: drains the outbox within the platforms' rate limits.

Rows are claimed in batches, grouped by conversation, and each conversation is served in
order while conversations run side by side under the per-app limit. A 429 pauses that
conversation for its Retry-After; a transient failure is retried with exponential backoff;
a row that keeps failing becomes dead and the QA team is told.

Claims are kept short, so a stop or a crash strands little: each pass claims only what the
platform's per-app limit lets it send in about ``CLAIM_SECONDS``. Rows carry their claimant
(bot.store.db.Claimant), and a dead claimant's rows are claimed again at once. On ``stop()``
no new send starts, sends in flight finish and are recorded, and the rest is handed back.
A send the platform accepted is recorded as sent even if the worker is cancelled meanwhile.

A kill -9 leaves one gap: a send the platform accepted just before the process died, with no
time to record it. For senders that can look back (``Reconciling``: Slack, whose posts carry
their outbox key as message metadata) a row's ``attempted_at`` is committed just before its
send, and a claimed row still carrying one is looked for in its conversation's history first
(one lookup per conversation per pass): found, it is recorded as sent; not found, or the
lookup failed, it is sent. Teams offers no such lookup (docs/operations.md).

What happened to rows of the kinds in ``watch_kinds`` (sent, retried later, dead) is handed to
``after_batch`` (the areas' ``Router.delivered`` listeners, wired by the runtime): at most once
every ``after_batch_seconds``, and once more shortly after the last row, so a live delivery
report follows a broadcast within seconds and shows its final totals.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter
from sqlalchemy import func, select, update

from bot.cards.model import Card
from bot.cards.shared import delivery_failed_card
from bot.channels.base import (
    AddressError,
    LookupFailed,
    Reconciling,
    Sender,
    SendResult,
    conversation_key,
)
from bot.domain.framework import Framework
from bot.scheduler.ratelimit import LimiterPool, Windows, acquire_all
from bot.store.db import Database
from bot.store.models import OutboxMessage, Person
from bot.store.outbox import (
    DEAD,
    PENDING,
    SENDING,
    SENT,
    Delivered,
    OutboxWriter,
    claim_due,
    release_claims,
)

log = logging.getLogger(__name__)

DELIVERED = Counter("qabot_outbox_delivered_total", "Outbox messages delivered", ["platform"])
FAILED = Counter("qabot_outbox_failed_total", "Outbox send failures", ["platform", "outcome"])

MAX_INLINE_RETRY_AFTER = 30.0
MAX_THROTTLES_PER_ROW = 6
# A pass claims about this many seconds' worth of sending at the platform's per-app rate.
CLAIM_SECONDS = 2.0
# A dead letter that fails is not dead-lettered in turn (areas add kinds they report
# themselves: Router.delivered(..., reports_failures=True)).
DEAD_LETTER = "dead_letter"
# How far before a cut-off send's attempted_at its conversation's history is read (the
# platform's clock and ours may differ a little).
LOOK_BACK = timedelta(minutes=2)
# What a send that never started because the worker is stopping returns.
STOPPED = SendResult(ok=False, error="stopping")
# How often, at most, ``after_batch`` is told what was delivered.
AFTER_BATCH_SECONDS = 5.0
AfterBatch = Callable[[Sequence[Delivered]], Awaitable[None]]


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        limiters: Mapping[str, LimiterPool],
        framework: Framework,
        clock: Callable[[], datetime],
        *,
        signal: asyncio.Event | None = None,
        max_attempts: int = 8,
        batch_size: int = 500,
        concurrency: int = 100,
        poll_seconds: float = 1.0,
        platforms: set[str] | None = None,
        teams_needs_linked_channel: bool = False,
        after_batch: AfterBatch | None = None,
        watch_kinds: frozenset[str] = frozenset(),
        after_batch_seconds: float = AFTER_BATCH_SECONDS,
        reported_elsewhere: frozenset[str] = frozenset(),
    ) -> None:
        self.teams_needs_linked_channel = teams_needs_linked_channel
        self.db = db
        self.senders = dict(senders)
        self.limiters = dict(limiters)
        self.framework = framework
        self.clock = clock
        self.signal = signal or asyncio.Event()
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.platforms = platforms or set(self.senders)
        self._groups = asyncio.Semaphore(concurrency)
        self._stopping = asyncio.Event()
        # One pass at a time in this process, so a pass never waits on rows another holds.
        self._pass = asyncio.Lock()
        # Rows this worker holds "sending" and has not yet finished with, and the writes
        # recording outcomes (shielded from cancellation) still under way.
        self._claimed: set[int] = set()
        self._recording: set[asyncio.Task[None]] = set()
        self._handed_back = 0  # rows released because the worker was stopping
        self.after_batch = after_batch
        self.watch_kinds = watch_kinds
        self.after_batch_seconds = after_batch_seconds
        # Kinds whose dead rows are not dead-lettered to the QA team one by one.
        self.reported_elsewhere = reported_elsewhere | {DEAD_LETTER}
        self._delivered: list[Delivered] = []  # watched rows not yet told to after_batch
        self._told_at = -float("inf")  # time.monotonic() of the last call
        self._telling: asyncio.Task[None] | None = None

    async def run(self) -> None:
        log.info("delivery worker started for %s", ", ".join(sorted(self.senders)) or "console")
        while not self._stopping.is_set():
            try:
                handled = await self.drain_once()
            except Exception:
                log.exception("delivery pass failed; retrying shortly")
                handled = 0
            if handled == 0:
                self.signal.clear()
                try:
                    await asyncio.wait_for(self.signal.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    pass
        await self.stop_telling()

    def stop(self) -> None:
        """Start no new send; the pass under way finishes its sends in flight and hands back
        the rest (see ``release_unsent``)."""
        self._stopping.set()
        self.signal.set()

    @property
    def holding(self) -> int:
        """How many claimed rows are not yet sent, retried or handed back."""
        return len(self._claimed)

    async def release_unsent(self) -> int:
        """Hand back every row still claimed here (after ``stop``): they are sent by the next
        pass, in this process or another. Returns how many."""
        while self._recording:
            await asyncio.wait(set(self._recording))
        if not self._claimed:
            return self._handed_back
        ids, self._claimed = set(self._claimed), set()
        async with self.db.session() as session:
            return self._handed_back + await release_claims(session, self.db.claimant, ids)

    async def drain_once(self) -> int:
        """Claim one batch of due rows and deliver them; returns how many were handled."""
        async with self._pass:
            return await self._drain()

    async def _drain(self) -> int:
        if self._stopping.is_set():
            return 0
        rows = await self._claim()
        if not rows:
            return 0
        handled = len(rows)
        rows = await self._reconcile(rows)
        groups: dict[str, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            groups[conversation_key(row)].append(row)
        await asyncio.gather(*(self._deliver_group(key, items) for key, items in groups.items()))
        return handled

    async def _claim(self) -> list[OutboxMessage]:
        """Claim what can be sent soon: per platform, ``CLAIM_SECONDS`` at its app rate."""
        now = self.clock()
        claimant = self.db.claimant
        rows: list[OutboxMessage] = []
        async with self.db.session() as session:
            for platform, pool in self.limiters.items():
                limit = min(self.batch_size, claim_limit(pool.app_windows))
                rows += await claim_due(session, now, claimant, limit=limit, platforms=(platform,))
            # Console rows and rows of platforms not configured here are only marked.
            rows += await claim_due(
                session, now, claimant, limit=self.batch_size, other_platforms=tuple(self.limiters)
            )
            session.expunge_all()
        self._claimed.update(row.id for row in rows)
        return rows

    async def _deliver_group(self, key: str, rows: list[OutboxMessage]) -> None:
        async with self._groups:
            for index, row in enumerate(rows):
                if self._stopping.is_set():
                    self._handed_back += len(rows) - index
                    await self._release([r.id for r in rows[index:]], None)
                    return
                deferred = await self._deliver(key, row)
                if deferred is not None:
                    # The conversation is throttled for a while: hand the rest back for later.
                    await self._release([r.id for r in rows[index + 1 :]], deferred)
                    return

    async def _deliver(self, key: str, row: OutboxMessage) -> datetime | None:
        """Deliver one row. Returns a time to defer the rest of the conversation to, if any."""
        if row.platform == "console" or row.platform not in self.senders:
            # Console messages are read from the store by `qabot chat`; nothing to send.
            await self._finish(row, SENT, ref={"platform": row.platform})
            return None
        sender = self.senders[row.platform]
        card = Card.model_validate(row.payload)
        try:
            async with self.db.session() as session:
                targets = await self._targets(session, sender, row)
        except AddressError as exc:
            await self._dead(row, str(exc), level=logging.WARNING)
            return None
        if targets is None:
            # An update whose original post is still on its way: try again shortly.
            await self._retry(row, "original message not sent yet", count=False, delay=2.0)
            return None
        pool = self.limiters.get(row.platform)
        last: SendResult = SendResult.sent()
        refs: list[dict[str, Any]] = []
        for target in targets:
            last = await self._send_with_limits(sender, pool, key, row, target, card)
            if not last.ok:
                break
            if last.ref:
                refs.append(last.ref)
            if last.learned:
                await self._remember(row, last.learned)
        if last is STOPPED:
            # Handed back as it was; _deliver_group hands back the rest of the conversation.
            self._handed_back += 1
            await self._release([row.id], None)
            return None
        if last.ok:
            DELIVERED.labels(row.platform).inc()
            await self._finish(row, SENT, ref=refs[0] if len(refs) == 1 else {"refs": refs})
            return None
        if last.retry_after is not None:
            FAILED.labels(row.platform, "throttled").inc()
            when = self.clock() + timedelta(seconds=last.retry_after)
            await self._retry(row, last.error, count=False, at=when, posted=False)
            return when
        if last.permanent:
            FAILED.labels(row.platform, "permanent").inc()
            await self._dead(row, last.error, level=logging.WARNING)
            return None
        FAILED.labels(row.platform, "transient").inc()
        await self._retry(row, last.error, count=True)
        return None

    async def _send_with_limits(
        self,
        sender: Sender,
        pool: LimiterPool | None,
        key: str,
        row: OutboxMessage,
        target: dict[str, Any],
        card: Card,
    ) -> SendResult:
        for _ in range(MAX_THROTTLES_PER_ROW):
            if pool is not None:
                allowed = await self._unless_stopped(acquire_all(pool.conversation(key), pool.app))
                if not allowed:
                    return STOPPED
            try:
                if row.operation == "update":
                    result = await sender.update(target, card)
                elif isinstance(sender, Reconciling):
                    await self._mark_attempted(row)
                    result = await sender.post_marked(target, card, row.dedupe_key)
                else:
                    result = await sender.post(target, card)
            except Exception as exc:  # a bug or an unexpected transport error
                log.exception("send of outbox row %s raised", row.id)
                result = SendResult.failed(f"{type(exc).__name__}: {exc}")
            if result.retry_after is None:
                return result
            if pool is not None:
                pool.conversation(key).pause(result.retry_after)
            log.warning(
                "%s throttled outbox row %s: retry after %.1fs",
                row.platform,
                row.id,
                result.retry_after,
            )
            if result.retry_after > MAX_INLINE_RETRY_AFTER:
                return result
            if not await self._unless_stopped(asyncio.sleep(result.retry_after)):
                return result
        return result

    async def _unless_stopped(self, waiting: Coroutine[Any, Any, None]) -> bool:
        """Wait for ``waiting`` unless the worker is stopped first; True if it completed."""
        if self._stopping.is_set():
            waiting.close()
            return False
        task = asyncio.ensure_future(waiting)
        stopped = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, stopped):
                if not pending.done():
                    pending.cancel()
        return task.done() and not task.cancelled()

    async def _targets(
        self, session: Any, sender: Sender, row: OutboxMessage
    ) -> list[dict[str, Any]] | None:
        if row.operation != "update":
            return [await sender.resolve(session, row)]
        if row.address:
            return [row.address]
        originals = (
            await session.execute(
                select(OutboxMessage.status, OutboxMessage.sent_ref).where(
                    OutboxMessage.card_key == row.card_key,
                    OutboxMessage.operation == "post",
                    OutboxMessage.platform == row.platform,
                )
            )
        ).all()
        if any(status in (PENDING, SENDING) for status, _ in originals):
            return None
        refs: list[dict[str, Any]] = []
        for status, ref in originals:
            if status == SENT and ref:
                refs.extend(ref.get("refs", [ref]))
        return refs

    async def _record(self, row_ids: list[int], write: Callable[[], Awaitable[None]]) -> None:
        """Run a write that records what happened to claimed rows to the end, even if the
        worker is cancelled meanwhile: once the platform has accepted a message, forgetting
        that would send it again."""

        async def recorded() -> None:
            await write()
            self._claimed.difference_update(row_ids)

        task = asyncio.ensure_future(recorded())
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)
        await asyncio.shield(task)

    async def _finish(self, row: OutboxMessage, status: str, ref: dict[str, Any] | None) -> None:
        async def write() -> None:
            async with self.db.session() as session:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id)
                    .values(status=status, sent_at=self.clock(), sent_ref=ref, last_error=None)
                )

        await self._record([row.id], write)
        self._note(row, status)

    async def _retry(
        self,
        row: OutboxMessage,
        error: str,
        *,
        count: bool,
        delay: float | None = None,
        at: datetime | None = None,
        posted: bool | None = None,
    ) -> None:
        """Send ``row`` again later. ``posted=False``: the platform's answer says the send
        did not post (a 429), so the row is no longer in doubt; a timeout may have posted."""
        attempts = row.attempts + (1 if count else 0)
        if count and attempts >= self.max_attempts:
            await self._dead(row, error, attempts=attempts, level=logging.ERROR)
            return
        if at is None:
            seconds = (
                delay if delay is not None else min(2**attempts, 600) * (1 + random.random() / 2)
            )
            at = self.clock() + timedelta(seconds=seconds)
        log.info("outbox row %s (%s) retry at %s: %s", row.id, row.platform, at.isoformat(), error)

        async def write() -> None:
            async with self.db.session() as session:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id)
                    .values(
                        status=PENDING,
                        attempts=attempts,
                        next_attempt_at=at,
                        last_error=error[:2000],
                        claimed_by=None,
                        **({"attempted_at": None} if posted is False else {}),
                    )
                )

        await self._record([row.id], write)
        self._note(row, PENDING)

    async def _release(self, ids: list[int], at: datetime | None) -> None:
        if not ids:
            return

        async def write() -> None:
            async with self.db.session() as session:
                await release_claims(session, self.db.claimant, ids, at)

        await self._record(ids, write)

    async def _dead(
        self, row: OutboxMessage, error: str, attempts: int | None = None, *, level: int
    ) -> None:
        """Give up on ``row``. ``level``: WARNING when the platform refused the message or
        the recipient cannot be reached (its input, not our fault), ERROR when retries ran out."""
        attempts = attempts if attempts is not None else row.attempts + 1
        log.log(
            level,
            "outbox row %s (%s, %s) is dead after %s attempts: %s",
            row.id,
            row.kind,
            row.card_name,
            attempts,
            error,
        )
        await self._record([row.id], lambda: self._write_dead(row, error, attempts))
        self._note(row, DEAD)
        self.signal.set()

    # --- telling the areas what was delivered ------------------------------------------------

    def _note(self, row: OutboxMessage, status: str) -> None:
        if self.after_batch is None or row.kind not in self.watch_kinds or not row.dedupe_key:
            return
        self._delivered.append(Delivered(row.kind, row.dedupe_key, status))
        self._schedule_telling()

    def _schedule_telling(self) -> None:
        if self._telling is not None and not self._telling.done():
            return  # the call already scheduled takes these rows too
        wait = max(0.0, self._told_at + self.after_batch_seconds - time.monotonic())
        self._telling = asyncio.ensure_future(self._tell_after(wait))

    async def _tell_after(self, wait: float) -> None:
        # A short pause even when the last call was long ago, so a batch is told at once.
        await asyncio.sleep(max(wait, min(0.2, self.after_batch_seconds)))
        rows, self._delivered = self._delivered, []
        self._told_at = time.monotonic()
        assert self.after_batch is not None
        try:
            await self.after_batch(rows)
        except Exception:
            log.exception("telling the areas what was delivered failed")
        # Not reached when cancelled (stop_telling): nothing more is scheduled then.
        self._telling = None
        if self._delivered:
            self._schedule_telling()

    async def stop_telling(self) -> None:
        """Drop what is not yet told (the reports' sweep catches up at the next start)."""
        task, self._telling = self._telling, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def told(self) -> None:
        """Wait until every watched row delivered so far has been told to ``after_batch``."""
        while self._telling is not None:
            await asyncio.shield(self._telling)

    async def _write_dead(self, row: OutboxMessage, error: str, attempts: int) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(status=DEAD, attempts=attempts, last_error=error[:2000])
            )
            if row.kind in self.reported_elsewhere:
                return
            recipient = row.route or (row.address or {}).get("conversation_id") or "a conversation"
            if row.person_id is not None:
                person = await session.get(Person, row.person_id)
                recipient = person.email if person else f"person {row.person_id}"
            now = self.clock()
            outbox = OutboxWriter(
                session,
                self.framework,
                now,
                self.platforms,
                teams_needs_linked_channel=self.teams_needs_linked_channel,
            )
            await outbox.to_route(
                "qa_team",
                delivery_failed_card(
                    kind=row.kind,
                    card_name=row.card_name,
                    recipient=recipient,
                    attempts=attempts,
                    error=error,
                ),
                key=f"dead_letter:{row.id}",
                kind="dead_letter",
                reason=f"outbox row {row.id} failed",
            )

    async def _mark_attempted(self, row: OutboxMessage) -> None:
        """Commit that ``row``'s send is starting: if the process dies before the platform's
        answer is recorded, the next claim looks for the post before sending it again."""
        async with self.db.session() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(attempted_at=self.clock())
            )

    # --- sends a crash may have cut off --------------------------------------------------------

    async def _reconcile(self, rows: list[OutboxMessage]) -> list[OutboxMessage]:
        """Record as sent the claimed posts found already posted (a send the platform accepted
        just before a crash); returns the rows still to send."""
        in_doubt = [
            row
            for row in rows
            if row.attempted_at is not None
            and row.operation == "post"
            and isinstance(self.senders.get(row.platform), Reconciling)
        ]
        if not in_doubt:
            return rows
        conversations: dict[str, list[tuple[OutboxMessage, dict[str, Any]]]] = defaultdict(list)
        async with self.db.session() as session:
            for row in in_doubt:
                try:
                    address = await self.senders[row.platform].resolve(session, row)
                except AddressError:
                    continue  # the send path gives up on it and says why
                conversations[conversation_key(row)].append((row, address))
        failures: list[tuple[str, int]] = []  # (why, how many rows) per conversation
        found = await asyncio.gather(
            *(self._look_for(items, failures) for items in conversations.values())
        )
        posted = {row_id for ids in found for row_id in ids}
        log.info(
            "%d message(s) may have been posted just before a crash: %d already posted "
            "(recorded as sent, not sent again), %d to send",
            len(in_doubt),
            len(posted),
            len(in_doubt) - len(posted),
        )
        if failures:
            log.warning(
                "could not look for %d message(s) in their conversations' history (%s): "
                "sending them again, so a message posted just before the crash may show twice",
                sum(count for _, count in failures),
                "; ".join(sorted({why for why, _ in failures})),
            )
        return [row for row in rows if row.id not in posted]

    async def _look_for(
        self, items: list[tuple[OutboxMessage, dict[str, Any]]], failures: list[tuple[str, int]]
    ) -> list[int]:
        """Look for one conversation's in-doubt rows; returns the ids found and recorded."""
        sender = self.senders[items[0][0].platform]
        assert isinstance(sender, Reconciling)
        since = min(row.attempted_at for row, _ in items if row.attempted_at) - LOOK_BACK
        try:
            found = await sender.find_posted(items[0][1], [r.dedupe_key for r, _ in items], since)
        except LookupFailed as exc:
            failures.append((str(exc), len(items)))
            return []
        except Exception as exc:  # a bug: sending again is the safe side
            log.exception("looking for posts cut off by a crash raised")
            failures.append((type(exc).__name__, len(items)))
            return []
        recorded: list[int] = []
        for row, _ in items:
            ref = found.get(row.dedupe_key)
            if ref is not None:
                await self._finish(row, SENT, ref=ref)
                recorded.append(row.id)
        return recorded

    async def _remember(self, row: OutboxMessage, learned: dict[str, Any]) -> None:
        from bot.store.models import PlatformIdentity

        identity_id = learned.get("identity_id")
        conversation = learned.get("conversation")
        if identity_id and conversation:
            async with self.db.session() as session:
                await session.execute(
                    update(PlatformIdentity)
                    .where(PlatformIdentity.id == identity_id)
                    .values(conversation=conversation)
                )


def claim_limit(app_windows: Windows) -> int:
    """How many messages the per-app limit lets out in ``CLAIM_SECONDS``, counting the burst
    each window allows at once."""
    if not app_windows:
        return 10_000
    return max(1, min(int(count * (1 + CLAIM_SECONDS / window)) for window, count in app_windows))


async def backlog(db: Database) -> int:
    async with db.session() as session:
        result = await session.execute(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_((PENDING, SENDING)))
        )
        return int(result.scalar_one())
