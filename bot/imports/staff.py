"""Parse a staff CSV: ``email,name,roles,team,service,manager_email`` (+ optional columns)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from bot.domain.roles import Role, parse_roles
from bot.store.directory import StaffRecord

REQUIRED = ("email", "name", "roles", "team", "service", "manager_email")
OPTIONAL = ("slack_user_id", "away_until")
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,20}$")
MAX_FIELD = 300
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (no header, wrong columns)."""


def parse_staff_csv(text: str) -> tuple[list[StaffRecord], list[str]]:
    """Records for the good rows and one message per bad row (with its line number)."""
    text = text.lstrip("\ufeff")
    _refuse_other_delimiters(text)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvFormatError(
            "the header row must be email,name,roles,team,service,manager_email; "
            f"missing: {', '.join(missing)}"
        )
    reader.fieldnames = header
    records: list[StaffRecord] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            record = _record(row, line)
        except ValueError as exc:
            errors.append(f"line {line}: {exc}")
            continue
        if record.email in seen:
            errors.append(
                f"line {line}: {record.email} already appears on line {seen[record.email]}"
            )
            continue
        seen[record.email] = line
        records.append(record)
    return records, errors


def _refuse_other_delimiters(text: str) -> None:
    """A spreadsheet saved with semicolons or tabs would otherwise read as rows of empty
    fields: refuse the file and say why."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or "," in line:
            continue
        for mark, name in OTHER_DELIMITERS.items():
            if mark in line:
                raise CsvFormatError(
                    f"line {number} is separated by {name}, not commas: save the file as "
                    "CSV (comma delimited)"
                )


def _record(row: dict[str | None, str | list[str] | None], line: int) -> StaffRecord:
    if row.get(None):
        raise ValueError("more values than columns (a comma inside a name needs quotes)")

    def cell(name: str) -> str:
        value = row.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > MAX_FIELD:
            raise ValueError(f"{name} is longer than {MAX_FIELD} characters")
        return text

    email = cell("email").lower()
    if not EMAIL.match(email):
        raise ValueError(f"email {email!r} is not an email address" if email else "email is empty")
    name = cell("name")
    if not name:
        raise ValueError("name is empty")
    roles, unknown = parse_roles(cell("roles"))
    if unknown:
        allowed = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {unknown[0]!r} (roles are: {allowed})")
    if not roles:
        raise ValueError("roles is empty (e.g. practitioner)")
    manager = cell("manager_email").lower()
    if manager and not EMAIL.match(manager):
        raise ValueError(f"manager_email {manager!r} is not an email address")
    slack_id = cell("slack_user_id") or None
    if slack_id and not SLACK_USER.match(slack_id):
        raise ValueError(f"slack_user_id {slack_id!r} does not look like a Slack user id (U…)")
    away_text = cell("away_until")
    away: date | None = None
    if away_text:
        try:
            away = date.fromisoformat(away_text)
        except ValueError:
            raise ValueError(f"away_until {away_text!r} is not a date (YYYY-MM-DD)") from None
    return StaffRecord(
        line=line,
        email=email,
        name=name,
        roles=frozenset(roles),
        team=cell("team"),
        service=cell("service"),
        manager_email=manager,
        slack_user_id=slack_id,
        away_until=away,
    )
