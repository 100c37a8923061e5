"""The allocations' dialogs:

- ``commands``: the QA team allocates (CSV or sampled cohort) and confirms;
- ``propose``: the proposal and its confirmation, from a CSV or a sampled cohort;
- ``actions``: Accept / Done (outcome form) / Need help / Can't do / Reallocate;
- ``tasks``: sections of "my tasks";
- ``support``: what the dialogs share (finding people, grades, escalation targets).
"""

from __future__ import annotations

from bot.allocations.dialogs import actions, commands, tasks
from bot.dialogs.base import Router


def register(router: Router) -> None:
    commands.register(router)
    actions.register(router)
    tasks.register(router)
