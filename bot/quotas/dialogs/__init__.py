"""The quotas' dialogs: ``items`` (log, correct, withdraw, my logs) and ``progress``
(quotas, the "my tasks" section) and ``calendar``."""

from __future__ import annotations

from bot.dialogs.base import Router
from bot.quotas.dialogs import calendar, items, progress


def register(router: Router) -> None:
    items.register(router)
    progress.register(router)
    calendar.register(router)
