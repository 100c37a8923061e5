"""Small local stand-ins for the Slack Web API and the Bot Connector, on 127.0.0.1.

They record every call and can answer 429 (with Retry-After), 500 or slowly, on cue.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from aiohttp import WSMsgType, web

from tests.core import slack_rules


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float


@dataclass
class Cue:
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    body: dict[str, Any] | None = None


class FakeServer:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        # Calls answered normally (no cue): what the platform really accepted.
        self.accepted: list[Call] = []
        self.cues: dict[str, list[Cue]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: float | None = None,
        times: int = 1,
        delay: float = 0.0,
        body: dict[str, Any] | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` answer with ``status`` (after ``delay``)."""
        self.cues.setdefault(method, []).extend(
            Cue(status, retry_after, delay, body) for _ in range(times)
        )

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        deadline = asyncio.get_running_loop().time() + within
        while len(self.calls_to(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"expected {count} call(s) to {method}, got {len(self.calls_to(method))}: "
                    f"{[c.method for c in self.calls]}"
                )
            await asyncio.sleep(0.02)
        return self.calls_to(method)

    async def _cued(self, method: str) -> web.Response | None:
        queue = self.cues.get(method)
        if not queue:
            return None
        cue = queue.pop(0)
        if cue.delay:
            await asyncio.sleep(cue.delay)
        if cue.status < 300 and cue.body is None:
            return None
        headers = {"Retry-After": str(cue.retry_after)} if cue.retry_after is not None else {}
        body = cue.body or {
            "ok": False,
            "error": "ratelimited" if cue.status == 429 else "fatal_error",
        }
        return web.json_response(body, status=cue.status, headers=headers)

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> str:
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class FakeSlackApi(FakeServer):
    """Answers /api/<method> like Slack's Web API."""

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, str] = {}  # Slack user id -> email
        self.files: dict[str, bytes] = {}  # file name -> content, served at /files/<name>
        self.files_held: asyncio.Event | None = None  # when set, downloads wait for it
        self.sockets: list[web.WebSocketResponse] = []
        self._envelopes: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        # response_url id -> [time.monotonic() it was issued at, messages it took]
        self._response_urls: dict[str, list[float]] = {}
        # What the bot posted, per conversation, oldest first: what conversations.history
        # reads. A post to a user id lands in the direct message "D" + the rest of the id.
        self.conversations: dict[str, list[dict[str, Any]]] = {}
        self.known_channels: set[str] = set()  # channels that exist though nothing is posted
        # Seconds chat.postMessage takes to answer after Slack has accepted (stored) the post:
        # a process killed meanwhile never learns its message went out.
        self.post_delay = 0.0
        # The bot token's scopes; None grants every scope.
        self.scopes: set[str] | None = None
        self._last_ts = 0.0

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_get("/socket", self._socket)
        app.router.add_route("*", "/commands/{id}", self._respond)

    # --- response_url -----------------------------------------------------------------------

    def response_url(self) -> str:
        """A slash command's response_url, like Slack's https://hooks.slack.com/commands/..."""
        key = f"R{next(self._ts):06d}"
        self._response_urls[key] = [time.monotonic(), 0]
        return f"{self.url}/commands/{key}"

    def age_response_urls(self, minutes: float) -> None:
        """Make every response_url issued so far ``minutes`` older."""
        for issued in self._response_urls.values():
            issued[0] -= minutes * 60

    def responses(self) -> list[dict[str, Any]]:
        """The messages the response_urls took, in order."""
        return [c.params for c in self.accepted if c.method == "response_url"]

    async def _respond(self, request: web.Request) -> web.Response:
        """Slack's response_url: a JSON POST of a message (text or blocks, by the Block Kit
        rules), up to five within 30 minutes; answers ``ok`` as text, errors as 4xx text."""
        raw = await request.text()
        call = Call("response_url", {}, dict(request.headers), asyncio.get_running_loop().time())
        self.calls.append(call)
        issued = self._response_urls.get(request.match_info["id"])
        if request.method != "POST":
            return web.Response(status=405, text="invalid_method")
        if issued is None or time.monotonic() - issued[0] > 30 * 60:
            return web.Response(status=404, text="expired_url")
        if issued[1] >= 5:
            return web.Response(status=404, text="used_url")
        cued = await self._cued("response_url")
        if cued is not None:
            return cued
        if request.content_type != "application/json":
            return web.Response(status=400, text="invalid_payload")
        try:
            call.params = json.loads(raw)
        except json.JSONDecodeError:
            return web.Response(status=400, text="invalid_payload")
        refused = _invalid_response(call.params)
        if refused:
            return web.Response(status=400, text=refused)
        issued[1] += 1
        self.accepted.append(call)
        return web.Response(text="ok")

    # --- Socket Mode ------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """The WebSocket apps.connections.open hands out: Slack sends envelopes down it and
        the app acknowledges each by its envelope_id."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                answer = json.loads(message.data)
                waiting = self._envelopes.pop(answer.get("envelope_id"), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(answer)
        return ws

    async def wait_for_socket(self, within: float = 5.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while not self.sockets:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the app never opened a Socket Mode connection")
            await asyncio.sleep(0.02)

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a Socket Mode envelope (events_api, interactive, slash_commands) and return the
        app's acknowledgement."""
        envelope_id = f"env-{next(self._ts)}"
        answered: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._envelopes[envelope_id] = answered
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await asyncio.wait_for(answered, 5)

    def file_url(self, name: str, content: bytes) -> str:
        """Serve ``content`` like Slack's url_private (the bot token is required)."""
        self.files[name] = content
        return f"{self.url}/files/{name}"

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        now = asyncio.get_running_loop().time()
        self.calls.append(Call("files.download", {"name": name}, dict(request.headers), now))
        if not request.headers.get("Authorization", "").startswith("Bearer xoxb-"):
            return web.Response(status=401, text="not_authed")
        if name not in self.files:
            return web.Response(status=404)
        if self.files_held is not None:
            await self.files_held.wait()
        return web.Response(body=self.files[name], content_type="text/csv")

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        if request.content_type == "application/json":
            params = json.loads(raw or "{}")
        else:
            params = {k: v[0] for k, v in parse_qs(raw).items()}
        params.update({k: v for k, v in request.query.items() if k not in params})
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        loop = asyncio.get_running_loop()
        call = Call(method, params, dict(request.headers), loop.time())
        self.calls.append(call)
        cued = await self._cued(method)
        if cued is not None:
            return cued
        refused = _invalid_blocks(method, params)
        if refused:
            return web.json_response(
                {"ok": False, "error": "invalid_blocks", "response_metadata": {"messages": refused}}
            )
        refusal = self._refusal(method, params, dict(request.headers))
        if refusal is not None:
            return web.json_response({"ok": False, **refusal})
        self.accepted.append(call)
        answer = self._answer(method, params)
        if method == "chat.postMessage" and self.post_delay:
            await asyncio.sleep(self.post_delay)
        return web.json_response(answer)

    def _refusal(
        self, method: str, params: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any] | None:
        """Slack's error for a request it refuses (metadata, auth, scopes, channel)."""
        if method in ("chat.postMessage", "chat.update") and "metadata" in params:
            if _metadata(params["metadata"]) is None:
                return {"error": "invalid_metadata_format"}
        if method != "conversations.history":
            return None
        if not headers.get("Authorization", "").startswith("Bearer xoxb-"):
            return {"error": "not_authed"}
        channel = str(params.get("channel") or "")
        needed = {"C": "channels:history", "G": "groups:history", "D": "im:history"}.get(
            channel[:1], "mpim:history"
        )
        if self.scopes is not None and needed not in self.scopes:
            return {"error": "missing_scope", "needed": needed, "provided": ",".join(self.scopes)}
        if channel not in self.conversations and channel not in self.known_channels:
            return {"error": "channel_not_found"}
        try:
            limit = int(params.get("limit") or 100)
            _cursor_offset(params.get("cursor"))
            float(params.get("oldest") or 0)
            float(params.get("latest") or 0)
        except ValueError:
            return {"error": "invalid_arguments"}
        if not 1 <= limit <= 999:
            return {"error": "invalid_limit"}
        return None

    def _next_ts(self) -> str:
        """A message ts: the time now, in seconds, unique and increasing."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _store_post(self, channel: str, params: dict[str, Any]) -> str:
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "bot_id": "BQABOT",
            "text": params.get("text", ""),
            "blocks": params.get("blocks") or [],
        }
        if "metadata" in params:
            message["metadata"] = _metadata(params["metadata"])
        self.conversations.setdefault(channel, []).append(message)
        return ts

    def _update_post(self, channel: str, ts: str, params: dict[str, Any]) -> None:
        """chat.update replaces the text and blocks; metadata is kept unless given."""
        for message in self.conversations.get(channel, []):
            if message["ts"] == ts:
                message.update(text=params.get("text", ""), blocks=params.get("blocks") or [])
                if "metadata" in params:
                    message["metadata"] = _metadata(params["metadata"])

    def history(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, between ``oldest`` and ``latest``, ``limit`` a
        page, the next page named by ``response_metadata.next_cursor``."""
        inclusive = _truthy(params.get("inclusive"))
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or time.time() + 1)

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        messages = [
            m
            for m in reversed(self.conversations.get(str(params["channel"]), []))
            if within(float(m["ts"]))
        ]
        start = _cursor_offset(params.get("cursor"))
        limit = int(params.get("limit") or 100)
        page = messages[start : start + limit]
        if not _truthy(params.get("include_all_metadata")):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(messages)
        cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": cursor},
        }

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UQABOT",
                "bot_id": "BQABOT",
                "team_id": "T0DEMO",
                "team": "Demo",
            }
        if method in ("chat.postMessage", "chat.update"):
            channel = str(params.get("channel"))
            if channel.startswith("U"):
                channel = "D" + channel[1:]
            if method == "chat.update":
                ts = str(params.get("ts"))
                self._update_post(channel, ts, params)
            else:
                ts = self._store_post(channel, params)
            return {"ok": True, "channel": channel, "ts": ts}
        if method == "conversations.history":
            return self.history(params)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            return {
                "ok": True,
                "view": {"id": f"V{next(self._views):05d}", **(params.get("view") or {})},
            }
        if method == "users.info":
            user = params.get("user")
            email = self.users.get(str(user))
            if email is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "profile": {"email": email}}}
        if method == "users.lookupByEmail":
            email = str(params.get("email", "")).lower()
            for uid, known in self.users.items():
                if known.lower() == email:
                    return {"ok": True, "user": {"id": uid, "profile": {"email": known}}}
            return {"ok": False, "error": "users_not_found"}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}
        if method == "conversations.open":
            channel = "D" + str(params.get("users", "X"))[1:]
            self.known_channels.add(channel)
            return {"ok": True, "channel": {"id": channel}}
        return {"ok": True}


