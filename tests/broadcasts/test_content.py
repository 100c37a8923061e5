"""Long newsletters are split into numbered parts that fit Slack's 50 blocks and 3,000
characters a section and Teams' message size, with nothing cut; the Markdown import; the
Markdown and HTML export; and `qabot newsletter send` / `qabot digest export`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bot.broadcasts import export
from bot.broadcasts.content import Chart, Content, ContentSection, cards
from bot.broadcasts.markdown import MarkdownProblem, parse
from bot.cards import adaptive, blockkit
from bot.cards.text import render_text
from bot.cli import app
from tests.conftest import STAFF_CSV


def long_newsletter(sections: int = 30, words: int = 450) -> Content:
    return Content(
        title="Winter practice newsletter",
        sections=[
            ContentSection(
                heading=f"Section {i}",
                body=" ".join(f"s{i}w{j}" for j in range(words)),
                figures=[(f"Figure {i}.{k}", str(k)) for k in range(12)],
            )
            for i in range(sections)
        ],
    )


def test_a_long_newsletter_is_split_into_numbered_parts_that_fit_both_platforms() -> None:
    content = long_newsletter()
    parts = cards(content, name="broadcast")
    assert len(parts) > 2
    for index, card in enumerate(parts, start=1):
        assert card.title == f"Winter practice newsletter (part {index} of {len(parts)})"
        slack = blockkit.render_message(card)
        assert len(slack["blocks"]) <= 50
        for block in slack["blocks"]:
            assert len(block.get("text", {}).get("text", "")) <= 3000
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
        assert "more" not in json.dumps(slack["blocks"][-1]).lower()
        teams = adaptive.render(card)
        assert adaptive.size_of(teams) <= adaptive.MAX_CARD_BYTES
        assert not teams["body"][-1].get("text", "").endswith("open the app for the full list")
    # Nothing is lost and the order is kept: every word of every section, in order.
    shown = "\n".join(render_text(card)[0] for card in parts)
    words = [f"s{i}w{j}" for i in range(30) for j in range(450)]
    positions = [shown.index(w + " ") if w + " " in shown else shown.index(w) for w in words[::97]]
    assert positions == sorted(positions)
    assert all(w in shown for w in words)
    assert all(f"Figure {i}.11" in shown for i in range(30))


def test_one_huge_paragraph_is_split_at_words_never_cut() -> None:
    body = "word " * 2000  # 10,000 characters, no blank lines
    parts = cards(Content(title="T", sections=[ContentSection(heading="H", body=body)]), name="b")
    shown = " ".join(render_text(card)[0] for card in parts)
    assert shown.count("word") == 2000


MARKDOWN = """# December briefing

A note from the editor.

## Background

