"""Parse the QA team's allocation CSV and cohort lists, with one message per bad line.

Allocations: ``case_ref,team,activity,assignee_email,moderator_email,cycle`` plus the optional
columns ``allocated_on`` (default today), ``due_on`` (overrides the activity's deadline rule),
``target_on`` (the target day of an activity whose deadline is relative to one, such as a Team
Spotlight) and ``service``.

Cohort (the cases a cycle is sampled from): ``case_ref,team`` and optionally ``service``.

What can be checked without the directory is checked here (the case reference's format, the
activity, emails, dates); people and teams are checked when the proposal is built.
The same text can come from a file, from an upload in chat or pasted into a message, so
``clean_pasted_text`` first undoes what chat clients do to pasted text (code fences, mail
links, HTML line breaks, tab-separated cells copied from a spreadsheet).
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from bot.domain.activities import ActivityType, RelativeToTarget
from bot.domain.framework import Framework

ALLOCATION_COLUMNS = ("case_ref", "team", "activity", "assignee_email", "moderator_email", "cycle")
ALLOCATION_OPTIONAL = ("allocated_on", "due_on", "target_on", "service")
COHORT_COLUMNS = ("case_ref", "team")
COHORT_OPTIONAL = ("service",)
EMAIL = re.compile(r"^[^@\s,;<>|]+@[^@\s,;<>|]+\.[^@\s,;<>|]+$")
MAX_FIELD = 300
MAX_ROWS = 5000
MAX_TEXT = 1_000_000
T = TypeVar("T")

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*$")
_SLACK_LINK = re.compile(r"<(?:mailto:|https?://)[^|>\s]{1,300}\|([^>\n]{1,300})>")
_SLACK_BARE_MAIL = re.compile(r"<mailto:([^|>\s]{1,300})>")
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:p|div|span|pre|code)(?:\s[^>]{0,200})?>", re.IGNORECASE)


class CsvFormatError(ValueError):
    """The text as a whole cannot be read (empty, too big, wrong header)."""


@dataclass(frozen=True)
class AllocationRow:
    line: int
    case_ref: str
    team: str
    activity: str
    assignee_email: str
    moderator_email: str
    cycle: str
    allocated_on: date | None = None
    due_on: date | None = None
    target_on: date | None = None
    service: str = ""


@dataclass(frozen=True)
class CohortRow:
    line: int
    case_ref: str
    team: str
    service: str = ""


@dataclass
class Parsed(Generic[T]):
    rows: list[T] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def clean_pasted_text(text: str) -> str:
    """Plain CSV from text pasted into Slack, Teams or a terminal."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub("", text)
    text = _SLACK_LINK.sub(r"\1", text)
    text = _SLACK_BARE_MAIL.sub(r"\1", text)
    text = html.unescape(text).replace("\u00a0", " ")
    lines = [line for line in text.split("\n") if not _FENCE.match(line)]
    return "\n".join(lines).strip("\n")


def csv_from_message(text: str, header_start: str) -> str | None:
    """The CSV part of a chat message: from the line that starts with the header onwards."""
    cleaned = clean_pasted_text(text)
    lines = cleaned.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip().strip("`").strip()
        if stripped.lower().startswith(header_start):
            lines[index] = stripped
            return "\n".join(lines[index:])
    return None


def parse_allocations_csv(text: str, framework: Framework) -> Parsed[AllocationRow]:
    reader = _reader(text, ALLOCATION_COLUMNS)
    parsed: Parsed[AllocationRow] = Parsed()
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(reader, parsed.errors):
        try:
            record = _allocation(row, line, framework)
        except ValueError as exc:
            parsed.errors.append(f"line {line}: {exc}")
            continue
        if record.case_ref:
            key = (record.case_ref, record.activity, record.cycle)
            if key in seen:
                parsed.errors.append(
                    f"line {line}: case {record.case_ref} already has this activity in this "
                    f"cycle on line {seen[key]}"
                )
                continue
            seen[key] = line
        parsed.rows.append(record)
    return parsed


def parse_cohort_csv(text: str, framework: Framework) -> Parsed[CohortRow]:
    reader = _reader(text, COHORT_COLUMNS)
    parsed: Parsed[CohortRow] = Parsed()
    seen: dict[str, int] = {}
    for line, row in _rows(reader, parsed.errors):
        try:
            case_ref = _case_ref(_cell(row, "case_ref"), framework, required=True)
            team = _cell(row, "team")
            if not team:
                raise ValueError("team is empty (the case's team, so no one audits their own)")
        except ValueError as exc:
            parsed.errors.append(f"line {line}: {exc}")
            continue
        if case_ref in seen:
            parsed.errors.append(f"line {line}: case {case_ref} is also on line {seen[case_ref]}")
            continue
        seen[case_ref] = line
        parsed.rows.append(CohortRow(line, case_ref, team, _cell(row, "service")))
    return parsed


