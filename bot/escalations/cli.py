"""``qabot disputes simulate``: ``qabot simulate`` with a dispute of your choice, nobody acting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.commands import CommandGroups
from bot.domain.simulation import DisputeRequest
from bot.simulation.command import run_simulation


def add_commands(groups: CommandGroups) -> None:
    disputes = typer.Typer(help="Professional disagreements and their escalation ladders.")
    groups.root.add_typer(disputes, name="disputes")

    @disputes.command("simulate")
    def simulate(
        framework: Annotated[
            str | None, typer.Option(help="Preset name or framework file (default: the setting)")
        ] = None,
        staff: Annotated[
            Path | None, typer.Option(exists=True, dir_okay=False, help="Staff CSV (default: demo)")
        ] = None,
        ladder: Annotated[str, typer.Option(help="The ladder's key, e.g. rpd")] = "",
        raised_by: Annotated[str, typer.Option(help="Email of the person raising it")] = "",
        other: Annotated[str, typer.Option(help="Email of the other professional")] = "",
        start_stage: Annotated[int, typer.Option(help="Stage to start at (1 = the first)")] = 1,
        from_: Annotated[
            str | None, typer.Option("--from", help="First day (default: this quarter's)")
        ] = None,
        to: Annotated[
            str | None, typer.Option("--to", help="Last day (default: the quarter's last)")
        ] = None,
        format: Annotated[str, typer.Option("--format", help="text or json (JSON lines)")] = "text",
        step: Annotated[int, typer.Option(help="Minutes between sweeps in working hours")] = 60,
    ) -> None:
        """Raise one dispute and list every message the sweeps would send, nobody acting
        (the same as `qabot simulate --dispute`, with the ladder and people of your choice)."""
        run_simulation(
            groups.build_router,
            framework=framework,
            staff=staff,
            from_=from_,
            to=to,
            format=format,
            step=step,
            dispute=DisputeRequest(ladder, raised_by, other, start_stage - 1),
        )
