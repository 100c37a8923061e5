"""A form whose required list would be empty is not sent: Slack refuses a select with no
options, Teams a choice set with no choices, and nobody could complete it anyway."""

from __future__ import annotations

from sqlalchemy import delete

from bot.store import directory
from bot.store.models import PersonRole
from tests.allocations.support import CHRIS, QUINN, qa_env  # noqa: F401
from tests.conftest import BotEnv
from tests.quotas.support import card_text, press, say, submit


async def test_someone_with_no_team_to_log_for_is_told_why_instead_of_an_empty_form(
    qa: BotEnv,
) -> None:
    # Chris is a CSW: his team has no practitioners and he has no direct reports.
    (answer,) = await say(qa, CHRIS, "log dip review")
    assert answer.name == "quota_nothing_to_choose" and not answer.inputs
    assert "There is no team you may choose in the dip review form" in card_text(answer)
    (from_menu,) = await press(qa, CHRIS, "quota.form", {"kind": "dip_review"})
    assert from_menu.name == "quota_nothing_to_choose"

    (form,) = await say(qa, QUINN, "log dip review")  # the QA team may log for any team
    teams = next(i for i in form.inputs if i.id == "team")
    assert form.name == "quota_log_dip_review" and teams.choices  # type: ignore[union-attr]


async def test_correcting_an_item_with_nothing_left_to_choose_gets_the_same_notice(
    qa: BotEnv,
) -> None:
    (form,) = await say(qa, QUINN, "log dip review")
    teams = next(i for i in form.inputs if i.id == "team")
    (done,) = await submit(
        qa,
        QUINN,
        form,
        occurred_on=qa.clock().date().isoformat(),
        team=teams.choices[0].value,  # type: ignore[union-attr]
        theme="Planning",
        notes="Plans were clear and reviewed on time.",
    )
    assert done.name == "quota_logged", card_text(done)
    correct = next(b for b in done.buttons if b.label == "Correct")
    # Quinn leaves the QA team: her own team (SIT) has no practitioners and she has no reports.
    async with qa.runtime.db.session() as session:
        quinn = await directory.person_by_email(session, QUINN)
        assert quinn is not None
        await session.execute(
            delete(PersonRole).where(PersonRole.person_id == quinn.id, PersonRole.role == "qa_team")
        )
    (answer,) = await press(qa, QUINN, correct.verb, dict(correct.data))
    assert answer.name == "quota_nothing_to_choose" and not answer.inputs, card_text(answer)
    assert "There is no team you may choose in the dip review form" in card_text(answer)
    assert "Withdraw it" in card_text(answer)
