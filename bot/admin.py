"""Administrative operations shared by the CLI and chat: importing the staff directory and
forgetting a leaver."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.imports.staff import CsvFormatError, parse_staff_csv
from bot.runtime import Runtime
from bot.store import directory
from bot.store.directory import ImportReport
from bot.store.forget import Forgotten, forget_person

log = logging.getLogger(__name__)


class ImportNotKept(Exception):
    """Raised inside the import's unit of work to roll it back (a dry run, or not confirmed)."""


async def import_staff(
    runtime: Runtime,
    text: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    keep: Callable[[ImportReport], bool] | None = None,
) -> ImportReport:
    """Apply a staff CSV; link Slack accounts by email when Slack is configured.

    ``keep`` sees what the import would change before it is committed; when it answers False
    nothing is changed (``report.kept`` is False)."""
    report = ImportReport()
    try:
        records, errors = parse_staff_csv(text)
    except CsvFormatError as exc:
        report.errors.append(str(exc))
        report.unreadable = True
        return report
    report.errors.extend(errors)
    now = runtime.clock()
    try:
        async with runtime.db.session() as session:
            people = await directory.apply_staff(session, records, now, report)
            if keep is not None and not keep(report):
                raise ImportNotKept
            ids = [(p.id, p.email) for p in people]
            ctx = runtime.bot.context(session, None)
            ctx.audit.record(
                "directory.import",
                actor_id=None,
                details={
                    "created": report.created,
                    "updated": report.updated,
                    "deactivated": report.deactivated,
                    "errors": len(report.errors),
                },
            )
    except ImportNotKept:
        report.kept = False
        return report
    runtime.bot.people.forget()  # roles, teams and who is active may have changed
    log.info(
        "staff import: %d created, %d updated, %d unchanged, %d made inactive, %d bad rows",
        report.created,
        report.updated,
        report.unchanged,
        report.deactivated,
        len(report.errors),
    )
    if runtime.slack is not None:
        await _link_slack(runtime, ids, report, progress)
    return report


async def _link_slack(
    runtime: Runtime,
    people: list[tuple[int, str]],
    report: ImportReport,
    progress: Callable[[int, int], None] | None,
) -> None:
    assert runtime.slack is not None
    todo: list[tuple[int, str]] = []
    async with runtime.db.session() as session:
        for person_id, email in people:
            if await directory.identity_of(session, person_id, "slack") is None:
                todo.append((person_id, email))
    for done, (person_id, email) in enumerate(todo, 1):
        try:
            user_id = await runtime.slack.lookup_user_id(email)
        except Exception as exc:
            report.warnings.append(f"{email}: Slack lookup failed ({type(exc).__name__})")
            continue
        if user_id is None:
            report.warnings.append(f"{email}: no Slack account with this email")
        else:
            async with runtime.db.session() as session:
                person = await directory.person_by_id(session, person_id)
                if person is not None:
                    await directory.link_identity(
                        session, person, "slack", user_id, runtime.clock()
                    )
        if progress:
            progress(done, len(todo))


async def forget_leaver(runtime: Runtime, email: str) -> Forgotten | None:
    """Remove a leaver's personal data (``bot.store.forget``) and make the running bot forget
    who they were at once; None when no one has that email."""
    async with runtime.db.session() as session:
        done = await forget_person(session, email, runtime.clock())
    runtime.bot.people.forget()
    return done
