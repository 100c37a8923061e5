"""``qabot import allocations`` and ``qabot import cohort``.

Added to the ``qabot`` command by ``add_commands`` (the composition root calls it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import typer

from bot.cards.model import Card
from bot.cards.text import render_text
from bot.commands import (
    CANNOT_START,
    DONE,
    PARTLY_OR_NOT_DONE,
    CommandGroups,
    OpenBot,
    cli_settings,
    console,
    read_file,
)


class _DryRun(Exception):
    """Raised inside a unit of work to roll it back after showing the proposal."""


def _print_card(card: Card) -> None:

    text, _buttons = render_text(card)
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def import_allocations_command(open_bot: OpenBot) -> Callable[..., None]:
    def import_allocations(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Confirm without asking")] = False,
        dry_run: Annotated[
            bool, typer.Option(help="Check the file and show the proposal only")
        ] = False,
    ) -> None:
        """Allocate work from a CSV: check the proposal, then confirm to tell everyone."""
        code = asyncio.run(_import(open_bot, file, "allocations", yes=yes, dry_run=dry_run))
        raise typer.Exit(code)

    return import_allocations


def import_cohort_command(open_bot: OpenBot) -> Callable[..., None]:
    def import_cohort(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        activity: Annotated[str, typer.Option(help="The activity key, e.g. practice_evaluation")],
        seed: Annotated[int | None, typer.Option(help="Random seed, to repeat a sample")] = None,
        name: Annotated[
            str | None, typer.Option(help="The cycle's name, e.g. 'PE Feb 2027'")
        ] = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Confirm without asking")] = False,
        dry_run: Annotated[
            bool, typer.Option(help="Check the file and show the proposal only")
        ] = False,
    ) -> None:
        """Sample a cycle fairly from a cohort CSV (case_ref,team), then confirm it."""
        code = asyncio.run(
            _import(
                open_bot,
                file,
                "cohort",
                yes=yes,
                dry_run=dry_run,
                activity=activity,
                seed=seed,
                name=name,
            )
        )
        raise typer.Exit(code)

    return import_cohort


async def _import(
    open_bot: OpenBot,
    file: Path,
    kind: Literal["allocations", "cohort"],
    *,
    yes: bool,
    dry_run: bool,
    activity: str | None = None,
    seed: int | None = None,
    name: str | None = None,
) -> int:
    from bot.allocations import store
    from bot.allocations.cards import MAX_LINES, proposal_card
    from bot.allocations.dialogs.propose import (
        Proposal,
        confirm_cycle,
        proposal_view,
        propose_from_cohort,
        propose_from_rows,
    )
    from bot.allocations.imports import (
        CsvFormatError,
        find_activity,
        parse_allocations_csv,
        parse_cohort_csv,
    )

    runtime = open_bot(cli_settings())
    await runtime.start()
    try:
        framework = runtime.framework
        text = read_file(file)
        chosen = find_activity(framework, activity) if kind == "cohort" and activity else None
        if kind == "cohort" and chosen is None:
            known = ", ".join(a.key for a in framework.activities)
            console.print(
                f"[red]Unknown activity[/red] {activity!r}: one of {known}", soft_wrap=True
            )
            return CANNOT_START
        proposal: Proposal
        cycle_id: int | None = None
        try:
            async with runtime.db.session() as session:
                ctx = runtime.bot.context(session, None)
                if kind == "allocations":
                    parsed_rows = parse_allocations_csv(text, framework)
                    proposal = await propose_from_rows(ctx, parsed_rows.rows, parsed_rows.errors)
                else:
                    assert chosen is not None
                    parsed_cohort = parse_cohort_csv(text, framework)
                    proposal = await propose_from_cohort(
                        ctx, chosen, parsed_cohort.rows, parsed_cohort.errors, seed=seed, name=name
                    )
                for error in proposal.errors:
                    console.print(f"[red]left out[/red] {error}", highlight=False, soft_wrap=True)
                if proposal.cycle is None:
                    console.print("Nothing to allocate.")
                    return PARTLY_OR_NOT_DONE
                view = await proposal_view(ctx, proposal.cycle)
                _print_card(proposal_card(view).model_copy(update={"buttons": []}))
                if len(view.lines) > MAX_LINES:
                    console.print("\nThe full list:", highlight=False, soft_wrap=True)
                    for line in view.lines:
                        console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
                cycle_id = proposal.cycle.id
                if dry_run:
                    raise _DryRun
        except CsvFormatError as exc:
            console.print(
                f"[red]The file cannot be read:[/red] {exc}", highlight=False, soft_wrap=True
            )
            return CANNOT_START
        except _DryRun:
            console.print("Dry run: nothing was saved and nobody was told.")
            return PARTLY_OR_NOT_DONE if proposal.errors else DONE
        people = view.people
        if not yes and not typer.confirm(
            f"Confirm allocation {cycle_id} and tell {people} people?"
        ):
            console.print(
                f"Left as proposed allocation {cycle_id}: confirm it in chat "
                f"(type `allocation {cycle_id}`) or run again with --yes."
            )
            return PARTLY_OR_NOT_DONE
        async with runtime.db.session() as session:
            ctx = runtime.bot.context(session, None)
            cycle = await store.cycle_by_id(session, cycle_id)
            assert cycle is not None
            told = await confirm_cycle(ctx, cycle)
        console.print(
            f"Confirmed allocation {cycle_id}: {told} people will get their cards from the "
            "running bot (in working hours)."
        )
        return PARTLY_OR_NOT_DONE if proposal.errors else DONE
    finally:
        await runtime.stop()


def add_commands(groups: CommandGroups) -> None:
    groups.imports.command("allocations")(import_allocations_command(groups.open_bot))
    groups.imports.command("cohort")(import_cohort_command(groups.open_bot))
