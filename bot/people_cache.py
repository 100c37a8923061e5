"""Who a platform user is, remembered for a minute.

Every turn starts by finding the person behind a platform user id. That is a database round
trip (with their team and roles), and for someone not in the directory also a call to the
platform (Slack ``users.info``, the Teams member API) to learn their email. A slash command is
answered in its acknowledgement, so under a burst those costs are the whole answer time.

The answer is kept for ``KEEP_SECONDS`` of real time: a person (loaded with their team and
roles, detached, and merged into each turn's session without a query) or "not in the
directory". A staff import through the running bot forgets everything at once; one run by
another process (``qabot import staff``, another replica) is seen within ``KEEP_SECONDS``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from bot.store.models import Person

KEEP_SECONDS: Final = 60.0
MAX_ENTRIES: Final = 20_000


class _NotInDirectory:
    def __repr__(self) -> str:
        return "NOT_IN_DIRECTORY"


NOT_IN_DIRECTORY: Final = _NotInDirectory()
Known = Person | _NotInDirectory


class PeopleCache:
    def __init__(
        self,
        keep_seconds: float = KEEP_SECONDS,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keep_seconds = keep_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[float, Known]] = OrderedDict()

    def get(self, platform: str, user_id: str) -> Known | None:
        """The person, ``NOT_IN_DIRECTORY``, or None when not known (or forgotten)."""
        key = (platform, user_id)
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, known = entry
        if self.clock() >= expires:
            del self._entries[key]
            return None
        return known

    def remember(self, platform: str, user_id: str, person: Person | None) -> None:
        if not user_id:
            return
        key = (platform, user_id)
        self._entries[key] = (
            self.clock() + self.keep_seconds,
            person if person is not None else NOT_IN_DIRECTORY,
        )
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self) -> None:
        self._entries.clear()
