"""`qabot simulate --allocations` previews a quarter on a fake clock; `qabot import allocations`
proposes, then tells people once confirmed."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import STAFF_CSV

HEADER = "case_ref,team,activity,assignee_email,moderator_email,cycle"
PE = "2045871,Taunton CP,practice_evaluation,chris.csw@example.gov.uk,bea.csw@example.gov.uk,PE"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV, "utf-8")
    allocations = tmp_path / "allocations.csv"
    allocations.write_text(f"{HEADER}\n{PE}\n", "utf-8")
    return staff, allocations


def simulate(staff: Path, allocations: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--framework",
            "somerset",
            "--staff",
            str(staff),
            "--allocations",
            str(allocations),
            *args,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_json_lines_list_every_message_in_order(files: tuple[Path, Path]) -> None:
    code, out, err = simulate(
        *files, "--from", "2026-11-23", "--to", "2026-12-31", "--format", "json"
    )
    assert code == 0, err
    messages = [json.loads(line) for line in out.splitlines()]
    assert all({"at", "to", "kind", "card", "reason"} <= m.keys() for m in messages)
    moments = [datetime.fromisoformat(m["at"]) for m in messages]
    assert all(m.utcoffset() is not None for m in moments)
    assert moments == sorted(moments)
    first = messages[0]
    assert (first["to"], first["kind"], first["card"]) == (
        "chris.csw@example.gov.uk",
        "allocation",
        "allocation",
    )
    assert first["at"] == "2026-11-23T09:00:00+00:00"
    kinds = [(m["kind"], m["card"], m["to"]) for m in messages]
    assert ("allocation", "moderation_waiting", "bea.csw@example.gov.uk") in kinds
    assert ("notice", "allocation_notice", "qa_team") in kinds
    escalations = [m for m in messages if m["kind"] == "escalation"]
    assert [(m["at"][:10], m["to"]) for m in escalations] == [
        ("2026-12-16", "helen.hos@example.gov.uk"),
        ("2026-12-21", "helen.hos@example.gov.uk"),
    ]
    assert "2 working days overdue" in escalations[0]["reason"]
    assert [m["at"][:10] for m in messages if m["kind"] == "digest"] == ["2026-12-21", "2026-12-29"]
    assert "message(s) from 2026-11-23 to 2026-12-31" in err


def test_text_output_reads_like_a_diary(files: tuple[Path, Path]) -> None:
    code, out, _ = simulate(*files, "--from", "2026-11-23", "--to", "2026-12-07", "--step", "240")
    assert code == 0
    (line,) = [row for row in out.splitlines() if row.startswith("Mon 07 Dec")]
    assert line.startswith("Mon 07 Dec 2026 09:30  reminder")
    assert "chris.csw@example.gov.uk" in line and "due in 5 working days" in line


def test_reminders_stay_at_half_past_nine_across_both_clock_changes(tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV, "utf-8")
    allocations = tmp_path / "allocations.csv"
    offsets: dict[str, str] = {}
    for first, last in (("2027-03-15", "2027-04-02"), ("2027-10-18", "2027-11-05")):
        allocations.write_text(
            f"{HEADER}\n2045871,Taunton CP,practice_evaluation,chris.csw@example.gov.uk,,PE\n"
        )
        code, out, err = simulate(
            staff, allocations, "--from", first, "--to", last, "--format", "json", "--step", "120"
        )
        assert code == 0, err
        for line in out.splitlines():
            message = json.loads(line)
            when = datetime.fromisoformat(message["at"])
            if message["kind"] == "reminder":
                assert when.time() == time(9, 30) and when.weekday() < 5
            # Quota nudges reach managers in their own summaries; this follows Chris's PE.
            if message["kind"] != "reminder" or message["to"] != "chris.csw@example.gov.uk":
                continue
            assert when.date() not in (date(2027, 3, 26), date(2027, 3, 29))  # Easter
            offsets[message["at"][:10]] = message["at"][-6:]
    assert offsets == {
        "2027-03-17": "+00:00",  # GMT: not accepted two working days on
        "2027-03-25": "+00:00",  # due in 5 working days (Easter in between)
        "2027-04-01": "+01:00",  # BST from 28 March: due in 2 working days
        "2027-10-20": "+01:00",  # BST until 31 October
        "2027-11-01": "+00:00",  # GMT after
        "2027-11-04": "+00:00",
    }


def test_bad_input_is_named_by_line_and_nothing_simulated(files: tuple[Path, Path]) -> None:
    staff, allocations = files
    allocations.write_text(f"{HEADER}\n{PE}\n2045872,Yeovil,no_such_activity,x@y.gov.uk,,PE\n")
    code, out, err = simulate(staff, allocations, "--from", "2026-11-23", "--to", "2026-11-23")
    assert code == 2  # a bad line: exit 2, nothing simulated (fix the file and run again)
    assert "allocations file line 3: unknown activity 'no_such_activity'" in err
    assert out == "" and "Traceback" not in err
    code, _, err = simulate(staff, allocations, "--from", "2026-12-01", "--to", "2026-11-01")
    assert code == 2 and "--to is before --from" in err
    code, _, err = simulate(staff, allocations, "--from", "1 Dec", "--to", "2026-12-01")
    assert code == 2 and "must be dates" in err
    allocations.write_text("case_ref,team\n2045871,x\n")
    code, _, err = simulate(staff, allocations, "--from", "2026-11-23", "--to", "2026-11-23")
    assert code == 2 and "missing: activity, assignee_email" in err


def test_import_allocations_proposes_then_confirms(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "qabot.db"
    monkeypatch.setenv("QABOT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("QABOT_FRAMEWORK", "somerset")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    staff, allocations = files
    runner = CliRunner()
    assert runner.invoke(app, ["import", "staff", str(staff)]).exit_code == 0

    def outbox_rows() -> int:
        engine = create_engine(f"sqlite:///{database}")
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM outbox WHERE kind='allocation'"))
            value = int(count.scalar_one())
        engine.dispose()
        return value

    result = runner.invoke(app, ["import", "allocations", str(allocations), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Proposed allocation 1: PE" in result.output and "Dry run" in result.output
    result = runner.invoke(app, ["import", "allocations", str(allocations)], input="n\n")
    assert "Left as proposed allocation" in result.output
    assert outbox_rows() == 0  # nobody is told before the QA team confirms
    allocations.write_text(
        f"{HEADER}\n2045872,Yeovil CiC,practice_evaluation,tess.tm@example.gov.uk,,PE\nbad,row\n"
    )
    result = runner.invoke(app, ["import", "allocations", str(allocations), "--yes"])
    assert result.exit_code == 1  # one line was left out
    assert "line 3:" in result.output
    assert "Confirmed allocation" in result.output and "1 people" in result.output
    assert outbox_rows() == 1
