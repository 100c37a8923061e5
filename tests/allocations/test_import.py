"""Reading the QA team's allocation CSV and cohort lists: line-numbered errors, and the text
chat clients make of a pasted CSV."""

from __future__ import annotations

from datetime import date

import pytest

from bot.allocations.imports import (
    CsvFormatError,
    clean_pasted_text,
    csv_from_message,
    find_activity,
    parse_allocations_csv,
    parse_cohort_csv,
)
from bot.config import load_framework

SOMERSET = load_framework("somerset")
NORTH_SOMERSET = load_framework("north-somerset")
HEADER = "case_ref,team,activity,assignee_email,moderator_email,cycle"


def test_good_rows_are_read_with_their_optional_columns() -> None:
    text = (
        f"{HEADER},allocated_on,due_on\n"
        "2045871,Taunton CP,practice_evaluation,Chris.CSW@example.gov.uk,bea.csw@example.gov.uk,"
        "PE Feb,2027-02-01,\n"
        "2045872,Yeovil CiC,Practice Evaluation,tess.tm@example.gov.uk,,PE Feb,,2027-03-01\n"
    )
    parsed = parse_allocations_csv(text, SOMERSET)
    assert parsed.errors == []
    first, second = parsed.rows
    assert first.assignee_email == "chris.csw@example.gov.uk"  # emails are case-insensitive
    assert first.allocated_on == date(2027, 2, 1) and first.line == 2
    assert second.activity == "practice_evaluation"  # the activity's name works as well
    assert second.moderator_email == "" and second.due_on == date(2027, 3, 1)


def test_each_bad_row_gets_its_own_line_numbered_reason() -> None:
    text = "\n".join(
        [
            HEADER,
            "Jayden Smith,Taunton CP,practice_evaluation,chris@example.gov.uk,,Q1",
            "2045871,Taunton CP,coffee_morning,chris@example.gov.uk,,Q1",
            "2045872,Taunton CP,practice_evaluation,not-an-email,,Q1",
            "2045873,Taunton CP,practice_evaluation,chris@example.gov.uk,chris@example.gov.uk,Q1",
            "2045874,Taunton CP,dip_review,chris@example.gov.uk,bea@example.gov.uk,Q1",
            "2045875,,practice_evaluation,chris@example.gov.uk,,Q1",
            "2045876,Taunton CP,practice_evaluation,chris@example.gov.uk,,Q1,extra",
            "2045877,Taunton CP,practice_evaluation,chris@example.gov.uk,,Q1",
            "2045877,Taunton CP,practice_evaluation,bea@example.gov.uk,,Q1",
        ]
    )
    parsed = parse_allocations_csv(text, SOMERSET)
    assert [r.case_ref for r in parsed.rows] == ["2045877"]
    errors = "\n".join(parsed.errors)
    assert "line 2: case_ref 'Jayden Smith' is not a LCS / EHM number (e.g. 2045871)" in errors
    assert "line 3: unknown activity 'coffee_morning' (one of: practice_evaluation" in errors
    assert "line 4: assignee_email 'not-an-email' is not an email address" in errors
    assert "line 5: the moderator must be someone other than the assignee" in errors
    assert "line 6: Team dip review is not moderated: leave moderator_email empty" in errors
    assert "line 7: team is empty" in errors
    assert "line 8: more values than columns" in errors
    assert "line 10: case 2045877 already has this activity in this cycle on line 9" in errors


def test_a_huge_cell_is_refused_with_its_line_and_nothing_crashes() -> None:
    row = "2045871,{team},practice_evaluation,chris@example.gov.uk,,Q1"
    text = "\n".join(
        [HEADER, row.format(team="T" * 301), row.format(team="Taunton CP").replace("71", "72")]
    )
    parsed = parse_allocations_csv(text, SOMERSET)
    assert [r.case_ref for r in parsed.rows] == ["2045872"]
    assert parsed.errors == ["line 2: team is longer than 300 characters"]
    # 300 KB in one cell: the rows before it are kept, and the line is named.
    huge = f"{HEADER}\n{row.format(team='ok')}\n{row.format(team='x' * 300_000)}\n"
    parsed = parse_allocations_csv(huge, SOMERSET)
    assert len(parsed.rows) == 1
    assert parsed.errors == ["line 3: a value is far too long; the file cannot be read past here"]


