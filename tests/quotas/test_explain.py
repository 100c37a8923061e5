"""`qabot framework explain`: every rule with its seed passage or its local-default mark."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import PRESETS, load_framework
from bot.domain.explain import explain


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_rule_of_every_preset_is_explained(preset: str) -> None:
    framework = load_framework(preset)
    rules = explain(framework)
    by_rule = {r.rule: r for r in rules}
    assert by_rule["voting.quorum"].mark == "default"
    for quota in framework.quotas:
        assert by_rule[f"quotas.{quota.key}"].mark == "seed"
        assert str(quota.target) in by_rule[f"quotas.{quota.key}"].value
    escalations = [r for r in rules if r.rule.endswith(".escalation")]
    assert all(r.mark == "default" for r in escalations)
    assert len([r for r in rules if r.rule.endswith(".deadline")]) == len(framework.activities)


def test_the_command_prints_each_rule_and_the_counts() -> None:
    result = CliRunner().invoke(app, ["framework", "explain", "--framework", "somerset"])
    assert result.exit_code == 0, result.output
    assert "quotas.family_feedback = 1 per practitioner per quarter" in result.output
    assert "[seed] seed 000:" in result.output and "[default] local default" in result.output
    assert "local defaults to confirm" in result.output
    bad = CliRunner().invoke(app, ["framework", "explain", "--framework", "nope"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_intervals_rotations_and_the_lead_reminder_are_explained() -> None:
    rules = {r.rule: r for r in explain(load_framework("north-somerset"))}
    plans = rules["activities.team_action_plan_review.every"]
    assert plans.value == "every 6 weeks from 2026-09-07" and plans.mark == "seed"
    assert "local default" in plans.source  # the first review's date
    team = rules["activities.team_spotlight.rotations.team"]
    assert team.value.startswith("in turn: CDT, Children in Care") and team.mark == "seed"
    assert rules["activities.team_spotlight.rotations.lead"].mark == "reading"
    lead = rules["calendar.lead_reminder_working_days"]
    assert (lead.value, lead.mark) == ("5", "default")
    dudley = {r.rule: r for r in explain(load_framework("dudley"))}
    assert dudley["activities.case_audit.opens_itself"].mark == "reading"


def test_somersets_six_monthly_report_and_analyses_are_local_defaults() -> None:
    rules = {r.rule: r for r in explain(load_framework("somerset"))}
    report = rules["activities.qa_summary_report.every"]
    assert report.value == "every 6 months from 2024-10-01" and report.mark == "default"
    assert "names no months" in report.source
    for key in ("endings_analysis", "fathers_audit_analysis"):
        assert rules[f"activities.{key}.every"].mark == "default"
    result = CliRunner().invoke(app, ["framework", "explain", "--framework", "somerset"])
    assert "activities.qa_summary_report.every = every 6 months from 2024-10-01" in result.output
