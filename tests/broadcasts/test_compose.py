"""Composing the digest from the areas' digest sources (fakes registered on the router): parts
merged by section, themes merged and ranked, sentences where no source answers; and the
scheduled draft, once per period, to the QA team only."""

from __future__ import annotations

import json
import sys
import types
from datetime import date

import pytest

from bot.cards import adaptive, blockkit
from bot.cards.model import Image
from bot.dialogs.base import Context
from bot.domain.digest import (
    DigestPart,
    DigestPeriod,
    DigestScope,
    Distribution,
    Figure,
    Highlight,
    Section,
    Unavailable,
)
from tests.allocations.support import at, rows
from tests.broadcasts.support import (
    QUINN,
    SAM,
    broadcast_rows,
    broadcasts,
    card_text,
    qa_env,
    say,
)
from tests.conftest import BotEnv

__all__ = ["qa_env"]
SEEN: list[tuple[DigestPeriod, DigestScope]] = []


async def audits(ctx: Context, period: DigestPeriod, scope: DigestScope) -> list[DigestPart]:
    SEEN.append((period, scope))
    return [
        DigestPart(
            Section.BREADTH, "allocations", figures=(Figure("Audits completed", 41, of=48),)
        ),
        DigestPart(
            Section.DEPTH,
            "allocations",
            distributions=(Distribution("Audit grades", (("Good", 21), ("Outstanding", 4))),),
        ),
        DigestPart(Section.THEMES, "allocations", themes=(("Child's voice", 3), ("Recording", 2))),
    ]


async def feedback(ctx: Context, period: DigestPeriod, scope: DigestScope) -> list[DigestPart]:
    return [
        DigestPart(Section.THEMES, "quotas", themes=(("Child's voice", 2), ("Planning", 4))),
        DigestPart(
            Section.IMPACT,
            "quotas",
            unavailable=(Unavailable("Re-audits that improved", "re-audits are not recorded yet"),),
            highlights=(Highlight("Family feedback", "mostly compliments", "GP-12"),),
        ),
    ]


async def broken(ctx: Context, period: DigestPeriod, scope: DigestScope) -> list[DigestPart]:
    raise RuntimeError("a source with a bug")


def with_sources(env: BotEnv) -> None:
    """Only these sources, in place of the areas' own."""
    env.runtime.bot.router.digest_sources[:] = [audits, broken, feedback]


async def test_a_digest_is_composed_from_every_source(qa: BotEnv) -> None:
    with_sources(qa)
    cards = await say(qa, QUINN, "digest draft Q2 2026-27")
    shown = "\n".join(card_text(c) for c in cards)
    period, scope = SEEN[-1]
    assert (period.start, period.end, scope.kind) == (
        date(2026, 7, 1),
        date(2026, 10, 1),
        "authority",
    )
    assert "Closing the Loop: Q2 2026-27" in shown
    assert "Audits completed  41 of 48 (85%)" in shown or "41 of 48 (85%)" in shown
    assert "Audit grades: Good: 21; Outstanding: 4 (total 25)" in shown
    # Themes from both sources, merged and ranked by how often they came up.
    assert "Themes that came up most: Child's voice: 5; Planning: 4; Recording: 2" in shown
    assert "Re-audits that improved: re-audits are not recorded yet" in shown
    assert "Family feedback: mostly compliments (GP-12)" in shown
    # No source answers for good practice: a sentence, not a number.
    good_practice = shown.split("Good practice", 1)[1]
    assert good_practice.lstrip("-\n ").startswith("Nothing in the bot holds these figures yet")
    assert cards[-1].name == "broadcast_review"
    # Drafting sends nothing to anyone.
    (draft,) = await broadcasts(qa)
    assert await broadcast_rows(qa, draft.id) == []


