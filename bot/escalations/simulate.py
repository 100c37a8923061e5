"""``qabot disputes simulate``: one dispute raised, then the real sweeps on a fake clock, listing
every reminder, deadline prompt and escalation it would produce if nobody acted.

A fresh SQLite database in a temporary folder gets the staff list; the dispute is raised at the
start of the first day as the given person; the clock then steps through each working day's
working hours (and the morning summary time), calling the sweeps of every area.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import QABot
from bot.dialogs.base import Router
from bot.domain.framework import Framework
from bot.domain.workdays import WorkingCalendar
from bot.escalations import flows
from bot.imports.staff import CsvFormatError, parse_staff_csv
from bot.store import directory, outbox
from bot.store.db import Database

LONDON = ZoneInfo("Europe/London")


class SimulationError(ValueError):
    """The inputs cannot be simulated (no such ladder, stage or person)."""


@dataclass(frozen=True)
class DisputeScenario:
    ladder: str
    raised_by: str
    other: str = ""
    other_name: str = "The other professional"
    other_agency: str = "Another agency"
    start_stage: int = 0


@dataclass(frozen=True)
class SimulatedMessage:
    at: datetime
    to: str
    kind: str
    card: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "to": self.to,
            "kind": self.kind,
            "card": self.card,
            "text": self.text,
        }

    def as_text(self) -> str:
        return f"{self.at:%a %d %b %Y %H:%M}  {self.to:<32}  {self.card:<16}  {self.text}"


@dataclass
class Simulation:
    messages: list[SimulatedMessage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def simulate(
    framework: Framework,
    staff_csv: str,
    scenario: DisputeScenario,
    start: date,
    end: date,
    *,
    router: Router,
    tz: ZoneInfo = LONDON,
    step_minutes: int = 60,
) -> Simulation:
    if end < start:
        raise SimulationError("--to is before --from")
    ladder = framework.escalations.ladder(scenario.ladder)
    if ladder is None:
        known = ", ".join(lad.key for lad in framework.escalations.ladders) or "none"
        raise SimulationError(f"no ladder {scenario.ladder!r} (this framework has: {known})")
    if scenario.start_stage not in ladder.start_choices:
        raise SimulationError(f"{ladder.name} cannot start at stage {scenario.start_stage + 1}")
    try:
        records, errors = parse_staff_csv(staff_csv)
    except CsvFormatError as exc:
        raise SimulationError(f"staff file: {exc}") from None
    if not records:
        raise SimulationError("the staff file has no usable rows")
    with tempfile.TemporaryDirectory(prefix="qabot-disputes-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'simulation.db'}")
        try:
            await db.upgrade()
            result = Simulation(warnings=[f"staff file {e}" for e in errors])
            start_at = datetime.combine(start, framework.calendar.working_hours_start, tzinfo=tz)
            clock = _Clock(start_at)
            bot = QABot(
                db=db, router=router, framework=framework, tz=tz, clock=clock, platforms=set()
            )
            async with db.session() as session:
                await directory.apply_staff(session, records, clock(), directory.ImportReport())
            await _raise(bot, scenario)
            emails = await _emails(db)
            last = await _collect(db, 0, emails, tz, result)
            for moment in _ticks(framework, start, end, tz, step_minutes):
                clock.now = moment
                await bot.run_sweeps()
                last = await _collect(db, last, emails, tz, result)
            return result
        finally:
            await db.dispose()


async def _raise(bot: QABot, scenario: DisputeScenario) -> None:
    async with bot.db.session() as session:
        raiser = await directory.person_by_email(session, scenario.raised_by.lower())
        if raiser is None:
            raise SimulationError(f"{scenario.raised_by} is not in the staff file")
        other = None
        if scenario.other:
            other = await directory.person_by_email(session, scenario.other.lower())
            if other is None:
                raise SimulationError(f"{scenario.other} is not in the staff file")
        ctx = bot.context(session, raiser)
        ladder = ctx.framework.escalations.ladder(scenario.ladder)
        assert ladder is not None
        await flows.open_dispute(
            ctx,
            flows.NewDispute(
                ladder=ladder,
                other_person=other,
                other_name=other.name if other else scenario.other_name,
                other_agency=scenario.other_agency,
                case_reference="",
                category=ctx.framework.escalations.categories[0],
                resolution_sought="(simulated)",
                start_index=scenario.start_stage,
            ),
        )


def _ticks(
    framework: Framework, start: date, end: date, tz: ZoneInfo, step_minutes: int
) -> Iterator[datetime]:
    rules = framework.calendar
    cal = WorkingCalendar.from_settings(rules)
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
                yield datetime.combine(day, at, tzinfo=tz)
        day += timedelta(days=1)


async def _emails(db: Database) -> dict[int, str]:
    async with db.session() as session:
        return await directory.emails_by_id(session)


async def _collect(
    db: Database, after: int, emails: dict[int, str], tz: ZoneInfo, result: Simulation
) -> int:
    async with db.session() as session:
        last = after
        for row in await outbox.posts_after(session, after):
            last = max(last, row.id)
            to = emails.get(row.person_id or 0, row.route or "?")
            text = str(row.payload.get("fallback", ""))[:160].replace("\n", " ")
            result.messages.append(
                SimulatedMessage(
                    row.next_attempt_at.astimezone(tz), to, row.kind, row.card_name, text
                )
            )
    return last
