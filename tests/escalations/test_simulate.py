"""`qabot simulate --dispute` and `qabot disputes simulate`: a dispute nobody acts on, on a fake
clock through the real sweeps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.areas import build_router
from bot.cli import app
from bot.config import load_framework
from bot.domain.simulation import DisputeRequest, SimulationError, SimulationInputs
from bot.simulation.harness import simulate

STAFF = """email,name,roles,team,service,manager_email
ada@x.example,Ada Assistant,assistant_director,Directorate,Leadership,
helen@x.example,Helen Head,head_of_service,Leadership,Social Care,ada@x.example
tess@x.example,Tess Manager,team_manager,Team A,Social Care,helen@x.example
sam@x.example,Sam Social,practitioner,Team A,Social Care,tess@x.example
ira@x.example,Ira Reviewing,iro,IRO service,Social Care,helen@x.example
quinn@x.example,Quinn Quality,qa_team,QA,Social Care,helen@x.example
"""


async def test_an_iro_alert_nobody_answers_climbs_by_itself_and_passes_its_cap() -> None:
    request = DisputeRequest(
        ladder="drp", raised_by="ira@x.example", other="sam@x.example", start_stage=1
    )
    result = await simulate(
        load_framework("dudley"),
        STAFF,
        SimulationInputs(date(2026, 12, 14), date(2027, 1, 29), dispute=request),
        router=build_router(),
        step_minutes=240,
    )
    told = [(f"{m.at:%d/%m}", m.to) for m in result.messages if "raised with you" in m.text]
    assert told == [("14/12", "tess@x.example"), ("14/12", "sam@x.example")]
    # Reminded in the morning summary the working day before the deadline and on the day.
    reminded = sorted(
        {(f"{m.at:%d/%m}", m.to) for m in result.messages if m.card == "morning_summary"}
    )
    assert ("18/12", "tess@x.example") in reminded and ("21/12", "tess@x.example") in reminded
    # The team manager's stage escalates itself at its deadline, then the head of service's.
    escalated = [(f"{m.at:%d/%m}", m.to) for m in result.messages if "escalated to you" in m.text]
    # 5 working days from Tue 22 Dec skip Christmas and Boxing Day (observed, Mon 28 Dec): due
    # Thu 31 Dec; New Year's Day is a bank holiday, so it escalates on Mon 4 Jan.
    assert escalated == [("22/12", "helen@x.example"), ("04/01", "ada@x.example")]
    capped = [(f"{m.at:%d/%m}", m.to) for m in result.messages if "in total" in m.text]
    # 20 working days from Mon 14 Dec end on Thu 14 Jan; the QA team hears once, on the 15th.
    assert capped == [("15/01", "quinn@x.example")]


async def test_an_unknown_ladder_or_person_is_named() -> None:
    with pytest.raises(SimulationError) as raised:
        await simulate(
            load_framework("dudley"),
            STAFF,
            SimulationInputs(
                date(2026, 12, 14),
                date(2026, 12, 18),
                dispute=DisputeRequest(ladder="nope", raised_by="ira@x.example"),
            ),
            router=build_router(),
        )
    assert raised.value.problems == [
        "sample dispute: no ladder 'nope' (this framework has: audit_dispute, drp)"
    ]


def test_disputes_simulate_is_simulate_with_a_dispute_of_your_choice(tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, "utf-8")
    common = ["disputes", "simulate", "--framework", "dudley", "--staff", str(staff)]
    people = ["--raised-by", "ira@x.example", "--other", "sam@x.example", "--start-stage", "2"]
    days = ["--from", "2026-12-14", "--to", "2026-12-15"]
    result = CliRunner().invoke(app, [*common, *days, "--ladder", "drp", *people])
    assert result.exit_code == 0, result.stderr
    assert "tess@x.example" in result.stdout and "a dispute reached your stage" in result.stdout
    assert "ira@x.example with sam@x.example" in result.stderr
    result = CliRunner().invoke(
        app, [*common, "--from", "2026-12-14", "--raised-by", "nobody@x.example"]
    )
    assert result.exit_code == 2
    assert "sample dispute: nobody@x.example is not in the staff file" in result.stderr
