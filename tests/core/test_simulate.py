"""`qabot simulate`: one harness for every area, on a fake clock through the real sweeps.

A quarter nobody logs anything in shows every quota nudge and calendar prompt; feedback logged
(`--feedback`, the `qabot import feedback` format) closes gaps from its own date on; a sample
dispute shows its reminders; bad input is named by line with exit code 2."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bot.areas import build_router
from bot.cards.model import Card
from bot.cli import app
from bot.config import load_framework
from bot.dialogs.base import Context
from bot.domain.simulation import SimulationInputs
from bot.simulation.harness import simulate
from bot.store import directory

TEAM_MANAGERS = {
    "tess.tm@demo.somerset.gov.uk",
    "ravi.tm@demo.somerset.gov.uk",
    "kate.tm@demo.somerset.gov.uk",
    "helen.hos@demo.somerset.gov.uk",  # Chris's line manager: his team has no team manager
}


def run(*args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = CliRunner().invoke(
        app, ["simulate", "--framework", "somerset", "--format", "json", "--step", "240", *args]
    )
    assert "Traceback" not in result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    return result.exit_code, messages, result.stderr


def quota_lines(messages: list[dict[str, Any]], to: str, day: str) -> list[str]:
    (summary,) = [
        m for m in messages if m["to"] == to and m["at"][:10] == day and m["kind"] == "reminder"
    ]
    return [part for part in summary["reason"].split("; ") if "per quarter" in part]


def test_a_quarter_nobody_logs_in_shows_every_quota_nudge_and_calendar_prompt() -> None:
    # No --allocations and no --staff: the demo directory, with quotas and a calendar only.
    code, messages, err = run("--from", "2027-01-01", "--to", "2027-03-31")
    assert code == 0, err
    nudged = {
        (m["at"][:10], m["to"])
        for m in messages
        if m["kind"] == "reminder" and "per quarter" in m["reason"]
    }
    # Somerset's nudge points: weeks 6 and 10, and five working days before the quarter ends.
    days = ("2027-02-12", "2027-03-12", "2027-03-22")
    assert nudged == {(day, manager) for day in days for manager in TEAM_MANAGERS}
    lines = quota_lines(messages, "ravi.tm@demo.somerset.gov.uk", "2027-02-12")
    assert any("Family feedback" in line and "Lee Walker and Mo Ahmed" in line for line in lines)
    prompts = [(m["at"][:10], m["to"]) for m in messages if m["kind"] == "calendar"]
    # Seed 000's calendar: January's stocktake, QPRM, SIT dip review ..., February's PE and
    # MAPE, March's SEND dip review, team action plans and feedback themes.
    assert prompts == [
        ("2027-01-04", "qa_team"),
        ("2027-02-01", "qa_team"),
        ("2027-03-01", "qa_team"),
    ]
    # The leads hear in their morning summary: the heads of service lead the stocktakes, the
    # team managers the team action plans (first working days of March, and 5 before).
    led = {
        (m["at"][:10], m["to"])
        for m in messages
        if m["kind"] == "reminder" and "You lead" in m["reason"]
    }
    assert ("2027-01-04", "helen.hos@demo.somerset.gov.uk") in led
    assert {("2027-02-22", tm) for tm in TEAM_MANAGERS - {"helen.hos@demo.somerset.gov.uk"}} <= led
    # Three quotas (feedback, dip review, observation) for four managers at three points.
    assert "Set up: nothing but the staff list." in err
    assert "39 message(s) from 2027-01-01 to 2027-03-31, nobody acting:" in err
    assert "36    quota nudges" in err and "3  calendar prompts" in err
    # With the two QA team members' line about April's six-monthly QA summary report (5
    # working days before it opens, on 23 March: Easter falls between).
    assert "40    calendar reminders" in err
    # January: the Closing the Loop digest of Q3 is drafted for the QA team, not sent.
    assert "2  digest drafts for the QA team's review" in err
    assert "simulated to Wed 31 Mar 2027 (61 of 61 working days)" in err  # plain progress


def test_feedback_logged_on_its_date_leaves_fewer_gaps(tmp_path: Path) -> None:
    feedback = tmp_path / "feedback.csv"
    feedback.write_text(
        "practitioner_email,date,source,kind\n"
        "sam.sw@demo.somerset.gov.uk,2027-01-20,parent,compliment\n"
        "priya.sw@demo.somerset.gov.uk,2027-01-21,child,comment\n"
        "lee.sw@demo.somerset.gov.uk,2027-02-20,carer,compliment\n",
        "utf-8",
    )
    span = ("--from", "2027-02-12", "--to", "2027-03-12")
    code, before, err_before = run(*span)
    assert code == 0, err_before
    code, after, err = run(*span, "--feedback", str(feedback))
    assert code == 0, err
    assert "Set up: 3 piece(s) of feedback, each logged on its date." in err
    tess = "tess.tm@demo.somerset.gov.uk"
    assert any("Family feedback" in x for x in quota_lines(before, tess, "2027-02-12"))
    assert not any("Family feedback" in x for x in quota_lines(after, tess, "2027-02-12"))
    # Lee's feedback is dated 20 February: the nudge before it still names him, the one after not.
    ravi = "ravi.tm@demo.somerset.gov.uk"
    (feb,) = [x for x in quota_lines(after, ravi, "2027-02-12") if "Family feedback" in x]
    (mar,) = [x for x in quota_lines(after, ravi, "2027-03-12") if "Family feedback" in x]
    assert "Lee Walker and Mo Ahmed" in feb
    assert mar.endswith("still without: Mo Ahmed")
    # Tess's team's gap is closed for the quarter: one fewer line each nudge point.
    assert quota_nudges(err_before) - quota_nudges(err) == 2


def quota_nudges(err: str) -> int:
    found = re.search(r"(\d+)    quota nudges", err)
    assert found, err
    return int(found.group(1))


def test_a_sample_dispute_nobody_acts_on_shows_its_reminders() -> None:
    code, messages, err = run("--dispute", "--from", "2027-01-04", "--to", "2027-01-12")
    assert code == 0, err
    chris, dana = "chris.csw@demo.somerset.gov.uk", "dana.fw@demo.somerset.gov.uk"
    # The first practitioner by email raises it with a practitioner of another team.
    assert "dispute 1 on the Resolving Professional Differences (Stage 1: " in err
    assert f"{chris} with {dana}" in err
    disputes = [(m["at"][:10], m["to"], m["reason"]) for m in messages if m["kind"] == "dispute"]
    assert disputes == [
        ("2027-01-04", dana, "a dispute was raised with you"),
        ("2027-01-12", chris, "a stage deadline passed"),
        ("2027-01-12", dana, "a stage deadline passed"),
    ]
    reminded = {
        (m["at"][:10], m["to"])
        for m in messages
        if m["kind"] == "reminder" and m["to"] in (chris, dana)
    }
    assert reminded == {(day, who) for day in ("2027-01-08", "2027-01-11") for who in (chris, dana)}
    assert "4    dispute reminders (lines in them)" in err


def test_bad_input_is_named_by_line_with_exit_code_2(tmp_path: Path) -> None:
    feedback = tmp_path / "feedback.csv"
    feedback.write_text(
        "practitioner_email,date,source,kind\n"
        "nobody@demo.somerset.gov.uk,2027-01-20,parent,compliment\n"
        "sam.sw@demo.somerset.gov.uk,20 Jan,parent\n",
        "utf-8",
    )
    span = ("--from", "2027-01-04", "--to", "2027-01-08")
    code, messages, err = run(*span, "--feedback", str(feedback))
    assert code == 2 and messages == []
    assert "feedback file line 2: no active person with email nobody@demo.somerset.gov.uk" in err
    assert "feedback file line 3: date '20 Jan'" in err
    code, _, err = run(*span, "--feedback", str(tmp_path / "missing.csv"))
    assert code == 2 and "does not exist" in err
    staff = tmp_path / "staff.csv"
    staff.write_text("email,name,roles,team,service,manager_email\nann,Ann,nope,T,S,\n", "utf-8")
    code, _, err = run(*span, "--staff", str(staff))
    assert code == 2 and "staff file line 2" in err
    code, _, err = run("--from", "2027-01-08", "--to", "2027-01-04")
    assert code == 2 and "--to is before --from" in err
    code, _, err = run("--from", "4 Jan")
    assert code == 2 and "must be dates" in err


async def test_every_sweep_the_router_has_runs_on_the_fake_clock() -> None:
    """A sweep registered by any area (the calendar's, say) shows without the harness knowing."""
    router = build_router()

    @router.sweep("test.first_of_month")
    async def first_of_month(ctx: Context) -> None:
        if ctx.today.day != 1:
            return
        person = await directory.person_by_email(ctx.session, "sam.sw@demo.somerset.gov.uk")
        assert person is not None
        card = Card(name="test_prompt", title="Prompt", fallback="A new month")
        await ctx.outbox.to_person(person.id, card, key=f"t:{ctx.today}", kind="test_prompt")

    staff = (Path(__file__).parents[2] / "bot" / "demo" / "staff.csv").read_text("utf-8")
    result = await simulate(
        load_framework("north-somerset"),
        staff,
        SimulationInputs(start=date(2027, 1, 28), end=date(2027, 2, 2)),
        router=router,
        step_minutes=240,
    )
    prompts = [(m.at.date(), m.to, m.card) for m in result.messages if m.kind == "test_prompt"]
    assert prompts == [(date(2027, 2, 1), "sam.sw@demo.somerset.gov.uk", "test_prompt")]
    assert result.counts()["test_prompt"] == 1
