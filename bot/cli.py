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
from bot.commands import (
    CANNOT_START,
    DONE,
    PARTLY_OR_NOT_DONE,
    BotHandle,
    CommandGroups,
    cannot_write,
    check_port,
    cli_settings,
    configuration_problem,
    console,
    framework_option,
    port_problem,
    run,
)
from bot.config import PRESETS, ConfigError, Settings, load_settings
from bot.logs import logs_to_file
from bot.simulation.command import simulate_command
from bot.store.directory import ImportReport

app = typer.Typer(help="qabot: your QA framework in Teams and Slack.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
import_app = typer.Typer(help="Import the QA team's CSV files.", no_args_is_help=True)
cards_app = typer.Typer(help="Cards the bot sends.", no_args_is_help=True)
people_app = typer.Typer(help="People in the directory.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(cards_app, name="cards")
app.add_typer(people_app, name="people")

DEMO_FILE = "qabot-demo.db"
DEMO_DB = f"sqlite+aiosqlite:///{DEMO_FILE}"
DEMO_USER = "sam.sw@demo.somerset.gov.uk"


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default QABOT_PORT or 3978)")] = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
) -> None:
    """Run the bot: Teams at /api/messages, Slack at /slack/events, scheduler and delivery."""
    settings = cli_settings(service=True)
    run(_serve(settings, host, port, chat_as=None))


@app.command()
def demo(
    as_: Annotated[str, typer.Option("--as", help="Who you are in the console chat")] = DEMO_USER,
    port: Annotated[int | None, typer.Option(help="Port (default 3978)")] = None,
) -> None:
    """Try the bot locally: a SQLite file, a demo directory, the endpoints and a console chat."""
    run(_serve(demo_settings(port), None, port, chat_as=as_, seed_demo=True))


def demo_settings(port: int | None) -> Settings:
    """The demo's own database, and links (the library export) that open on this machine,
    unless QABOT_DATABASE_URL or QABOT_PUBLIC_URL say otherwise."""
    settings = cli_settings(service=True)
    overrides: dict[str, object] = {}
    if "database_url" not in settings.model_fields_set:
        overrides["database_url"] = DEMO_DB
    if "public_url" not in settings.model_fields_set:
        overrides["public_url"] = f"http://{settings.host}:{port or settings.port}"
    if "tryout" not in settings.model_fields_set:
        overrides["tryout"] = True
    return cli_settings(service=True, **overrides)


def demo_settings_for_chat() -> Settings:
    """``qabot chat`` uses the demo's database when it exists and no database is configured,
    so ``chat --as`` in a second terminal talks to the running demo."""
    settings = cli_settings(service=True)
    if "database_url" in settings.model_fields_set or not Path(DEMO_FILE).exists():
        return settings
    console.print(f"Using the demo's database {DEMO_FILE} (set QABOT_DATABASE_URL to choose).")
    overrides: dict[str, object] = {"database_url": DEMO_DB}
    if "public_url" not in settings.model_fields_set:
        overrides["public_url"] = f"http://{settings.host}:{settings.port}"
    return cli_settings(service=True, **overrides)


async def check_person(runtime: BotHandle, email: str) -> None:
    """Stop at once, listing who can be chosen, when ``--as`` names nobody in the directory."""
    from bot.store import directory

    async with runtime.db.session() as session:
        person = await directory.person_by_email(session, email.strip().lower())
        if person is not None and person.active:
            return
        people = await directory.active_people(session)
    console.print(
        f"[red]{email} is not in the directory.[/red] Choose one of these with --as:",
        highlight=False,
        soft_wrap=True,
    )
    for someone in sorted(people, key=lambda p: p.email):
        roles = ", ".join(sorted(someone.role_names))
        console.print(
            f"  {someone.email}  {someone.name} ({roles})", highlight=False, soft_wrap=True
        )
    if not people:
        console.print("  (nobody yet: run `qabot import staff FILE.csv` or `qabot demo`)")
    raise typer.Exit(CANNOT_START)


async def _serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    *,
    chat_as: str | None,
    seed_demo: bool = False,
) -> None:
    from bot.admin import import_staff
    from bot.app import system_clock
    from bot.channels.console import ConsoleChannel
    from bot.runtime import Runtime
    from bot.store import directory
    from bot.tryout.clock import DemoClock

    check_port(host or settings.host, settings.port if port is None else port)
    # The try-out page moves demo time; a real deployment keeps the system clock.
    runtime = Runtime(settings, clock=DemoClock() if settings.tryout else system_clock)
    await runtime.start()
    try:
        if seed_demo:
            async with runtime.db.session() as session:
                empty = not await directory.active_people(session)
            if empty:
                text = (Path(__file__).parent / "demo" / "staff.csv").read_text("utf-8")
                report = await import_staff(runtime, text)
                console.print(f"Loaded the demo directory: {report.created} people.")
                await tell_demo_story(runtime)
        if chat_as:
            await check_person(runtime, chat_as)
        try:
            await runtime.serve(host, port)
        except OSError as exc:
            raise port_problem(
                host or settings.host, settings.port if port is None else port, exc
            ) from None
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
        if settings.tryout:
            console.print(
                f"  [bold]Try it in your browser  {where}/try[/bold]  (this computer only)"
            )
        if settings.slack_enabled and settings.slack_app_token:
            console.print("  Slack Socket Mode connecting (SLACK_APP_TOKEN is set)")
        if chat_as and sys.stdin.isatty():
            # Keep the chat readable: log lines go to a file while it runs.
            log_file = Path("qabot-chat.log")
            console.print(f"  Log lines go to {log_file} while you chat.")
            with logs_to_file(log_file):
                await ConsoleChannel(runtime.bot, chat_as).run()
        else:
            if chat_as:
                console.print(
                    "No terminal attached: serving without the console chat (Ctrl-C stops)."
                )
            await _wait_for_signal()
    finally:
        await runtime.stop()


