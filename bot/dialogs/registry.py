"""Builds the router from every dialog module."""

from __future__ import annotations

from bot.dialogs import allocations, common, nominations
from bot.dialogs.base import Router


def build_router() -> Router:
    router = Router()
    common.register(router)
    allocations.register(router)
    nominations.register(router)
    return router
