"""Quotas of logged items: family and professional feedback, dip reviews, practice
observations, managers' audits and partnership items, counted against the framework's
``[[quotas]]`` with nudges in the morning summary (seeds 000-003; docs/quotas.md)."""

from __future__ import annotations

from bot.area import Area
from bot.dialogs.base import Router
from bot.quotas import (
    calendar_sweeps,
    cli,
    dialogs,
    digest,
    gallery,
    simulate,
    sweeps,
    web,
    work,
)


def register(router: Router) -> None:
    dialogs.register(router)
    sweeps.register(router)
    digest.register(router)
    calendar_sweeps.register(router)
    work.register(router)
    router.gallery(gallery.samples)
    router.simulation(simulate.seed)


AREA = Area(
    name="quotas",
    register=register,
    store="bot.quotas.store",
    add_commands=cli.add_commands,
    add_routes=web.add_routes,
)
