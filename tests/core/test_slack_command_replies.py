"""A Slack slash command answered with several cards: the acknowledgement carries the first
cards that fit in one message (at most 50 blocks, no two buttons with one action_id), and the
rest follow where the command was typed, through its response_url (up to four of them), or as
direct messages when the response_url cannot be used; nothing is cut silently."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cards.model import Button, Card, TextBlock
from bot.channels.slack_requests import response_url_is_allowed
from bot.dialogs.base import Context, Reply
from bot.scheduler.ratelimit import SLACK_APP, UNLIMITED, LimiterPool
from tests.conftest import BotEnv
from tests.fakes import FakeSlackApi


def big_card(n: int, paragraphs: int) -> Card:
    return Card(
        name="sample",
        title=f"Card {n}",
        fallback=f"Card {n}",
        body=[TextBlock(text=f"Card {n}, paragraph {p}") for p in range(paragraphs)],
        buttons=[Button(label="Open", verb="sample.open", data={"n": n})],
    )


def with_command(env: BotEnv, cards: list[Card]) -> None:
    async def several(ctx: Context, args: str) -> list[Reply]:
        return [Reply(card) for card in cards]

    env.runtime.bot.router.command("several", summary="Several cards")(several)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks for e in b.get("elements") or [] if "action_id" in e]


async def delivered(env: BotEnv, user: str) -> tuple[list[str], list[str]]:
    """What the outbox sent after the acknowledgement: (to response_urls, to ``user``'s DM)."""
    worker = env.runtime.worker
    assert worker is not None
    while await worker.drain_once():
        pass
    dms = [
        json.dumps(c.params)
        for c in env.slack_api.accepted
        if c.method == "chat.postMessage" and c.params.get("channel") == user
    ]
    return [json.dumps(r) for r in env.slack_api.responses()], dms


def unpaced(env: BotEnv) -> None:
    """No pause between one person's messages (Slack's is one a second), to keep tests quick."""
    worker = env.runtime.worker
    assert worker is not None
    worker.limiters["slack"] = LimiterPool(UNLIMITED, SLACK_APP)


async def test_the_cards_that_do_not_fit_follow_at_the_response_url(staffed: BotEnv) -> None:
    # 3 cards of 20 paragraphs: 22 blocks each (header, 20 sections, actions).
    with_command(staffed, [big_card(n, 20) for n in range(3)])
    status, body = await staffed.slack.command(
        "USAM", "several", response_url=staffed.slack_api.response_url()
    )
    assert status == 200
    ack = json.loads(body)
    shown = json.dumps(ack["blocks"])
    # Two cards would have 44 blocks, but both have their "Open" button as sample.open:0.
    assert len(ack["blocks"]) <= 50
    assert len(set(action_ids(ack["blocks"]))) == len(action_ids(ack["blocks"]))
    assert "Card 0, paragraph 19" in shown and "Card 1" not in shown
    responses, dms = await delivered(staffed, "USAM")
    assert dms == []
    assert len(responses) == 2, responses
    for n, message in ((1, responses[0]), (2, responses[1])):
        assert f"Card {n}, paragraph 0" in message and f"Card {n}, paragraph 19" in message
    for sent in staffed.slack_api.responses():  # seen only by the person, like the ack
        assert sent["response_type"] == "ephemeral" and sent["replace_original"] is False


async def test_cards_without_shared_buttons_share_the_acknowledgement_up_to_50_blocks(
    staffed: BotEnv,
) -> None:
    cards = [big_card(n, 14).model_copy(update={"buttons": []}) for n in range(4)]
    with_command(staffed, cards)  # 15 blocks each: three fit in 50, the fourth does not
    status, body = await staffed.slack.command(
        "USAM", "several", response_url=staffed.slack_api.response_url()
    )
    assert status == 200
    ack = json.loads(body)
    shown = json.dumps(ack["blocks"])
    assert len(ack["blocks"]) == 45
    assert all(f"Card {n}, paragraph 13" in shown for n in range(3))
    assert "Card 3" not in shown
    (later,), _ = await delivered(staffed, "USAM")
    assert "Card 3, paragraph 13" in later


async def test_four_follow_ups_use_the_response_url_and_the_rest_go_to_the_dm(
    staffed: BotEnv,
) -> None:
    unpaced(staffed)
    with_command(staffed, [big_card(n, 1) for n in range(7)])  # each its own message
    status, body = await staffed.slack.command(
        "USAM", "several", response_url=staffed.slack_api.response_url()
    )
    assert status == 200 and "Card 0" in body and "Card 1" not in body
    responses, dms = await delivered(staffed, "USAM")
    assert len(responses) == 4 and len(dms) == 2
    assert all(f"Card {n}, paragraph 0" in r for n, r in zip(range(1, 5), responses, strict=True))
    assert all(f"Card {n}, paragraph 0" in m for n, m in zip((5, 6), dms, strict=True))


async def test_a_response_url_slack_calls_expired_falls_back_to_the_dm(staffed: BotEnv) -> None:
    with_command(staffed, [big_card(n, 20) for n in range(3)])
    url = staffed.slack_api.response_url()
    status, _ = await staffed.slack.command("USAM", "several", response_url=url)
    assert status == 200
    staffed.slack_api.age_response_urls(minutes=31)  # the bot's own clock has not moved
    responses, dms = await delivered(staffed, "USAM")
    assert responses == []
    assert staffed.slack_api.calls_to("response_url")  # tried, and refused with expired_url
    assert len(dms) == 2
    assert "Card 1, paragraph 19" in dms[0] and "Card 2, paragraph 19" in dms[1]


async def test_a_response_url_too_old_when_the_outbox_gets_to_it_is_not_tried(
    staffed: BotEnv,
) -> None:
    with_command(staffed, [big_card(n, 20) for n in range(2)])
    url = staffed.slack_api.response_url()
    status, _ = await staffed.slack.command("USAM", "several", response_url=url)
    assert status == 200
    staffed.clock.advance(minutes=29)
    responses, dms = await delivered(staffed, "USAM")
    assert staffed.slack_api.calls_to("response_url") == [] and responses == []
    assert len(dms) == 1 and "Card 1, paragraph 19" in dms[0]


async def test_a_response_url_that_fails_on_slacks_side_is_tried_again(staffed: BotEnv) -> None:
    with_command(staffed, [big_card(n, 20) for n in range(2)])
    url = staffed.slack_api.response_url()
    status, _ = await staffed.slack.command("USAM", "several", response_url=url)
    assert status == 200
    staffed.slack_api.fail_next("response_url", status=500)
    assert await delivered(staffed, "USAM") == ([], [])
    staffed.clock.advance(minutes=1)  # past the retry's backoff
    responses, dms = await delivered(staffed, "USAM")
    assert dms == [] and len(responses) == 1 and "Card 1, paragraph 19" in responses[0]


async def test_a_forged_response_url_is_never_posted_to(staffed: BotEnv) -> None:
    elsewhere = FakeSlackApi()  # a server that is not the configured Slack
    await elsewhere.start()
    try:
        with_command(staffed, [big_card(n, 20) for n in range(2)])
        status, body = await staffed.slack.command(
            "USAM", "several", response_url=elsewhere.response_url()
        )
        assert status == 200 and "Card 0" in body
        responses, dms = await delivered(staffed, "USAM")
        assert elsewhere.calls == [] and responses == []
        assert len(dms) == 1 and "Card 1, paragraph 19" in dms[0]
    finally:
        await elsewhere.stop()


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/commands/T0DEMO/123/abc", True),
        ("https://hooks.slack.com:443/commands/T0DEMO/123/abc", True),
        ("http://hooks.slack.com/commands/T0DEMO/123/abc", False),
        ("https://hooks.slack.com.example.org/commands/1", False),
        ("https://example.org/hooks.slack.com/commands/1", False),
        ("https://user@hooks.slack.com/commands/1", False),
        ("https://hooks.slack.com:8443/commands/1", False),
        ("https://hooks.slack.com/", False),
        ("https://hooks.slack.com:port/commands/1", False),
        ("http://127.0.0.1:8080/commands/1", False),  # local, but the API is Slack's own
        ("", False),
        (None, False),
    ],
)
def test_only_slacks_response_url_host_is_allowed(url: object, allowed: bool) -> None:
    assert response_url_is_allowed(url, "https://slack.com/api/") is allowed


