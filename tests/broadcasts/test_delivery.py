"""A broadcast to many channels on Slack and Teams while the fakes answer 429 and 500 part of
the time: every recipient gets exactly one copy, permanent failures are reported in plain
words, the report's totals add up, failed recipients can be retried, and reads are counted."""

from __future__ import annotations

import json
from collections import Counter

from bot.broadcasts.store import DONE
from bot.cards.model import Card
from tests.broadcasts.support import (
    QUINN,
    SAM,
    broadcast_rows,
    broadcasts,
    card_text,
    compose,
    drain,
    facts,
    press,
    qa_env,
    with_team_channels,
)
from tests.conftest import BotEnv

__all__ = ["qa_env"]
TEAMS_POST = "POST conversations/*/activities"
CHANNELS = 24


def slack_posts(env: BotEnv) -> Counter[str]:
    """Posts Slack accepted, by team channel."""
    return Counter(
        c.params["channel"]
        for c in env.slack_api.accepted
        if c.method == "chat.postMessage" and c.params["channel"].startswith("C00")
    )


def teams_posts(env: BotEnv) -> Counter[str]:
    """Activities Teams accepted, by team channel."""
    return Counter(
        c.params["path"].split("/")[1]
        for c in env.connector.accepted
        if c.method == TEAMS_POST and "@thread" in c.params["path"]
    )


async def report(env: BotEnv, broadcast_id: int) -> Card:
    (card,) = await press(env, QUINN, "bcast.refresh", {"b": broadcast_id})
    assert card.name == "broadcast_report", card_text(card)
    return card


async def test_many_channels_on_both_platforms_each_get_exactly_one_copy(qa: BotEnv) -> None:
    await with_team_channels(qa, CHANNELS)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    # The first Slack post is refused for good (an archived channel) and the first Teams post
    # too (403: the bot was removed); then both platforms throttle and fail part of the time.
    qa.slack_api.fail_next(
        "chat.postMessage", status=200, body={"ok": False, "error": "is_archived"}
    )
    qa.connector.fail_next(TEAMS_POST, status=403)
    for _ in range(3):
        qa.slack_api.fail_next("chat.postMessage", status=429, retry_after=0.3)
        qa.slack_api.fail_next("chat.postMessage", status=500)
        qa.connector.fail_next(TEAMS_POST, status=429, retry_after=0.3)
        qa.connector.fail_next(TEAMS_POST, status=502)
    await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    await drain(qa)

    assert not qa.slack_api.cues.get("chat.postMessage") and not qa.connector.cues.get(TEAMS_POST)
    slack, teams = slack_posts(qa), teams_posts(qa)
    # Exactly one copy each, except the two refused for good.
    assert sorted(slack.values()) == [1] * (CHANNELS - 1), slack.most_common(3)
    assert sorted(teams.values()) == [1] * (CHANNELS - 1), teams.most_common(3)
    rows = await broadcast_rows(qa, draft.id)
    assert len(rows) == 2 * CHANNELS
    assert Counter(r.status for r in rows) == {"sent": 2 * CHANNELS - 2, "dead": 2}
    # No dead-letter card per recipient: the report names them.
    assert not [
        c
        for c in qa.slack_api.calls_to("chat.postMessage")
        if "could not be delivered" in json.dumps(c.params)
    ]

    await qa.runtime.bot.run_sweeps(["broadcasts.reports"])
    await drain(qa)
    card = await report(qa, draft.id)
    shown = facts(card)
    assert shown["Recipients"] == str(2 * CHANNELS)
    assert shown["Delivered"] == str(2 * CHANNELS - 2)
    assert shown["Waiting"].startswith("0 ")
    assert shown["Failed"] == "2"
    text = card_text(card)
    assert "the Slack channel is archived" in text
    assert "Teams refused (403): the bot was removed from the team or blocked" in text
    (done,) = await broadcasts(qa)
    assert done.status == DONE
    # The live report in the QA team channel was updated in place (chat.update).
    updates = [
        c for c in qa.slack_api.calls_to("chat.update") if "Delivery:" in json.dumps(c.params)
    ]
    assert updates, "the report was never updated in place"

    # The cause is fixed; Retry failed sends again to the two failed recipients only.
    (note, _) = await press(qa, QUINN, "bcast.retry", {"b": draft.id})
    assert "2 message(s)" in card_text(note), card_text(note)
    await drain(qa)
    assert set(slack_posts(qa).values()) == {1} and len(slack_posts(qa)) == CHANNELS
    assert set(teams_posts(qa).values()) == {1} and len(teams_posts(qa)) == CHANNELS
    shown = facts(await report(qa, draft.id))
    assert (shown["Delivered"], shown["Failed"]) == (str(2 * CHANNELS), "0")

    # A non-QA person cannot retry; "Got it" is counted once per person, per team.
    (refused,) = await press(qa, SAM, "bcast.retry", {"b": draft.id})
    assert refused.name == "broadcast_refused"
    await press(qa, SAM, "bcast.ack", {"b": draft.id})
    await press(qa, SAM, "bcast.ack", {"b": draft.id})
    shown = facts(await report(qa, draft.id))
    assert shown["Read (Got it)"] == "1" and shown.get("Taunton CP") == "1", shown


