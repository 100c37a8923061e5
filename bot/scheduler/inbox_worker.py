"""The inbox worker: handles the requests the channels saved and acknowledged (bot/store/inbox.py).

Requests run in lanes; one person's requests always take the same lane, so they are handled
in the order they were made. SQLite gets one lane (it has one writer anyway), PostgreSQL a
few. Entries a stopped process left behind are picked up at start (with SQLite, everything in
the inbox) and, every ``recover_every`` seconds, entries no live process is handling (handed
back by a replica that stopped, or claimed by one that died).

Acknowledgements come first. A platform that waits too long for one shows the person an error
and sends the request again; handling can wait a little. So until the endpoints have answered
no request for ``QUIET_SECONDS`` (20 ms), a lane holds back, but never once its next entry
has waited ``HANDLE_WITHIN`` (two seconds: a Slack modal must open within three of the
press). When nobody else is asking, an entry is handled within those 20 ms.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from prometheus_client import Counter, Gauge

from bot.background import BackgroundTasks, cancel_and_wait
from bot.store.inbox import Inbox, Received

log = logging.getLogger(__name__)

Handler = Callable[[Received], Awaitable[None]]

HANDLED = Counter("qabot_inbox_handled_total", "Saved requests handled", ["platform", "kind"])
WAITING = Gauge("qabot_inbox_waiting", "Saved requests waiting to be handled")

HANDLE_WITHIN = timedelta(seconds=2)
QUIET_SECONDS = 0.02
RECOVER_EVERY_SECONDS = 30.0


class Acknowledging:
    """Counts the platform requests the endpoints are answering right now, and tells when
    they have been quiet for a moment."""

    def __init__(self) -> None:
        self.count = 0
        self._none = asyncio.Event()
        self._none.set()
        self._last_done = 0.0

    def __enter__(self) -> None:
        self.count += 1
        self._none.clear()

    def __exit__(self, *_: object) -> None:
        self.count -= 1
        self._last_done = time.monotonic()
        if self.count == 0:
            self._none.set()

    async def quiet_for(self, seconds: float) -> None:
        """Wait, for at most ``seconds``, until no request has been answered for ``QUIET``:
        under a burst the endpoints are idle for a moment between requests, which is no
        time to start a turn."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.count:
                try:
                    await asyncio.wait_for(self._none.wait(), left)
                except TimeoutError:
                    return
                continue
            idle = time.monotonic() - self._last_done
            if idle >= QUIET_SECONDS:
                return
            await asyncio.sleep(min(QUIET_SECONDS - idle, left))


class InboxWorker:
    def __init__(
        self, inbox: Inbox, *, lanes: int = 1, recover_every: float = RECOVER_EVERY_SECONDS
    ) -> None:
        self.inbox = inbox
        self.recover_every = recover_every
        self.clock = inbox.clock
        self.acknowledging = Acknowledging()
        self.handlers: dict[str, Handler] = {}
        self._lanes: list[asyncio.Queue[Received]] = [asyncio.Queue() for _ in range(lanes)]
        self._held: set[str] = set()
        self._preparing = BackgroundTasks()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._handling = 0
        self._none_handling = asyncio.Event()
        self._none_handling.set()

    def register(self, platform: str, handler: Handler) -> None:
        self.handlers[platform] = handler

    def submit(self, received: Received, person_key: str = "") -> None:
        """Queue a saved request; ``person_key`` (the platform user id) picks its lane."""
        if received.id in self._held:
            return
        self._held.add(received.id)
        lane = zlib.crc32(person_key.encode()) % len(self._lanes)
        self._lanes[lane].put_nowait(received)
        WAITING.inc()

    def submit_with_file(
        self, fetch: Awaitable[str], received: Received, person_key: str = ""
    ) -> None:
        """Queue a saved request once the file it carries has been fetched (into
        ``Received.attachment``), so a slow download never holds up the requests behind it."""
        self._held.add(received.id)

        async def fetch_then_submit() -> None:
            ready = received
            try:
                ready = dataclasses.replace(received, attachment=await fetch)
            except Exception:
                log.exception("fetching the file of saved request %s failed", received.id)
            finally:
                self._held.discard(received.id)
                self.submit(ready, person_key)

        self._preparing.start(fetch_then_submit())

    async def start(self, *, recover_all: bool) -> None:
        """Start the lanes, first queueing what stopped processes left: on PostgreSQL what
        no live replica is handling; with SQLite (``recover_all``), everything."""
        await self.recover(self.clock())
        self._tasks = [
            asyncio.create_task(self._run_lane(lane), name=f"inbox-lane-{n}")
            for n, lane in enumerate(self._lanes)
        ]
        self._tasks.append(asyncio.create_task(self._recover_periodically(), name="inbox-recover"))

    async def recover(self, received_before: datetime) -> int:
        try:
            left = await self.inbox.unsettled(received_before)
        except Exception:
            log.exception("could not read the inbox; will try again")
            return 0
        fresh = [r for r in left if r.id not in self._held]
        for received in fresh:
            self.submit(received)
        if fresh:
            log.warning("handling %d saved requests a stopped process left", len(fresh))
        return len(fresh)

    async def idle(self) -> None:
        """Wait until every queued request has been handled and forgotten."""
        await self._preparing.settled()
        for lane in self._lanes:
            await lane.join()
        await self.inbox.flushed()

    async def stop(self, within: float) -> int:
        """Start no new request; let those being handled finish (for at most ``within``
        seconds) and hand the rest back, for a replica or the next start. Returns how many
        requests were handed back."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._none_handling.wait(), within)
        except TimeoutError:
            pass  # cancelled below: the turn rolls back and runs again after the restart
        await cancel_and_wait(self._tasks)
        self._tasks.clear()
        await self._preparing.cancel()
        left = set(self._held)
        if left:
            try:
                await self.inbox.hand_back(left)
            except Exception:
                log.warning(
                    "could not hand back %d saved requests; they run once this "
                    "process is known to be gone",
                    len(left),
                )
        return len(left)

    async def _recover_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.recover_every)
            await self.recover(self.clock())

    async def _run_lane(self, lane: asyncio.Queue[Received]) -> None:
        while True:
            received = await lane.get()
            try:
                waited = self.clock() - received.received_at
                await self.acknowledging.quiet_for((HANDLE_WITHIN - waited).total_seconds())
                if not self._stopping:  # otherwise left in the inbox and handed back by stop()
                    await self._handle_counted(received)
                    self._held.discard(received.id)
            finally:
                WAITING.dec()
                lane.task_done()

    async def _handle_counted(self, received: Received) -> None:
        self._handling += 1
        self._none_handling.clear()
        try:
            await self._handle(received)
        finally:
            self._handling -= 1
            if not self._handling:
                self._none_handling.set()

    async def _handle(self, received: Received) -> None:
        handler = self.handlers.get(received.platform)
        try:
            if handler is None:
                log.error("no handler for saved %s requests; dropped", received.platform)
            else:
                await handler(received)
                HANDLED.labels(received.platform, received.kind).inc()
        except asyncio.CancelledError:
            raise  # stopping mid-request: it stays in the inbox and runs after a restart
        except Exception:
            log.exception(
                "saved %s %s request %s could not be handled",
                received.platform,
                received.kind,
                received.id,
            )
        self.inbox.settle(received.id)
