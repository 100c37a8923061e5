"""The disputes' own rules: statuses, the case-note text and the quarterly report. Pure: no
store, no I/O. The stage clocks, the order of stages and what the deadline sweep should do are
the shared ladder engine's (``bot.domain.ladder_engine``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from bot.domain.ladders import Ladder
from bot.domain.workdays import WorkingCalendar

OPEN = "open"
RESOLVED = "resolved"
WITHDRAWN = "withdrawn"
CLOSED_STATUSES = (RESOLVED, WITHDRAWN)

# Event kinds, in the words the case note uses.
EVENT_WORDS = {
    "opened": "Raised",
    "escalated": "Escalated",
    "auto_escalated": "Escalated by the bot at the stage deadline",
    "note": "Note",
    "resolved": "Resolved",
    "withdrawn": "Withdrawn",
}


# --- the case note ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteParty:
    role: str
    name: str
    agency: str = ""

    def words(self) -> str:
        agency = f", {self.agency}" if self.agency else ""
        return f"{self.name} ({self.role}{agency})"


@dataclass(frozen=True)
class NoteEvent:
    on: date
    kind: str
    stage: str
    by: NoteParty | None
    text: str = ""


@dataclass(frozen=True)
class CaseNoteFacts:
    number: int
    ladder: Ladder
    case_reference: str
    category: str
    resolution_sought: str
    raised_by: NoteParty
    other: NoteParty
    stage_index: int
    status: str
    outcome: str
    events: tuple[NoteEvent, ...]


def case_note_text(facts: CaseNoteFacts) -> str:
    """The note the local protocol asks for (RPD, DRP alert, audit dispute): dates, stages,
    parties by role and name, the disagreement and the outcome. The child is referred to only
    by the case-record number."""
    ladder = facts.ladder
    stage = ladder.stages[facts.stage_index]
    state = {
        OPEN: f"Open at {stage.name}",
        RESOLVED: f"Resolved at {stage.name}",
        WITHDRAWN: f"Withdrawn at {stage.name}",
    }.get(facts.status, facts.status)
    lines = [
        f"{ladder.note_title} case note: {ladder.name}, dispute {facts.number}",
        f"Case reference: {facts.case_reference or 'not given'}",
        f"Status: {state}",
        f"Raised by: {facts.raised_by.words()}",
        f"With: {facts.other.words()}",
        f"Category: {facts.category}",
        f"Resolution sought: {facts.resolution_sought}",
        "History:",
    ]
    for event in facts.events:
        by = f" by {event.by.words()}" if event.by else ""
        text = f": {event.text}" if event.text else ""
        word = EVENT_WORDS.get(event.kind, event.kind)
        lines.append(f"- {event.on.strftime('%d/%m/%Y')} {event.stage}. {word}{by}{text}")
    if facts.status == RESOLVED:
        lines.append(f"Agreed outcome: {facts.outcome}")
    elif facts.status == WITHDRAWN:
        lines.append(f"Reason withdrawn: {facts.outcome or 'not given'}")
    lines.append(f"To record: {stage.record}")
    return "\n".join(lines)


# --- the quarterly report ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One dispute, as Dudley's DRP quarterly report counts it."""

    number: int
    ladder: str
    stage_reached: str
    agency: str
    category: str
    status: str
    opened_on: date
    closed_on: date | None
    # Working days from raising to resolution (None while open or when withdrawn).
    working_days: int | None


def report_row(
    calendar: WorkingCalendar,
    number: int,
    ladder: Ladder,
    stage_index: int,
    agency: str,
    category: str,
    status: str,
    opened_on: date,
    closed_on: date | None,
) -> ReportRow:
    days = (
        calendar.working_days_between(opened_on, closed_on)
        if status == RESOLVED and closed_on is not None
        else None
    )
    return ReportRow(
        number=number,
        ladder=ladder.name,
        stage_reached=ladder.stages[stage_index].name,
        agency=agency or "Own agency",
        category=category,
        status=status,
        opened_on=opened_on,
        closed_on=closed_on,
        working_days=days,
    )


def _count(values: list[str]) -> list[tuple[str, str]]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return [(k, str(v)) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def quarterly_counts(rows: list[ReportRow]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The report's sections: counts by ladder, stage reached, agency, category and status,
    and the working days to resolution (also the digests' input)."""
    resolved = sorted(r.working_days for r in rows if r.working_days is not None)
    timing: list[tuple[str, str]] = [("Resolved", str(len(resolved)))]
    if resolved:
        middle = resolved[len(resolved) // 2]
        timing += [
            ("Fewest working days", str(resolved[0])),
            ("Median working days", str(middle)),
            ("Most working days", str(resolved[-1])),
        ]
    return [
        ("By ladder", _count([r.ladder for r in rows])),
        ("By stage reached", _count([r.stage_reached for r in rows])),
        ("By agency", _count([r.agency for r in rows])),
        ("By category", _count([r.category for r in rows])),
        ("By status", _count([r.status for r in rows])),
        ("Working days to resolution", timing),
    ]


CSV_HEADER = (
    "dispute",
    "ladder",
    "stage_reached",
    "agency",
    "category",
    "status",
    "opened_on",
    "closed_on",
    "working_days_to_resolution",
)


def report_csv(rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow(
            [
                r.number,
                r.ladder,
                r.stage_reached,
                r.agency,
                r.category,
                r.status,
                r.opened_on.isoformat(),
                r.closed_on.isoformat() if r.closed_on else "",
                "" if r.working_days is None else r.working_days,
            ]
        )
    return out.getvalue()
