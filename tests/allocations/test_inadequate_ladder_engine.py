"""The Inadequate ladder runs on the shared ladder engine, so a framework file can shape it like
any other ladder: a stage may tell several roles, and a ladder whose last stage does not repeat
ends there (West Sussex's own ladder, which repeats, is walked in test_ladder.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.config import framework_path
from tests.allocations.support import (
    allocate_csv,
    allocations,
    card_text,
    messages_to,
    press,
    rows,
    running,
    settle,
)
from tests.allocations.test_ladder import QUINN, SUE, WS_STAFF
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock


def _reshaped(tmp_path: Path) -> str:
    text = framework_path("west-sussex").read_text(encoding="utf-8")
    text = text.replace("repeat_last_stage = true\n", "repeat_last_stage = false\n", 1)
    text = text.replace(
        'roles = ["assistant_director"]\n', 'roles = ["assistant_director", "head_of_service"]\n', 1
    )
    path = tmp_path / "west-sussex-reshaped.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


async def _grade(env: BotEnv, email: str, allocation_id: int, grade: str) -> str:
    (form,) = await press(env, email, "alloc.done", {"a": allocation_id})
    assert form.name == "allocation_outcome_form", form.fallback
    (done,) = await press(env, email, "alloc.outcome", {"a": allocation_id}, {"grade": grade})
    return card_text(done)


async def test_a_stage_tells_each_of_its_roles_and_a_last_stage_that_does_not_repeat_ends(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    framework = _reshaped(tmp_path)
    async with running(database, clock, framework=framework, staff=WS_STAFF) as env:
        await settle(env)
        await allocate_csv(env, [f"1187342,Crawley CP,case_audit,{SUE},{QUINN},Nov audits"])
        audit, moderation = await allocations(env)
        await _grade(env, SUE, audit.id, "inadequate")
        await _grade(env, QUINN, moderation.id, "inadequate")
        reaudit = (await allocations(env))[-1]

        env.clock.set(datetime(2027, 2, 23, 10, tzinfo=UTC))
        text = await _grade(env, SUE, reaudit.id, "inadequate")
        assert "escalated to Ada Assistant and Helen Head" in text
        for email in ("ada@ws.example", "helen@ws.example"):
            (told,) = await messages_to(env, email, "escalation")
            assert told.card_name == "inadequate_escalation"
        second = (await allocations(env))[-1]

        env.clock.set(datetime(2027, 5, 24, 10, tzinfo=UTC))
        await _grade(env, SUE, second.id, "inadequate")
        assert len(await messages_to(env, "dana@ws.example", "escalation")) == 1
        third = (await allocations(env))[-1]

        env.clock.set(datetime(2027, 8, 24, 10, tzinfo=UTC))
        text = await _grade(env, SUE, third.id, "inadequate")
        assert "the ladder ends here" in text
        assert len(await allocations(env)) == 5  # no fourth further audit
        assert len(await messages_to(env, "dana@ws.example", "escalation")) == 1
        titles = [a.payload["title"] for a in await rows(env, card_name="inadequate_alert")]
        assert "Still Inadequate, ladder ended: case 1187342" in titles
