"""Deadlines of every preset's activities on known dates: Christmas 2026, Easter 2027, DST."""

import tomllib
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

import bot
from bot.allocations.rules.sampling import service_quotas
from bot.domain import ladder_engine
from bot.domain.activities import (
    ActivityType,
    action_due_date,
    due_date,
    earliest_date,
    escalation_dates,
    follow_up_check_date,
    inadequate_moderation_due,
    reference_problems,
    reminder_dates,
)
from bot.domain.framework import Framework
from bot.domain.roles import Role
from bot.domain.workdays import WorkingCalendar

PRESETS = Path(bot.__file__).parent / "presets"
HOUR = timedelta(hours=1)
SEEDS = {
    "somerset": "seed 000",
    "dudley": "seed 001",
    "west-sussex": "seed 002",
    "somerset-partnership": "seed 003",
    "north-somerset": "seed 004",
}


@cache
def framework(name: str) -> Framework:
    with (PRESETS / f"{name}.toml").open("rb") as file:
        return Framework.model_validate(tomllib.load(file))


def activity(name: str, key: str) -> ActivityType:
    found = framework(name).activity(key)
    assert found is not None, f"{name} has no activity {key!r}"
    return found


def calendar(name: str) -> WorkingCalendar:
    return WorkingCalendar.from_settings(framework(name).calendar)


def due(name: str, key: str, start: date) -> date:
    return due_date(activity(name, key), start, calendar(name))


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_preset_loads_with_consistent_activities(name: str) -> None:
    fw = framework(name)
    assert fw.activities
    assert (
        reference_problems(
            fw.activities, fw.cycle_quotas, fw.moderation_rates, fw.inadequate_ladder
        )
        == []
    )
    for a in fw.activities:
        assert a.source.startswith(SEEDS[name]), a.key
        assert a.reminders, a.key
        assert a.escalation[0].to == "line_manager", a.key
        assert len(a.escalation) >= 2, a.key
        assert a.roles_allowed, a.key


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        (
            "somerset",
            {"practice_evaluation", "moderation", "feedback", "dip_review", "mape"}
            | {"team_diagnostic", "repeat_cp_audit"},
        ),
        ("dudley", {"case_audit", "moderation", "reaudit_inadequate"}),
        (
            "west-sussex",
            {"case_audit", "moderation", "audit_action", "reaudit", "thematic_audit"},
        ),
        ("somerset-partnership", {"multi_agency_audit", "rapid_review", "follow_up_call"}),
        (
            "north-somerset",
            {"collaborative_practice_review", "moderation", "cpr_report", "thematic_review"}
            | {"team_spotlight", "spotlight_case_list", "spotlight_notes"}
            | {"spotlight_draft_report", "spotlight_final_report"},
        ),
    ],
)
def test_presets_define_the_source_activities(name: str, keys: set[str]) -> None:
    assert keys <= {a.key for a in framework(name).activities}


def test_a_bad_activity_is_rejected_with_a_reason() -> None:
    good = activity("somerset", "practice_evaluation").model_dump()
    with pytest.raises(ValidationError, match="moderation_activity"):
        ActivityType.model_validate({**good, "moderation_activity": None})
    with pytest.raises(ValidationError, match="later and later"):
        ActivityType.model_validate(
            {
                **good,
                "escalation": [
                    {"after_working_days": 5, "to": "head_of_service"},
                    {"after_working_days": 2, "to": "line_manager"},
                ],
            }
        )
    with pytest.raises(ValidationError, match="kind"):
        ActivityType.model_validate({**good, "deadline": {"kind": "fortnights", "n": 2}})


def test_reference_problems_name_the_missing_activity() -> None:
    fw = framework("north-somerset")
    without_report = [a for a in fw.activities if a.key != "cpr_report"]
    assert reference_problems(without_report) == [
        "activity 'moderation' refers to unknown activity 'cpr_report'"
    ]


# Somerset (seed 000)


