"""Every shape Slack may send to /slack/events (events, slash commands, interactivity), signed
with the signing secret the harness uses: never a 5xx, a well-formed request gets 200 and no
unexplained traceback; the same bytes unsigned, stale or forged always get 401."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import BotEnv
from tests.core.fuzz_support import failures, fuzz_settings, outbox_count, staffed_bot
from tests.core.platform_shapes import slack_dms_from, slack_malformed_requests, slack_requests
from tests.harness import FakeClock, slack_signature

FUZZ = fuzz_settings(200)


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotEnv]:
    """One bot for all of a test's examples."""
    async with staffed_bot(tmp_path, clock) as env:
        env.slack_api.users.update(
            {"USAM": "sam.sw@example.gov.uk", "UHELEN": "helen.hos@example.gov.uk"}
        )
        yield env


def _signed(body: bytes, *, ts: int | None = None, secret: str | None = None) -> dict[str, str]:
    stamp = ts if ts is not None else int(time.time())
    signature = slack_signature(body, stamp, secret) if secret else slack_signature(body, stamp)
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": signature}


@FUZZ
@given(request=slack_requests(), forgery=st.sampled_from(["unsigned", "stale", "forged"]))
async def test_any_signed_slack_request_is_answered_and_any_unsigned_one_refused(
    bot: BotEnv,
    caplog: pytest.LogCaptureFixture,
    request: tuple[str, bytes, str],
    forgery: str,
) -> None:
    kind, body, content_type = request
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        status, text = await bot.slack.post_raw(body, content_type, _signed(body))
        await bot.runtime.settled()
    assert status < 500, (kind, status, text)
    assert status == 200, (kind, status, text)
    if kind == "url_verification":
        assert json.loads(text)["challenge"] == json.loads(body)["challenge"]
    assert failures(caplog.records) == [], kind
    forged = {
        "unsigned": {},
        "stale": _signed(body, ts=int(time.time()) - 3600),
        "forged": _signed(body, secret="not-the-signing-secret"),
    }[forgery]
    status, _ = await bot.slack.post_raw(body, content_type, forged)
    assert status == 401, (kind, forgery)


@FUZZ
@given(request=slack_malformed_requests())
async def test_a_signed_request_with_a_field_missing_or_mistyped_gets_200_or_400(
    bot: BotEnv, caplog: pytest.LogCaptureFixture, request: tuple[str, bytes, str]
) -> None:
    kind, body, content_type = request
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        status, text = await bot.slack.post_raw(body, content_type, _signed(body))
        await bot.runtime.settled()
    assert status in (200, 400), (kind, status, text)
    assert failures(caplog.records) == [], kind


@settings(FUZZ, max_examples=FUZZ.max_examples // 4)
@given(envelope=slack_dms_from("USAM"))
async def test_a_direct_message_from_a_known_person_is_always_answered(
    bot: BotEnv, caplog: pytest.LogCaptureFixture, envelope: dict[str, object]
) -> None:
    body = json.dumps(envelope).encode()
    before = await outbox_count(bot)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        status, text = await bot.slack.post_raw(body, "application/json", _signed(body))
        await bot.runtime.settled()
    assert status == 200, (status, text)
    assert failures(caplog.records) == []
    assert await outbox_count(bot) > before, "a message from Sam was left unanswered"
