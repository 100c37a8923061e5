"""Talking to a running bot the way the platforms do: signed Slack requests, Bot Framework
activities, and a controllable clock."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
_ids = itertools.count(1)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)

    def set(self, when: datetime) -> None:
        self.now = when


def slack_signature(body: str | bytes, timestamp: int | str, secret: str = SIGNING_SECRET) -> str:
    raw = body if isinstance(body, bytes) else body.encode()
    base = f"v0:{timestamp}:".encode() + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackClient:
    """Sends correctly signed Slack requests to the bot's /slack/events."""

    http: aiohttp.ClientSession
    base_url: str
    secret: str = SIGNING_SECRET
    team_id: str = "T0DEMO"
    responses: list[aiohttp.ClientResponse] = field(default_factory=list)
    # Waits until the bot has handled what it acknowledged (the inbox worker), so a test can
    # look at the outcome right after the request, as a person would a moment later.
    settle: Callable[[], Awaitable[None]] | None = None

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        ts = timestamp if timestamp is not None else int(time.time())
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or slack_signature(body, ts, self.secret),
            **(headers or {}),
        }
        async with self.http.post(
            f"{self.base_url}/slack/events", data=body.encode(), headers=sent
        ) as r:
            status, text = r.status, await r.text()
        if self.settle is not None:
            await self.settle()
        return status, text

    async def post_raw(
        self, body: bytes, content_type: str, headers: dict[str, str]
    ) -> tuple[int, str]:
        """Send exactly these bytes and headers (no signature is added)."""
        sent = {"Content-Type": content_type, **headers}
        async with self.http.post(f"{self.base_url}/slack/events", data=body, headers=sent) as r:
            return r.status, await r.text()

    async def command(
        self,
        user: str,
        text: str,
        *,
        command: str = "/qa",
        channel: str = "C0GENERAL",
        response_url: str = "http://127.0.0.1:9/response",
    ) -> tuple[int, str]:
        form = {
            "token": "legacy",
            "team_id": self.team_id,
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": f"trigger-{next(_ids)}",
            "api_app_id": "A0QABOT",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> tuple[int, str]:
        envelope = {
            "token": "legacy",
            "team_id": self.team_id,
            "api_app_id": "A0QABOT",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UQABOT", "is_bot": True}],
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        return await self.post(json.dumps(envelope), "application/json", headers=headers)

    async def dm(
        self, user: str, text: str, *, event_id: str | None = None, retry: int | None = None
    ) -> tuple[int, str]:
        event = {
            "type": "message",
            "channel": "D" + user[1:],
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        return await self.event(event, event_id=event_id, retry=retry)

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        payload.setdefault("team", {"id": self.team_id, "domain": "demo"})
        payload.setdefault("api_app_id", "A0QABOT")
        payload.setdefault("token", "legacy")
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(
        self,
        user: str,
        button: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        channel: str = "D0000001",
        state: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        """Press a rendered Block Kit button (as found in a message the bot sent)."""
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "trigger_id": f"trigger-{next(_ids)}",
            "channel": {"id": channel, "name": "directmessage"},
            "container": {
                "type": "message",
                "message_ts": (message or {}).get("ts", "1.0"),
                "channel_id": channel,
            },
            "message": message or {"ts": "1700000000.000001", "type": "message"},
            "state": {"values": state or {}},
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": button.get("block_id", "actions"),
                    "value": button.get("value", ""),
                    "text": button.get("text"),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
            "response_url": "http://127.0.0.1:9/response",
        }
        return await self.interaction(payload)

    async def submit_view(
        self, user: str, view: dict[str, Any], values: dict[str, Any]
    ) -> tuple[int, str]:
        """Submit a modal the bot opened, with ``values`` in Slack's state.values shape."""
        payload = {
            "type": "view_submission",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "trigger_id": f"trigger-{next(_ids)}",
            "view": {
                "id": view.get("id", f"V{next(_ids):05d}"),
                "type": "modal",
                "callback_id": view.get("callback_id", ""),
                "private_metadata": view.get("private_metadata", ""),
                "hash": f"h{next(_ids)}",
                "blocks": view.get("blocks", []),
                "state": {"values": values},
            },
        }
        return await self.interaction(payload)


def file_share_event(
    user: str, url: str, name: str, *, mimetype: str = "text/csv", size: int | None = None
) -> dict[str, Any]:
    """A file sent to the bot in a DM, as Slack's message event carries it."""
    info: dict[str, Any] = {"name": name, "mimetype": mimetype, "url_private_download": url}
    if size is not None:
        info["size"] = size
    return {
        "type": "message",
        "subtype": "file_share",
        "channel": "D" + user[1:],
        "channel_type": "im",
        "user": user,
        "text": "",
        "ts": f"{time.time():.6f}",
        "files": [info],
    }


def find_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "button":
                found.append(
                    {
                        **element,
                        "block_id": block.get("block_id", "actions"),
                        "label": element["text"]["text"],
                    }
                )
    return found


def button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for b in find_buttons(blocks):
        if b["label"] == label:
            return b
    raise AssertionError(f"no button {label!r} in {[b['label'] for b in find_buttons(blocks)]}")


@dataclass
class TeamsClient:
    """Sends Bot Framework activities to the bot's /api/messages (no app id: no token)."""

    http: aiohttp.ClientSession
    base_url: str
    service_url: str
    tenant_id: str = "tenant-0001"
    bot_id: str = "28:qabot"
    settle: Callable[[], Awaitable[None]] | None = None  # as SlackClient.settle

    def activity(
        self,
        user_aad: str,
        *,
        type: str = "message",
        text: str | None = None,
        value: Any = None,
        name: str | None = None,
        conversation_id: str | None = None,
        conversation_type: str = "personal",
        reply_to_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": type,
            "id": f"act-{next(_ids)}",
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{user_aad}", "aadObjectId": user_aad, "name": user_aad},
            "recipient": {"id": self.bot_id, "name": "QA bot"},
            "conversation": {
                "id": conversation_id or f"a:personal-{user_aad}",
                "conversationType": conversation_type,
                "tenantId": self.tenant_id,
            },
            "channelData": {"tenant": {"id": self.tenant_id}},
            "locale": "en-GB",
        }
        if text is not None:
            activity["text"] = text
        if value is not None:
            activity["value"] = value
        if name is not None:
            activity["name"] = name
        if reply_to_id is not None:
            activity["replyToId"] = reply_to_id
        activity.update(extra)
        return activity

    async def send(
        self, activity: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        async with self.http.post(
            f"{self.base_url}/api/messages",
            data=json.dumps(activity),
            headers={"Content-Type": "application/json", **(headers or {})},
        ) as response:
            status, text = response.status, await response.text()
        if self.settle is not None:
            await self.settle()
        try:
            return status, json.loads(text) if text else None
        except json.JSONDecodeError:
            return status, text

    async def say(self, user_aad: str, text: str) -> tuple[int, Any]:
        return await self.send(self.activity(user_aad, text=text))

    async def execute(
        self, user_aad: str, verb: str, data: dict[str, Any], *, reply_to_id: str | None = None
    ) -> tuple[int, Any]:
        """An Action.Execute press (adaptiveCard/action invoke)."""
        activity = self.activity(
            user_aad,
            type="invoke",
            name="adaptiveCard/action",
            value={
                "action": {"type": "Action.Execute", "verb": verb, "data": data},
                "trigger": "manual",
            },
            reply_to_id=reply_to_id,
        )
        return await self.send(activity)


def execute_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute in an Adaptive Card (top-level actions and action sets)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def execute_action(card: dict[str, Any], title: str) -> dict[str, Any]:
    for action in execute_actions(card):
        if action.get("title") == title:
            return action
    raise AssertionError(
        f"no action {title!r} in {[a.get('title') for a in execute_actions(card)]}"
    )


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    return activity["attachments"][0]["content"]
