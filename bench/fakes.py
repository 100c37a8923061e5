"""Light stand-ins for the Slack Web API and the Bot Connector, served on 127.0.0.1.

Unlike ``tests/fakes.py`` these keep no request log (a load run makes thousands of calls); they
count calls, answer at once, and remember when each reply reached a conversation so the bench
can measure how long a Teams reply took end to end. Times are ``time.monotonic()``, which on
Linux is one clock for every process, so they compare with the load client's send times.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web


@dataclass
class FakeApis:
    """The fake Slack Web API (``/api/<method>``) and Bot Connector (``/v3/...``) on one port."""

    slack_users: dict[str, str] = field(default_factory=dict)  # Slack user id -> email
    teams_members: dict[str, str] = field(default_factory=dict)  # member id (29:...) -> email
    calls: Counter[str] = field(default_factory=Counter)
    # conversation id (Teams) or trigger_id (a Slack views.open) -> monotonic arrival times of
    # what the bot sent in answer
    replies: dict[str, list[float]] = field(default_factory=dict)
    reply_texts: Counter[str] = field(default_factory=Counter)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    def reset(self) -> None:
        self.calls.clear()
        self.replies.clear()
        self.reply_texts.clear()

    async def start(self) -> str:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._slack)
        app.router.add_route("*", "/v3/{tail:.*}", self._connector)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- Slack Web API ------------------------------------------------------------------------

    async def _slack(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = request.match_info["method"]
        self.calls[f"slack {method}"] += 1
        raw = await request.text()
        params: dict[str, Any]
        if request.content_type == "application/json":
            params = json.loads(raw or "{}")
        else:
            params = {k: v[0] for k, v in parse_qs(raw).items()}
        params.update({k: v for k, v in request.query.items() if k not in params})
        if method == "views.open" and params.get("trigger_id"):
            # The modal a pressed button opens: the press has been handled.
            self.replies.setdefault(str(params["trigger_id"]), []).append(arrived)
        return web.json_response(self._slack_answer(method, params))

    def _slack_answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UQABOT", "bot_id": "BQABOT", "team_id": "T0BENCH"}
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"1700000000.{next(self._ids):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method.startswith("views."):
            return {"ok": True, "view": {"id": f"V{next(self._ids):06d}"}}
        if method == "users.info":
            email = self.slack_users.get(str(params.get("user")))
            if email is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": params.get("user"), "profile": {"email": email}}}
        if method == "users.lookupByEmail":
            wanted = str(params.get("email", "")).lower()
            for uid, email in self.slack_users.items():
                if email == wanted:
                    return {"ok": True, "user": {"id": uid, "profile": {"email": email}}}
            return {"ok": False, "error": "users_not_found"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X"))[1:]}}
        return {"ok": True}

    # --- Bot Connector ------------------------------------------------------------------------

    async def _connector(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        parts = request.match_info["tail"].split("/")
        if request.method == "GET" and len(parts) == 4 and parts[2] == "members":
            self.calls["teams GET member"] += 1
            email = self.teams_members.get(parts[3])
            if email is None:
                return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
            return web.json_response(
                {"id": parts[3], "email": email, "userPrincipalName": email, "name": email}
            )
        if request.method == "POST" and len(parts) >= 3 and parts[2] == "activities":
            self.calls["teams POST activity"] += 1
            body = await request.json()
            self.replies.setdefault(parts[1], []).append(arrived)
            text = body.get("summary") or body.get("text") or ""
            self.reply_texts[str(text)[:48]] += 1
            return web.json_response({"id": f"activity-{next(self._ids)}"})
        if request.method == "POST" and parts == ["conversations"]:
            self.calls["teams POST conversation"] += 1
            return web.json_response({"id": f"a:bench-{next(self._ids)}"})
        self.calls[f"teams {request.method} other"] += 1
        return web.json_response({})
