"""Good-practice nominations, the CSW group's vote and the Good Practice Library.

Sources: Somerset's good practice process (seed 000: anyone nominates at any time, the
Consultant Social Worker group verifies, the nominator hears back, ratified practice goes into
the Good Practice Library), North Somerset's Good Practice Conversations (seed 004: heads of
service nominate teams) and West Sussex's Practice Recognition (seed 002).
"""

from __future__ import annotations

from bot.area import Area
from bot.dialogs.base import Router
from bot.nominations import cli, dialogs, digest, gallery, sweeps, web


def register(router: Router) -> None:
    dialogs.register(router)
    sweeps.register(router)
    digest.register(router)
    router.gallery(gallery.samples)


AREA = Area(
    name="nominations",
    register=register,
    store="bot.nominations.store",
    add_commands=cli.add_commands,
    add_routes=web.add_routes,
)