async def tell_demo_story(runtime: BotHandle) -> None:
    from bot.tryout.story import StoryError, tell_the_story

    try:
        for line in await tell_the_story(runtime.bot):
            console.print(f"  {line}", highlight=False)
    except StoryError as exc:
        console.print(f"[yellow]The demo's sample data stopped early:[/yellow] {exc}")


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
    settings = demo_settings_for_chat()
    logging.getLogger().setLevel(logging.WARNING)

    async def go() -> None:
        from bot.channels.console import ConsoleChannel
        from bot.runtime import Runtime

        # The demo (or `qabot serve`) that owns the database runs the sweeps and delivery; a
        # second scheduler beside it would only sweep the same database twice.
        runtime = Runtime(settings, run_scheduler=False, run_delivery=False)
        await runtime.start()
        try:
            await check_person(runtime, as_)
            with logs_to_file(Path("qabot-chat.log")):
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
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Mark people as left without asking")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Only show what would change")] = False,
) -> None:
    """Import the staff directory (email,name,roles,team,service,manager_email).

    Shows who is new, updated and marked as left, and asks before marking anyone as left."""
    settings = cli_settings()

    def keep(report: ImportReport) -> bool:
        show_changes(report)
        if dry_run:
            return False
        if not report.left or yes:
            return True
        return typer.confirm(f"Mark {len(report.left)} people as left?", err=True)

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
                    runtime,
                    text,
                    progress=lambda d, t: progress.update(task, completed=d, total=t),
                    keep=keep,
                )
        finally:
            await runtime.stop()
        return import_outcome(report, dry_run=dry_run)

    raise typer.Exit(asyncio.run(go()))


def show_changes(report: ImportReport) -> None:
    for title, who in (
        ("New", report.new),
        ("Updated", report.changed),
        ("Marked as left", report.left),
    ):
        if who:
            console.print(f"{title} ({len(who)}):", highlight=False)
            for someone in who:
                console.print(f"  {someone}", markup=False, highlight=False, soft_wrap=True)


def import_outcome(report: ImportReport, *, dry_run: bool) -> int:
    """Say what happened; the exit code follows the shared rule (bot/commands.py)."""
    for warning in report.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}", highlight=False, soft_wrap=True)
    label = "cannot read the file:" if report.unreadable else "skipped"
    for error in report.errors:
        console.print(f"[red]{label}[/red] {error}", highlight=False, soft_wrap=True)
    if report.errors and not (report.new or report.changed or report.unchanged or report.left):
        console.print("Nothing was imported.")
        return CANNOT_START if report.unreadable else PARTLY_OR_NOT_DONE
    counts = (
        f"{report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.deactivated} marked as left"
    )
    if dry_run:
        console.print(f"Dry run, nothing was changed: {counts}.")
    elif not report.kept:
        console.print("Nothing was changed. Run again with --yes to mark people as left.")
        return PARTLY_OR_NOT_DONE
    else:
        console.print(f"Imported: {counts}.")
    return PARTLY_OR_NOT_DONE if report.errors else DONE


@cards_app.command("gallery")
def cards_gallery(
    out: Annotated[Path, typer.Option(help="Folder to write the cards to")] = Path("gallery"),
    framework: Annotated[
        str | None, typer.Option(help=f"Preset ({', '.join(PRESETS)}) or file")
    ] = None,
) -> None:
    """Write every card as NAME.adaptive.json and NAME.blockkit.json."""
    from bot.gallery import write_gallery

    fw = framework_option(framework)
    try:
        written = write_gallery(out, fw, build_router())
    except OSError as exc:
        raise cannot_write(out, exc) from None
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
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    fw = framework_option(framework)
    try:
        result = write_manifests(
            out, settings, fw, build_router(), privacy_url=privacy_url, terms_url=terms_url
        )
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    except OSError as exc:
        raise cannot_write(out, exc) from None
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
app.command("simulate")(simulate_command(build_router))
for area in AREAS:
    if area.add_commands is not None:
        area.add_commands(groups)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
