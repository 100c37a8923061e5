"""Logging quota items in chat: the short forms, bad input named beside its field, the privacy
check, correcting and withdrawing by whoever logged it, and the audit log."""

from __future__ import annotations

from datetime import date

from tests.allocations.support import PRIYA, QUINN, SAM, TESS, qa_env, running  # noqa: F401
from tests.conftest import STAFF_CSV, BotEnv, Database
from tests.harness import FakeClock
from tests.quotas.support import (
    at,
    audit_actions,
    card_text,
    items,
    log_feedback,
    person_id,
    press,
    say,
    submit,
)

TODAY = date(2026, 11, 16)


async def test_a_team_manager_logs_feedback_and_sees_who_is_still_missing(qa: BotEnv) -> None:
    qa.clock.set(at(TODAY, 10))
    (form,) = await say(qa, TESS, "log feedback")
    assert form.name == "quota_log_feedback"
    people = next(i for i in form.inputs if i.id == "subject")
    titles = [c.title for c in people.choices]  # type: ignore[union-attr]
    assert any("Sam Social" in t for t in titles) and any("Priya Patel" in t for t in titles)
    assert not any("Quinn" in t for t in titles)

    done = await log_feedback(qa, TESS, SAM, date(2026, 11, 12))
    assert done.name == "quota_logged"
    assert "feedback for Sam Social (parent, compliment, 12 Nov 2026)" in done.fallback

    (grid,) = await say(qa, TESS, "quotas")
    text = card_text(grid)
    assert "Family feedback, your team" in text
    assert "Sam Social" in text and "✓ 1" in text
    assert "Priya Patel" in text and "✗ 0 of 1" in text
    (own,) = await say(qa, SAM, "quotas")
    assert "Family feedback, you" in card_text(own) and "1 of 1" in card_text(own)
    # "My tasks" shows the gaps you own: Tess's team, not Priya's own (her manager owns it).
    (tasks,) = await say(qa, TESS, "my tasks")
    assert "Family feedback, your team" in card_text(tasks) and "✗ 0 of 1" in card_text(tasks)
    (mine,) = await say(qa, PRIYA, "my tasks")
    assert "nothing open right now" in card_text(mine)
    assert await audit_actions(qa) == ["quota.logged"]


async def test_bad_input_is_named_beside_each_field_and_nothing_is_saved(qa: BotEnv) -> None:
    qa.clock.set(at(TODAY, 10))
    (form,) = await say(qa, TESS, "log feedback")
    replies = await submit(
        qa,
        TESS,
        form,
        occurred_on="2026-12-25",
        subject=str(await person_id(qa, QUINN)),
        source="neighbour",
        feedback_kind="",
        case_ref="12",
        themes=["Not a theme"],
    )
    (again,) = replies
    errors = {i.id: i.error for i in again.inputs if i.error}
    assert set(errors) == {
        "occurred_on",
        "subject",
        "source",
        "feedback_kind",
        "case_ref",
        "themes",
    }
    assert "future" in (errors["occurred_on"] or "")
    assert await items(qa) == []


async def test_free_text_passes_the_privacy_check_before_it_is_kept(qa: BotEnv) -> None:
    qa.clock.set(at(TODAY, 10))
    (form,) = await say(qa, TESS, "log dip review")
    team = next(i for i in form.inputs if i.id == "team")
    (check,) = await submit(
        qa,
        TESS,
        form,
        occurred_on="2026-11-10",
        team=team.choices[0].value,  # type: ignore[union-attr]
        theme="Child's voice in CP plans",
        notes="Good work with the family, child born 03/04/2015, plans clear.",
    )
    assert check.name == "privacy_check"
    assert await items(qa) == []
    button = check.buttons[0]
    (done,) = await press(qa, TESS, button.verb, dict(button.data), {"privacy_choice": "remove"})
    assert done.name == "quota_logged"
    (item,) = await items(qa)
    assert item.kind == "dip_review" and "03/04/2015" not in (item.notes or "")
    assert "[removed]" in (item.notes or "")


