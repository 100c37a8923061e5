"""Escalations: professional disagreements on the framework file's ladders.

Sources: Somerset's RPD case note (seed 000), Dudley's audit disputes and IRO DRP (seed 001),
West Sussex's grade disputes and immediate safeguarding concerns (seed 002), the Somerset
partnership's threshold disputes (seed 003) and North Somerset's review disputes (seed 004).
"""

from __future__ import annotations

from bot.area import Area
from bot.dialogs.base import Router
from bot.escalations import cli, dialogs, digest, gallery, simulate, sweeps, web


def register(router: Router) -> None:
    dialogs.register(router)
    sweeps.register(router)
    digest.register(router)
    router.gallery(gallery.samples)
    router.simulation(simulate.seed)


AREA = Area(
    name="escalations",
    register=register,
    store="bot.escalations.store",
    add_commands=cli.add_commands,
    add_routes=web.add_routes,
)