def test_somerset_practice_evaluation_cycle_over_christmas_2026() -> None:
    allocated = date(2026, 12, 7)
    pe = activity("somerset", "practice_evaluation")
    cal = calendar("somerset")
    # 3 weeks lands on Monday 28 December, Boxing Day (observed).
    assert due_date(pe, allocated, cal) == date(2026, 12, 29)
    assert reminder_dates(pe, allocated, cal) == (
        date(2026, 12, 18),
        date(2026, 12, 23),
        date(2026, 12, 29),
    )
    assert [(e.on, e.step.to) for e in escalation_dates(pe, allocated, cal)] == [
        (date(2026, 12, 31), "line_manager"),
        (date(2027, 1, 6), "head_of_service"),
    ]
    assert pe.requires_moderation and pe.alternate_roles
    assert pe.moderation_activity == "moderation"
    # Moderation runs 3 weeks from the evaluation's completion; SIT checks 6 weeks from allocation.
    assert due("somerset", "moderation", date(2026, 12, 4)) == date(2026, 12, 29)
    assert due("somerset", "pe_final_checks", date(2027, 2, 15)) == date(2027, 3, 30)


def test_somerset_quarterly_feedback_and_dip_reviews() -> None:
    assert due("somerset", "feedback", date(2027, 2, 10)) == date(2027, 3, 31)
    assert due("somerset", "feedback", date(2026, 10, 1)) == date(2026, 12, 31)
    assert due("somerset", "dip_review", date(2026, 7, 2)) == date(2026, 9, 30)
    assert due("somerset", "mape", date(2026, 10, 27)) == date(2026, 12, 29)
    assert due("somerset", "repeat_cp_audit", date(2026, 12, 11)) == date(2027, 1, 13)


def test_somerset_team_diagnostic_folder_a_week_ahead_moves_before_easter() -> None:
    assert due("somerset", "team_diagnostic", date(2027, 3, 30)) == date(2027, 3, 30)
    assert due("somerset", "diagnostic_folder", date(2027, 3, 30)) == date(2027, 3, 23)
    # A week before Monday 5 April 2027 is Easter Monday; Good Friday before it: Thursday.
    assert due("somerset", "diagnostic_folder", date(2027, 4, 5)) == date(2027, 3, 25)


def test_somerset_quotas() -> None:
    fw = framework("somerset")
    assert service_quotas(fw.cycle_quotas, "practice_evaluation") == {
        "Social Work": 60,
        "Family Intervention Service": 10,
        "Fostering and Kinship": 6,
        "Youth Justice": 8,
        "Children with Disabilities Early Support": 5,
    }
    # Feedback per practitioner is counted by the [[quotas]], not allocated in cycles.
    assert not [q for q in fw.cycle_quotas if q.activity == "feedback"]
    feedback = fw.quota("family_feedback")
    assert feedback is not None and (feedback.per, feedback.target) == ("practitioner", 1)


# Dudley (seed 001)


def test_dudley_case_audit_month_meeting_and_file_check() -> None:
    audit = activity("dudley", "case_audit")
    cal = calendar("dudley")
    assert due_date(audit, date(2026, 12, 1), cal) == date(2026, 12, 31)
    assert due_date(audit, date(2026, 12, 14), cal) == date(2026, 12, 31)  # 11 WD left
    assert due_date(audit, date(2026, 12, 17), cal) == date(2027, 1, 29)  # only 8 WD left
    assert earliest_date(audit, date(2026, 12, 1), cal) == date(2026, 12, 8)
    assert earliest_date(audit, date(2026, 12, 18), cal) == date(2026, 12, 29)
    assert follow_up_check_date(audit, date(2026, 12, 14), cal) == date(2026, 12, 29)
    assert action_due_date(audit, date(2026, 12, 14), cal) == date(2026, 12, 29)
    assert audit.stretch_target and not audit.own_team_allowed
    assert audit.moderation_activity == "moderation" and not audit.requires_moderation


