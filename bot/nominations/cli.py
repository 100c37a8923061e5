"""``qabot library``: the Good Practice Library from the command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.commands import CommandGroups, cannot_write, cli_settings, console

library_app = typer.Typer(help="The Good Practice Library.", no_args_is_help=True)


def add_commands(groups: CommandGroups) -> None:
    groups.root.add_typer(library_app, name="library")


@library_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write ('-' for stdout)")],
    search: Annotated[
        str, typer.Option(help="Only entries matching, e.g. 'kinship theme:voice since:2026-04-01'")
    ] = "",
) -> None:
    """Write the Good Practice Library as CSV (no case record numbers, ever)."""
    from bot.config import load_framework

    settings = cli_settings()
    framework = load_framework(settings.framework)

    async def go() -> tuple[int, str]:
        from datetime import UTC, datetime

        from bot.nominations import store
        from bot.nominations.dialogs.export import library_csv
        from bot.nominations.dialogs.library import parse_query
        from bot.store.audit import AuditWriter
        from bot.store.db import Database

        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.session() as session:
                teams = await store.library_teams(session)
                query, problem = parse_query(search, framework.nominations.themes, teams)
                if problem:
                    raise typer.BadParameter(problem, param_hint="--search")
                entries = await store.all_library_entries(session, query)
                AuditWriter(session, datetime.now(UTC)).record(
                    "library.export",
                    actor_id=None,
                    details={"entries": len(entries), "filtered": bool(search), "via": "cli"},
                )
                return len(entries), library_csv(entries)
        finally:
            await db.dispose()

    count, text = asyncio.run(go())
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        try:
            out.write_text(text, encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise cannot_write(out, exc) from None
        console.print(f"Wrote {count} library entries to {out}")