def test_with_a_local_slack_only_that_same_server_is_allowed() -> None:
    api = "http://127.0.0.1:8080/api/"
    assert response_url_is_allowed("http://127.0.0.1:8080/commands/1", api)
    assert not response_url_is_allowed("http://127.0.0.1:9/commands/1", api)
    assert not response_url_is_allowed("https://127.0.0.1:8080/commands/1", api)
    assert response_url_is_allowed("https://hooks.slack.com/commands/1", api)


async def test_the_fake_response_url_is_as_strict_as_slacks(env: BotEnv) -> None:
    url = env.slack_api.response_url()

    async def post(body: object) -> tuple[int, str]:
        async with env.http.post(url, json=body) as response:
            return response.status, await response.text()

    assert await post({"response_type": "ephemeral"}) == (400, "no_text")
    assert await post({"text": "hi", "response_type": "everyone"}) == (400, "invalid_payload")
    assert await post({"text": "hi", "replace_original": "false"}) == (400, "invalid_payload")
    bad = {"text": "hi", "blocks": [{"type": "section"}]}  # a section needs text or fields
    assert await post(bad) == (400, "invalid_blocks")
    for n in range(5):
        assert await post({"text": f"message {n}"}) == (200, "ok")
    assert await post({"text": "a sixth"}) == (404, "used_url")
    later = env.slack_api.response_url()
    env.slack_api.age_response_urls(minutes=31)
    async with env.http.post(later, json={"text": "late"}) as response:
        assert (response.status, await response.text()) == (404, "expired_url")
    assert [r["text"] for r in env.slack_api.responses()] == [f"message {n}" for n in range(5)]