class FakeConnector(FakeServer):
    """Answers the Bot Connector REST API like Teams does."""

    def __init__(self) -> None:
        super().__init__()
        self.members: dict[str, dict[str, Any]] = {}  # member id (29:...) -> member
        self.channels: dict[str, list[dict[str, Any]]] = {}  # team id -> channels
        self.files: dict[str, bytes] = {}  # served at /files/<name>, like a pre-authorised URL
        self._ids = itertools.count(1)

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/v3/{tail:.*}", self._handle)
        app.router.add_get("/files/{name}", self._file)

    def file_url(self, name: str, content: bytes) -> str:
        """A download URL for ``content``, as Teams gives for a file sent to the bot."""
        self.files[name] = content
        return f"{self.url}/files/{name}"

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        now = asyncio.get_running_loop().time()
        self.calls.append(Call("GET file", {"name": name}, dict(request.headers), now))
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="application/octet-stream")

    async def _handle(self, request: web.Request) -> web.Response:
        tail = request.match_info["tail"]
        body = await request.json() if request.can_read_body else {}
        key = f"{request.method} {_shape(tail)}"
        loop = asyncio.get_running_loop()
        call = Call(key, {"path": tail, "body": body}, dict(request.headers), loop.time())
        self.calls.append(call)
        cued = await self._cued(key)
        if cued is not None:
            return cued
        self.accepted.append(call)
        parts = tail.split("/")
        if request.method == "POST" and tail == "conversations":
            return self._create_conversation(body)
        if request.method == "POST" and parts[-1] == "activities":
            return web.json_response({"id": f"activity-{next(self._ids)}"})
        if request.method == "POST" and len(parts) == 4 and parts[2] == "activities":
            return web.json_response({"id": f"activity-{next(self._ids)}"})
        if request.method == "PUT":
            return web.json_response({"id": parts[-1]})
        if request.method == "GET" and len(parts) == 4 and parts[2] == "members":
            member = self.members.get(parts[3]) or next(
                (m for m in self.members.values() if m.get("aadObjectId") == parts[3]), None
            )
            if member is None:
                return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
            return web.json_response(member)
        if request.method == "GET" and parts[-1].startswith("pagedmembers"):
            return web.json_response({"members": list(self.members.values())})
        if request.method == "GET" and parts[0] == "teams":
            return web.json_response({"conversations": self.channels.get(parts[1], [])})
        return web.json_response({})

    def _create_conversation(self, body: Any) -> web.Response:
        """Teams reads the tenant of a new 1:1 chat from ``channelData.tenant.id`` (the
        ``tenantId`` parameter alone is not enough) and refuses the request without one."""
        channel_data = body.get("channelData") if isinstance(body, dict) else None
        tenant = (channel_data or {}).get("tenant") if isinstance(channel_data, dict) else None
        tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
        if not (isinstance(tenant_id, str) and tenant_id):
            return web.json_response(
                {"error": {"code": "BadSyntax", "message": "Could not parse tenant id"}},
                status=400,
            )
        return web.json_response({"id": f"a:personal-{next(self._ids)}"})

    def activities(self) -> list[dict[str, Any]]:
        return [
            c.params["body"] for c in self.calls if c.method == "POST conversations/*/activities"
        ]


