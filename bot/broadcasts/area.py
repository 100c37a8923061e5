"""The broadcasts area as the composition root sees it."""

from __future__ import annotations

from bot.area import Area
from bot.broadcasts import cli, dialogs, gallery, sweeps, web
from bot.dialogs.base import Router


def register(router: Router) -> None:
    dialogs.register(router)
    sweeps.register(router)
    router.gallery(gallery.samples)


AREA = Area(
    name="broadcasts",
    register=register,
    store="bot.broadcasts.store",
    add_commands=cli.add_commands,
    add_routes=web.add_routes,
)