def find_activity(framework: Framework, text: str) -> ActivityType | None:
    """An activity by its key (``practice_evaluation``) or its name, ignoring case."""
    wanted = text.strip().lower()
    if not wanted:
        return None
    as_key = wanted.replace(" ", "_").replace("-", "_")
    for activity in framework.activities:
        if activity.key == as_key or activity.name.lower() == wanted:
            return activity
    return None


# --- internals ----------------------------------------------------------------------------


def _reader(text: str, required: tuple[str, ...]) -> csv.DictReader[str]:
    if len(text) > MAX_TEXT:
        raise CsvFormatError(
            f"the file is {len(text) // 1000} KB; the limit is {MAX_TEXT // 1000} KB "
            f"(about {MAX_ROWS} rows): split it into smaller files"
        )
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise CsvFormatError("the file is empty; the first row must be " + ",".join(required))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    if delimiter == "," and ";" in first and "," not in first:
        delimiter = ";"
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvFormatError(
            f"the header row must be {','.join(required)}; missing: {', '.join(missing)}"
        )
    reader.fieldnames = header
    return reader


def _rows(
    reader: csv.DictReader[str], errors: list[str]
) -> list[tuple[int, dict[str | None, str | list[str] | None]]]:
    rows: list[tuple[int, dict[str | None, str | list[str] | None]]] = []
    try:
        for row in reader:
            line = reader.line_num
            values = [v for k, v in row.items() if k is not None]
            if all(not (v or "").strip() for v in values if isinstance(v, str)) and not row.get(
                None
            ):
                continue  # a blank line
            if len(rows) >= MAX_ROWS:
                raise CsvFormatError(f"more than {MAX_ROWS} rows: split the file")
            rows.append((line, row))
    except csv.Error as exc:
        why = "a value is far too long" if "field limit" in str(exc) else str(exc)
        errors.append(f"line {reader.line_num + 1}: {why}; the file cannot be read past here")
    return rows


def _cell(row: dict[str | None, str | list[str] | None], name: str) -> str:
    if row.get(None):
        raise ValueError("more values than columns (a comma inside a value needs quotes)")
    value = row.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_FIELD:
        raise ValueError(f"{name} is longer than {MAX_FIELD} characters")
    return text


def _case_ref(value: str, framework: Framework, *, required: bool) -> str:
    rule = framework.case_reference
    if not value:
        if required:
            raise ValueError(f"case_ref is empty (a {rule.label}, e.g. {rule.example})")
        return ""
    if not rule.matches(value):
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise ValueError(
            f"case_ref {shown!r} is not a {rule.label} (e.g. {rule.example}); children are "
            "referred to only by their case record number"
        )
    return value


def _email(value: str, column: str, *, required: bool) -> str:
    email = value.lower()
    if not email:
        if required:
            raise ValueError(f"{column} is empty")
        return ""
    if not EMAIL.match(email):
        raise ValueError(f"{column} {email!r} is not an email address")
    return email


def _date(value: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None


def _allocation(
    row: dict[str | None, str | list[str] | None], line: int, framework: Framework
) -> AllocationRow:
    activity_text = _cell(row, "activity")
    activity = find_activity(framework, activity_text)
    if activity is None:
        known = ", ".join(a.key for a in framework.activities)
        if not activity_text:
            raise ValueError(f"activity is empty (one of: {known})")
        raise ValueError(f"unknown activity {activity_text!r} (one of: {known})")
    case_ref = _case_ref(_cell(row, "case_ref"), framework, required=False)
    team = _cell(row, "team")
    if case_ref and not team:
        raise ValueError("team is empty (the case's team, so no one audits their own)")
    assignee = _email(_cell(row, "assignee_email"), "assignee_email", required=True)
    moderator = _email(_cell(row, "moderator_email"), "moderator_email", required=False)
    if moderator and moderator == assignee:
        raise ValueError("the moderator must be someone other than the assignee")
    if moderator and activity.moderation_activity is None:
        raise ValueError(f"{activity.name} is not moderated: leave moderator_email empty")
    target_on = _date(_cell(row, "target_on"), "target_on")
    if isinstance(activity.deadline, RelativeToTarget) and target_on is None:
        raise ValueError(
            f"{activity.name} is due relative to a target day: give it in a target_on column"
        )
    return AllocationRow(
        line=line,
        case_ref=case_ref,
        team=team,
        activity=activity.key,
        assignee_email=assignee,
        moderator_email=moderator,
        cycle=_cell(row, "cycle"),
        allocated_on=_date(_cell(row, "allocated_on"), "allocated_on"),
        due_on=_date(_cell(row, "due_on"), "due_on"),
        target_on=target_on,
        service=_cell(row, "service"),
    )