Audits in **November** found strong [direct work](https://example.org/direct-work).

- Visits on time
- Plans reviewed

## What to do

Read the guide: <https://example.org/guide>
"""


def test_markdown_headings_become_sections_and_links_are_kept() -> None:
    content = parse(MARKDOWN, "briefing")
    assert content.title == "December briefing"
    assert content.kind == "briefing"
    assert content.editor_note == "A note from the editor."
    assert [s.heading for s in content.sections] == ["Background", "What to do"]
    background = content.sections[0]
    assert "strong direct work (https://example.org/direct-work)" in background.body
    assert "• Visits on time\n• Plans reviewed" in background.body
    assert [link.url for link in background.links] == ["https://example.org/direct-work"]
    assert content.sections[1].links[0].url == "https://example.org/guide"


def test_markdown_without_a_title_or_content_is_refused() -> None:
    with pytest.raises(MarkdownProblem, match="title"):
        parse("just text, no heading")
    with pytest.raises(MarkdownProblem, match="nothing"):
        parse("# Only a title")


def test_export_as_markdown_and_standalone_html_from_the_same_model() -> None:
    content = Content(
        title="Closing the Loop: Q2 2026-27",
        kind="digest",
        sections=[
            ContentSection(
                heading="How well did we do it?",
                figures=[("Moderation agreement", "41 of 48 (85%)")],
                charts=[Chart(title="Audit grades", counts=[("Good", 21), ("Outstanding", 4)])],
            )
        ],
    )
    md = export.to_markdown(content)
    assert md.startswith("# Closing the Loop: Q2 2026-27\n")
    assert "| Moderation agreement | 41 of 48 (85%) |" in md
    assert "- Good: 21" in md
    html = export.to_html(content, lambda chart: b"\x89PNG fake")
    assert html.startswith("<!doctype html>") and "<style>" in html
    assert 'src="data:image/png;base64,' in html
    assert 'alt="Audit grades: Good: 21; Outstanding: 4 (total 25)"' in html
    assert "<li>Good: 21</li>" in html


def test_a_quota_completion_chart_is_listed_out_of_its_totals_everywhere() -> None:
    chart = Chart(
        title="Quotas met",
        counts=[("Family feedback", 12), ("Dip review", 0)],
        kind="completion",
        of=[15, 0],
    )
    content = Content(
        title="Closing the Loop",
        kind="digest",
        sections=[ContentSection(heading="How much did we do?", charts=[chart])],
    )
    expected = "Quotas met: Family feedback: 12 of 15 (80 %); Dip review: 0 of 0 (none due)"
    assert chart.as_text() == expected
    assert "- Family feedback: 12 of 15 (80 %)" in export.to_markdown(content)
    html = export.to_html(content, lambda chart: b"\x89PNG fake")
    assert "<li>Family feedback: 12 of 15 (80 %)</li>" in html
    # Saved and read back (a draft), the totals are kept; without one per category, refused.
    assert Content.model_validate(content.model_dump(mode="json")) == content
    with pytest.raises(ValueError, match="total for every category"):
        Chart(title="Quotas met", counts=[("A", 1)], kind="completion")


def _cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "qabot.db"
    monkeypatch.setenv("QABOT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("QABOT_FRAMEWORK", "somerset")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV)
    assert CliRunner().invoke(app, ["import", "staff", str(staff)]).exit_code == 0
    return database


def _outbox_keys(database: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        keys = [str(k) for k in conn.execute(text("SELECT dedupe_key FROM outbox")).scalars()]
    engine.dispose()
    return keys


def test_newsletter_send_from_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = _cli_env(tmp_path, monkeypatch)
    file = tmp_path / "briefing.md"
    file.write_text(MARKDOWN)
    runner = CliRunner()
    result = runner.invoke(
        app, ["newsletter", "send", str(file), "--audience", "role:csw", "--preview"]
    )
    assert result.exit_code == 0, result.output
    assert "December briefing" in result.output and "Slack:" in result.output
    previews = tmp_path / "previews"
    result = runner.invoke(
        app,
        ["newsletter", "send", str(file), "--audience", "role:csw", "--preview-dir", str(previews)],
    )
    assert result.exit_code == 0, result.output
    teams = json.loads((previews / "part-1.teams.json").read_text())
    slack = json.loads((previews / "part-1.slack.json").read_text())
    assert teams["type"] == "AdaptiveCard" and slack["blocks"][0]["type"] == "header"
    assert not [k for k in _outbox_keys(database) if k.startswith("bcast")]

    refused = runner.invoke(
        app,
        [
            "newsletter",
            "send",
            str(file),
            "--audience",
            "role:csw",
            "--approver",
            "sam.sw@example.gov.uk",
        ],
    )
    assert refused.exit_code == 1 and "does not have the QA role" in refused.output

    sent = runner.invoke(
        app,
        [
            "newsletter",
            "send",
            str(file),
            "--audience",
            "role:csw",
            "--approver",
            "quinn.qa@example.gov.uk",
        ],
    )
    assert sent.exit_code == 0, sent.output
    # Three people hold the CSW role: one direct message each.
    assert len([k for k in _outbox_keys(database) if k.startswith("bcast:")]) == 3

    named = tmp_path / "named.md"
    named.write_text(
        "# Update\n\n## News\n\nJayden Smith (DOB 03/04/2015) moved to 12 High Street.\n"
    )
    held = runner.invoke(app, ["newsletter", "send", str(named), "--audience", "all-teams"])
    assert held.exit_code == 1 and "may identify a child" in held.output

    bad = runner.invoke(app, ["newsletter", "send", str(file), "--audience", "everyone please"])
    assert bad.exit_code == 2 and "audience" in bad.output.lower()


def test_digest_and_newsletter_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _cli_env(tmp_path, monkeypatch)
    out = tmp_path / "digest.md"
    result = CliRunner().invoke(
        app, ["digest", "export", "--period", "Q2 2026-27", "--format", "md", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = out.read_text()
    assert written.startswith("# Closing the Loop: Q2 2026-27")
    assert "1 July 2026 to 30 September 2026" in written
    assert "(the whole authority)" in written

    team = tmp_path / "team.md"
    result = CliRunner().invoke(
        app, ["digest", "export", "--team", "taunton cp", "--format", "md", "--out", str(team)]
    )
    assert result.exit_code == 0, result.output
    assert "(Taunton CP)" in team.read_text()
    unknown = CliRunner().invoke(
        app, ["digest", "export", "--service", "Atlantis", "--format", "md", "--out", str(team)]
    )
    assert unknown.exit_code == 2 and "There is no service called" in unknown.output
    both = CliRunner().invoke(
        app, ["digest", "export", "--service", "SW", "--team", "Taunton CP", "--out", str(team)]
    )
    assert both.exit_code == 2 and "not both" in both.output
    file = tmp_path / "news.md"
    file.write_text(MARKDOWN)
    page = tmp_path / "news.html"
    result = CliRunner().invoke(
        app, ["newsletter", "export", str(file), "--format", "html", "--out", str(page)]
    )
    assert result.exit_code == 0, result.output
    assert "<h2>Background</h2>" in page.read_text()


def test_a_time_proposed_without_an_approver_is_kept_on_the_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = _cli_env(tmp_path, monkeypatch)
    file = tmp_path / "news.md"
    file.write_text(MARKDOWN)
    result = CliRunner().invoke(
        app,
        ["newsletter", "send", str(file), "--audience", "all-teams", "--at", "2030-12-02 09:30"],
    )
    assert result.exit_code == 0, result.output
    assert "Proposed time: 09:30 on 2 December 2030" in result.output, result.output
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        status, send_at = conn.execute(text("SELECT status, send_at FROM broadcasts")).one()
        payloads = conn.execute(
            text("SELECT payload FROM outbox WHERE dedupe_key LIKE 'bcast-review:%'")
        ).scalars()
        review = [p for p in payloads if "broadcast_review" in str(p)]
    engine.dispose()
    # Still a draft (nothing sent), with the proposed time (09:30 UK time is 09:30 UTC then).
    assert status == "draft" and str(send_at).startswith("2030-12-02 09:30"), (status, send_at)
    (card,) = review
    shown = json.dumps(card)
    assert "Proposed time" in shown and "09:30 on 2 December 2030" in shown
    assert "Approve for the proposed time" in shown
