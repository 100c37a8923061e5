"""The preset dispute ladders on the shared ladder engine, and the ladders' validation in the
framework file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import ConfigError, load_framework
from bot.domain import ladder_engine
from bot.domain.workdays import WorkingCalendar

CAL = WorkingCalendar()


def ladder(preset: str, key: str):  # type: ignore[no-untyped-def]
    found = load_framework(preset).escalations.ladder(key)
    assert found is not None
    return found


def test_a_stage_clock_counts_working_days_over_christmas_and_new_year() -> None:
    stage = ladder("somerset", "rpd").stages[0]  # 5 working days
    assert ladder_engine.stage_due_on(CAL, date(2026, 12, 21), stage) == date(2026, 12, 30)
    assert ladder_engine.stage_due_on(CAL, date(2026, 12, 24), stage) == date(2027, 1, 5)
    panel = ladder("somerset", "rpd").stages[-1]  # no fixed timescale
    assert ladder_engine.stage_due_on(CAL, date(2026, 12, 21), panel) is None


def test_the_total_cap_of_the_iro_process_is_20_working_days() -> None:
    drp = ladder("dudley", "drp")
    assert ladder_engine.total_due_on(CAL, date(2026, 12, 14), drp) == date(2027, 1, 14)
    assert ladder_engine.total_due_on(CAL, date(2026, 12, 14), ladder("somerset", "rpd")) is None


def test_at_the_deadline_the_bot_asks_or_escalates_where_the_ladder_says() -> None:
    drp = ladder("dudley", "drp")
    due = date(2026, 12, 21)
    assert ladder_engine.deadline_step(drp, 0, due, due) == "none"
    assert ladder_engine.deadline_step(drp, 0, due, date(2026, 12, 22)) == "ask"
    assert ladder_engine.deadline_step(drp, 1, due, date(2026, 12, 22)) == "escalate"
    # The last stage cannot escalate by itself, whatever it says.
    assert ladder_engine.deadline_step(drp, 3, due, date(2026, 12, 22)) == "ask"
    assert ladder_engine.deadline_step(drp, 0, None, date(2027, 6, 1)) == "none"


def test_reminders_fall_on_the_working_day_before_and_the_day_itself() -> None:
    due = date(2026, 12, 29)  # Tuesday after Christmas
    assert ladder_engine.reminder_due(CAL, due, date(2026, 12, 24))  # Thursday: 1 working day left
    assert ladder_engine.reminder_due(CAL, due, due)
    assert not ladder_engine.reminder_due(CAL, due, date(2026, 12, 23))
    assert not ladder_engine.reminder_due(CAL, due, date(2026, 12, 30))
    assert ladder_engine.clock_words(CAL, due, date(2026, 12, 24)) == (
        "due Tue 29 Dec 2026 (1 working day left)"
    )
    overdue = ladder_engine.clock_words(CAL, due, date(2026, 12, 30))
    assert overdue == "overdue since Tue 29 Dec 2026"


def test_start_stages_are_the_first_and_those_the_ladder_allows() -> None:
    assert ladder("dudley", "drp").start_choices == [0, 1, 2, 3]  # the IRO may bypass any stage
    assert ladder("dudley", "audit_dispute").start_choices == [0]
    assert ladder_engine.may_start_at(ladder("north-somerset", "review_dispute"), 1)
    assert not ladder_engine.may_start_at(ladder("north-somerset", "review_dispute"), 2)


def test_every_preset_stage_cites_a_seed_or_says_it_is_a_local_default() -> None:
    for preset in ("somerset", "dudley", "west-sussex", "somerset-partnership", "north-somerset"):
        escalations = load_framework(preset).escalations
        assert escalations.child_protection is not None
        assert escalations.ladders, preset
        for lad in escalations.ladders:
            for stage in lad.stages:
                assert "seed 00" in stage.source or "local default" in stage.source, stage.key


def test_a_wrong_ladder_in_a_framework_file_names_the_problem(tmp_path: Path) -> None:
    text = Path(str(load_framework.__globals__["framework_path"]("somerset"))).read_text()
    bad = text.replace('may_start_at = ["managers"]', 'may_start_at = ["nowhere"]')
    path = tmp_path / "bad.toml"
    path.write_text(bad)
    with pytest.raises(ConfigError, match=r"may_start_at names unknown stages \['nowhere'\]"):
        load_framework(str(path))
