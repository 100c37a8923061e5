"""``qabot newsletter send FILE.md --audience ...``, ``qabot newsletter export``,
``qabot digest export`` and ``qabot broadcast report ID``.

A newsletter from a file is checked by the privacy screen and previewed as each platform will
show it; it is sent only when ``--approver`` names someone with the QA role (recorded in the
audit log), otherwise it goes to the QA team channel as a draft to approve there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from bot.broadcasts import rules
from bot.commands import (
    CANNOT_START,
    DONE,
    PARTLY_OR_NOT_DONE,
    CommandGroups,
    OpenBot,
    cli_settings,
    console,
)

Format = Literal["md", "html"]


def add_commands(groups: CommandGroups) -> None:
    newsletter = typer.Typer(help="Newsletters and 7-minute briefings.", no_args_is_help=True)
    newsletter.command("send")(send_command(groups.open_bot))
    newsletter.command("export")(newsletter_export)
    groups.root.add_typer(newsletter, name="newsletter")
    digest = typer.Typer(help="The QA digest.", no_args_is_help=True)
    digest.command("export")(digest_export_command(groups.open_bot))
    groups.root.add_typer(digest, name="digest")
    broadcast = typer.Typer(help="Broadcasts and their delivery reports.", no_args_is_help=True)
    broadcast.command("report")(report_command(groups.open_bot))
    groups.root.add_typer(broadcast, name="broadcast")


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


def send_command(open_bot: OpenBot) -> Callable[..., None]:
    def send(
        file: FileArg,
        audience: Annotated[
            str,
            typer.Option(help="all-teams, service:NAME, team:NAME or role:ROLE, comma separated"),
        ],
        at: Annotated[str, typer.Option(help='When to send, "YYYY-MM-DD HH:MM" UK time')] = "",
        briefing: Annotated[bool, typer.Option(help="A 7-minute briefing")] = False,
        approver: Annotated[
            str, typer.Option(help="Email of the QA team member approving it (else a draft)")
        ] = "",
        preview: Annotated[bool, typer.Option(help="Only show the preview")] = False,
        preview_dir: Annotated[
            Path | None,
            typer.Option(help="Also write each part as Teams and Slack JSON here (a preview)"),
        ] = None,
    ) -> None:
        """Send a newsletter written in Markdown (# title, ## sections) to an audience."""
        raise typer.Exit(
            asyncio.run(
                _send(
                    open_bot,
                    file,
                    audience,
                    at,
                    briefing,
                    approver,
                    preview or preview_dir is not None,
                    preview_dir,
                )
            )
        )

    return send


async def _send(
    open_bot: OpenBot,
    file: Path,
    audience_text: str,
    at: str,
    briefing: bool,
    approver: str,
    preview: bool,
    preview_dir: Path | None = None,
) -> int:
    from bot.broadcasts import flows, rules, sweeps
    from bot.broadcasts.markdown import MarkdownProblem, parse
    from bot.cards import adaptive, blockkit
    from bot.cards.text import render_text
    from bot.dialogs.forms import load_staff_names, screen_fields
    from bot.store import directory

    try:
        content = parse(_read(file), "briefing" if briefing else "newsletter", file.stem)
    except MarkdownProblem as exc:
        console.print(f"[red]The file cannot be sent:[/red] {exc}")
        return CANNOT_START
    runtime = open_bot(cli_settings())
    await runtime.start()
    try:
        async with runtime.db.session() as session:
            ctx = runtime.bot.context(session, None)
            audience = rules.parse_audience(audience_text, ctx.framework.channels.teams)
            if isinstance(audience, str):
                console.print(f"[red]Audience:[/red] {audience}")
                return CANNOT_START
            when = _when(at, ctx.tz) if at else None
            if isinstance(when, str):
                console.print(f"[red]--at:[/red] {when}")
                return CANNOT_START
            await load_staff_names(ctx)
            flagged = screen_fields(ctx, [(lb, lb, tx) for lb, tx in content.free_text()])
            if flagged:
                console.print("[red]Nothing was sent:[/red] this may identify a child:")
                for _, label, finding in flagged:
                    console.print(f"  {label}: “{finding.excerpt}”", highlight=False)
                console.print("Use the case record number only, or remove it, and try again.")
                return PARTLY_OR_NOT_DONE
            broadcast = await flows.new_draft(ctx, content, audience)
            parts = flows.message_cards(ctx, broadcast)
            console.print(f"To: {audience.describe()}", highlight=False)
            for card in parts:
                text, _ = render_text(card)
                console.print(text, highlight=False, markup=False)
                blocks = len(blockkit.render_message(card)["blocks"])
                size = adaptive.size_of(adaptive.render(card))
                console.print(f"[dim](Slack: {blocks} blocks; Teams card: {size:,} bytes)[/dim]")
            if preview_dir is not None:
                _write_previews(preview_dir, parts)
            if preview:
                await session.rollback()
                console.print("Preview only: nothing was saved or sent.")
                return DONE
            person = await directory.person_by_email(session, approver) if approver else None
            if approver and (person is None or "qa_team" not in person.role_names):
                await session.rollback()
                console.print(f"[red]{approver} does not have the QA role:[/red] nothing sent.")
                return PARTLY_OR_NOT_DONE
            if person is None:
                # The proposed time stays on the draft: the approver sees it and can accept it.
                broadcast.send_at = when
                await sweeps.send_review(ctx, broadcast)
                console.print("Sent to the QA team channel as a draft to approve there.")
                if when is not None:
                    console.print(
                        f"Proposed time: {when.astimezone(ctx.tz):%H:%M on %-d %B %Y}; "
                        "the approver can accept it or choose another."
                    )
                return DONE
            ctx.person = person
            await flows.approve(ctx, broadcast, when)
            ctx.person = None
        runtime.bot.outbox_signal.set()
        moment = "now" if when is None else f"at {when:%H:%M on %-d %B %Y}"
        console.print(f"Approved by {approver}; sending {moment}. Broadcast {broadcast.id}.")
        return DONE
    finally:
        await runtime.stop()


def _write_previews(directory: Path, parts: list[Any]) -> None:
    """Each part as Teams will show it (Adaptive Card JSON, for the Designer) and as Slack
    will (Block Kit JSON, for the Block Kit Builder)."""
    import json

    from bot.cards import adaptive, blockkit

    directory.mkdir(parents=True, exist_ok=True)
    for index, card in enumerate(parts, start=1):
        for platform, payload in (
            ("teams", adaptive.render(card)),
            ("slack", blockkit.render_message(card)),
        ):
            path = directory / f"part-{index}.{platform}.json"
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    console.print(f"Wrote the Teams and Slack previews of {len(parts)} part(s) to {directory}.")


def _when(text: str, tz: object) -> datetime | str:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=tz)  # type: ignore[arg-type]
    except ValueError:
        return 'write the time as "2026-12-01 09:00"'


