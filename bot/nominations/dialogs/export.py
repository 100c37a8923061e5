"""Exporting the Good Practice Library as CSV: for the QA team in chat (a download link that
works for 30 minutes) and for ``qabot library export``.

The chat command cannot attach a file on every platform (and not at all in the console), so it
answers with a link served by the bot at ``/library/export/<token>``. Only a hash of the token
is stored; the link expires, and every download is in the audit log. The CSV is built when it
is downloaded, from library entries, which never hold a case record number.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.cards.model import Button, Card, Facts, TextBlock
from bot.dialogs.base import Context, Reply, Router
from bot.domain.framework import Framework
from bot.domain.roles import Role
from bot.nominations import store
from bot.nominations.cards import day, moment
from bot.nominations.dialogs.library import library_problem, parse_query
from bot.nominations.store import LibraryEntry, LibraryExport
from bot.store.audit import AuditWriter
from bot.store.db import Database

log = logging.getLogger("bot.nominations.dialogs")

LINK_MINUTES = 30
HEADER = (
    "Reference",
    "Ratified on",
    "Theme",
    "Team",
    "Who",
    "What happened",
    "Difference made",
    "Seen in",
    "Evidence",
    "More information",
    "Family's voice",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def register(router: Router) -> None:
    router.command(
        "library export",
        "export library",
        summary="Download the Good Practice Library as a CSV file",
        roles={Role.QA_TEAM},
        usage="library export [words]",
    )(export_command)
    router.gallery(_gallery)


def _cell(value: str) -> str:
    """A spreadsheet never runs a cell as a formula ("=HYPERLINK(...)")."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def library_csv(entries: Iterable[LibraryEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in entries:
        writer.writerow(
            _cell(v)
            for v in (
                e.reference,
                e.ratified_on.isoformat(),
                e.theme,
                e.team_name or "",
                e.nominees,
                e.what_happened,
                e.difference_made,
                e.evidence_source,
                e.evidence,
                e.more_information,
                "Yes" if e.family_voice else "No",
            )
        )
    return out.getvalue()


def file_name(now: datetime) -> str:
    return f"good-practice-library-{now:%Y-%m-%d}.csv"


async def export_command(ctx: Context, args: str) -> list[Reply]:
    assert ctx.person is not None
    teams = await store.library_teams(ctx.session)
    query, problem = parse_query(args, ctx.framework.nominations.themes, teams)
    if problem:
        return [Reply(library_problem(problem))]
    entries = await store.all_library_entries(ctx.session, query)
    token = secrets.token_urlsafe(24)
    expires = ctx.now + timedelta(minutes=LINK_MINUTES)
    ctx.session.add(
        LibraryExport(
            token_hash=store.token_hash(token),
            person_id=ctx.person.id,
            query=args.strip()[:300],
            created_at=ctx.now,
            expires_at=expires,
            downloads=0,
        )
    )
    ctx.audit.record(
        "library.export",
        actor_id=ctx.person.id,
        details={"entries": len(entries), "filtered": bool(args.strip()), "via": "chat"},
    )
    log.info("library export link made by person %s (%d entries)", ctx.person.id, len(entries))
    url = f"{ctx.public_url}/library/export/{token}"
    return [Reply(export_card(url, entries, expires.astimezone(ctx.tz)))]


def export_card(url: str, entries: Sequence[LibraryEntry], expires: datetime) -> Card:
    themes = len({e.theme for e in entries})
    newest = max((e.ratified_on for e in entries), default=None)
    count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
    text = f"The Good Practice Library as a CSV file: {count}."
    return Card(
        name="library_export",
        title="Library export ready",
        fallback=f"{text} Download it from {url} before {moment(expires)}.",
        body=[
            TextBlock(text=text, style="good"),
            Facts(
                facts=[
                    ("Entries", str(len(entries))),
                    ("Themes", str(themes)),
                    ("Newest", day(newest) if newest else "none yet"),
                    ("Link works until", moment(expires)),
                ]
            ),
            TextBlock(
                text="The file holds no case record numbers. Anyone with the link can download "
                "it until it expires, so don't forward it; ask me for a new one any time.",
                style="subtle",
            ),
        ],
        buttons=[Button(label="Download CSV", url=url, style="primary")],
    )


async def download(
    db: Database, framework: Framework, token: str, now: datetime
) -> tuple[str, str] | None:
    """The file name and CSV for a valid, unexpired link; None otherwise. Audited."""
    if not token or len(token) > 200:
        return None
    async with db.session() as session:
        export = await store.library_export_by_token(session, token)
        if export is None or export.expires_at <= now:
            return None
        teams = await store.library_teams(session)
        query, _ = parse_query(export.query, framework.nominations.themes, teams)
        entries = await store.all_library_entries(session, query)
        export.downloads += 1
        AuditWriter(session, now).record(
            "library.download",
            actor_id=export.person_id,
            details={"export": export.id, "entries": len(entries)},
        )
        return file_name(now), library_csv(entries)


def _gallery() -> list[Card]:
    from bot.nominations.dialogs.library import _sample_entry

    expires = datetime(2026, 11, 30, 10, 30)
    return [
        export_card("https://qabot.example.org/library/export/abc123", [_sample_entry()], expires)
    ]