async def test_the_areas_own_sources_all_answer_for_a_quiet_quarter(
    qa: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """Every area registers its part; on a quarter with nothing recorded each answers with
    counts or sentences, and none of them fails."""
    cards = await say(qa, QUINN, "digest draft Q2 2026-27")
    shown = "\n".join(card_text(c) for c in cards)
    assert cards[-1].name == "broadcast_review"
    assert "could not answer" not in shown
    assert not [r for r in caplog.records if "digest source failed" in r.getMessage()]
    for heading in ("How much did we do?", "How well did we do it?", "Good practice"):
        assert heading in shown, heading
    # No theme came up: the section says so rather than standing empty.
    themes = shown.split("Recurring themes", 1)[1].lstrip("-\n ")
    assert themes.startswith("Nothing was recorded for this in the period."), themes[:80]


async def test_only_the_qa_team_can_draft_a_digest(qa: BotEnv) -> None:
    (answer,) = await say(qa, SAM, "digest draft")
    assert answer.name != "broadcast_review"
    assert await broadcasts(qa) == []


async def test_the_schedule_drafts_each_period_once_for_the_qa_team(qa: BotEnv) -> None:
    with_sources(qa)
    # 1 January 2027 is a bank holiday: the first working day is Monday 4 January.
    qa.clock.set(at(date(2026, 12, 31), 10, 0))
    await qa.runtime.bot.run_sweeps(["broadcasts.draft_digest"])
    assert await broadcasts(qa) == []
    qa.clock.set(at(date(2027, 1, 1), 10, 0))
    await qa.runtime.bot.run_sweeps(["broadcasts.draft_digest"])
    assert await broadcasts(qa) == []
    qa.clock.set(at(date(2027, 1, 4), 10, 0))
    await qa.runtime.bot.run_sweeps(["broadcasts.draft_digest"])
    qa.clock.set(at(date(2027, 1, 5), 10, 0))
    await qa.runtime.bot.run_sweeps(["broadcasts.draft_digest"])
    (draft,) = await broadcasts(qa)
    assert draft.title == "Closing the Loop: Q3 2026-27" and draft.status == "draft"
    reviews = await rows(qa, kind="broadcast_review")
    assert reviews and {r.route for r in reviews} == {"qa_team"}
    assert reviews[-1].card_name == "broadcast_review"
    assert await broadcast_rows(qa, draft.id) == []


PNG = b"\x89PNG\r\n\x1a\nfake-chart"
PICTURES_NOTE = "Charts appear as pictures when the bot has an https public address"


async def test_without_an_https_address_the_qa_team_is_told_once_why_charts_are_text(
    qa: BotEnv,
) -> None:
    qa.runtime.bot.public_url = "http://127.0.0.1:3978"
    with_sources(qa)
    cards = await say(qa, QUINN, "digest draft Q2 2026-27")
    assert not [e for c in cards for e in c.body if isinstance(e, Image)]
    texts = [card_text(c) for c in cards]
    assert "Audit grades: Good: 21; Outstanding: 4 (total 25)" in "".join(texts)
    # Once, on the QA team's review card; never in what the recipients get.
    assert [c.name for c, t in zip(cards, texts, strict=True) if PICTURES_NOTE in t] == [
        "broadcast_review"
    ]


async def test_charts_are_pictures_served_by_the_bot_and_listed_as_text(
    qa: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[Distribution] = []

    def render_png(dist: Distribution) -> bytes:
        drawn.append(dist)
        return PNG

    charts = types.ModuleType("bot.charts")
    charts.render_png = render_png  # type: ignore[attr-defined]
    charts.describe = lambda dist: dist.title  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.charts", charts)
    qa.runtime.bot.public_url = "https://qabot.example.org"
    with_sources(qa)
    cards = await say(qa, QUINN, "digest draft Q2 2026-27")
    images = [e for c in cards for e in c.body if isinstance(e, Image)]
    grades = next(i for i in images if i.alt.startswith("Audit grades"))
    assert grades.alt == "Audit grades: Good: 21; Outstanding: 4 (total 25)"
    # The same figures as text beside the picture (console, screen readers).
    assert "Audit grades: Good: 21; Outstanding: 4 (total 25)" in card_text(cards[0])
    slack = json.dumps([blockkit.render_message(c) for c in cards])
    assert grades.url in slack and '"alt_text": "Audit grades' in slack
    teams = json.dumps([adaptive.render(c) for c in cards])
    assert '"type": "Image"' in teams and '"altText": "Audit grades' in teams
    path = grades.url.removeprefix("https://qabot.example.org")
    async with qa.http.get(qa.base_url + path) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert await response.read() == PNG
    assert drawn[-1].counts == (("Good", 21), ("Outstanding", 4))
    assert PICTURES_NOTE not in "".join(card_text(c) for c in cards)
    async with qa.http.get(qa.base_url + "/charts/not-a-real-token-0-0.png") as response:
        assert response.status == 404


async def test_a_digest_for_a_service_or_a_team(qa: BotEnv) -> None:
    with_sources(qa)
    cards = await say(qa, QUINN, "digest draft Q2 2026-27 for team taunton cp")
    period, scope = SEEN[-1]
    assert (period.start, scope.kind, scope.name) == (date(2026, 7, 1), "team", "Taunton CP")
    shown = "\n".join(card_text(c) for c in cards)
    assert "Q2 2026-27 (Taunton CP)" in shown, shown[:300]
    assert cards[-1].name == "broadcast_review"

    cards = await say(qa, QUINN, "digest draft for service sw")
    _, scope = SEEN[-1]
    assert (scope.kind, scope.name) == ("service", "SW")
    # A service's digest goes to that service's team channels, not to every team.
    assert "every team channel in SW" in card_text(cards[-1]), card_text(cards[-1])


async def test_an_unknown_service_or_team_is_named_with_the_ones_there_are(qa: BotEnv) -> None:
    with_sources(qa)
    SEEN.clear()
    (answer,) = await say(qa, QUINN, "digest draft for team Narnia")
    text = card_text(answer)
    assert "There is no team called “Narnia”" in text and "Taunton CP" in text, text
    (answer,) = await say(qa, QUINN, "digest draft Q2 2026-27 for service Atlantis")
    assert "There is no service called “Atlantis”" in card_text(answer)
    (answer,) = await say(qa, QUINN, "digest draft for planet Mars")
    assert "“for planet” is not a scope I know" in card_text(answer), card_text(answer)
    (answer,) = await say(qa, QUINN, "digest draft for team")
    assert "Which team?" in card_text(answer)
    # Nothing was composed or drafted for any of them.
    assert SEEN == [] and await broadcasts(qa) == []
