"""Reading ``qabot import feedback`` files: feedback already recorded elsewhere.

The header is ``practitioner_email,date,source,kind`` with optional ``case_ref``, ``themes``
(separated by semicolons) and ``logged_by_email``. Every bad line is named with its number and
reason; the caller saves nothing unless every line is good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.domain.framework import Framework
from bot.quotas.rules import FEEDBACK_KINDS, FEEDBACK_SOURCES, check_date

REQUIRED = ("practitioner_email", "date", "source", "kind")
OPTIONAL = ("case_ref", "themes", "logged_by_email")
MAX_ROWS = 50_000


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (no header, a missing column)."""


@dataclass(frozen=True)
class FeedbackRow:
    line: int
    practitioner_id: int
    occurred_on: date
    source: str
    kind: str
    case_ref: str | None
    themes: list[str]
    logged_by_id: int | None


@dataclass
class ParsedFeedback:
    rows: list[FeedbackRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_feedback_csv(
    text: str,
    framework: Framework,
    people: Mapping[str, int],
    is_practitioner: Callable[[int], bool],
    today: date,
) -> ParsedFeedback:
    """``people`` maps lower-case email to person id (active people only)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if not header or missing:
        raise CsvFormatError(
            f"the header must include {', '.join(REQUIRED)} (missing: {', '.join(missing)})"
        )
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise CsvFormatError(f"unknown column(s): {', '.join(unknown)}")
    parsed = ParsedFeedback()
    sources = {key for key, _ in FEEDBACK_SOURCES}
    kinds = {key for key, _ in FEEDBACK_KINDS}
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            parsed.errors.append(f"line {number}: more than {MAX_ROWS} lines; split the file")
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        problems: list[str] = []
        email = row.get("practitioner_email", "").lower()
        person_id = people.get(email)
        if person_id is None:
            problems.append(f"no active person with email {email or '(empty)'}")
        elif not is_practitioner(person_id):
            problems.append(f"{email} is not a practitioner")
        try:
            day: date | None = date.fromisoformat(row.get("date", ""))
        except ValueError:
            day = None
        date_problem = check_date(day, today)
        if date_problem:
            problems.append(f"date {row.get('date', '')!r}: {date_problem}")
        source = row.get("source", "").lower().replace(" ", "_")
        if source not in sources:
            problems.append(f"source must be one of {', '.join(sorted(sources))}")
        kind = row.get("kind", "").lower()
        if kind not in kinds:
            problems.append(f"kind must be one of {', '.join(sorted(kinds))}")
        case_ref = row.get("case_ref", "") or None
        if case_ref and not framework.case_reference.matches(case_ref):
            problems.append(
                f"case_ref {case_ref!r} is not a {framework.case_reference.label} "
                f"(like {framework.case_reference.example})"
            )
        themes = [t.strip() for t in row.get("themes", "").split(";") if t.strip()]
        bad_themes = [t for t in themes if t not in framework.nominations.themes]
        if bad_themes:
            problems.append(f"unknown theme(s): {'; '.join(bad_themes)}")
        logger_email = row.get("logged_by_email", "").lower()
        logged_by = people.get(logger_email) if logger_email else None
        if logger_email and logged_by is None:
            problems.append(f"no active person with email {logger_email}")
        if problems:
            parsed.errors.append(f"line {number}: " + "; ".join(problems))
            continue
        assert person_id is not None and day is not None
        parsed.rows.append(
            FeedbackRow(number, person_id, day, source, kind, case_ref, themes, logged_by)
        )
    return parsed