async def test_the_csv_link_works_for_thirty_minutes(qa: BotEnv) -> None:
    await with_team_channels(qa, 2, teams_too=False)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    await drain(qa)
    qa.runtime.bot.public_url = qa.base_url
    (card,) = await press(qa, QUINN, "bcast.csv", {"b": draft.id})
    url = next(w for w in card_text(card).split() if "/broadcasts/report/" in w)
    async with qa.http.get(url) as response:
        assert response.status == 200
        body = await response.text()
    assert body.lstrip("\ufeff").splitlines()[0] == "Recipient,State,Retrying,Reason"
    assert "team:Team 000@slack,delivered" in body
    qa.clock.advance(minutes=31)
    async with qa.http.get(url) as response:
        assert response.status == 404
        assert "expired" in await response.text()


async def test_a_long_newsletter_arrives_in_numbered_parts_on_both_platforms(qa: BotEnv) -> None:
    from bot.broadcasts import flows
    from bot.broadcasts.content import Content, ContentSection
    from bot.broadcasts.rules import Audience
    from bot.store import directory

    await with_team_channels(qa, 1)
    content = Content(
        title="Long news",
        sections=[
            ContentSection(heading=f"Part {i}", body=" ".join(f"w{i}x{j}" for j in range(500)))
            for i in range(40)
        ],
    )
    async with qa.runtime.db.session() as session:
        quinn = await directory.person_by_email(session, QUINN)
        ctx = qa.runtime.bot.context(session, quinn)
        broadcast = await flows.new_draft(ctx, content, Audience(all_teams=True))
        await flows.approve(ctx, broadcast)
        broadcast_id, parts = broadcast.id, broadcast.parts
    assert parts > 2
    await drain(qa)
    slack = [
        c.params
        for c in qa.slack_api.accepted
        if c.method == "chat.postMessage" and c.params["channel"] == "C0000000"
    ]
    assert [m["text"] for m in slack] == [
        f"Long news (part {i} of {parts})" for i in range(1, parts + 1)
    ]
    assert all(len(m["blocks"]) <= 50 for m in slack)
    teams = [
        c.params["body"]
        for c in qa.connector.accepted
        if c.method == TEAMS_POST and "19:team0@thread" in c.params["path"]
    ]
    assert len(teams) == parts
    assert all(len(json.dumps(a)) < 100_000 for a in teams)
    every_word = json.dumps(slack)
    assert all(f"w{i}x499" in every_word for i in range(40))
    shown = facts(await report(qa, broadcast_id))
    assert (shown["Recipients"], shown["Delivered"]) == ("2", "2")


async def test_got_it_on_teams_keeps_the_card_and_on_slack_answers_privately(qa: BotEnv) -> None:
    from tests.harness import button

    await with_team_channels(qa, 1)
    await compose(qa, QUINN)
    (draft,) = await broadcasts(qa)
    await press(qa, QUINN, "bcast.approve", {"b": draft.id})
    await drain(qa)
    qa.connector.members["29:aad-priya"] = {
        "id": "29:aad-priya",
        "aadObjectId": "aad-priya",
        "email": "priya.sw@example.gov.uk",
    }
    status, body = await qa.teams.execute(
        "aad-priya", "bcast.ack", {"b": draft.id}, reply_to_id="activity-1"
    )
    assert status == 200, body
    card = json.dumps(body)
    assert "December news" in card and "Thank you for the audits" in card
    assert "your team's read is counted" in card
    # Slack: the button as rendered in the channel message, pressed by Sam.
    (sent,) = [
        c.params
        for c in qa.slack_api.accepted
        if c.method == "chat.postMessage" and c.params["channel"] == "C0000000"
    ]
    status, _ = await qa.slack.press("USAM", button(sent["blocks"], "Got it"), channel="C0000000")
    assert status == 200
    await drain(qa)
    shown = facts(await report(qa, draft.id))
    assert shown["Read (Got it)"] == "2"
    assert (shown.get("Taunton CP"), shown.get("Yeovil CiC")) == ("1", "1"), shown
    # The channel message itself was not replaced for everyone.
    assert not [
        c for c in qa.slack_api.calls_to("chat.update") if c.params.get("channel") == "C0000000"
    ]
