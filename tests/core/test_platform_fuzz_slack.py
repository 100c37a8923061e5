"""Every shape Slack may send to /slack/events (events, slash commands, interactivity), signed
with the signing secret the harness uses: never a 5xx, a well-formed request gets 200 and no
unexplained traceback; the same bytes unsigned, stale or forged always get 401."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.store.models import OutboxMessage
from tests.conftest import (
    POSTGRES_URL,
    STAFF_CSV,
    BotEnv,
    Database,
    _drop_schema,
    _postgres_schema,
    start_env,
    stop_env,
)
from tests.core.platform_shapes import slack_dms_from, slack_malformed_requests, slack_requests
from tests.harness import FakeClock, slack_signature

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_N", "200")),
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    database=None,
    # No shrinking: each example is a request to a running bot, and the failing one is printed.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotEnv]:
    """One bot for all of a test's examples (SQLite: the endpoint is what is under test;
    FUZZ_POSTGRES=1 for PostgreSQL, which enforces column types and lengths)."""
    schema = await _postgres_schema() if os.environ.get("FUZZ_POSTGRES") == "1" else None
    database = (
        Database(POSTGRES_URL, schema)
        if schema
        else Database(f"sqlite+aiosqlite:///{tmp_path / 'qabot.db'}", None)
    )
    env = await start_env(database, clock)
    try:
        report = await env.import_staff(STAFF_CSV)
        assert not report.errors  # type: ignore[attr-defined]
        env.slack_api.users.update(
            {"USAM": "sam.sw@example.gov.uk", "UHELEN": "helen.hos@example.gov.uk"}
        )
        yield env
    finally:
        await stop_env(env)
        if schema:
            await _drop_schema(schema)


def _failures(records: list[logging.LogRecord]) -> list[str]:
    """ERROR lines from handling the request (not the delivery worker's about sending)."""
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.ERROR and r.name != "bot.scheduler.delivery"
    ]


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
    assert _failures(caplog.records) == [], kind
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
    assert _failures(caplog.records) == [], kind


async def _outbox_count(env: BotEnv) -> int:
    async with env.runtime.db.session() as session:
        query = select(func.count()).select_from(OutboxMessage)
        return int((await session.execute(query)).scalar_one())


@settings(FUZZ, max_examples=FUZZ.max_examples // 4)
@given(envelope=slack_dms_from("USAM"))
async def test_a_direct_message_from_a_known_person_is_always_answered(
    bot: BotEnv, caplog: pytest.LogCaptureFixture, envelope: dict[str, object]
) -> None:
    body = json.dumps(envelope).encode()
    before = await _outbox_count(bot)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        status, text = await bot.slack.post_raw(body, "application/json", _signed(body))
        await bot.runtime.settled()
    assert status == 200, (status, text)
    assert _failures(caplog.records) == []
    assert await _outbox_count(bot) > before, "a message from Sam was left unanswered"
