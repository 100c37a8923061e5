"""The composition root: the one place that lists the business areas.

The runtime, the ``qabot`` command, the card gallery, the manifests and the migrations get the
router and the areas' tables from here, so nothing in the shared core imports an area.
"""

from __future__ import annotations

import importlib

from bot.allocations.area import AREA as ALLOCATIONS
from bot.area import Area
from bot.broadcasts.area import AREA as BROADCASTS
from bot.dialogs import common
from bot.dialogs.base import Router
from bot.escalations.area import AREA as ESCALATIONS
from bot.nominations.area import AREA as NOMINATIONS
from bot.quotas.area import AREA as QUOTAS

# The order is the order of `help`, of "my tasks" and of the card gallery.
AREAS: tuple[Area, ...] = (ALLOCATIONS, NOMINATIONS, ESCALATIONS, QUOTAS, BROADCASTS)


def build_router() -> Router:
    router = Router()
    common.register(router)
    for area in AREAS:
        area.register(router)
    return router


def load_tables() -> None:
    """Import every area's store, so the shared metadata knows all tables (Alembic)."""
    for area in AREAS:
        importlib.import_module(area.store)
