"""What an audit's outcome sets off: West Sussex's Inadequate ladder (moderated at once, re-audit
at 3 months, Assistant Director, Executive Director), and Dudley's stretch target, two-week file
check and monthly moderation sample (20% of Social Care audits, every Inadequate at once)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from tests.allocations.support import (
    allocate_csv,
    allocation,
    allocations,
    at,
    card_text,
    messages_to,
    press,
    rows,
    running,
    settle,
    sweep,
)
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock

WS_STAFF = """email,name,roles,team,service,manager_email
dana@ws.example,Dana Director,director,Directorate,Leadership,
ada@ws.example,Ada Assistant,assistant_director,Directorate,Leadership,dana@ws.example
helen@ws.example,Helen Head,head_of_service,Leadership,Children's Social Care,ada@ws.example
tess@ws.example,Tess Manager,team_manager,Crawley CP,Children's Social Care,helen@ws.example
sue@ws.example,Sue Service,service_manager,Horsham CiC,Children's Social Care,helen@ws.example
quinn.qa@example.gov.uk,Quinn Quality,qa_team,QA,Children's Social Care,helen@ws.example
"""
SUE = "sue@ws.example"
QUINN = "quinn.qa@example.gov.uk"


@pytest.fixture
async def west_sussex(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    async with running(database, clock, framework="west-sussex", staff=WS_STAFF) as env:
        await settle(env)  # the messages are read from the outbox here
        yield env


async def _outcome(env: BotEnv, email: str, allocation_id: int, **inputs: str) -> str:
    (form,) = await press(env, email, "alloc.done", {"a": allocation_id})
    assert form.name == "allocation_outcome_form", form.fallback
    (done,) = await press(env, email, "alloc.outcome", {"a": allocation_id}, inputs)
    assert done.name == "allocation_done", card_text(done)
    return card_text(done)


async def test_an_inadequate_grade_climbs_the_ladder_until_it_improves(
    west_sussex: BotEnv,
) -> None:
    env = west_sussex
    await allocate_csv(env, [f"1187342,Crawley CP,case_audit,{SUE},{QUINN},Nov audits"])
    audit, moderation = await allocations(env)
    # Fewer than 10 working days are left in November, so the audit is due by the end of December.
    assert (audit.due_on, moderation.status) == (date(2026, 12, 31), "waiting")

    text = await _outcome(env, SUE, audit.id, grade="inadequate", completed_on="2026-11-23")
    assert "moderated straight away by Tue 24 Nov 2026" in text
    moderation = await allocation(env, moderation.id)
    # Moderated at once (by the next working day), not by the end of the month.
    assert (moderation.status, moderation.due_on) == ("allocated", date(2026, 11, 24))
    alerts = await rows(env, card_name="inadequate_alert", platform="slack")
    assert [a.payload["title"] for a in alerts] == ["Inadequate grade: case 1187342"]

    text = await _outcome(env, QUINN, moderation.id, grade="inadequate")
    assert "re-audit is scheduled due Tue 23 Feb 2027" in text
    reaudit = (await allocations(env))[-1]
    assert reaudit.activity == "reaudit" and reaudit.assignee.email == SUE
    assert reaudit.due_on == date(2027, 2, 23)
    assert any(r.card_name == "allocation" for r in await messages_to(env, SUE))

    # Three months on, still Inadequate: the Assistant Director hears, and a further audit is set.
    env.clock.set(datetime(2027, 2, 23, 10, tzinfo=UTC))
    text = await _outcome(env, SUE, reaudit.id, grade="inadequate")
    assert "Still Inadequate: escalated to Ada Assistant" in text
    (to_ad,) = await messages_to(env, "ada@ws.example", "escalation")
    assert to_ad.card_name == "inadequate_escalation"
    assert "AD for Safeguarding, Quality and Practice" in to_ad.payload["fallback"]
    second = (await allocations(env))[-1]
    assert second.due_on == date(2027, 5, 24)  # 23 May 2027 is a Sunday

    # No improvement at the further audit: the Executive Director.
    env.clock.set(datetime(2027, 5, 24, 10, tzinfo=UTC))
    await _outcome(env, SUE, second.id, grade="inadequate")
    (to_director,) = await messages_to(env, "dana@ws.example", "escalation")
    assert "Executive Director" in to_director.payload["fallback"]
    third = (await allocations(env))[-1]
    assert third.due_on == date(2027, 8, 24)  # it stays in the cycle until it improves

    env.clock.set(datetime(2027, 8, 24, 10, tzinfo=UTC))
    text = await _outcome(env, SUE, third.id, grade="requires_improvement")
    assert "no longer Inadequate" in text
    assert len(await allocations(env)) == 5  # no further re-audit
    titles = [a.payload["title"] for a in await rows(env, card_name="inadequate_alert")]
    assert "No longer Inadequate: case 1187342" in titles


async def test_a_grade_not_confirmed_at_moderation_ends_the_ladder(west_sussex: BotEnv) -> None:
    env = west_sussex
    await allocate_csv(env, [f"1187342,Crawley CP,case_audit,{SUE},{QUINN},Nov audits"])
    audit, moderation = await allocations(env)
    await _outcome(env, SUE, audit.id, grade="inadequate")
    await _outcome(env, QUINN, moderation.id, grade="requires_improvement")
    assert len(await allocations(env)) == 2  # no re-audit
    titles = {r.payload["title"] for r in await rows(env, kind="notice")}
    assert "Inadequate not confirmed: case 1187342" in titles
    assert "Grades differ: case 1187342" in titles


DUDLEY_STAFF = """email,name,roles,team,service,manager_email
hana@dudley.example,Hana Head,head_of_service,Leadership,Social Care,
tom@dudley.example,Tom Able,team_manager,Team A,Social Care,hana@dudley.example
tia@dudley.example,Tia Bell,team_manager,Team B,Social Care,hana@dudley.example
taj@dudley.example,Taj Cole,team_manager,Team C,Social Care,hana@dudley.example
cara@dudley.example,Cara Practice,qa_team,CPP,Social Care,hana@dudley.example
cole@dudley.example,Cole Practice,qa_team,CPP,Social Care,hana@dudley.example
sid@dudley.example,Sid Worker,practitioner,Team D,Social Care,tom@dudley.example
quinn.qa@example.gov.uk,Quinn Quality,qa_team,CPP,Social Care,hana@dudley.example
"""
AUDITORS = ["tom@dudley.example", "tia@dudley.example", "taj@dudley.example"]


@pytest.fixture
async def dudley(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    clock.set(datetime(2026, 11, 2, 10, tzinfo=UTC))
    async with running(database, clock, framework="dudley", staff=DUDLEY_STAFF) as env:
        await settle(env)
        yield env


async def test_dudley_audits_set_stretch_targets_check_files_and_sample_moderation(
    dudley: BotEnv,
) -> None:
    env = dudley
    lines = [f"60421{n},Team D,case_audit,{AUDITORS[n % 3]},,Nov" for n in range(6)]
    await allocate_csv(env, lines)
    audits = await allocations(env)
    first = audits[0]
    assert first.due_on == date(2026, 11, 30) and first.earliest_on == date(2026, 11, 9)
    card = (await messages_to(env, AUDITORS[0], "allocation"))[0]
    assert "Meet on or after: Mon 9 Nov 2026" in card_text(card.payload)

    env.clock.set(datetime(2026, 11, 16, 10, tzinfo=UTC))
    await press(env, AUDITORS[0], "alloc.done", {"a": first.id})
    (again,) = await press(env, AUDITORS[0], "alloc.outcome", {"a": first.id}, {"grade": "good"})
    assert {i.id: i.error for i in again.inputs if i.error} == {
        "stretch_target": "Agree a stretch target."
    }
    for number, audit in enumerate(audits):
        grade = "inadequate" if number == 0 else "good"
        await _outcome(
            env,
            AUDITORS[number % 3],
            audit.id,
            grade=grade,
            stretch_target="Chronology kept up to date weekly",
            completed_on="2026-11-16",
        )
    moderations = [a for a in await allocations(env) if a.role == "moderator"]
    assert len(moderations) == 1  # the Inadequate one, at once; the rest wait for the sample
    assert moderations[0].parent_id == first.id
    assert moderations[0].assignee.email in {"cara@dudley.example", "cole@dudley.example"}

    # Two weeks after the audit, the auditor is reminded to check the file.
    await sweep(env, at(date(2026, 11, 30)))
    (summary,) = await messages_to(env, AUDITORS[0], "reminder")
    assert "Check the file for Case file audit, case 604210" in summary.payload["fallback"]
    await press(env, AUDITORS[0], "alloc.checked", {"a": first.id})
    assert (await allocation(env, first.id)).follow_up_checked_on == date(2026, 11, 30)

    # Once November is over, 20% of its Social Care audits are moderated (the Inadequate counts).
    await sweep(env, at(date(2026, 12, 1)))
    await sweep(env, at(date(2026, 12, 1), 14))
    moderations = [a for a in await allocations(env) if a.role == "moderator"]
    assert len(moderations) == 2  # ceil(20% of 6)
    assert {m.assignee.email for m in moderations} == {"cara@dudley.example", "cole@dudley.example"}
    assert [m.due_on for m in moderations] == [date(2026, 11, 30), date(2026, 12, 31)]
    assert len(await messages_to(env, AUDITORS[0], "reminder")) == 1  # the check is not repeated


async def test_a_file_check_is_not_asked_for_where_the_framework_has_none(
    west_sussex: BotEnv,
) -> None:
    env = west_sussex
    await allocate_csv(env, [f"1187342,Crawley CP,case_audit,{SUE},{QUINN},Nov audits"])
    audit = (await allocations(env))[0]
    await _outcome(env, SUE, audit.id, grade="good")
    assert (await allocation(env, audit.id)).follow_up_on is None


NS_STAFF = """email,name,roles,team,service,manager_email
nia@ns.example,Nia Head,head_of_service,Leadership,Children's Services,
tam@ns.example,Tam One,team_manager,Team One,Children's Services,nia@ns.example
tod@ns.example,Tod Two,team_manager,Team Two,Children's Services,nia@ns.example
quinn.qa@example.gov.uk,Quinn Quality,qa_team,QA,Children's Services,nia@ns.example
"""


async def test_the_cycle_report_follows_once_every_moderation_is_done(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock, framework="north-somerset", staff=NS_STAFF) as env:
        await settle(env)
        await allocate_csv(
            env,
            [
                f"3310458,Team One,collaborative_practice_review,tod@ns.example,{QUINN},CPR Nov",
                f"3310459,Team Two,collaborative_practice_review,tam@ns.example,{QUINN},CPR Nov",
            ],
        )
        first, first_moderation, second, second_moderation = await allocations(env)
        assert first.due_on == date(2026, 12, 21)  # 20 working days
        await _outcome(env, "tod@ns.example", first.id, grade="good")
        await _outcome(env, "tam@ns.example", second.id, grade="good")
        env.clock.set(datetime(2026, 11, 24, 10, tzinfo=UTC))
        moderation = await allocation(env, first_moderation.id)
        assert moderation.due_on == date(2026, 12, 7)  # 10 working days from 23 Nov
        await _outcome(env, QUINN, first_moderation.id, grade="good")
        assert len(await allocations(env)) == 4  # one moderation is still open
        await _outcome(env, QUINN, second_moderation.id, grade="good")
        report = (await allocations(env))[-1]
        assert report.activity == "cpr_report" and report.assignee.email == QUINN
        assert report.case_ref is None and report.cycle_label == "CPR Nov"
        assert report.due_on == date(2026, 12, 8)  # 10 working days after the moderations
        (done,) = await press(env, QUINN, "alloc.done", {"a": report.id})
        assert done.name == "allocation_done"  # not about one child: no grade to record
