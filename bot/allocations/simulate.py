"""``qabot simulate``: run the real sweeps on a fake clock and list every message they would send.

A fresh SQLite database in a temporary folder gets the staff list and the allocations (confirmed
at the start, as if the QA team had pressed Confirm); then the clock steps through each working
day's working hours, calling the same sweeps the scheduler runs. Nobody acts in a simulation,
so it shows the worst case: every reminder, escalation and digest the framework would produce.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.allocations.dialogs.propose import confirm_cycle, propose_from_rows
from bot.allocations.dialogs.support import calendar_of
from bot.allocations.imports import CsvFormatError, parse_allocations_csv
from bot.app import QABot
from bot.dialogs.base import Router
from bot.domain.framework import Framework
from bot.imports.staff import CsvFormatError as StaffFormatError
from bot.imports.staff import parse_staff_csv
from bot.store import directory, outbox
from bot.store.db import Database

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class SimulatedMessage:
    at: datetime
    to: str
    kind: str
    card: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "to": self.to,
            "kind": self.kind,
            "card": self.card,
            "reason": self.reason,
        }

    def as_text(self) -> str:
        when = f"{self.at:%a %d %b %Y %H:%M}"
        return f"{when}  {self.kind:<10}  {self.to:<32}  {self.card:<20}  {self.reason}"


@dataclass
class Simulation:
    messages: list[SimulatedMessage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    allocations: int = 0


class SimulationError(ValueError):
    """The inputs cannot be simulated at all (no staff, no usable allocation); ``problems``
    names the lines left out and why."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def simulate(
    framework: Framework,
    staff_csv: str,
    allocations_csv: str,
    start: date,
    end: date,
    *,
    router: Router,
    tz: ZoneInfo = LONDON,
    step_minutes: int = 60,
) -> Simulation:
    """Every message from ``start`` to ``end`` (inclusive), in the order it would be sent."""
    if end < start:
        raise SimulationError("--to is before --from")
    if not 5 <= step_minutes <= 240:
        raise SimulationError("the step must be between 5 and 240 minutes")
    with tempfile.TemporaryDirectory(prefix="qabot-simulate-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'simulation.db'}")
        try:
            return await _run(
                db, router, framework, staff_csv, allocations_csv, start, end, tz, step_minutes
            )
        finally:
            await db.dispose()


async def _run(
    db: Database,
    router: Router,
    framework: Framework,
    staff_csv: str,
    allocations_csv: str,
    start: date,
    end: date,
    tz: ZoneInfo,
    step_minutes: int,
) -> Simulation:
    result = Simulation()
    await db.upgrade()
    rules = framework.calendar
    clock = _Clock(datetime.combine(start, rules.working_hours_start, tzinfo=tz))
    bot = QABot(db=db, router=router, framework=framework, tz=tz, clock=clock, platforms=set())
    try:
        records, staff_errors = parse_staff_csv(staff_csv)
    except StaffFormatError as exc:
        raise SimulationError(f"staff file: {exc}") from None
    result.errors += [f"staff file {e}" for e in staff_errors]
    if not records:
        raise SimulationError("the staff file has no usable rows", result.errors)
    try:
        parsed = parse_allocations_csv(allocations_csv, framework)
    except CsvFormatError as exc:
        raise SimulationError(f"allocations file: {exc}") from None
    async with db.session() as session:
        report = directory.ImportReport()
        await directory.apply_staff(session, records, clock(), report)
        result.warnings += [f"staff file {w}" for w in report.warnings]
    async with db.session() as session:
        ctx = bot.context(session, None)
        proposal = await propose_from_rows(ctx, parsed.rows, parsed.errors)
        result.errors += [f"allocations file {e}" for e in proposal.errors]
        if proposal.cycle is None:
            raise SimulationError("no allocation in the file can be used", result.errors)
        result.warnings += [
            f"allocations file {p}" for p in proposal.cycle.problems if not p.startswith("left out")
        ]
        await confirm_cycle(ctx, proposal.cycle)
        result.allocations = len(parsed.rows) - len(proposal.errors) + len(parsed.errors)
    emails = await _emails(db)
    last_id = 0
    for moment in _ticks(framework, start, end, tz, step_minutes):
        clock.now = moment
        await bot.run_sweeps()
        last_id = await _collect(db, last_id, emails, tz, result)
    await _collect(db, last_id, emails, tz, result)
    result.messages.sort(key=lambda m: m.at)
    return result


def _ticks(
    framework: Framework, start: date, end: date, tz: ZoneInfo, step_minutes: int
) -> Iterator[datetime]:
    """Every step through each working day's working hours, and the morning summary time."""
    rules = framework.calendar
    cal = calendar_of(framework)
    day = start
    while day <= end:
        if cal.is_working_day(day):
            times = {rules.morning_summary_at}
            moment = datetime.combine(day, rules.working_hours_start)
            close = datetime.combine(day, rules.working_hours_end)
            while moment < close:
                times.add(moment.time())
                moment += timedelta(minutes=step_minutes)
            for at in sorted(times):
                yield _local(day, at, tz)
        day += timedelta(days=1)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


async def _emails(db: Database) -> dict[int, str]:
    async with db.session() as session:
        return await directory.emails_by_id(session)


async def _collect(
    db: Database, after: int, emails: dict[int, str], tz: ZoneInfo, result: Simulation
) -> int:
    async with db.session() as session:
        rows = await outbox.posts_after(session, after)
        last = after
        for row in rows:
            last = max(last, row.id)
            to = (
                emails.get(row.person_id, f"person {row.person_id}")
                if row.person_id is not None
                else row.route or "?"
            )
            result.messages.append(
                SimulatedMessage(
                    at=row.next_attempt_at.astimezone(tz),
                    to=to,
                    kind=row.kind,
                    card=row.card_name,
                    reason=row.reason or "",
                )
            )
    return last