def _metadata(value: Any) -> dict[str, Any] | None:
    """Message metadata as Slack takes it (a JSON object, or its text in a form post) with
    a string event_type and an object event_payload; None when Slack would refuse it."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict):
        return None
    event_type, payload = value.get("event_type"), value.get("event_payload")
    if not (isinstance(event_type, str) and event_type and isinstance(payload, dict)):
        return None
    return {"event_type": event_type, "event_payload": payload}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _cursor_offset(cursor: Any) -> int:
    """The offset a cursor of ``FakeSlackApi.history`` stands for (ValueError if forged)."""
    if not cursor:
        return 0
    text = base64.b64decode(str(cursor), validate=True).decode()
    if not text.startswith("offset:"):
        raise ValueError(cursor)
    return int(text.removeprefix("offset:"))


def _shape(tail: str) -> str:
    """A path with ids replaced, for cues: ``conversations/*/activities``."""
    parts = tail.split("?")[0].split("/")
    fixed = {"conversations", "activities", "members", "teams", "pagedmembers"}
    return "/".join(p if p in fixed else "*" for p in parts)


# Where Slack checks blocks, and against which surface's rules.
_BLOCK_SURFACES = {
    "chat.postMessage": "message",
    "chat.update": "message",
    "chat.postEphemeral": "message",
    "views.open": "modal",
    "views.update": "modal",
    "views.push": "modal",
    "views.publish": "home",
}


def _invalid_response(message: Any) -> str:
    """Why Slack would refuse a message sent to a response_url ("" when it would not)."""
    if not isinstance(message, dict):
        return "invalid_payload"
    if message.get("response_type", "ephemeral") not in ("ephemeral", "in_channel"):
        return "invalid_payload"
    flags = ("replace_original", "delete_original")
    if any(not isinstance(message.get(f, False), bool) for f in flags):
        return "invalid_payload"
    if not message.get("text") and not message.get("blocks"):
        return "no_text"
    return "invalid_blocks" if _invalid_blocks("chat.postMessage", message) else ""


def _invalid_blocks(method: str, params: dict[str, Any]) -> list[str]:
    """What real Slack would refuse with ``invalid_blocks``: the Block Kit rules of
    ``tests/core/slack_rules.py`` (a text-only message, with no blocks, is fine)."""
    surface = _BLOCK_SURFACES.get(method)
    if surface is None:
        return []
    payload = params.get("view") if surface != "message" else params
    if not isinstance(payload, dict) or (surface == "message" and not payload.get("blocks")):
        return []
    return [p for p in slack_rules.problems(payload, surface) if "fallback text" not in p]
