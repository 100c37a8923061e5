"""``qabot disputes simulate``: ``qabot simulate`` with a dispute of your choice, nobody acting."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.commands import CommandGroups
from bot.domain.simulation import DisputeRequest
from bot.simulation.command import (
    FormatOption,
    FrameworkOption,
    FromOption,
    Options,
    StaffOption,
    StepOption,
    ToOption,
    run_simulation,
)


def add_commands(groups: CommandGroups) -> None:
    disputes = typer.Typer(help="Professional disagreements and their escalation ladders.")
    groups.root.add_typer(disputes, name="disputes")

    @disputes.command("simulate")
    def simulate(
        framework: FrameworkOption = None,
        staff: StaffOption = None,
        ladder: Annotated[str, typer.Option(help="The ladder's key, e.g. rpd")] = "",
        raised_by: Annotated[str, typer.Option(help="Email of the person raising it")] = "",
        other: Annotated[str, typer.Option(help="Email of the other professional")] = "",
        start_stage: Annotated[int, typer.Option(help="Stage to start at (1 = the first)")] = 1,
        from_: FromOption = None,
        to: ToOption = None,
        format: FormatOption = "text",
        step: StepOption = 60,
    ) -> None:
        """Raise one dispute and list every message the sweeps would send, nobody acting
        (the same as `qabot simulate --dispute`, with the ladder and people of your choice)."""
        run_simulation(
            groups.build_router,
            Options(framework, staff, from_, to, format, step),
            dispute=DisputeRequest(ladder, raised_by, other, start_stage - 1),
        )
