"""The ``qabot`` command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from bot.areas import AREAS, build_router
from bot.commands import BotHandle, CommandGroups, cli_settings, configuration_problem, console, run
from bot.config import PRESETS, ConfigError, Settings, load_framework, load_settings

app = typer.Typer(help="qabot: your QA framework in Teams and Slack.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
import_app = typer.Typer(help="Import the QA team's CSV files.", no_args_is_help=True)
cards_app = typer.Typer(help="Cards the bot sends.", no_args_is_help=True)
people_app = typer.Typer(help="People in the directory.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(cards_app, name="cards")
app.add_typer(people_app, name="people")

DEMO_DB = "sqlite+aiosqlite:///qabot-demo.db"
DEMO_USER = "sam.sw@demo.somerset.gov.uk"


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default QABOT_PORT or 3978)")] = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
) -> None:
    """Run the bot: Teams at /api/messages, Slack at /slack/events, scheduler and delivery."""
    settings = cli_settings()
    run(_serve(settings, host, port, chat_as=None))


@app.command()
def demo(
    as_: Annotated[str, typer.Option("--as", help="Who you are in the console chat")] = DEMO_USER,
    port: Annotated[int | None, typer.Option(help="Port (default 3978)")] = None,
) -> None:
    """Try the bot locally: a SQLite file, a demo directory, the endpoints and a console chat."""
    overrides: dict[str, object] = {}
    if "QABOT_DATABASE_URL" not in __import__("os").environ:
        overrides["database_url"] = DEMO_DB
    settings = cli_settings(**overrides)
    run(_serve(settings, None, port, chat_as=as_, seed_demo=True))


async def _serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    *,
    chat_as: str | None,
    seed_demo: bool = False,
) -> None:
    from bot.admin import import_staff
    from bot.channels.console import ConsoleChannel
    from bot.runtime import Runtime
    from bot.store import directory

    runtime = Runtime(settings)
    await runtime.start()
    try:
        if seed_demo:
            async with runtime.db.session() as session:
                empty = not await directory.active_people(session)
            if empty:
                text = (Path(__file__).parent / "demo" / "staff.csv").read_text("utf-8")
                report = await import_staff(runtime, text)
                console.print(f"Loaded the demo directory: {report.created} people.")
        await runtime.serve(host, port)
        where = f"http://{host or settings.host}:{port or settings.port}"
        authority = runtime.framework.authority
        teams_mode = (
            "authenticated"
            if settings.teams_authenticated
            else "local mode, no credentials: use the Bot Framework Emulator"
        )
        slack_mode = (
            "on" if settings.slack_enabled else "off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"
        )
        console.print(f"[bold]{authority.bot_name}[/bold] is running ({authority.name}).")
        console.print(f"  Teams endpoint  {where}/api/messages  ({teams_mode})")
        console.print(f"  Slack endpoint  {where}/slack/events  ({slack_mode})")
        console.print(f"  Health          {where}/healthz  {where}/readyz  {where}/metrics")
        if settings.slack_enabled and settings.slack_app_token:
            console.print("  Slack Socket Mode connecting (SLACK_APP_TOKEN is set)")
        if chat_as and sys.stdin.isatty():
            # Keep the chat readable: only warnings and errors are logged while it runs.
            logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
            await ConsoleChannel(runtime.bot, chat_as).run()
        else:
            if chat_as:
                console.print(
                    "No terminal attached: serving without the console chat (Ctrl-C stops)."
                )
            await _wait_for_signal()
    finally:
        await runtime.stop()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="Your email address in the directory")],
) -> None:
    """Talk to the bot in this terminal as a person from the directory."""
    settings = cli_settings()
    logging.getLogger().setLevel(logging.WARNING)

    async def go() -> None:
        from bot.channels.console import ConsoleChannel
        from bot.runtime import Runtime

        runtime = Runtime(settings)
        await runtime.start()
        try:
            await ConsoleChannel(runtime.bot, as_).run()
        finally:
            await runtime.stop()

    run(go())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest version."""
    settings = cli_settings()
    from bot.store.db import run_upgrade_blocking

    run_upgrade_blocking(settings.database_url)
    console.print("Database is up to date.")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Argument(help="What the migration changes")],
    url: Annotated[
        str, typer.Option(help="A scratch database to compare with")
    ] = "sqlite+aiosqlite:////tmp/qabot-revision.db",
) -> None:
    """Write a new migration from the difference between the models and the schema (developers)."""
    from bot.areas import load_tables
    from bot.store.db import make_revision
    from bot.store.models import Base

    load_tables()
    make_revision(url, message, Base.metadata)
    console.print("Wrote a new migration in bot/store/migrations/versions/: review it.")


