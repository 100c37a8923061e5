"""Every preset ladder end to end on the console: each stage brings in the people who hold its
roles (up the raiser's line first) and nobody else; deadlines escalate by themselves where the
ladder says so; multi-agency disputes are overseen by the partnership business unit; free text
passes the privacy screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.cards.model import Card
from bot.config import load_framework
from tests.allocations.support import (
    allocate_csv,
    allocations,
    at,
    card_text,
    messages_to,
    press,
    press_button,
    rows,
    running,
    say,
)
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock

STAFF = """email,name,roles,team,service,manager_email
dana@x.example,Dana Director,director,Directorate,Leadership,
ada@x.example,Ada Assistant,assistant_director,Directorate,Leadership,dana@x.example
helen@x.example,Helen Head,head_of_service,Leadership,Social Care,ada@x.example
sue@x.example,Sue Service,service_manager,Leadership,Social Care,helen@x.example
tess@x.example,Tess Manager,team_manager,Team A,Social Care,helen@x.example
sam@x.example,Sam Social,practitioner,Team A,Social Care,tess@x.example
priya@x.example,Priya Patel,practitioner,Team A,Social Care,tess@x.example
ira@x.example,Ira Reviewing,iro,IRO service,Social Care,helen@x.example
quinn.qa@example.gov.uk,Quinn Quality,qa_team,QA,Social Care,helen@x.example
pat@x.example,Pat Partnership,partner,Business unit,Partnership,
"""
HOLDER = {
    "practitioner": "sam@x.example",
    "team_manager": "tess@x.example",
    "head_of_service": "helen@x.example",
    "assistant_director": "ada@x.example",
    "qa_team": "quinn.qa@example.gov.uk",
    "iro": "ira@x.example",
    "partner": "pat@x.example",
}
EVERYONE = [line.split(",")[0] for line in STAFF.splitlines()[1:]]
LADDERS = [
    (preset, ladder.key)
    for preset in ("somerset", "dudley", "west-sussex", "somerset-partnership", "north-somerset")
    for ladder in load_framework(preset).escalations.ladders
]


@pytest.fixture
async def bot(
    request: pytest.FixtureRequest, database: Database, clock: FakeClock
) -> AsyncIterator[BotEnv]:
    preset = getattr(request, "param", "somerset")
    async with running(database, clock, framework=preset, staff=STAFF) as env:
        env.clock.set(at(date(2026, 12, 1), 10))
        yield env


async def raise_on(env: BotEnv, raiser: str, ladder: str, **inputs: str) -> Card:
    (question,) = await say(env, raiser, "rpd")
    (form,) = await press_button(env, raiser, question, "No")
    values = {
        "ladder": ladder,
        "other_email": "",
        "other_name": "Dr Jo Bloggs, GP",
        "other_agency": "Health",
        "case_reference": "1187342",
        "category": "Other",
        "resolution_sought": "Agree the plan.",
        **inputs,
    }
    cards = await confirmed(
        env, raiser, await press_button(env, raiser, form, "Raise it", **values)
    )
    assert cards[0].name == "dispute", card_text(cards[0])
    return cards[0]


async def confirmed(env: BotEnv, who: str, cards: list[Card]) -> list[Card]:
    """Past the privacy check, submitting as written, where one was shown: the partnership's
    case reference pattern takes any word of 4 to 20 letters for a case number."""
    if cards[0].name != "privacy_check":
        return cards
    assert env.runtime.framework.case_reference.pattern == "^[A-Za-z0-9-]{4,20}$"
    (go,) = cards[0].buttons
    return await press(env, who, go.verb, dict(go.data), {"privacy_choice": "confirm"})


async def dispute_posts(env: BotEnv) -> dict[str, int]:
    found: dict[str, int] = {}
    for email in EVERYONE:
        count = len([m for m in await messages_to(env, email) if m.card_name == "dispute"])
        if count:
            found[email] = count
    return found


@pytest.mark.parametrize(
    ("bot", "ladder_key"),
    [(p, k) for p, k in LADDERS],
    indirect=["bot"],
    ids=[k for _, k in LADDERS],
)
async def test_each_preset_ladder_climbs_to_its_top_telling_each_stage(
    bot: BotEnv, ladder_key: str
) -> None:
    env = bot
    ladder = env.runtime.framework.escalations.ladder(ladder_key)
    assert ladder is not None
    raiser = HOLDER["iro"] if ladder.note == "drp" else HOLDER["practitioner"]
    # An IRO raises an alert about the child's social worker, who is in the directory.
    other = {"other_email": HOLDER["practitioner"]} if ladder.note == "drp" else {}
    card = await raise_on(env, raiser, ladder_key, **other)
    expected: set[str] = set()
    for index, stage in enumerate(ladder.stages):
        assert stage.name in card_text(card)
        expected |= {HOLDER[role.value] for role in stage.roles} - {raiser}
        # Each stage's role holders have been sent the card once; nobody else has.
        assert set(await dispute_posts(env)) == expected, (stage.key, await dispute_posts(env))
        if index + 1 < len(ladder.stages):
            (form,) = await press_button(env, raiser, card, "Not resolved")
            card, _note = await confirmed(
                env,
                raiser,
                await press_button(
                    env, raiser, form, "Escalate to the next stage", text=f"Stuck at {stage.key}."
                ),
            )
    assert [b.label for b in card.buttons if b.label == "Not resolved"] == []
    (form,) = await press_button(env, raiser, card, "Resolved")
    closed, note = await confirmed(
        env, raiser, await press_button(env, raiser, form, "Record it resolved", text="Decided.")
    )
    assert "Resolved" in card_text(closed)
    text = note.body[1].text  # type: ignore[union-attr]
    assert text.startswith(f"{ladder.note_title} case note: {ladder.name}, dispute 1\n")
    assert text.count("Escalated by") == len(ladder.stages) - 1
    assert f"Status: Resolved at {ladder.stages[-1].name}" in text
    assert text.endswith(f"To record: {ladder.stages[-1].record}")


@pytest.mark.parametrize("bot", ["somerset-partnership"], indirect=True)
async def test_a_multi_agency_stage_escalates_itself_at_its_deadline(bot: BotEnv) -> None:
    env = bot
    # Senior managers may be where it starts when the child's needs require it.
    card = await raise_on(env, HOLDER["practitioner"], "threshold", start_stage="2")
    assert "Stage 3: senior liaison officers" in card_text(card)
    assert "due Thu 03 Dec 2026" in card_text(card)
    # The partnership business unit oversees it; the council's QA team is not part of it.
    (seen,) = await say(env, HOLDER["partner"], "dispute 1")
    assert seen.name == "dispute"
    (hidden,) = await say(env, HOLDER["qa_team"], "dispute 1")
    assert hidden.name == "dispute_not_found"

    env.clock.set(at(date(2026, 12, 3), 10))
    await env.runtime.bot.run_sweeps()
    assert await messages_to(env, HOLDER["partner"]) == []
    env.clock.set(at(date(2026, 12, 4), 10))
    await env.runtime.bot.run_sweeps()
    await env.runtime.bot.run_sweeps()
    (told,) = await messages_to(env, HOLDER["partner"])
    assert "Stage 4: the partnership" in told.payload["fallback"]
    (note,) = await press(env, HOLDER["partner"], "dispute.note_text", {"d": 1})
    assert "Escalated by the bot at the stage deadline: The stage deadline passed." in card_text(
        note
    )


@pytest.mark.parametrize("bot", ["somerset"], indirect=True)
async def test_free_text_passes_the_privacy_screen_before_anyone_is_told(bot: BotEnv) -> None:
    env = bot
    (question,) = await say(env, HOLDER["practitioner"], "rpd")
    (form,) = await press_button(env, HOLDER["practitioner"], question, "No")
    (check,) = await press_button(
        env,
        HOLDER["practitioner"],
        form,
        "Raise it",
        other_email="priya@x.example",
        other_name="",
        other_agency="",
        case_reference="",
        category="Other",
        resolution_sought="Agree a visit to the child born 01/02/2015 at TA1 2AB this week.",
    )
    assert check.name == "privacy_check", card_text(check)
    assert await rows(env, card_name="dispute") == []
    (button,) = [b for b in check.buttons]
    cards = await press(
        env, HOLDER["practitioner"], button.verb, dict(button.data), {"privacy_choice": "remove"}
    )
    assert cards[0].name == "dispute"
    text = card_text(cards[0])
    assert "01/02/2015" not in text and "TA1 2AB" not in text and "[removed]" in text
    (sent,) = await messages_to(env, "priya@x.example")
    assert "01/02/2015" not in str(sent.payload) and "TA1 2AB" not in str(sent.payload)


@pytest.mark.parametrize("bot", ["dudley"], indirect=True)
async def test_an_auditor_raises_a_dispute_from_the_audit_outcome_card(bot: BotEnv) -> None:
    env = bot
    auditor, practitioner = HOLDER["team_manager"], HOLDER["practitioner"]
    await allocate_csv(env, [f"6042101,Team B,case_audit,{auditor},,Dec"])
    (audit,) = [a for a in await allocations(env) if a.role == "auditor"]
    env.clock.set(at(date(2026, 12, 8), 10))
    await press(env, auditor, "alloc.done", {"a": audit.id})
    (done,) = await press(
        env,
        auditor,
        "alloc.outcome",
        {"a": audit.id},
        {"grade": "requires_improvement", "stretch_target": "Weekly chronology"},
    )
    assert done.name == "allocation_done", card_text(done)
    (question,) = await press_button(env, auditor, done, "Dispute this grade")
    assert question.name == "dispute_risk"
    (form,) = await press_button(env, auditor, question, "No")
    prefilled = {i.id: i.value for i in form.inputs}
    assert prefilled["ladder"] == ["audit_dispute"]
    assert prefilled["case_reference"] == "6042101"
    assert prefilled["category"] == ["Audit or moderation grade"]
    values = {i: v for i, v in prefilled.items() if isinstance(v, str)}
    cards = await press_button(
        env,
        auditor,
        form,
        "Raise it",
        **{**values, "ladder": "audit_dispute", "category": "Audit or moderation grade"},
        other_email=practitioner,
        other_name="",
        other_agency="",
    )
    assert cards[0].name == "dispute", card_text(cards[0])
    assert cards[1].body[1].text == (  # type: ignore[union-attr]
        "Audit dispute case note: Audit dispute, dispute 1\n"
        "Case reference: 6042101\n"
        "Status: Open at Stage 1: the practitioner and the auditor\n"
        "Raised by: Tess Manager (Team manager, Dudley)\n"
        "With: Sam Social (Practitioner, Dudley)\n"
        "Category: Audit or moderation grade\n"
        "Resolution sought: A review of the grade (requires improvement).\n"
        "History:\n"
        "- 08/12/2026 Stage 1: the practitioner and the auditor. Raised by Tess Manager "
        "(Team manager)\n"
        "To record: A case note of the discussion and any change to the findings."
    )
    (told,) = [m for m in await messages_to(env, practitioner) if m.card_name == "dispute"]
    assert "Stage 1: the practitioner and the auditor" in told.payload["fallback"]


@pytest.mark.parametrize("bot", ["somerset"], indirect=True)
async def test_a_grade_dispute_needs_an_audit_ladder(bot: BotEnv) -> None:
    env = bot
    (answer,) = await press(env, HOLDER["practitioner"], "dispute.about_grade", {"case": "1187342"})
    assert answer.title == "No audit dispute process"
