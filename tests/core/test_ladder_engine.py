"""The one ladder engine in the core: stage clocks in working days or months, the order of
stages (a repeating last stage), caps, start stages, deadline steps and schedules; and West
Sussex's Inadequate re-audit ladder expressed as a ladder on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import ConfigError, framework_path, load_framework
from bot.domain import ladder_engine as engine
from bot.domain.explain import explain
from bot.domain.ladders import InadequateLadder, Ladder, LadderStage
from bot.domain.roles import Role
from bot.domain.workdays import WorkingCalendar

CAL = WorkingCalendar()


def stage(key: str, **clock: Any) -> LadderStage:
    return LadderStage(
        key=key,
        name=f"Stage {key}",
        guidance="Talk it through.",
        record="A case note.",
        ends_when="Agreed.",
        source="local default",
        **clock,
    )


def ladder(*stages: LadderStage, **more: Any) -> Ladder:
    return Ladder(
        key="test", name="Test", note_title="Test", stages=stages, source="local default", **more
    )


def inadequate(*stages: LadderStage, **more: Any) -> InadequateLadder:
    return InadequateLadder(key="inadequate", name="I", stages=stages, source="seed 002", **more)


def test_a_working_day_clock_skips_christmas_and_new_year() -> None:
    five = stage("a", working_days=5)
    assert engine.stage_due_on(CAL, date(2026, 12, 21), five) == date(2026, 12, 30)
    assert engine.stage_due_on(CAL, date(2026, 12, 24), five) == date(2027, 1, 5)
    assert engine.stage_due_on(CAL, date(2026, 12, 21), stage("b")) is None


def test_a_month_clock_lands_on_the_next_working_day() -> None:
    three = stage("a", months=3)
    assert engine.stage_due_on(CAL, date(2026, 9, 29), three) == date(2026, 12, 29)
    # 29 March 2027 is Easter Monday; 31 May is clamped to the end of February.
    assert engine.stage_due_on(CAL, date(2026, 12, 29), three) == date(2027, 3, 30)
    assert engine.stage_due_on(CAL, date(2026, 11, 30), three) == date(2027, 3, 1)


def test_a_stage_has_one_clock() -> None:
    with pytest.raises(ValidationError, match="give working_days or months, not both"):
        stage("a", working_days=5, months=1)


def test_the_last_stage_ends_a_ladder_unless_it_repeats() -> None:
    disputes = ladder(stage("a"), stage("b"))
    assert [engine.next_stage_index(disputes, i) for i in (0, 1)] == [1, None]
    cycle = inadequate(stage("m", working_days=1), stage("r", months=3))
    assert [engine.next_stage_index(cycle, i) for i in (0, 1)] == [1, 1]
    assert engine.stage_at(cycle, 7).key == "r"
    with pytest.raises(ValidationError, match="cannot repeat its last stage"):
        ladder(stage("a"), repeat_last_stage=True)


def test_the_deadline_asks_or_escalates_and_the_last_stage_only_asks() -> None:
    auto = ladder(stage("a", working_days=5, auto_escalate=True), stage("b", auto_escalate=True))
    due = date(2026, 12, 21)
    assert engine.deadline_step(auto, 0, due, due) == "none"
    assert engine.deadline_step(auto, 0, due, date(2026, 12, 22)) == "escalate"
    assert engine.deadline_step(auto, 1, due, date(2026, 12, 22)) == "ask"
    assert engine.deadline_step(auto, 0, None, date(2027, 6, 1)) == "none"


def test_a_cap_start_stages_and_reminders() -> None:
    capped = ladder(stage("a"), stage("b"), stage("c"), total_working_days=20, may_start_at=["c"])
    assert engine.total_due_on(CAL, date(2026, 12, 14), capped) == date(2027, 1, 14)
    assert engine.total_due_on(CAL, date(2026, 12, 14), ladder(stage("a"))) is None
    assert [engine.may_start_at(capped, i) for i in (0, 1, 2)] == [True, False, True]
    due = date(2026, 12, 29)
    assert engine.reminder_due(CAL, due, date(2026, 12, 24))
    assert not engine.reminder_due(CAL, due, date(2026, 12, 23))
    assert engine.clock_words(CAL, due, due) == "due today, Tue 29 Dec 2026"
    assert engine.clock_words(CAL, None, due) == "no fixed timescale"


def test_a_schedule_chains_each_stage_from_the_last_due_date() -> None:
    steps = ladder(stage("a", working_days=5), stage("b", months=1), stage("c"), stage("d"))
    found = engine.schedule(CAL, steps, 0, date(2026, 12, 21))
    assert [(s.stage.key, s.started_on, s.due_on) for s in found] == [
        ("a", date(2026, 12, 21), date(2026, 12, 30)),
        ("b", date(2026, 12, 30), date(2027, 2, 1)),  # 30 January 2027 is a Saturday
        ("c", date(2027, 2, 1), None),  # no timescale: what follows cannot be dated
    ]


# --- West Sussex's Inadequate re-audit ladder on the engine (seed 002) ----------------------


def test_the_west_sussex_inadequate_ladder_is_a_ladder_of_stages() -> None:
    found = load_framework("west-sussex").inadequate_ladder
    assert found is not None and found.repeat_last_stage and found.moderate_immediately
    assert [s.key for s in found.stages] == [
        "moderation",
        "reaudit",
        "assistant_director",
        "executive_director",
    ]
    assert [s.roles for s in found.stages] == [
        (),
        (),
        (Role.ASSISTANT_DIRECTOR,),
        (Role.DIRECTOR,),
    ]
    for each in found.stages:
        assert each.source.startswith("seed 002"), each.key
    # Moderated by the next working day; re-audits every 3 months, the last repeating.
    moderation, *reaudits = engine.schedule(CAL, found, 0, date(2026, 12, 24))
    assert moderation.due_on == date(2026, 12, 29)
    # 29 March 2027 is Easter Monday, and each re-audit counts from the one before.
    assert [r.due_on for r in reaudits] == [date(2027, 3, 30), date(2027, 6, 30), date(2027, 9, 30)]
    assert engine.next_stage_index(found, 3) == 3  # on the cycle until no longer Inadequate


def test_an_inadequate_ladder_needs_timed_reaudit_stages() -> None:
    with pytest.raises(ValidationError, match="at least one re-audit stage"):
        inadequate(stage("m", working_days=1))
    with pytest.raises(ValidationError, match=r"re-audit stages \['r'\] need a timescale"):
        inadequate(stage("m"), stage("r"))
    assert not inadequate(stage("m"), stage("r", months=3)).moderate_immediately


def test_an_old_inadequate_ladder_in_a_framework_file_is_refused_clearly(tmp_path: Path) -> None:
    text = framework_path("west-sussex").read_text(encoding="utf-8")
    start = text.index("\n[inadequate_ladder]\n") + 1
    end = text.index("# --- Escalation ladders")
    old = (
        "[inadequate_ladder]\n"
        "moderate_immediately = true\n"
        'reaudit_activity = "reaudit"\n'
        'source = "seed 002"\n'
        'steps = [{ after_months = 3, escalate_to = "director", label = "Director" }]\n\n'
    )
    path = tmp_path / "old.toml"
    path.write_text(text[:start] + old + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_framework(str(path))
    message = str(error.value)
    assert "key inadequate_ladder" in message
    assert "steps, moderate_immediately belong to the old shape of [inadequate_ladder]" in message
    assert "[[inadequate_ladder.stages]]" in message


def test_framework_explain_lists_each_inadequate_stage_with_its_source() -> None:
    found = {r.rule: r for r in explain(load_framework("west-sussex"))}
    moderation = found["inadequate_ladder.stages.moderation"]
    assert (moderation.value, moderation.mark) == ("1 working day", "reading")
    director = found["inadequate_ladder.stages.executive_director"]
    assert director.value == "3 months; tells director"
    assert director.source.startswith("seed 002")