def newsletter_export(
    file: FileArg,
    out: Annotated[Path, typer.Option(help="The file to write")],
    format: Annotated[str, typer.Option("--format", help="md or html")] = "html",
) -> None:
    """Export a newsletter written in Markdown as Markdown or a standalone HTML page."""
    from bot.broadcasts.markdown import MarkdownProblem, parse

    try:
        content = parse(_read(file), "newsletter", file.stem)
    except MarkdownProblem as exc:
        console.print(f"[red]The file cannot be read:[/red] {exc}")
        raise typer.Exit(CANNOT_START) from None
    raise typer.Exit(_write(content, format, out))


def _write(content: object, format: str, out: Path) -> int:
    from bot.broadcasts import export, flows
    from bot.broadcasts.content import Chart, Content

    assert isinstance(content, Content)
    if format not in ("md", "html"):
        console.print("[red]--format[/red] must be md or html.")
        return CANNOT_START
    if format == "md":
        text = export.to_markdown(content)
    else:
        charts = flows.charts_module()

        def png(chart: Chart) -> bytes | None:
            return charts.render_png(chart.distribution()) if charts is not None else None

        text = export.to_html(content, png)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        console.print(f"[red]Cannot write {out}:[/red] {exc.strerror}")
        return CANNOT_START
    console.print(f"Wrote {out} ({len(text):,} characters).")
    return DONE


def digest_export_command(open_bot: OpenBot) -> Callable[..., None]:
    def digest_export(
        out: Annotated[Path, typer.Option(help="The file to write")],
        format: Annotated[str, typer.Option("--format", help="md or html")] = "html",
        period: Annotated[str, typer.Option(help='"Q2 2026-27", "2026-07" or "last"')] = "last",
        service: Annotated[
            str | None, typer.Option(help="Only this service (its name in the directory)")
        ] = None,
        team: Annotated[
            str | None, typer.Option(help="Only this team (its name in the directory)")
        ] = None,
    ) -> None:
        """Compose the QA digest for a period (and a service or a team) and export it."""
        if service is not None and team is not None:
            console.print("[red]Give --service or --team, not both.[/red]")
            raise typer.Exit(CANNOT_START)
        asked = rules.ScopeAsked(period, "service", service) if service is not None else None
        if team is not None:
            asked = rules.ScopeAsked(period, "team", team)
        asked = asked or rules.ScopeAsked(period)
        raise typer.Exit(asyncio.run(_digest_export(open_bot, out, format, asked)))

    return digest_export


async def _digest_export(open_bot: OpenBot, out: Path, format: str, asked: rules.ScopeAsked) -> int:
    from bot.broadcasts import flows

    runtime = open_bot(cli_settings())
    await runtime.start()
    try:
        async with runtime.db.session() as session:
            ctx = runtime.bot.context(session, None)
            digest = ctx.framework.broadcasts.digest
            if digest is None:
                console.print("This framework drafts no QA digest.")
                return CANNOT_START
            period = rules.parse_period(asked.period, ctx.today, digest)
            if isinstance(period, str):
                console.print(f"[red]--period:[/red] {period}")
                return CANNOT_START
            scope = await flows.resolve_scope(ctx, asked)
            if isinstance(scope, str):
                console.print(f"[red]--{asked.kind}:[/red] {scope}")
                return CANNOT_START
            content = await flows.compose_digest(ctx, period, scope)
        return _write(content, format, out)
    finally:
        await runtime.stop()


def report_command(open_bot: OpenBot) -> Callable[..., None]:
    def report(
        broadcast_id: Annotated[int, typer.Argument(help="The broadcast's number")],
        out: Annotated[Path, typer.Option(help="The CSV file to write")],
    ) -> None:
        """A broadcast's delivery report as CSV: every recipient and what happened."""
        raise typer.Exit(asyncio.run(_report(open_bot, broadcast_id, out)))

    return report


async def _report(open_bot: OpenBot, broadcast_id: int, out: Path) -> int:
    from bot.broadcasts import flows, store

    runtime = open_bot(cli_settings())
    await runtime.start()
    try:
        async with runtime.db.session() as session:
            broadcast = await store.by_id(session, broadcast_id)
            if broadcast is None:
                console.print(f"[red]No broadcast {broadcast_id}.[/red]")
                return CANNOT_START
            text = await flows.report_csv(runtime.bot.context(session, None), broadcast)
    finally:
        await runtime.stop()
    return _save(out, text)


def _save(out: Path, text: str) -> int:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        console.print(f"[red]Cannot write {out}:[/red] {exc.strerror}")
        return CANNOT_START
    console.print(f"Wrote {out}.")
    return DONE
