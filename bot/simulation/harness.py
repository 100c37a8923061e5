"""The simulation harness: a scratch database, a fake clock and a recorder of the outbox.

A fresh SQLite database in a temporary folder gets the staff list; every area then seeds its
part (``Router.simulation``: allocations confirmed, feedback logged on its dates, a sample
dispute). The clock steps through each working day's working hours (and the morning summary
time), running every sweep of the router as the scheduler would. Nobody acts, so it shows the
worst case: every reminder, nudge, escalation, prompt and digest the framework would produce.
The core never imports an area: the router comes from the composition root.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import QABot
from bot.dialogs.base import Context, Planned, Router, Seeded, SummaryItem, SummarySource
from bot.domain.framework import Framework
from bot.domain.simulation import SimulationError, SimulationInputs
from bot.domain.workdays import WorkingCalendar
from bot.imports.staff import CsvFormatError, parse_staff_csv
from bot.store import directory, outbox
from bot.store.db import Database
from bot.store.directory import StaffRecord

LONDON = ZoneInfo("Europe/London")
# Called after each simulated working day: the day, days done, days in all.
Progress = Callable[[date, int, int], None]


@dataclass(frozen=True)
class SimulatedMessage:
    at: datetime
    to: str
    kind: str
    card: str
    reason: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "to": self.to,
            "kind": self.kind,
            "card": self.card,
            "reason": self.reason,
            "text": self.text,
        }

    def as_text(self) -> str:
        when = f"{self.at:%a %d %b %Y %H:%M}"
        about = self.reason or self.text
        return f"{when}  {self.kind:<10}  {self.to:<32}  {self.card:<20}  {about}"


@dataclass
class Simulation:
    messages: list[SimulatedMessage] = field(default_factory=list)
    # What the areas set up, and what they could use only in part.
    seeded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Morning-summary lines that reached someone, by what they are about (the second part of
    # their key: ``nudge:quota:...`` is "quota", ``nudge:dispute:...`` is "dispute").
    summary_lines: Counter[str] = field(default_factory=Counter)

    def counts(self) -> Counter[str]:
        return Counter(m.kind for m in self.messages)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def simulate(
    framework: Framework,
    staff_csv: str,
    inputs: SimulationInputs,
    *,
    router: Router,
    tz: ZoneInfo = LONDON,
    step_minutes: int = 60,
    progress: Progress | None = None,
) -> Simulation:
    """Every message from ``inputs.start`` to ``inputs.end`` (inclusive), in sending order."""
    if inputs.end < inputs.start:
        raise SimulationError("--to is before --from")
    if not 5 <= step_minutes <= 240:
        raise SimulationError("the step must be between 5 and 240 minutes")
    try:
        records, staff_errors = parse_staff_csv(staff_csv)
    except CsvFormatError as exc:
        raise SimulationError(f"staff file: {exc}") from None
    if staff_errors or not records:
        problems = [f"staff file {e}" for e in staff_errors]
        raise SimulationError("the staff file has bad lines" if records else "no staff", problems)
    with tempfile.TemporaryDirectory(prefix="qabot-simulate-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'simulation.db'}")
        try:
            await db.upgrade()
            run = _Run(db, router, framework, inputs, tz)
            await run.seed(records)
            await run.step_through(step_minutes, progress)
            return run.result
        finally:
            await db.dispose()


class _Run:
    def __init__(
        self,
        db: Database,
        router: Router,
        framework: Framework,
        inputs: SimulationInputs,
        tz: ZoneInfo,
    ) -> None:
        self.db, self.framework, self.inputs, self.tz = db, framework, inputs, tz
        self.result = Simulation()
        start = datetime.combine(inputs.start, framework.calendar.working_hours_start, tzinfo=tz)
        self.clock = _Clock(start)
        # Summary items offered this tick, by person: counted when that person's summary goes.
        self.offered: dict[int, dict[str, str]] = defaultdict(dict)
        self.sent_keys: set[str] = set()
        recording = [self._recording(source) for source in router.summary_sources]
        self.bot = QABot(
            db=db,
            router=dataclasses.replace(router, summary_sources=recording),
            framework=framework,
            tz=tz,
            clock=self.clock,
            platforms=set(),
        )
        self.router = router
        self.later: list[Planned] = []
        self.emails: dict[int, str] = {}
        self.last_id = 0

    def _recording(self, source: SummarySource) -> SummarySource:
        async def offered(ctx: Context) -> list[SummaryItem]:
            items = await source(ctx)
            for item in items:
                parts = item.key.split(":")
                self.offered[item.person_id][item.key] = parts[1] if len(parts) > 1 else "other"
            return items

        return offered

    async def seed(self, records: list[StaffRecord]) -> None:
        async with self.db.session() as session:
            report = directory.ImportReport()
            await directory.apply_staff(session, records, self.clock(), report)
            self.result.warnings += [f"staff file {w}" for w in report.warnings]
        problems: list[str] = []
        for seed in self.router.simulation_seeds:
            try:
                async with self.db.session() as session:
                    seeded: Seeded = await seed(self.bot.context(session, None), self.inputs)
            except SimulationError as exc:
                problems += exc.problems or [str(exc)]
                continue
            self.result.seeded += seeded.done
            self.result.warnings += seeded.warnings
            self.later += seeded.later
        if problems:
            raise SimulationError("the inputs have problems", problems)
        self.later.sort(key=lambda planned: planned[0])
        async with self.db.session() as session:
            self.emails = await directory.emails_by_id(session)
        await self._collect()

    async def step_through(self, step_minutes: int, progress: Progress | None) -> None:
        days = working_days(self.framework, self.inputs.start, self.inputs.end)
        if progress is not None and days:
            progress(days[0], 0, len(days))
        for number, day in enumerate(days, start=1):
            for moment in ticks(self.framework, day, self.tz, step_minutes):
                self.clock.now = moment
                await self._due_plans(day)
                await self.bot.run_sweeps()
                await self._collect()
            if progress is not None:
                progress(day, number, len(days))
        self.result.messages.sort(key=lambda m: m.at)

    async def _due_plans(self, today: date) -> None:
        while self.later and self.later[0][0] <= today:
            _, run = self.later.pop(0)
            async with self.db.session() as session:
                await run(self.bot.context(session, None))

    async def _collect(self) -> None:
        async with self.db.session() as session:
            rows = await outbox.posts_after(session, self.last_id)
        for row in rows:
            self.last_id = max(self.last_id, row.id)
            person = row.person_id
            to = self.emails.get(person, f"person {person}") if person else row.route or "?"
            text = str(row.payload.get("fallback", ""))[:160].replace("\n", " ")
            at = row.next_attempt_at.astimezone(self.tz)
            self.result.messages.append(
                SimulatedMessage(at, to, row.kind, row.card_name, row.reason or "", text)
            )
            if person is not None and row.kind == "reminder":
                self._count_lines(person)
        self.offered.clear()

    def _count_lines(self, person_id: int) -> None:
        for key, about in self.offered.pop(person_id, {}).items():
            if key not in self.sent_keys:
                self.sent_keys.add(key)
                self.result.summary_lines[about] += 1


def working_days(framework: Framework, start: date, end: date) -> list[date]:
    cal = WorkingCalendar.from_settings(framework.calendar)
    count = (end - start).days + 1
    days = (start + timedelta(days=n) for n in range(count))
    return [day for day in days if cal.is_working_day(day)]


def ticks(framework: Framework, day: date, tz: ZoneInfo, step_minutes: int) -> Iterator[datetime]:
    """Every step through the day's working hours, and the morning summary time."""
    rules = framework.calendar
    times = {rules.morning_summary_at}
    moment = datetime.combine(day, rules.working_hours_start)
    close = datetime.combine(day, rules.working_hours_end)
    while moment < close:
        times.add(moment.time())
        moment += timedelta(minutes=step_minutes)
    for at in sorted(times):
        yield datetime.combine(day, at, tzinfo=tz)
