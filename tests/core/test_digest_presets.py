"""Every preset drafts a QA digest on its source's schedule, with its sections, audience and
learning resources, each traceable to the seed (``qabot framework explain``); and every area
that holds digest data answers for its part."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.areas import build_router
from bot.cli import app
from bot.config import PRESETS, load_framework
from bot.domain.digest import Section
from bot.domain.explain import explain

EXPECTED = {
    # preset: (name, period, months)
    "somerset": ("Closing the Loop", "quarter", (1, 4, 7, 10)),
    "dudley": ("CPP monthly QA report", "month", tuple(range(1, 13))),
    "west-sussex": ("Top ten learning highlights", "quarter", (1, 4, 7, 10)),
    "somerset-partnership": ("SSCP learning bulletin", "quarter", (1, 4, 7, 10)),
    "north-somerset": ("QA findings: breadth, depth and impact", "quarter", (1, 4, 7, 10)),
}
SEEDS = {
    "somerset": "seed 000",
    "dudley": "seed 001",
    "west-sussex": "seed 002",
    "somerset-partnership": "seed 003",
    "north-somerset": "seed 004",
}


def test_every_preset_is_covered() -> None:
    assert set(EXPECTED) == set(PRESETS)


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_every_preset_has_a_digest_schedule_from_its_seed(preset: str) -> None:
    digest = load_framework(preset).broadcasts.digest
    assert digest is not None
    assert (digest.name, digest.period, digest.months) == EXPECTED[preset]
    assert digest.source.startswith(SEEDS[preset])
    assert digest.resources, "the seed names learning resources"
    assert digest.audience
    assert len(set(digest.sections)) == len(digest.sections) >= 4


def test_the_sections_follow_each_source() -> None:
    first = {p: load_framework(p).broadcasts.digest.sections[0] for p in EXPECTED}  # type: ignore[union-attr]
    assert first["somerset"] == Section.THEMES  # "to summarise themes"
    assert first["west-sussex"] == Section.GOOD_PRACTICE  # top ten learning highlights
    assert first["north-somerset"] == Section.BREADTH  # breadth, depth and impact
    assert first["dudley"] == Section.DEPTH  # findings from audit and moderation


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_explain_lists_the_digest_rules_with_their_sources(preset: str) -> None:
    framework = load_framework(preset)
    rules = [r for r in explain(framework) if r.rule.startswith("broadcasts.digest")]
    by_rule = {r.rule: r for r in rules}
    assert by_rule["broadcasts.digest"].value.startswith(EXPECTED[preset][0])
    assert by_rule["broadcasts.digest"].mark in ("seed", "reading")
    assert by_rule["broadcasts.digest.draft_on_working_day"].mark == "default"
    resources = [r.value for r in rules if r.rule == "broadcasts.digest.resources"]
    assert resources == [r.title for r in framework.broadcasts.digest.resources]  # type: ignore[union-attr]


def test_the_command_shows_the_digest() -> None:
    result = CliRunner().invoke(app, ["framework", "explain", "--framework", "somerset"])
    assert result.exit_code == 0, result.output
    assert "broadcasts.digest = Closing the Loop, every quarter" in result.output
    assert "broadcasts.digest.months = drafted in January, April, July, October" in result.output


def test_every_area_with_digest_data_answers_for_its_part() -> None:
    sources = {fn.__module__ for fn in build_router().digest_sources}
    assert {
        "bot.allocations.digest",
        "bot.quotas.digest",
        "bot.escalations.digest",
        "bot.nominations.digest",
    } <= sources
