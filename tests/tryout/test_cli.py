"""The demo and the commands a person types: a clear answer and a consistent exit code, never
a traceback (0 done, 1 partly or not done, 2 could not start)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bot.cli import app, demo_settings
from tests.conftest import STAFF_CSV

HEADER = "email,name,roles,team,service,manager_email\n"
ANN = "ann@example.gov.uk,Ann Able,practitioner,Team A,Social Work,\n"
BOB = "bob@example.gov.uk,Bob Boss,team_manager,Team A,Social Work,\n"


@pytest.fixture(autouse=True)
def in_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each command runs in an empty folder, with no database or public URL configured."""
    monkeypatch.chdir(tmp_path)
    for name in ("QABOT_DATABASE_URL", "QABOT_PUBLIC_URL", "QABOT_PORT", "QABOT_FRAMEWORK"):
        monkeypatch.delenv(name, raising=False)
    yield tmp_path


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.output


def active(database: Path) -> dict[str, bool]:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT email, active FROM people")).all()
    engine.dispose()
    return {email: bool(flag) for email, flag in rows}


def write(path: Path, content: str) -> Path:
    path.write_text(content, "utf-8")
    return path


# --- qabot chat --as and the demo's settings --------------------------------------------------


def test_chat_uses_the_demo_database_and_refuses_an_unknown_person(
    in_empty_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = write(in_empty_folder / "staff.csv", STAFF_CSV)
    monkeypatch.setenv("QABOT_DATABASE_URL", "sqlite:///qabot-demo.db")
    assert invoke("import", "staff", str(staff))[0] == 0
    monkeypatch.delenv("QABOT_DATABASE_URL")

    code, said = invoke("chat", "--as", "nobody@example.gov.uk")
    assert code == 2
    assert "Using the demo's database qabot-demo.db" in said
    assert "nobody@example.gov.uk is not in the directory" in said
    assert "sam.sw@example.gov.uk  Sam Social (practitioner)" in said
    assert "Talking to" not in said

    code, said = invoke("chat", "--as", "sam.sw@example.gov.uk", stdin="quit\n")
    assert code == 0, said
    assert "as sam.sw@example.gov.uk" in said and "Goodbye." in said
    assert not (in_empty_folder / "qabot.db").exists()


def test_chat_beside_a_demo_only_talks_it_runs_no_second_scheduler(
    in_empty_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running demo sweeps and delivers; a chat in a second terminal must not sweep the
    same database again."""
    staff = write(in_empty_folder / "staff.csv", STAFF_CSV)
    monkeypatch.setenv("QABOT_DATABASE_URL", "sqlite:///qabot-demo.db")
    assert invoke("import", "staff", str(staff))[0] == 0
    monkeypatch.delenv("QABOT_DATABASE_URL")
    sweeps: list[str] = []

    async def sweep(self: object) -> int:
        sweeps.append("swept")
        return 0

    monkeypatch.setattr("bot.app.QABot.run_sweeps", sweep)
    code, said = invoke("chat", "--as", "sam.sw@example.gov.uk", stdin="help\nmy tasks\nquit\n")
    assert code == 0, said
    assert "my tasks" in said
    assert sweeps == []


def test_chat_without_a_demo_lists_nobody_and_says_how_to_load_people() -> None:
    code, said = invoke("chat", "--as", "sam.sw@example.gov.uk")
    assert code == 2
    assert "nobody yet" in said and "qabot demo" in said


def test_demo_links_point_at_the_demo_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = demo_settings(4010)
    assert settings.public_url == "http://127.0.0.1:4010"
    assert settings.database_url.endswith("///qabot-demo.db")
    monkeypatch.setenv("QABOT_PUBLIC_URL", "https://qa.council.example")
    assert demo_settings(4010).public_url == "https://qa.council.example"


# --- a busy port, an unwritable --out, a wrong --framework ----------------------------------


def test_a_busy_port_says_which_and_how_to_choose_another(in_empty_folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "QABOT_DATABASE_URL": f"sqlite:///{in_empty_folder / 'q.db'}"}
        env.pop("QABOT_PORT", None)
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    assert done.returncode == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in done.stderr
    assert f"--port {port + 1} or QABOT_PORT={port + 1}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_an_unwritable_out_is_named(in_empty_folder: Path) -> None:
    blocker = write(in_empty_folder / "a-file", "not a folder")
    code, said = invoke("cards", "gallery", "--out", str(blocker / "cards"))
    assert code == 2
    assert f"Cannot write to {blocker / 'cards'}" in said and "--out" in said
    code, said = invoke("library", "export", "--out", str(blocker / "library.csv"))
    assert code == 2
    assert "Cannot write to" in said


def test_a_wrong_framework_option_names_the_option(in_empty_folder: Path) -> None:
    code, said = invoke("cards", "gallery", "--framework", "atlantis")
    assert code == 2
    assert "--framework: 'atlantis' is neither a preset" in said
    assert "QABOT_FRAMEWORK" not in said
    staff = write(in_empty_folder / "staff.csv", STAFF_CSV)
    code, said = invoke(
        "simulate",
        *("--framework", "atlantis", "--staff", str(staff), "--allocations", str(staff)),
        *("--from", "2026-11-23", "--to", "2026-11-24"),
    )
    assert code == 2 and "--framework: 'atlantis'" in said


# --- exit codes and safe staff imports -------------------------------------------------------


def test_simulate_names_the_lines_when_no_row_is_usable(in_empty_folder: Path) -> None:
    staff = write(in_empty_folder / "staff.csv", STAFF_CSV)
    allocations = write(
        in_empty_folder / "allocations.csv",
        "case_ref,team,activity,assignee_email,moderator_email,cycle\n"
        "2045871,Taunton CP,practice_evaluation,nobody@example.gov.uk,,PE\n",
    )
    code, said = invoke(
        "simulate",
        *("--framework", "somerset", "--staff", str(staff), "--allocations", str(allocations)),
        *("--from", "2026-11-23", "--to", "2026-11-24"),
    )
    assert code == 2
    assert "allocations file line 2" in said and "nobody@example.gov.uk" in said
    assert "Cannot simulate" in said


def test_import_staff_shows_changes_and_asks_before_marking_people_as_left(
    in_empty_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QABOT_DATABASE_URL", "sqlite:///staff.db")
    both = write(in_empty_folder / "both.csv", HEADER + ANN + BOB)
    code, said = invoke("import", "staff", str(both))
    assert code == 0, said
    assert "New (2):" in said and "Ann Able <ann@example.gov.uk>" in said
    assert "Imported: 2 new" in said

    only_ann = write(in_empty_folder / "ann.csv", HEADER + ANN.replace("Ann Able", "Ann Cole"))
    code, said = invoke("import", "staff", str(only_ann), "--dry-run")
    assert code == 0, said
    assert "Updated (1):" in said and "Marked as left (1):" in said and "Bob Boss" in said
    assert "Dry run, nothing was changed" in said
    assert active(in_empty_folder / "staff.db")["bob@example.gov.uk"] is True

    code, said = invoke("import", "staff", str(only_ann), stdin="n\n")
    assert code == 1
    assert "Mark 1 people as left?" in said and "Nothing was changed" in said
    assert active(in_empty_folder / "staff.db")["bob@example.gov.uk"] is True

    code, said = invoke("import", "staff", str(only_ann), "--yes")
    assert code == 0, said
    assert "1 updated, 0 unchanged, 1 marked as left" in said
    assert active(in_empty_folder / "staff.db")["bob@example.gov.uk"] is False


def test_import_staff_refuses_a_file_with_the_wrong_delimiter(
    in_empty_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QABOT_DATABASE_URL", "sqlite:///staff.db")
    semicolons = write(
        in_empty_folder / "staff.csv",
        HEADER + "ann@example.gov.uk;Ann Able;practitioner;Team A;Social Work;\n",
    )
    code, said = invoke("import", "staff", str(semicolons))
    assert code == 2
    assert "line 2 is separated by semicolons, not commas" in said
    assert "Nothing was imported" in said
    assert active(in_empty_folder / "staff.db") == {}


def run_qabot(folder: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QABOT_DATABASE_URL": f"sqlite:///{folder / 'q.db'}", **env_extra}
    if "QABOT_LOG_LEVEL" not in env_extra:
        env.pop("QABOT_LOG_LEVEL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=folder,
    )


def test_a_one_off_command_shows_its_answer_not_its_start_up(in_empty_folder: Path) -> None:
    staff = write(in_empty_folder / "staff.csv", "email,name\nann@example.gov.uk,Ann\n")
    done = run_qabot(in_empty_folder, "import", "staff", str(staff))
    assert done.returncode == 2
    said = done.stdout + done.stderr
    assert "cannot read the file: the header row must be email,name,roles" in said
    assert "missing: roles, team, service, manager_email" in said
    # The migrations and the runtime's stop line are for a service's log, not this person.
    assert "alembic" not in done.stderr and "INFO" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout

    asked = run_qabot(in_empty_folder, "import", "staff", str(staff), QABOT_LOG_LEVEL="INFO")
    assert "alembic.runtime.migration" in asked.stderr, "QABOT_LOG_LEVEL=INFO shows them"


def test_import_staff_with_only_bad_rows_is_not_done(
    in_empty_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QABOT_DATABASE_URL", "sqlite:///staff.db")
    bad = write(in_empty_folder / "staff.csv", HEADER + "ann@x,Ann,practitioner,A,B,\n")
    code, said = invoke("import", "staff", str(bad))
    assert code == 1
    assert "line 2: email 'ann@x' is not an email address" in said
