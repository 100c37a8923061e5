"""Sliding-window rate limiters: per conversation and per app, as the platforms define them."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence

# (window in seconds, messages allowed in it)
Windows = Sequence[tuple[float, int]]

# Slack chat.postMessage: about one message a second per channel (short bursts tolerated);
# several hundred a minute across the workspace.
SLACK_CONVERSATION: Windows = ((1.0, 1), (10.0, 10))
# The last window of each app limit paces sends evenly rather than in bursts: a burst puts
# many sends in flight at once, and each one in flight when the process is killed is sent
# again after the restart, because its "sent" could not be recorded. The minute's allowance
# stays a little under the workspace's 400: sends in flight land in Slack's window later than
# they left ours, and a 429 there costs a whole Retry-After pause (bench/broadcast.py).
SLACK_APP: Windows = ((1.0, 10), (60.0, 390), (0.1, 1))
# Teams, per bot per conversation: 7 a second, 8 in 2 s, 60 in 30 s, 1800 an hour;
# about 50 requests a second per app per tenant.
TEAMS_CONVERSATION: Windows = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
TEAMS_APP: Windows = ((1.0, 50), (0.02, 1))
UNLIMITED: Windows = ()


class SlidingWindowLimiter:
    def __init__(self, windows: Windows, clock: Callable[[], float] = time.monotonic) -> None:
        self._windows = tuple(windows)
        self._clock = clock
        horizon = max((w for w, _ in self._windows), default=0.0)
        self._horizon = horizon
        self._stamps: deque[float] = deque()
        self._paused_until = 0.0

    def wait_time(self, now: float) -> float:
        """Seconds until one more message is allowed."""
        while self._stamps and self._stamps[0] <= now - self._horizon:
            self._stamps.popleft()
        wait = max(0.0, self._paused_until - now)
        for window, limit in self._windows:
            in_window = [t for t in self._stamps if t > now - window]
            if len(in_window) >= limit:
                wait = max(wait, in_window[-limit] + window - now)
        return wait

    async def acquire(self) -> None:
        await acquire_all(self)

    def _record(self, now: float) -> None:
        self._stamps.append(now)

    def pause(self, seconds: float) -> None:
        """The platform said Retry-After: nothing more until then."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


async def acquire_all(*limiters: SlidingWindowLimiter) -> None:
    """Wait until every limiter allows one more message, then count it in all of them at once.

    Checking and recording happen with no await in between, so on one event loop no other
    sender can take the slot; counting in one limiter while waiting on another would let
    messages bunch up past the per-conversation limit.
    """
    if not limiters:
        return
    clock = limiters[0]._clock
    while True:
        now = clock()
        wait = max(limiter.wait_time(now) for limiter in limiters)
        if wait <= 0:
            for limiter in limiters:
                limiter._record(now)
            return
        await asyncio.sleep(wait)


class LimiterPool:
    """One limiter per conversation (bounded, least recently used dropped) and one per app."""

    def __init__(self, conversation: Windows, app: Windows, *, size: int = 10_000) -> None:
        self._conversation_windows = conversation
        self.app_windows = tuple(app)
        self.app = SlidingWindowLimiter(app)
        self._by_conversation: OrderedDict[str, SlidingWindowLimiter] = OrderedDict()
        self._size = size

    def conversation(self, key: str) -> SlidingWindowLimiter:
        limiter = self._by_conversation.get(key)
        if limiter is None:
            limiter = SlidingWindowLimiter(self._conversation_windows)
            self._by_conversation[key] = limiter
            if len(self._by_conversation) > self._size:
                self._by_conversation.popitem(last=False)
        else:
            self._by_conversation.move_to_end(key)
        return limiter