@import_app.command("staff")
def import_staff_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import the staff directory (email,name,roles,team,service,manager_email)."""
    settings = cli_settings()

    async def go() -> int:
        from bot.admin import import_staff
        from bot.runtime import Runtime

        runtime = Runtime(settings, run_scheduler=False, run_delivery=False)
        await runtime.start()
        try:
            text = file.read_text("utf-8-sig")
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("Linking Slack accounts", total=None)
                report = await import_staff(
                    runtime, text, progress=lambda d, t: progress.update(task, completed=d, total=t)
                )
        finally:
            await runtime.stop()
        console.print(
            f"Imported: {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.deactivated} marked as left."
        )
        for warning in report.warnings:
            console.print(f"[yellow]warning[/yellow] {warning}")
        for error in report.errors:
            console.print(f"[red]skipped[/red] {error}")
        return 1 if report.errors else 0

    code = asyncio.run(go())
    raise typer.Exit(code)


@cards_app.command("gallery")
def cards_gallery(
    out: Annotated[Path, typer.Option(help="Folder to write the cards to")] = Path("gallery"),
    framework: Annotated[
        str | None, typer.Option(help=f"Preset ({', '.join(PRESETS)}) or file")
    ] = None,
) -> None:
    """Write every card as NAME.adaptive.json and NAME.blockkit.json."""
    from bot.gallery import write_gallery

    try:
        fw = load_framework(framework or load_settings().framework)
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    written = write_gallery(out, fw, build_router())
    console.print(f"Wrote {len(written)} files to {out}/")


@app.command()
def manifests(
    out: Annotated[Path, typer.Option(help="Folder to write to")] = Path("manifests/build"),
    framework: Annotated[str | None, typer.Option(help="Preset or framework file")] = None,
    privacy_url: Annotated[str | None, typer.Option(help="Default: PUBLIC_URL/privacy")] = None,
    terms_url: Annotated[str | None, typer.Option(help="Default: PUBLIC_URL/terms")] = None,
) -> None:
    """Write the Teams app package (zip) and the Slack app manifest from the settings."""
    from bot.manifests import write_manifests

    try:
        settings = load_settings()
        fw = load_framework(framework or settings.framework)
        result = write_manifests(
            out, settings, fw, build_router(), privacy_url=privacy_url, terms_url=terms_url
        )
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}")
    console.print(f"Teams app package  {result.teams_zip}  (upload it in Teams)")
    console.print(f"Slack app manifest {result.slack_manifest}  (Create New App > From a manifest)")
    endpoint = settings.public_url.rstrip("/") + "/api/messages"
    console.print(f"Azure Bot messaging endpoint {endpoint}")


@people_app.command("forget")
def forget_person_command(
    email: Annotated[str, typer.Argument(help="The leaver's email address")],
) -> None:
    """Remove a leaver's personal data; their QA history stays counted (docs/operations.md)."""
    settings = cli_settings()

    async def go() -> str | None:
        from datetime import UTC, datetime

        from bot.store.db import Database
        from bot.store.forget import forget_person

        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.session() as session:
                done = await forget_person(session, email, datetime.now(UTC))
        finally:
            await db.dispose()
        if done is None:
            return None
        return (
            f"Forgot {email}: now person {done.person_id}, "
            f"{done.accounts} chat account(s) unlinked, {done.messages} message(s) cleared."
        )

    result = asyncio.run(go())
    if result is None:
        console.print(f"[red]No one in the directory has the email {email}.[/red]")
        raise typer.Exit(1)
    console.print(result)


def _open_bot(settings: Settings) -> BotHandle:
    from bot.runtime import Runtime

    return Runtime(settings, run_scheduler=False, run_delivery=False)


groups = CommandGroups(root=app, imports=import_app, build_router=build_router, open_bot=_open_bot)
for area in AREAS:
    if area.add_commands is not None:
        area.add_commands(groups)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
