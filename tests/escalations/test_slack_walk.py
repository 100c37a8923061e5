"""A dispute walked on Slack through /slack/events and the fake Web API: the slash command,
Block Kit buttons, modals for the forms and chat.update for the card in place."""

from __future__ import annotations

import json
from datetime import date

from tests.allocations.support import PRIYA, TESS, at, qa_env
from tests.conftest import BotEnv
from tests.harness import button
from tests.nominations.support import deliver, last_view, slack_submit, text_of

__all__ = ["qa_env"]


async def deliver_all(env: BotEnv) -> None:
    """Deliver, then again once an update waiting for its original post is due (2 s)."""
    await deliver(env)
    env.clock.advance(seconds=3)
    await deliver(env)


def dms(env: BotEnv, user: str) -> list[dict[str, object]]:
    return [
        c.params
        for c in env.slack_api.calls_to("chat.postMessage")
        if c.params["channel"] in (user, "D" + user[1:])
    ]


async def open_modal(env: BotEnv, user: str, blocks: list[dict[str, object]], label: str) -> dict:
    before = len(env.slack_api.calls_to("views.open"))
    status, _ = await env.slack.press(user, button(blocks, label))
    assert status == 200
    await env.slack_api.wait_for("views.open", before + 1)
    return last_view(env)


async def test_a_full_walk_on_slack(qa: BotEnv) -> None:
    env = qa
    env.slack_api.users.update({"UPRIYA": PRIYA, "UTESS": TESS})
    env.clock.set(at(date(2026, 12, 1), 10))
    status, body = await env.slack.command("USAM", "rpd")
    assert status == 200
    answer = json.loads(body)
    assert "immediate risk" in json.dumps(answer)
    form = await open_modal(env, "USAM", answer["blocks"], "No")
    result = await slack_submit(
        env,
        "USAM",
        form,
        {
            "other_email": PRIYA,
            "other_name": "",
            "other_agency": "Yeovil CiC",
            "case_reference": "1187342",
            "category": "Threshold decision",
            "resolution_sought": "A joint visit this week to agree the threshold.",
        },
    )
    assert result == {}  # the modal closes
    await deliver_all(env)
    (mine, note) = dms(env, "USAM")
    assert "Dispute 1 is raised" in str(mine["text"])
    assert "RPD case note" in str(note["text"])
    (priyas,) = dms(env, "UPRIYA")
    assert "A disagreement has been raised with you" in str(priyas["text"])
    assert dms(env, "UTESS") == []

    # Not resolved: a modal for the reason, then the card changes in place everywhere.
    form = await open_modal(env, "USAM", mine["blocks"], "Not resolved")  # type: ignore[arg-type]
    assert await slack_submit(env, "USAM", form, {"text": "We could not agree."}) == {}
    await deliver_all(env)
    (tess,) = dms(env, "UTESS")
    assert "Stage 2: the managers" in text_of(tess)
    updated = [c.params for c in env.slack_api.calls_to("chat.update")]
    assert any(u["channel"] == "DPRIYA" and "Stage 2" in text_of(u) for u in updated), updated

    # A stranger replaying Priya's button learns nothing, not even that the dispute exists.
    before = len(env.slack_api.calls)
    status, _ = await env.slack.press("UCHRIS", button(priyas["blocks"], "Resolved"))  # type: ignore[arg-type]
    assert status == 200
    await deliver_all(env)
    answers = [json.dumps(c.params) for c in env.slack_api.calls[before:]]
    assert any("find dispute 1" in a for a in answers), answers
    assert not any("Stage 2" in a for a in answers)

    # The team manager resolves it from the card she was sent.
    form = await open_modal(env, "UTESS", tess["blocks"], "Resolved")  # type: ignore[arg-type]
    done = await slack_submit(env, "UTESS", form, {"text": "Joint visit on Friday."})
    assert done == {}
    await deliver_all(env)
    notes = [m for m in dms(env, "UTESS") if "RPD case note" in str(m["text"])]
    assert "Agreed outcome: Joint visit on Friday." in str(notes[-1]["text"])
    updated = [c.params for c in env.slack_api.calls_to("chat.update")]
    assert any(u["channel"] == "DPRIYA" and "Resolved" in text_of(u) for u in updated)
