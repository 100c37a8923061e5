"""The terminal demo: a pasted CSV or a file reaches the bot as one message, and a message held
until working hours says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import STAFF_CSV, BotEnv
from tests.nominations.test_console import button, chat

QUINN = "quinn.qa@example.gov.uk"
CHRIS = "chris.csw@example.gov.uk"
HEADER = "case_ref,team,activity,assignee_email,moderator_email,cycle"
ROWS = [
    "2045871,Taunton CP,practice_evaluation,chris.csw@example.gov.uk,bea.csw@example.gov.uk,PE",
    "2045872,Yeovil CiC,practice_evaluation,finn.csw@example.gov.uk,bea.csw@example.gov.uk,PE",
]


def without_slack(csv_text: str) -> str:
    """Nobody has a Slack or Teams account, so everything they are sent is a console message."""
    return "\n".join(",".join(line.split(",")[:6]) for line in csv_text.splitlines()) + "\n"


async def test_rows_pasted_after_allocate_arrive_as_one_message(env: BotEnv) -> None:
    await env.import_staff(without_slack(STAFF_CSV))
    said = await chat(env, QUINN, ["allocate", HEADER, *ROWS, ""])
    assert "Paste the CSV rows, then press Enter on an empty line" in said
    assert "Proposed allocation 1" in said and "Confirm and tell 3 people" in said
    assert "I don't know" not in said and "not a command" not in said.lower()


async def test_allocate_with_a_file_path_reads_the_file(env: BotEnv, tmp_path: Path) -> None:
    await env.import_staff(without_slack(STAFF_CSV))
    csv_file = tmp_path / "pe.csv"
    csv_file.write_text("\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    said = await chat(env, QUINN, [f"allocate {csv_file}"])
    assert "Proposed allocation 1" in said and "Confirm and tell 3 people" in said
    said = await chat(env, QUINN, [f"allocate {tmp_path / 'missing.csv'}"])
    assert "Proposed allocation" not in said


async def test_a_card_held_until_the_morning_says_when_and_why(env: BotEnv) -> None:
    await env.import_staff(without_slack(STAFF_CSV))
    env.clock.set(datetime(2026, 11, 23, 19, 0, tzinfo=UTC))  # Monday evening
    await chat(env, QUINN, ["allocate", HEADER, *ROWS, "", button("Confirm and tell 3 people")])
    said = await chat(env, CHRIS, [])
    assert "message(s) waiting for you" in said
    assert "Practice Evaluation" in said
    assert "Held until Tue 24 Nov 09:00" in said and "working days" in said
