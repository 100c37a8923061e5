"""``qabot disputes simulate``: preview a dispute's reminders and escalations if nobody acts."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from bot.commands import CommandGroups, configuration_problem, console
from bot.config import ConfigError, load_framework, load_settings


def add_commands(groups: CommandGroups) -> None:
    disputes = typer.Typer(help="Professional disagreements and their escalation ladders.")
    groups.root.add_typer(disputes, name="disputes")

    @disputes.command("simulate")
    def simulate(
        framework: Annotated[str, typer.Option(help="Preset name or framework file")],
        staff: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Staff CSV")],
        ladder: Annotated[str, typer.Option(help="The ladder's key, e.g. rpd")],
        raised_by: Annotated[str, typer.Option(help="Email of the person raising it")],
        from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
        to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
        other: Annotated[str, typer.Option(help="Email of the other professional")] = "",
        start_stage: Annotated[int, typer.Option(help="Stage to start at (1 = the first)")] = 1,
        format: Annotated[str, typer.Option("--format", help="text or json (JSON lines)")] = "text",
    ) -> None:
        """Raise one dispute and list every message the sweeps would send, nobody acting."""
        from bot.escalations.simulate import DisputeScenario, SimulationError
        from bot.escalations.simulate import simulate as run

        if format not in ("text", "json"):
            console.print("[red]--format[/red] must be text or json")
            raise typer.Exit(2)
        try:
            start, end = date.fromisoformat(from_), date.fromisoformat(to)
        except ValueError:
            console.print("[red]--from and --to[/red] must be dates (YYYY-MM-DD)")
            raise typer.Exit(2) from None
        try:
            fw = load_framework(framework)
            tz = load_settings().tz
        except ConfigError as exc:
            raise configuration_problem(exc) from None
        scenario = DisputeScenario(
            ladder=ladder, raised_by=raised_by, other=other, start_stage=start_stage - 1
        )
        try:
            text = staff.read_text(encoding="utf-8-sig")
            result = asyncio.run(
                run(fw, text, scenario, start, end, router=groups.build_router(), tz=tz)
            )
        except (SimulationError, UnicodeDecodeError) as exc:
            console.print(f"[red]Cannot simulate:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        for warning in result.warnings:
            console.print(f"[yellow]warning[/yellow] {warning}", highlight=False, soft_wrap=True)
        for message in result.messages:
            line = json.dumps(message.as_json()) if format == "json" else message.as_text()
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
        console.print(
            f"{len(result.messages)} message(s) from {start} to {end}, nobody acting.",
            highlight=False,
        )