def test_dudley_moderation_rates_and_reaudits() -> None:
    fw = framework("dudley")
    assert {(r.service, r.share) for r in fw.moderation_rates} == {
        ("Social Care", 0.2),
        ("Early Help", 0.1),
    }
    assert all(r.always_for_grades == ("inadequate",) for r in fw.moderation_rates)
    # Three months from 29 December 2026 is Easter Monday 2027.
    assert due("dudley", "reaudit_inadequate", date(2026, 12, 29)) == date(2027, 3, 30)
    leaders = {
        q.roles: (q.per_cycle, q.cycle_months)
        for q in fw.cycle_quotas
        if q.activity == "reaudit_inadequate"
    }
    assert leaders == {(Role.ASSISTANT_DIRECTOR,): (1, 3), (Role.DIRECTOR,): (1, 3)}


# West Sussex (seed 002)


def test_west_sussex_moderation_by_month_end() -> None:
    cal = calendar("west-sussex")
    moderation = activity("west-sussex", "moderation")
    assert due_date(moderation, date(2026, 11, 23), cal) == date(2026, 11, 30)
    # The reminder 5 WD before falls on the day the audit was completed: dropped.
    assert reminder_dates(moderation, date(2026, 11, 23), cal) == (
        date(2026, 11, 26),
        date(2026, 11, 30),
    )
    # Completed on Christmas Eve: still by the end of the calendar month (seed 002).
    assert due_date(moderation, date(2026, 12, 24), cal) == date(2026, 12, 31)
    assert due("west-sussex", "case_audit", date(2026, 12, 4)) == date(2026, 12, 31)


def test_west_sussex_actions_within_four_weeks() -> None:
    cal = calendar("west-sussex")
    # Four weeks from Friday 4 December 2026 is New Year's Day.
    assert due("west-sussex", "audit_action", date(2026, 12, 4)) == date(2027, 1, 4)
    assert action_due_date(activity("west-sussex", "case_audit"), date(2026, 12, 4), cal) == date(
        2027, 1, 4
    )


def test_west_sussex_inadequate_ladder() -> None:
    fw = framework("west-sussex")
    cal = calendar("west-sussex")
    ladder = fw.inadequate_ladder
    assert ladder is not None and ladder.moderate_immediately
    assert ladder.reaudit_activity == "reaudit"
    assert inadequate_moderation_due(ladder, date(2026, 12, 24), cal) == date(2026, 12, 29)
    # The re-audits on the ladder engine, if the case stays Inadequate: who hears after each.
    reaudits = ladder_engine.schedule(cal, ladder, 1, date(2026, 9, 29))
    told = [ladder_engine.stage_at(ladder, s.stage_index + 1).roles for s in reaudits]
    assert [(s.due_on, roles) for s, roles in zip(reaudits, told, strict=True)][:2] == [
        (date(2026, 12, 29), (Role.ASSISTANT_DIRECTOR,)),
        (date(2027, 3, 30), (Role.DIRECTOR,)),  # 29 March 2027 is Easter Monday
    ]
    assert due("west-sussex", "reaudit", date(2026, 9, 29)) == date(2026, 12, 29)


def test_west_sussex_thematic_follow_ups() -> None:
    thematic = activity("west-sussex", "thematic_audit")
    assert thematic.next_activities == ("thematic_six_week_review", "thematic_close_the_loop")
    assert due("west-sussex", "thematic_six_week_review", date(2026, 11, 16)) == date(2026, 12, 29)
    assert due("west-sussex", "thematic_close_the_loop", date(2026, 11, 16)) == date(2027, 2, 16)


# Somerset Safeguarding Children Partnership (seed 003)


def test_sscp_rapid_review_in_working_days() -> None:
    cal = calendar("somerset-partnership")
    review = activity("somerset-partnership", "rapid_review")
    notified = date(2026, 12, 16)
    assert due_date(review, notified, cal) == date(2027, 1, 11)
    assert [e.on for e in escalation_dates(review, notified, cal)] == [
        date(2027, 1, 12),
        date(2027, 1, 14),
    ]
    assert "working days" in review.source


