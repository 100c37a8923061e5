"""Quota definitions: each preset encodes its seed's numbers, cites the passage, and periods
and nudge points fall where a QA lead would expect."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.config import ConfigError, load_framework
from bot.domain.quotas import Quota, is_local_default
from bot.domain.roles import Role
from bot.domain.workdays import WorkingCalendar

PRESETS = ("somerset", "dudley", "west-sussex", "somerset-partnership", "north-somerset")


def _targets(name: str) -> dict[str, tuple[str, str, int]]:
    return {q.key: (q.per, q.period, q.target) for q in load_framework(name).quotas}


def test_each_preset_has_its_seeds_quotas_with_the_seeds_numbers() -> None:
    assert _targets("somerset") == {
        "family_feedback": ("practitioner", "quarter", 1),
        "dip_review": ("team", "quarter", 1),
        "practice_observation": ("practitioner", "quarter", 1),
    }
    dudley = load_framework("dudley")
    assert _targets("dudley")["tm_monthly_audit"] == ("role", "month", 1)
    assert _targets("dudley")["practice_observation"] == ("practitioner", "year", 1)
    # seed 001: "Residential Managers 1 case a quarter", a role of its own.
    residential = dudley.quota("rm_quarterly_audit")
    assert residential is not None and residential.roles == (Role.RESIDENTIAL_MANAGER,)
    assert (residential.per, residential.period, residential.target) == ("role", "quarter", 1)
    inadequate = dudley.quota("ad_inadequate_audit")
    assert inadequate is not None and (inadequate.period, inadequate.months) == ("months", 3)
    assert _targets("west-sussex") == {"tm_observations": ("role", "year", 4)}
    assert _targets("somerset-partnership") == {
        "multi_agency_audit": ("partnership", "quarter", 1),
        "safeguarding_conversations": ("partnership", "quarter", 1),
        "follow_up_calls": ("partnership", "quarter", 6),
    }
    assert _targets("north-somerset") == {}


@pytest.mark.parametrize("preset", PRESETS)
def test_every_quota_cites_a_seed_or_is_marked_a_local_default(preset: str) -> None:
    for quota in load_framework(preset).quotas:
        assert re.match(r"seed 00\d: \S", quota.source) or is_local_default(quota.source), quota.key


def test_a_bad_quota_is_named_with_its_line(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    text = Path("bot/presets/west-sussex.toml").read_text().replace("target = 4", "target = 0")
    path = tmp_path / "fw.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_framework(str(path))
    assert "target" in str(caught.value)


CAL = WorkingCalendar(quarter_start_month=4)


def _quota(**changes: object) -> Quota:
    base: dict[str, object] = {
        "key": "q",
        "name": "Q",
        "counts": "feedback",
        "per": "practitioner",
        "period": "quarter",
        "target": 1,
        "logged_by": ["team_manager"],
        "gap_owner": "line_manager",
        "source": "local default: test",
    }
    return Quota.model_validate(base | changes)


def test_periods_follow_the_framework_year() -> None:
    quarter = _quota().period_of(date(2026, 11, 30), CAL)
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    month = _quota(period="month").period_of(date(2026, 2, 10), CAL)
    assert (month.start, month.end) == (date(2026, 2, 1), date(2026, 2, 28))
    year = _quota(period="year").period_of(date(2027, 1, 5), CAL)
    assert (year.start, year.end) == (date(2026, 4, 1), date(2027, 3, 31))
    every_3 = _quota(period="months", months=3).period_of(date(2026, 9, 30), CAL)
    assert (every_3.start, every_3.end) == (date(2026, 7, 1), date(2026, 9, 30))
    rolling = _quota(period="rolling", months=12).period_of(date(2026, 9, 30), CAL)
    assert (rolling.start, rolling.end) == (date(2025, 10, 1), date(2026, 9, 30))


def test_nudge_points_land_on_working_days() -> None:
    quota = _quota(nudges=[{"after_weeks": 6}, {"after_weeks": 10}, {"before_end_working_days": 5}])
    period = quota.period_of(date(2026, 10, 1), CAL)
    # 12 Nov 2026 is a Thursday; 10 weeks in is Thursday 10 Dec; the quarter's last working
    # day is Thu 31 Dec; five working days before it, skipping Christmas Day and Boxing Day
    # (observed Mon 28 Dec), is Tue 22 Dec.
    assert quota.nudge_days(period, CAL) == [
        ("week-6", date(2026, 11, 12)),
        ("week-10", date(2026, 12, 10)),
        ("end-5wd", date(2026, 12, 22)),
    ]


def test_inconsistent_definitions_are_refused() -> None:
    with pytest.raises(ValueError, match="per role"):
        _quota(per="role")
    with pytest.raises(ValueError, match="months"):
        _quota(period="months")
    with pytest.raises(ValueError, match="rolling"):
        _quota(period="rolling", months=3, nudges=[{"after_weeks": 1}])
