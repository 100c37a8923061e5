"""Slack Socket Mode (SLACK_APP_TOKEN set): the same bot, reached over the WebSocket that
apps.connections.open hands out instead of through /slack/events."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest

from bot.cards.blockkit import button_value
from tests.conftest import STAFF_CSV, BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock


@pytest.fixture
async def socket_env(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    env = await start_env(database, clock, slack_app_token="xapp-test-token")
    try:
        await env.import_staff(STAFF_CSV)
        await env.slack_api.wait_for_socket()
        yield env
    finally:
        await stop_env(env)


async def test_the_bot_opens_a_socket_with_the_app_token(socket_env: BotEnv) -> None:
    (opened,) = socket_env.slack_api.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-test-token"


async def test_a_slash_command_is_answered_in_its_acknowledgement(socket_env: BotEnv) -> None:
    answer = await socket_env.slack_api.send_envelope(
        "slash_commands",
        {
            "token": "legacy",
            "team_id": "T0DEMO",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": "USAM",
            "command": "/qa",
            "text": "help",
            "trigger_id": "trigger-socket-1",
            "api_app_id": "A0QABOT",
        },
    )
    assert "my tasks" in json.dumps(answer["payload"]["blocks"])


async def test_a_dm_and_a_button_press_are_handled(socket_env: BotEnv) -> None:
    env = socket_env
    answer = await env.slack_api.send_envelope(
        "events_api",
        {
            "token": "legacy",
            "team_id": "T0DEMO",
            "api_app_id": "A0QABOT",
            "type": "event_callback",
            "event_id": "EvSOCKET1",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel": "DSAM",
                "channel_type": "im",
                "user": "USAM",
                "text": "help",
                "ts": f"{time.time():.6f}",
            },
        },
    )
    assert "envelope_id" in answer
    (posted,) = await env.slack_api.wait_for("chat.postMessage")
    assert posted.params["channel"] == "DSAM"

    await env.slack_api.send_envelope(
        "interactive",
        {
            "type": "block_actions",
            "team": {"id": "T0DEMO", "domain": "demo"},
            "api_app_id": "A0QABOT",
            "token": "legacy",
            "user": {"id": "USAM", "username": "sam", "team_id": "T0DEMO"},
            "trigger_id": "trigger-socket-2",
            "channel": {"id": "DSAM", "name": "directmessage"},
            "message": {"ts": "1700000000.000001", "type": "message"},
            "state": {"values": {}},
            "actions": [
                {
                    "type": "button",
                    "action_id": "nominate.save:0",
                    "block_id": "actions",
                    "value": button_value("nominate.save", {}),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        },
    )
    (opened,) = await env.slack_api.wait_for("views.open")
    assert opened.params["trigger_id"] == "trigger-socket-2"
    assert opened.params["view"]["type"] == "modal"
