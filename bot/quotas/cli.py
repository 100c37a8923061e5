"""``qabot import feedback FILE.csv`` (feedback already recorded elsewhere, all or nothing)
and ``qabot framework explain``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from bot.commands import (
    CommandGroups,
    OpenBot,
    cli_settings,
    configuration_problem,
    console,
    read_file,
)


def add_commands(groups: CommandGroups) -> None:
    groups.imports.command("feedback")(import_feedback_command(groups.open_bot))
    # `qabot framework explain` checks every rule against the seeds, quotas among them; it
    # lives here until the core command has a framework group of its own.
    groups.root.add_typer(framework_app, name="framework")


def import_feedback_command(open_bot: OpenBot) -> Callable[..., None]:
    def import_feedback(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        dry_run: Annotated[bool, typer.Option(help="Check the file only")] = False,
    ) -> None:
        """Import family and professional feedback from a CSV
        (practitioner_email,date,source,kind[,case_ref,themes,logged_by_email]).
        Every bad line is named and nothing is saved unless every line is good."""
        raise typer.Exit(asyncio.run(_import(open_bot, file, dry_run=dry_run)))

    return import_feedback


async def _import(open_bot: OpenBot, file: Path, *, dry_run: bool) -> int:
    from bot.quotas.flows import read_feedback, save_imported
    from bot.quotas.imports import CsvFormatError

    runtime = open_bot(cli_settings())
    await runtime.start()
    try:
        if not any(q.counts == "feedback" for q in runtime.framework.quotas):
            console.print("[red]This framework has no feedback quota[/red]: nothing to import.")
            return 2
        text = read_file(file)
        async with runtime.db.session() as session:
            ctx = runtime.bot.context(session, None)
            try:
                parsed, people = await read_feedback(ctx, text, ctx.today)
            except CsvFormatError as exc:
                console.print(f"[red]The file cannot be read:[/red] {exc}", soft_wrap=True)
                return 2
            for error in parsed.errors:
                console.print(f"[red]bad line[/red] {error}", highlight=False, soft_wrap=True)
            if parsed.errors:
                console.print(
                    f"Nothing was imported: {len(parsed.errors)} bad line(s). Fix them and run "
                    "the import again."
                )
                return 1
            if dry_run:
                console.print(f"Dry run: {len(parsed.rows)} lines are good; nothing was saved.")
                return 0
            for row in parsed.rows:
                save_imported(ctx, row, people)
            ctx.audit.record(
                "quota.imported",
                actor_id=None,
                details={"kind": "feedback", "items": len(parsed.rows), "file": file.name},
            )
        console.print(f"Imported {len(parsed.rows)} pieces of feedback.")
        return 0
    finally:
        await runtime.stop()


framework_app = typer.Typer(help="The framework file.", no_args_is_help=True)


@framework_app.command("explain")
def explain_command(
    framework: Annotated[
        str | None, typer.Option("--framework", help="A preset name or framework file")
    ] = None,
) -> None:
    """Each rule of the framework with the seed passage it comes from, or its default mark."""
    from bot.config import ConfigError, load_framework, load_settings
    from bot.domain.explain import explain

    try:
        fw = load_framework(framework or load_settings().framework)
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    rules = explain(fw)
    typer.echo(f"{fw.authority.name}: {len(rules)} rules")
    for rule in rules:
        typer.echo(f"\n{rule.rule} = {rule.value}\n  [{rule.mark}] {rule.source}")
    counts = {
        mark: sum(1 for r in rules if r.mark == mark) for mark in ("seed", "reading", "default")
    }
    typer.echo(
        f"\n{counts['seed']} from a seed, {counts['reading']} our reading of a seed [U], "
        f"{counts['default']} local defaults to confirm."
    )
