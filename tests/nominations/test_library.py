"""The Good Practice Library's search and paging, the CSV file, and each preset's rules."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import PRESETS, framework_path, load_framework
from bot.nominations.cards import vote_card
from bot.nominations.dialogs.export import library_csv
from bot.nominations.dialogs.library import parse_query
from bot.nominations.gallery import sample_view
from bot.nominations.rules import Ballot, Choice, tally
from bot.nominations.store import LibraryEntry, LibraryQuery, Nomination
from tests.conftest import BotEnv
from tests.harness import find_buttons
from tests.nominations.support import person_id, text_of

THEMES = ("Child's voice and lived experience", "Direct work with children", "Multi-agency working")


def entry(n: int, *, theme: str, team: str, ratified: date, text: str) -> LibraryEntry:
    return LibraryEntry(
        nomination_id=n,
        reference=f"GP-2026-{n:04d}",
        theme=theme,
        team_name=team,
        nominees=f"Worker {n} ({team})",
        what_happened=text,
        difference_made="It helped.",
        evidence="",
        evidence_source="Supervision",
        more_information="",
        family_voice=n % 2 == 0,
        ratified_on=ratified,
        added_at=datetime(2026, 11, 1, tzinfo=UTC),
        search_text=f"{text} {theme} {team}".lower(),
    )


async def fill_library(env: BotEnv) -> None:
    sam = await person_id(env, "sam.sw@example.gov.uk")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    async with env.runtime.db.session() as session:
        for n in range(1, 8):
            session.add(
                Nomination(
                    id=n,
                    nominator_id=sam,
                    what_happened="x",
                    difference_made="y",
                    evidence="",
                    evidence_source="Supervision",
                    theme=THEMES[n % 3],
                    status="ratified",
                    submitted_at=now,
                    updated_at=now,
                    additions=[],
                    privacy_confirmed=[],
                )
            )
        await session.flush()
        for n in range(1, 8):
            team = "Taunton CP" if n <= 4 else "Yeovil CiC"
            words = "kinship visits" if n in (2, 6) else "life story work"
            session.add(
                entry(n, theme=THEMES[n % 3], team=team, ratified=date(2026, 1, n), text=words)
            )


async def test_the_library_is_newest_first_and_paged(staffed: BotEnv) -> None:
    env = staffed
    await fill_library(env)
    status, body = await env.slack.command("UTESS", "library")
    page = json.loads(body)
    shown = text_of(page)
    assert "7 examples, newest first (1–5)" in shown
    assert shown.index("GP-2026-0007") < shown.index("GP-2026-0003")
    assert "GP-2026-0002" not in shown
    older = next(b for b in find_buttons(page["blocks"]) if b["label"] == "Older")
    status, _ = await env.slack.press("UTESS", older, message={"ts": "1700000000.000009"})
    assert status == 200
    updated = await env.slack_api.wait_for("chat.update")
    second = text_of(updated[-1].params)
    assert "(6–7)" in second and "GP-2026-0001" in second and "GP-2026-0007" not in second


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kinship", ["GP-2026-0006", "GP-2026-0002"]),
        ("team:yeovil", ["GP-2026-0007", "GP-2026-0006", "GP-2026-0005"]),
        ('theme:"direct work"', ["GP-2026-0007", "GP-2026-0004", "GP-2026-0001"]),
        ("since:2026-01-06", ["GP-2026-0007", "GP-2026-0006"]),
        ("kinship team:taunton", ["GP-2026-0002"]),
        ("100%_match", []),
    ],
)
async def test_the_library_searches_words_theme_team_and_date(
    staffed: BotEnv, query: str, expected: list[str]
) -> None:
    await fill_library(staffed)
    _status, body = await staffed.slack.command("UTESS", f"library {query}")
    shown = text_of(json.loads(body))
    found = [f"GP-2026-{n:04d}" for n in range(7, 0, -1) if f"GP-2026-{n:04d}" in shown]
    assert found == expected
    if not expected:
        assert "Nothing in the library matches" in shown


async def test_a_bad_filter_gets_a_specific_answer(staffed: BotEnv) -> None:
    _, body = await staffed.slack.command("UTESS", "library theme:astrology")
    assert "No theme matches “astrology”" in json.loads(body)["text"]
    _status, body = await staffed.slack.command("UTESS", "library since:last-week")
    assert "is not a date: write it as YYYY-MM-DD" in json.loads(body)["text"]


def test_queries_are_read_from_words_and_filters() -> None:
    query, problem = parse_query(
        'Kinship theme:voice team:"Taunton CP" since:2026-04-01', THEMES, ["Taunton CP"]
    )
    assert problem is None
    assert query == LibraryQuery(
        words=("kinship",), theme=THEMES[0], team="Taunton CP", since=date(2026, 4, 1)
    )
    query, problem = parse_query('unbalanced "quote', THEMES, [])
    assert problem is None and query.words == ("unbalanced", "quote")


def test_the_csv_has_a_header_and_never_runs_a_formula() -> None:
    rows = [
        entry(
            1,
            theme=THEMES[0],
            team="Taunton CP",
            ratified=date(2026, 1, 1),
            text='=HYPERLINK("http://example.org")',
        )
    ]
    parsed = list(csv.reader(io.StringIO(library_csv(rows))))
    assert parsed[0][:3] == ["Reference", "Ratified on", "Theme"]
    assert parsed[1][0] == "GP-2026-0001"
    assert parsed[1][5].startswith("'=HYPERLINK")


def test_the_vote_card_counts_votes_but_never_says_who_voted_what() -> None:
    counted = tally([Ballot(1, Choice.RATIFY), Ballot(2, Choice.DECLINE, "Needs the outcome.")])
    card = vote_card(
        sample_view(),
        round_number=1,
        tally=counted,
        eligible=5,
        closes=datetime(2026, 11, 30, 17, 0),
        case_label="LCS / EHM number",
    )
    progress = [e for e in card.body if e.type == "progress"]
    assert progress and progress[0].value == 2 and progress[0].total == 5
    dumped = card.model_dump_json()
    assert "Needs the outcome." not in dumped  # comments go to the nominator only
    assert "Ratify" in dumped and '"1"' in dumped


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_has_voting_rules_and_themes(preset: str) -> None:
    framework = load_framework(preset)
    text = framework_path(preset).read_text("utf-8")
    voting_section = text.split("[voting]")[1].split("\n[")[0]
    for key in (
        "quorum",
        "threshold",
        "close_after_working_days",
        "tie_rule",
        "extend_without_quorum_working_days",
    ):
        assert f"\n{key} = " in voting_section, f"{preset}: [voting] {key} is not set"
    assert len(framework.nominations.themes) >= 5
    assert len(set(framework.nominations.themes)) == len(framework.nominations.themes)
    assert "Other" in framework.nominations.evidence_sources
    assert framework.voting.quorum >= 1 and 0 < framework.voting.threshold <= 1


def test_only_north_somerset_has_team_nominations() -> None:
    assert [p for p in PRESETS if load_framework(p).nominations.team_conversations] == [
        "north-somerset"
    ]


def test_the_command_line_exports_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("QABOT_DATABASE_URL", url)
    out = tmp_path / "library.csv"
    result = CliRunner().invoke(app, ["library", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8-sig").startswith("Reference,Ratified on,Theme")
    result = CliRunner().invoke(app, ["library", "export", "--out", "-", "--search", "theme:nope"])
    assert result.exit_code != 0 and "No theme matches" in result.output