def test_the_whole_file_is_refused_when_the_header_is_wrong_or_it_is_too_big() -> None:
    with pytest.raises(CsvFormatError, match="missing: moderator_email, cycle"):
        parse_allocations_csv("case_ref,team,activity,assignee_email\n1,2,3,4\n", SOMERSET)
    with pytest.raises(CsvFormatError, match="empty"):
        parse_allocations_csv("   \n", SOMERSET)
    with pytest.raises(CsvFormatError, match="limit is 1000 KB"):
        parse_allocations_csv(HEADER + "\n" + "x" * 1_000_001, SOMERSET)


def test_a_deadline_relative_to_a_target_day_needs_that_day() -> None:
    text = (
        f"{HEADER},target_on\n"
        ",CDT,team_spotlight,lead@example.gov.uk,,Spotlight Feb,\n"
        ",CDT,team_spotlight,lead@example.gov.uk,,Spotlight Feb,2027-02-17\n"
    )
    parsed = parse_allocations_csv(text, NORTH_SOMERSET)
    assert parsed.errors == [
        "line 2: Team Spotlight is due relative to a target day: give it in a target_on column"
    ]
    assert parsed.rows[0].target_on == date(2027, 2, 17)
    assert parsed.rows[0].case_ref == ""  # a Spotlight is about a team, not one child


def test_text_pasted_into_slack_or_teams_is_cleaned_up() -> None:
    slack = (
        "```\ncase_ref,team,activity,assignee_email,moderator_email,cycle\n"
        "2045871,Taunton &amp; Wells,practice_evaluation,"
        "<mailto:chris@example.gov.uk|chris@example.gov.uk>,,Q1\n```"
    )
    rows = parse_allocations_csv(clean_pasted_text(slack), SOMERSET).rows
    assert rows[0].team == "Taunton & Wells"
    assert rows[0].assignee_email == "chris@example.gov.uk"
    teams = (
        "<p>case_ref,team,activity,assignee_email,moderator_email,cycle</p>"
        "<p>2045871,Taunton CP,practice_evaluation,chris@example.gov.uk,,Q1</p>"
    )
    assert len(parse_allocations_csv(clean_pasted_text(teams), SOMERSET).rows) == 1


def test_cells_copied_from_a_spreadsheet_are_tab_separated() -> None:
    text = (
        HEADER.replace(",", "\t") + "\n2045871\tTaunton CP\tpractice_evaluation\tc@x.gov.uk\t\tQ1"
    )
    parsed = parse_allocations_csv(text, SOMERSET)
    assert parsed.errors == [] and parsed.rows[0].team == "Taunton CP"


def test_the_csv_is_found_after_the_command_in_a_message() -> None:
    message = f"allocate please\n\n{HEADER}\n2045871,Taunton CP,mape,q@x.gov.uk,,Feb"
    found = csv_from_message(message, "case_ref")
    assert found is not None and found.startswith(HEADER)
    assert csv_from_message("allocate please", "case_ref") is None


def test_cohort_rows_need_a_case_reference_and_a_team() -> None:
    text = "case_ref,team,service\n2045871,Taunton CP,\n2045872,,SW\nabc,Yeovil,SW\n2045871,X,Y\n"
    parsed = parse_cohort_csv(text, SOMERSET)
    assert [(r.case_ref, r.team) for r in parsed.rows] == [("2045871", "Taunton CP")]
    assert parsed.errors == [
        "line 3: team is empty (the case's team, so no one audits their own)",
        "line 4: case_ref 'abc' is not a LCS / EHM number (e.g. 2045871); children are "
        "referred to only by their case record number",
        "line 5: case 2045871 is also on line 2",
    ]


def test_activities_are_found_by_key_or_name() -> None:
    mape = find_activity(SOMERSET, "Multi-Agency Practice Evaluation (MAPE)")
    assert mape is not None and mape.key == "mape"
    assert find_activity(SOMERSET, "Practice-Evaluation") is not None
    assert find_activity(SOMERSET, "") is None
