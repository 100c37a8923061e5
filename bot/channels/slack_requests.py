"""Checking a Slack request before anything reads it: the signature on the raw bytes, then the
shape of the body the listeners rely on.

slack_sdk's ``SignatureVerifier`` decodes the body as UTF-8 and calls ``int()`` on the
timestamp header, so an unsigned request with an undecodable byte or a timestamp like "soon"
raises instead of failing the check; and Bolt parses the body before it verifies it. Here the
signature (Slack's v0 scheme: HMAC-SHA256 of ``v0:<timestamp>:<raw body>``) is compared first,
on the bytes as received, and nothing else about an unsigned request is looked at.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

MAX_SKEW_SECONDS = 5 * 60
# Where Slack's response_urls live; a local API base (the fake Slack) stands in for it.
RESPONSE_URL_HOST = "hooks.slack.com"
LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def signature_is_valid(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: Callable[[], float] = time.time,
) -> bool:
    """True when the request was signed with ``secret`` within the last five minutes."""
    if not (timestamp and signature and secret):
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now() - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


class Malformed(ValueError):
    """A signed request whose body is not one Slack sends; the message says what is wrong."""


def check_body(body: bytes, content_type: str) -> dict[str, str] | None:
    """Raise ``Malformed`` unless the body has the shape the listeners read. A slash command's
    form fields are returned (the channel answers those itself); None for everything else."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed("body is not UTF-8") from exc
    if "application/json" in content_type:
        _check_json_body(_json(text, "body"))
        return None
    if "application/x-www-form-urlencoded" not in content_type:
        raise Malformed(f"unexpected content type {content_type!r}")
    form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    if "payload" in form:
        _check_payload(_json(form["payload"], "payload"))
        return None
    if "command" in form or "user_id" in form:
        if not _require_text(form, "command", "slash command").startswith("/"):
            raise Malformed("slash command does not start with /")
        _require_text(form, "user_id", "slash command")
        return form
    if form.get("ssl_check") == "1":
        return None
    raise Malformed("form body is neither a slash command nor an interaction payload")


def _json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise Malformed(f"{what} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not a JSON object")
    return value


def _require_text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise Malformed(f"{what} has no {key}")
    return value


def _require_object(data: Mapping[str, Any], key: str, what: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise Malformed(f"{what} has no {key} object")
    return value


def _optional(data: Mapping[str, Any], key: str, kind: type, what: str) -> None:
    if key in data and data[key] is not None and not isinstance(data[key], kind):
        raise Malformed(f"{what} has a {key} that is not a {kind.__name__}")


def _check_payload(payload: dict[str, Any]) -> None:
    kind = _require_text(payload, "type", "payload")
    if "view" in payload and not isinstance(payload["view"], dict):  # Bolt reads view.type
        raise Malformed(f"{kind} has a view that is not an object")
    if kind in ("block_actions", "view_submission", "view_closed"):
        _require_text(_require_object(payload, "user", kind), "id", f"{kind} user")
    if kind == "block_actions":
        actions = payload.get("actions")
        # Slack sends the one action taken (Bolt reads ``actions[0]`` before any listener).
        if not isinstance(actions, list) or not actions:
            raise Malformed("block_actions has no list of actions")
        if not all(isinstance(a, dict) for a in actions):
            raise Malformed("block_actions has an action that is not an object")
        if not isinstance(actions[0].get("action_id"), str):  # Bolt matches listeners on it
            raise Malformed("block_actions action has no action_id")
        for name in ("channel", "message", "state", "view", "container"):
            _optional(payload, name, dict, kind)
    if kind in ("view_submission", "view_closed"):
        view = _require_object(payload, "view", kind)
        _require_text(view, "id", f"{kind} view")
        for name in ("callback_id", "type"):  # Bolt reads both before any listener runs
            if not isinstance(view.get(name), str):
                raise Malformed(f"{kind} view has no {name}")
        for name in ("private_metadata", "hash"):
            _optional(view, name, str, f"{kind} view")
        _optional(view, "state", dict, f"{kind} view")
        _optional(view.get("state") or {}, "values", dict, f"{kind} view state")


def _check_json_body(body: dict[str, Any]) -> None:
    kind = _require_text(body, "type", "body")
    if kind == "url_verification":
        _require_text(body, "challenge", kind)
    elif kind == "event_callback":
        event = _require_object(body, "event", kind)
        _require_text(event, "type", "event")
        _optional(body, "event_id", str, kind)
        _check_event(event)


# The events the listeners read; any other (``user_change`` and ``team_join`` carry ``user``
# as an object) is acknowledged unread.
READ_EVENTS = frozenset({"message", "app_mention", "app_home_opened"})


def _check_event(event: dict[str, Any]) -> None:
    kind = event["type"]
    if kind not in READ_EVENTS:
        return
    for name in ("user", "channel", "text", "channel_type", "subtype", "tab", "ts", "thread_ts"):
        _optional(event, name, str, f"{kind} event")
    files = event.get("files")
    if files is not None and not (
        isinstance(files, list) and all(isinstance(f, dict) for f in files)
    ):
        raise Malformed(f"{kind} event has files that are not a list of objects")
    if kind in ("message", "app_mention") and event.get("user") and not event.get("channel"):
        raise Malformed(f"{kind} event has no channel")


def response_url_is_allowed(url: object, api_url: str) -> bool:
    """Whether the bot may POST to ``url``, a request's ``response_url``: only Slack's
    https://hooks.slack.com/ in production, so a forged request cannot make the bot post
    elsewhere; with a local API base (the fake Slack), only that same server."""
    if not isinstance(url, str) or len(url) > 2000:
        return False
    parts = _split(url)
    if parts is None or parts.username is not None or not parts.path.strip("/"):
        return False
    if _origin(parts) in (("https", RESPONSE_URL_HOST, None), ("https", RESPONSE_URL_HOST, 443)):
        return True
    api = _split(api_url)
    return api is not None and api.hostname in LOCAL_HOSTS and _origin(parts) == _origin(api)


def _split(url: str) -> SplitResult | None:
    """The URL's parts, its port checked (None: a port that is not a number, a bad host)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return None
    return parts


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    return parts.scheme, parts.hostname, parts.port
