"""The nominations' dialogs, in small modules:

- ``form``: nominate, drafts, the privacy check, my nominations, more information;
- ``voting``: votes, the QA team's withdraw and reopen, the CSWs' "my tasks";
- ``library``: search and read the library;
- ``export``: the CSV export (chat link; ``qabot library export`` is in ``cli``);
- ``team``: team nominations for Good Practice Conversations;
- ``support``: refusals and stale cards.
"""

from __future__ import annotations

from bot.dialogs.base import Router
from bot.nominations.dialogs import export, form, library, team, voting


def register(router: Router) -> None:
    form.register(router)
    voting.register(router)
    library.register(router)
    export.register(router)
    team.register(router)
