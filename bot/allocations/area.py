"""Allocations: audits, Practice Evaluations, reviews and moderations allocated to people, with
deadlines in English working days, morning summaries, escalation of overdue work, the weekly
overdue digest and the Inadequate re-audit ladder.

Sources: Somerset's Practice Evaluations (seed 000), Dudley's audits (seed 001), West Sussex's
audits, moderation and Inadequate ladder (seed 002), North Somerset's reviews (seed 004).
"""

from __future__ import annotations

from bot.allocations import calendar, cli, cycle_opening, dialogs, digest, gallery, simulate, sweeps
from bot.area import Area
from bot.dialogs.base import Router


def register(router: Router) -> None:
    dialogs.register(router)
    sweeps.register(router)
    digest.register(router)
    calendar.register(router)
    cycle_opening.register(router)
    router.gallery(gallery.samples)
    router.simulation(simulate.seed)


AREA = Area(
    name="allocations",
    register=register,
    store="bot.allocations.store",
    add_commands=cli.add_commands,
)
