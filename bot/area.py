"""What a business area hands the composition root (``bot/areas.py``).

An area is a package (``bot/nominations/``, ``bot/allocations/`` ...) with its rules, store,
flows, dialogs, cards, sweeps and commands. The shared core never imports an area: it is given
what it needs through this description, by ``bot/areas.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.dialogs.base import Router

if TYPE_CHECKING:
    from bot.commands import CommandGroups


@dataclass(frozen=True)
class Area:
    name: str
    # Commands, button verbs, sweeps, "my tasks" sections and gallery samples.
    register: Callable[[Router], None]
    # The module whose import declares the area's tables on the shared metadata.
    store: str
    # Adds the area's `qabot` commands.
    add_commands: Callable[[CommandGroups], None] | None = None
    # Adds the area's web routes: called with the aiohttp application and the runtime.
    add_routes: Callable[[Any, Any], None] | None = None