async def test_only_whoever_logged_an_item_corrects_or_withdraws_it(qa: BotEnv) -> None:
    qa.clock.set(at(TODAY, 10))
    done = await log_feedback(qa, SAM, SAM, date(2026, 11, 2))
    withdraw = next(b for b in done.buttons if b.label == "Withdraw")
    correct = next(b for b in done.buttons if b.label == "Correct")

    (refused,) = await press(qa, TESS, withdraw.verb, dict(withdraw.data))
    assert refused.name == "not_allowed"
    (form,) = await press(qa, SAM, correct.verb, dict(correct.data))
    assert form.title.startswith("Correct")
    (fixed,) = await submit(
        qa,
        SAM,
        form,
        occurred_on="2026-11-03",
        subject=str(await person_id(qa, SAM)),
        source="carer",
        feedback_kind="comment",
    )
    assert "carer, comment, 3 Nov 2026" in fixed.fallback
    (listed,) = await say(qa, SAM, "my logs")
    assert "carer" in card_text(listed)
    (gone,) = await press(qa, SAM, withdraw.verb, dict(withdraw.data))
    assert gone.name == "quota_withdrawn"
    (again,) = await press(qa, SAM, withdraw.verb, dict(withdraw.data))
    assert again.name == "not_allowed"
    (own,) = await say(qa, SAM, "quotas")
    assert "0 of 1" in card_text(own)
    assert await audit_actions(qa) == [
        "quota.logged",
        "quota.refused",
        "quota.corrected",
        "quota.withdrawn",
        "quota.refused",
    ]


async def test_people_the_framework_does_not_let_log_are_refused(qa: BotEnv) -> None:
    qa.clock.set(at(TODAY, 10))
    (refused,) = await say(qa, "chris.csw@example.gov.uk", "log feedback")
    assert refused.name == "not_allowed"
    (unknown,) = await say(qa, TESS, "log gossip")
    assert unknown.name == "quota_unknown_kind" and "feedback" in unknown.fallback


async def test_a_dudley_team_manager_owns_their_monthly_audit_until_it_is_logged(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock, framework="dudley") as env:
        env.clock.set(at(TODAY, 10))
        (tasks,) = await say(env, TESS, "my tasks")
        assert "Team manager's monthly case audit, you: November 2026" in card_text(tasks)
        (form,) = await say(env, TESS, "log audit")
        (done,) = await submit(env, TESS, form, occurred_on="2026-11-13", case_ref="2045871")
        assert done.name == "quota_logged", done.fallback
        (tasks,) = await say(env, TESS, "my tasks")
        assert "monthly case audit" not in card_text(tasks)


RESIDENTIAL_STAFF = STAFF_CSV + (
    "rosa.rm@example.gov.uk,Rosa Homes,residential_manager,Oak House,Residential,"
    "helen.hos@example.gov.uk,UROSA\n"
)


async def test_a_dudley_residential_manager_owns_a_quarterly_audit(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock, framework="dudley", staff=RESIDENTIAL_STAFF) as env:
        env.clock.set(at(TODAY, 10))
        rosa = "rosa.rm@example.gov.uk"
        (tasks,) = await say(env, rosa, "my tasks")
        assert "Residential manager's quarterly case audit, you: Q3 2026-27" in card_text(tasks)
        (form,) = await say(env, rosa, "log audit")
        (done,) = await submit(env, rosa, form, occurred_on="2026-11-13", case_ref="2045871")
        assert done.name == "quota_logged", done.fallback
        (tasks,) = await say(env, rosa, "my tasks")
        assert "quarterly case audit" not in card_text(tasks)


PARTNERSHIP_STAFF = STAFF_CSV + (
    "pam.partner@example.gov.uk,Pam Partner,partner,Police,Partners,,UPAM\n"
)


async def test_the_partnership_logs_its_quarterly_safeguarding_conversation(
    database: Database, clock: FakeClock
) -> None:
    async with running(
        database, clock, framework="somerset-partnership", staff=PARTNERSHIP_STAFF
    ) as env:
        env.clock.set(at(TODAY, 10))
        pam = "pam.partner@example.gov.uk"
        (form,) = await say(env, pam, "log safeguarding conversation")
        (refused,) = await submit(env, pam, form, occurred_on="2026-11-13", theme="")
        assert refused.name != "quota_logged"
        (done,) = await submit(
            env, pam, form, occurred_on="2026-11-13", theme="Police and health: neglect"
        )
        assert done.name == "quota_logged", done.fallback
        (logged,) = await items(env)
        assert logged.kind == "safeguarding_conversation"
        (progress,) = await say(env, QUINN, "quotas")
        assert "Safeguarding conversations" in card_text(progress)
