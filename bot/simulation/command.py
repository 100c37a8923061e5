"""``qabot simulate``: preview every message a period would send if nobody acted.

Added to the ``qabot`` command by ``bot/cli.py`` with the router of every area; the
escalations area's ``qabot disputes simulate`` is the same command with a dispute of its choice.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bot.commands import (
    CANNOT_START,
    DONE,
    configuration_problem,
    console,
    framework_option,
    read_file,
)
from bot.config import ConfigError, load_settings
from bot.dialogs.base import Router
from bot.domain.framework import Framework
from bot.domain.simulation import DisputeRequest, SimulationError, SimulationInputs
from bot.domain.workdays import WorkingCalendar
from bot.logs import configure_logging
from bot.simulation.harness import Progress as ProgressCallback
from bot.simulation.harness import Simulation, simulate

DEMO_STAFF = Path(__file__).parent.parent / "demo" / "staff.csv"

# How the summary names each kind of message (an area's own kinds are shown as they are).
KIND_LABELS = {
    "allocation": "allocations",
    "reminder": "morning summaries (reminders and nudges)",
    "escalation": "escalations of overdue work",
    "digest": "weekly digests",
    "notice": "notices",
    "dispute": "dispute notices, deadline prompts and escalations",
    "safety_alert": "immediate-risk alerts",
    "compliance": "end-of-period compliance summaries",
    "calendar": "calendar prompts",
    "broadcast_review": "digest drafts for the QA team's review (the draft and its card)",
}
# Morning-summary lines, by the second part of their key (``nudge:quota:...``).
LINE_LABELS = {"quota": "quota nudges", "dispute": "dispute reminders"}


# The options `qabot simulate` shares with the areas' variants (`qabot disputes simulate`).
FrameworkOption = Annotated[
    str | None, typer.Option(help="Preset name or framework file (default: the setting)")
]
StaffOption = Annotated[
    Path | None, typer.Option(exists=True, dir_okay=False, help="Staff CSV (default: demo)")
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First day (default: this quarter's)")
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Last day (default: the quarter's last)")
]
FormatOption = Annotated[str, typer.Option("--format", help="text or json (JSON lines)")]
StepOption = Annotated[int, typer.Option(help="Minutes between sweeps in working hours")]


def simulate_command(build_router: Callable[[], Router]) -> Callable[..., None]:
    """``qabot simulate``, running the sweeps of every area (``build_router``)."""

    def simulate_period(
        framework: FrameworkOption = None,
        staff: StaffOption = None,
        allocations: Annotated[
            Path | None, typer.Option(exists=True, dir_okay=False, help="Allocations CSV")
        ] = None,
        feedback: Annotated[
            Path | None,
            typer.Option(
                exists=True, dir_okay=False, help="Feedback CSV, as for `import feedback`"
            ),
        ] = None,
        dispute: Annotated[
            bool, typer.Option("--dispute", help="Add a sample dispute nobody acts on")
        ] = False,
        from_: FromOption = None,
        to: ToOption = None,
        format: FormatOption = "text",
        step: StepOption = 60,
    ) -> None:
        """Preview every message the bot would send between two days, if nobody acted."""
        run_simulation(
            build_router,
            Options(framework, staff, from_, to, format, step),
            allocations=allocations,
            feedback=feedback,
            dispute=DisputeRequest() if dispute else None,
        )

    return simulate_period


@dataclass(frozen=True)
class Options:
    """The options every variant of the command has."""

    framework: str | None
    staff: Path | None
    from_: str | None
    to: str | None
    format: str
    step: int


def run_simulation(
    build_router: Callable[[], Router],
    options: Options,
    *,
    allocations: Path | None = None,
    feedback: Path | None = None,
    dispute: DisputeRequest | None = None,
) -> None:
    """Check the options, run the simulation, print the messages and a summary; exits 0, or
    2 on bad input (every bad line named)."""
    if options.format not in ("text", "json"):
        console.print("[red]--format[/red] must be text or json")
        raise typer.Exit(CANNOT_START)
    fw = framework_option(options.framework)
    # The sweeps' routine log lines would bury the preview: warnings and errors only.
    configure_logging("WARNING")
    try:
        tz = load_settings().tz
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    start, end = _period(fw, options.from_, options.to, datetime.now(tz).date())
    inputs = SimulationInputs(
        start=start,
        end=end,
        allocations=read_file(allocations) if allocations else None,
        feedback=read_file(feedback) if feedback else None,
        dispute=dispute,
    )
    staff_text = read_file(options.staff or DEMO_STAFF)
    try:
        with _progress() as progress:
            result = asyncio.run(
                simulate(
                    fw,
                    staff_text,
                    inputs,
                    router=build_router(),
                    tz=tz,
                    step_minutes=options.step,
                    progress=progress,
                )
            )
    except SimulationError as exc:
        for problem in exc.problems:
            console.print(f"[red]bad input[/red] {problem}", highlight=False, soft_wrap=True)
        console.print(f"[red]Cannot simulate:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(CANNOT_START) from None
    _print(result, options.format)
    _summary(result, start, end)
    raise typer.Exit(DONE)


def _period(fw: Framework, from_: str | None, to: str | None, today: date) -> tuple[date, date]:
    cal = WorkingCalendar.from_settings(fw.calendar)
    try:
        start = date.fromisoformat(from_) if from_ else cal.quarter_of(today).start
        end = date.fromisoformat(to) if to else cal.quarter_of(start).end
    except ValueError:
        console.print("[red]--from and --to[/red] must be dates (YYYY-MM-DD)")
        raise typer.Exit(CANNOT_START) from None
    return start, end


@contextmanager
def _progress() -> Iterator[ProgressCallback]:
    """A progress bar on a terminal; otherwise a plain line every five working days."""
    if not console.is_terminal:

        def plain(day: date, done: int, total: int) -> None:
            if done and (done % 5 == 0 or done == total):
                console.print(f"simulated to {day:%a %d %b %Y} ({done} of {total} working days)")

        yield plain
        return
    columns = (
        TextColumn("Simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=None)

        def update(day: date, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{day:%a %d %b %Y}")

        yield update


def _print(result: Simulation, format: str) -> None:
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}", highlight=False, soft_wrap=True)
    for message in result.messages:
        line = json.dumps(message.as_json()) if format == "json" else message.as_text()
        sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _summary(result: Simulation, start: date, end: date) -> None:
    seeded = "; ".join(result.seeded) or "nothing but the staff list"
    console.print(f"Set up: {seeded}.", highlight=False, soft_wrap=True)
    console.print(
        f"{len(result.messages)} message(s) from {start} to {end}, nobody acting:",
        highlight=False,
    )
    for kind, count in sorted(result.counts().items(), key=lambda kc: (-kc[1], kc[0])):
        console.print(f"  {count:>6}  {KIND_LABELS.get(kind, kind)}", highlight=False)
        if kind != "reminder":
            continue
        for about, lines in sorted(result.summary_lines.items()):
            label = LINE_LABELS.get(about, f"{about} reminders")
            console.print(f"  {lines:>6}    {label} (lines in them)", highlight=False)