def test_sscp_quarterly_work() -> None:
    assert due("somerset-partnership", "multi_agency_audit", date(2026, 10, 1)) == date(
        2026, 12, 31
    )
    # Too little of the quarter left (13 working days): the next quarter's end.
    assert due("somerset-partnership", "multi_agency_audit", date(2026, 12, 10)) == date(
        2027, 3, 31
    )
    assert due("somerset-partnership", "follow_up_call", date(2027, 1, 5)) == date(2027, 3, 31)
    # Six months from 31 August 2026 is clamped to Sunday 28 February 2027.
    assert due("somerset-partnership", "practice_review", date(2026, 8, 31)) == date(2027, 3, 1)
    calls = [
        q for q in framework("somerset-partnership").cycle_quotas if q.activity == "follow_up_call"
    ]
    assert [q.per_cycle for q in calls] == [6]
    # Quarterly: its cycle opens in the first month of each quarter.
    follow_up = framework("somerset-partnership").activity("follow_up_call")
    assert follow_up is not None and follow_up.months == (1, 4, 7, 10)


# North Somerset (seed 004)


def test_north_somerset_review_moderation_and_report_chain_over_christmas() -> None:
    review_closed = due("north-somerset", "collaborative_practice_review", date(2026, 12, 7))
    assert review_closed == date(2027, 1, 7)
    moderated = due("north-somerset", "moderation", review_closed)
    assert moderated == date(2027, 1, 21)
    assert due("north-somerset", "cpr_report", moderated) == date(2027, 2, 4)
    assert activity("north-somerset", "moderation").next_activities == ("cpr_report",)


def test_north_somerset_thematic_review_over_easter() -> None:
    reviewed = due("north-somerset", "thematic_review", date(2027, 3, 1))
    assert reviewed == date(2027, 3, 31)
    assert due("north-somerset", "thematic_report", reviewed) == date(2027, 4, 14)


def test_north_somerset_team_spotlight_deadlines_around_the_day() -> None:
    cal = calendar("north-somerset")
    case_list = activity("north-somerset", "spotlight_case_list")
    spotlight_day = date(2027, 1, 7)
    assert due_date(case_list, spotlight_day, cal) == date(2026, 12, 30)  # T-5 WD
    assert reminder_dates(case_list, spotlight_day, cal) == (
        date(2026, 12, 23),
        date(2026, 12, 29),
        date(2026, 12, 30),
    )
    assert reminder_dates(case_list, spotlight_day, cal, allocated_on=date(2026, 12, 24)) == (
        date(2026, 12, 29),
        date(2026, 12, 30),
    )
    assert due("north-somerset", "spotlight_notes", date(2026, 12, 24)) == date(2026, 12, 29)
    draft = due("north-somerset", "spotlight_draft_report", date(2027, 3, 8))
    assert draft == date(2027, 3, 31)  # T+15 WD over Easter
    assert due("north-somerset", "spotlight_final_report", draft) == date(2027, 4, 7)


def test_north_somerset_quiet_months() -> None:
    assert framework("north-somerset").calendar.quiet_months == (8, 12)


# Working hours from the presets across both clock changes


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_preset_working_hours_across_clock_changes(name: str) -> None:
    rules = framework(name).calendar
    cal = calendar(name)
    london = ZoneInfo("Europe/London")
    start, end = rules.working_hours_start, rules.working_hours_end
    # Saturday before the clocks go forward (28 March 2026) -> Monday's start, in BST.
    spring = cal.next_working_moment(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), start, end, london)
    assert spring.astimezone(UTC) == datetime.combine(date(2026, 3, 30), start, UTC) - HOUR
    # Saturday before they go back (24 October 2026) -> Monday's start, in GMT.
    autumn = cal.next_working_moment(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), start, end, london)
    assert autumn.astimezone(UTC) == datetime.combine(date(2026, 10, 26), start, UTC)
    assert cal.is_within_working_hours(autumn, start, end, london)
