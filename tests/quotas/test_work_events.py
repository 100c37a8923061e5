"""The allocations area's work, heard by the quotas area through the core (``Router.on_work``):
a confirmed cycle moves the calendar's rotation on (a cycle nobody ran keeps nobody's turn),
and a Dudley manager who completes the audit the bot allocated has done their monthly audit,
so is not nudged to log one (seed 001)."""

from __future__ import annotations

from datetime import date

from bot.quotas import store as quota_store
from tests.allocations.support import (  # noqa: F401
    QUINN,
    TESS,
    allocations,
    card_text,
    messages_to,
    press,
    press_button,
    qa_env,
    running,
)
from tests.allocations.test_cycle_opening import COHORT, DUDLEY_STAFF
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock
from tests.quotas.support import at, items, morning, say

TOM = "tom.tm@example.gov.uk"


async def _turns(env: BotEnv) -> dict[str, tuple[str, date]]:
    async with env.runtime.db.session() as session:
        kept = await quota_store.calendar_turns(session)
        return {path: (turn.member, turn.cycle_on) for path, turn in kept.items()}


def _mape_line(card: object) -> str:
    return next(x for x in card_text(card).splitlines() if "MAPE" in x)  # type: ignore[arg-type]


async def test_the_mape_rotation_moves_on_only_when_a_cycle_is_confirmed(qa: BotEnv) -> None:
    env = qa
    # February's prompt names the first case-holding team; being told keeps no turn.
    await morning(env, date(2027, 2, 1))
    assert await _turns(env) == {}
    (card,) = await say(env, QUINN, "calendar february")
    assert "team: Taunton CP" in _mape_line(card)
    (proposal,) = await say(
        env, QUINN, "allocate cycle mape\ncase_ref,team\n3000001,Taunton CP\n3000002,Yeovil CiC"
    )
    assert proposal.name == "allocation_proposal", proposal.fallback
    confirm = next(b.label for b in proposal.buttons if b.style == "primary")
    await press_button(env, QUINN, proposal, confirm)
    assert await _turns(env) == {"mape.team": ("Taunton CP", date(2027, 2, 1))}
    # April's MAPE is never run. In June, Yeovil CiC is still next: the unconfirmed April
    # cycle did not use its turn.
    env.clock.set(at(date(2027, 6, 1), 10))
    (card,) = await say(env, QUINN, "calendar june")
    assert "team: Yeovil CiC" in _mape_line(card)


async def test_a_manager_who_completes_the_allocated_audit_is_not_nudged(
    database: Database, clock: FakeClock
) -> None:
    async with running(database, clock, framework="dudley", staff=DUDLEY_STAFF) as env:
        env.clock.set(at(date(2026, 11, 30), 10))
        (kept,) = await say(env, QUINN, "cohort case_audit\n" + COHORT)
        assert kept.name == "cohort_kept"
        await morning(env, date(2026, 12, 1))
        work = {a.assignee.email: a for a in await allocations(env) if a.assignee}
        tess_audit = work[TESS]
        env.clock.set(at(date(2026, 12, 10), 11))
        outcome = {"grade": "good", "stretch_target": "Update the plan"}
        (done,) = await press(env, TESS, "alloc.outcome", {"a": tess_audit.id}, outcome)
        assert done.name == "allocation_done", done.fallback
        # Pressing again changes nothing: the audit counts once.
        await press(env, TESS, "alloc.outcome", {"a": tess_audit.id}, outcome)
        counted = [i for i in await items(env) if i.kind == "manager_audit"]
        assert [(i.case_ref, i.occurred_on) for i in counted] == [
            (tess_audit.case_ref, date(2026, 12, 10))
        ]
        # The quota's first nudge point (two weeks in): Tom, who has not done his, is nudged.
        await morning(env, date(2026, 12, 15))
        tess = [card_text(m.payload) for m in await messages_to(env, TESS, "reminder")]
        tom = [card_text(m.payload) for m in await messages_to(env, TOM, "reminder")]
        assert any("monthly case audit" in t for t in tom), tom
        assert not any("monthly case audit" in t for t in tess), tess
        (progress,) = await say(env, TESS, "quotas")
        assert "1 of 1" in card_text(progress)
