"""`qabot import feedback FILE.csv`: every bad line named, nothing half-saved."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import STAFF_CSV

HEADER = "practitioner_email,date,source,kind,case_ref,themes,logged_by_email"


def _count(database: Path) -> int:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        value = int(conn.execute(text("SELECT count(*) FROM quota_items")).scalar_one())
    engine.dispose()
    return value


def test_a_file_with_a_bad_line_saves_nothing_and_names_every_bad_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "qabot.db"
    monkeypatch.setenv("QABOT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("QABOT_FRAMEWORK", "somerset")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV)
    runner = CliRunner()
    assert runner.invoke(app, ["import", "staff", str(staff)]).exit_code == 0
    day = (date.today() - timedelta(days=3)).isoformat()
    future = (date.today() + timedelta(days=3)).isoformat()
    feedback = tmp_path / "feedback.csv"
    feedback.write_text(
        f"{HEADER}\n"
        f"sam.sw@example.gov.uk,{day},parent,compliment,2045871,Direct work with children,"
        "tess.tm@example.gov.uk\n"
        f"nobody@example.gov.uk,{day},parent,compliment,,,\n"
        f"priya.sw@example.gov.uk,{future},neighbour,praise,12,Gossip,\n"
        f"quinn.qa@example.gov.uk,{day},carer,comment,,,\n"
    )
    result = runner.invoke(app, ["import", "feedback", str(feedback)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "line 3: no active person with email nobody@example.gov.uk" in output
    for problem in ("future", "source must be", "kind must be", "case_ref '12'", "Gossip"):
        assert problem in output.split("line 4:")[1], problem
    assert "line 5: quinn.qa@example.gov.uk is not a practitioner" in output
    assert "line 2" not in output
    assert "Nothing was imported" in output
    assert _count(database) == 0

    feedback.write_text(
        f"{HEADER}\n"
        f"sam.sw@example.gov.uk,{day},parent,compliment,2045871,Direct work with children,"
        "tess.tm@example.gov.uk\n"
        f"priya.sw@example.gov.uk,{day},Young person,comment,,,\n"
    )
    result = runner.invoke(app, ["import", "feedback", str(feedback), "--dry-run"])
    assert result.exit_code == 0 and "2 lines are good" in result.output
    assert _count(database) == 0
    result = runner.invoke(app, ["import", "feedback", str(feedback)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 pieces of feedback" in result.output
    assert _count(database) == 2


def test_a_file_without_the_columns_is_refused_as_a_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QABOT_DATABASE_URL", f"sqlite:///{tmp_path / 'qabot.db'}")
    monkeypatch.setenv("QABOT_FRAMEWORK", "somerset")
    feedback = tmp_path / "feedback.csv"
    feedback.write_text("email,when\nsam.sw@example.gov.uk,2026-01-01\n")
    result = CliRunner().invoke(app, ["import", "feedback", str(feedback)])
    assert result.exit_code == 2
    assert "The file cannot be read" in result.output and "practitioner_email" in result.output
