"""Measure candidate changes before they are made in bot/: runs the qabot CLI with some of them
applied as monkeypatches. An experiment harness for docs/performance.md, not a way to run the
bot; delete each patch once the real change is in bot/ (msrest, gc-freeze,
sqlite-one-connection, teams-link-skip and lean-form-choices have landed and are gone).

    .venv/bin/python -m bench.load --qabot-command \\
        ".venv/bin/python -m bench.whatif identity-cache"

The first argument names the patches (comma-separated, or ``none``); the rest goes to qabot.

identity-cache          remember platform id -> Person for 30 s (an upper bound for the gain of
                        a proper cache or a one-query lookup; a detached ORM object is not a
                        safe design).
no-handling             the inbox worker never handles anything: the cost of acknowledging
                        alone, an upper bound for what giving acknowledgements priority over
                        handling could gain during a burst.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

PATCHES = ("identity-cache", "no-handling")


def patch_identity_cache() -> None:
    from bot.store import directory

    by_identity = directory.person_by_identity
    people: dict[tuple[str, str], tuple[float, Any]] = {}

    async def cached_person(session: Any, platform: str, external_id: str) -> Any:
        hit = people.get((platform, external_id))
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        person = await by_identity(session, platform, external_id)
        if person is not None:
            people[(platform, external_id)] = (time.monotonic() + 30, person)
        return person

    directory.person_by_identity = cached_person


def patch_no_handling() -> None:
    from bot.scheduler.inbox_worker import InboxWorker

    async def never(self: Any, lane: Any) -> None:
        await asyncio.Event().wait()

    InboxWorker._run_lane = never  # type: ignore[method-assign]


def apply(names: set[str]) -> None:
    unknown = names - set(PATCHES)
    if unknown:
        raise SystemExit(f"unknown patch(es) {', '.join(sorted(unknown))}: {', '.join(PATCHES)}")
    if "identity-cache" in names:
        patch_identity_cache()
    if "no-handling" in names:
        patch_no_handling()


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(
            f"usage: python -m bench.whatif PATCH[,PATCH...]|none QABOT-ARGS...\n{__doc__}"
        )
    names = {n.strip() for n in sys.argv[1].split(",") if n.strip() and n.strip() != "none"}
    apply(names)
    from bot.cli import main as qabot

    sys.argv = ["qabot", *sys.argv[2:]]
    qabot()


if __name__ == "__main__":
    main()
