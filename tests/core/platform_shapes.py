"""Hypothesis strategies for what the platforms may send: Bot Framework activities generated from
the official Activity schema (read through ``tests.schemas``, never copied), and Slack requests
of every shape Slack's schemas and documentation allow.

The strategies are biased towards the shapes the bot reads (messages, card actions, installs)
while leaving every optional field free to be missing or to take any value the schema allows.
"""

from __future__ import annotations

import copy
import itertools
import json
from functools import cache
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.schemas import load_schema

_ids = itertools.count(1)

ACTIVITY_SCHEMA = "botframework/botframework.activity.schema.json"

# Text as people type it: any character a JSON string can carry from a real client (lone
# surrogates cannot be encoded in UTF-8, so no client sends them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
WORDS = st.sampled_from(
    ["help", "my tasks", "nominate", "library", "quotas", "calendar", "rpd", "allocate", "hello"]
)
# A 300 KB paste (in UTF-8), in a few alphabets.
LONG_TEXT = st.sampled_from(["a", "é", "🙂", "help "]).map(
    lambda s: s * (300_000 // len(s.encode()))
)
MESSAGE_TEXT = st.one_of(WORDS, TEXT, WORDS.map(lambda w: f"<at>QA bot</at> {w}"), LONG_TEXT)

JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False), TEXT
)
ANY_JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)


def activity_definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = load_schema(ACTIVITY_SCHEMA)["definitions"]
    return definitions


def activity_schema() -> dict[str, Any]:
    return {"$ref": "#/definitions/Activity", "definitions": activity_definitions()}


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Missing (``...``) or a value."""
    return st.one_of(st.just(...), strategy)


ACTIVITY_TYPES = st.one_of(
    st.sampled_from(
        [
            "message",
            "message",
            "invoke",
            "invoke",
            "conversationUpdate",
            "installationUpdate",
            "messageReaction",
            "event",
            "typing",
            "messageUpdate",
            "messageDelete",
            "endOfConversation",
        ]
    ),
    TEXT,  # a type from the future
)


def _conversation() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"id": st.one_of(st.just("a:personal-fuzz"), TEXT, st.text(min_size=300, max_size=600))},
        optional={
            "conversationType": st.one_of(
                st.sampled_from(["personal", "channel", "groupChat"]), TEXT
            ),
            "tenantId": st.one_of(st.just("tenant-0001"), TEXT),
            "isGroup": st.booleans(),
            "name": TEXT,
        },
    )


def _account(*, known: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """A ChannelAccount; ``known`` is the AAD object id of someone in the directory."""
    ident = st.just(f"29:{known}") if known else st.one_of(st.just("28:qabot"), TEXT)
    aad = st.just(known) if known else TEXT
    return st.fixed_dictionaries(
        {"id": ident},
        optional={
            "name": TEXT,
            "aadObjectId": aad,
            "role": st.sampled_from(["user", "bot"]),
        },
    )


def _mention() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": st.just("mention")},
        optional={
            "mentioned": st.one_of(_account(), ANY_JSON),
            "text": st.one_of(st.just("<at>QA bot</at>"), ANY_JSON),
        },
    )


def _entities() -> st.SearchStrategy[list[dict[str, Any]]]:
    entity = st.one_of(
        _mention(),
        st.fixed_dictionaries(
            {"type": st.one_of(st.sampled_from(["clientInfo", "https://schema.org/x"]), TEXT)},
            optional={"locale": TEXT, "platform": ANY_JSON},
        ),
    )
    return st.lists(entity, max_size=3)


def _attachments(file_url: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    file_download = st.fixed_dictionaries(
        {
            "contentType": st.just("application/vnd.microsoft.teams.file.download.info"),
            "content": st.fixed_dictionaries(
                {},
                optional={
                    "downloadUrl": st.one_of(st.just(file_url), TEXT, ANY_JSON),
                    "fileType": TEXT,
                },
            ),
        },
        optional={"name": TEXT},
    )
    attachment = st.one_of(
        file_download,
        st.fixed_dictionaries(
            {
                "contentType": st.sampled_from(
                    ["text/html", "application/vnd.microsoft.card.adaptive"]
                )
            },
            optional={"content": st.dictionaries(TEXT, ANY_JSON, max_size=3), "contentUrl": TEXT},
        ),
        st.fixed_dictionaries(
            {"contentType": TEXT},
            optional={
                "content": st.dictionaries(TEXT, ANY_JSON, max_size=3),
                "contentUrl": TEXT,
                "name": TEXT,
                "thumbnailUrl": TEXT,
            },
        ),
    )
    return st.lists(attachment, max_size=2)


def _channel_data() -> st.SearchStrategy[Any]:
    """``channelData`` has no type in the schema: anything at all, or what Teams sends."""
    teams_shaped = st.fixed_dictionaries(
        {},
        optional={
            "tenant": st.one_of(st.fixed_dictionaries({"id": TEXT}), ANY_JSON),
            "team": st.one_of(
                st.fixed_dictionaries({"id": TEXT}, optional={"name": TEXT}), ANY_JSON
            ),
            "channel": st.one_of(st.fixed_dictionaries({"id": TEXT}), ANY_JSON),
            "eventType": st.one_of(
                st.sampled_from(["teamMemberAdded", "channelCreated", "channelRenamed"]), TEXT
            ),
        },
    )
    return st.one_of(teams_shaped, ANY_JSON)


def _card_action_value() -> st.SearchStrategy[Any]:
    verbs = st.one_of(
        st.sampled_from(["tasks.show", "help.show", "alloc.done", "nom.start"]), TEXT, ANY_JSON
    )
    action = st.fixed_dictionaries(
        {},
        optional={
            "type": st.one_of(st.just("Action.Execute"), TEXT),
            "verb": verbs,
            "data": st.one_of(st.dictionaries(TEXT, ANY_JSON, max_size=4), ANY_JSON),
        },
    )
    return st.one_of(
        st.fixed_dictionaries({"action": action}, optional={"trigger": st.just("manual")}),
        st.fixed_dictionaries({"action": ANY_JSON}),
        ANY_JSON,
    )


@st.composite
def teams_activities(
    draw: st.DrawFn,
    *,
    service_url: str,
    file_url: str,
    known: str | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """An activity the schema allows (and, now and then, one it does not: ``from`` without its
    ``name``, which real clients send). ``known``: from that person; ``kind``: of that type."""
    kind = kind or draw(ACTIVITY_TYPES)
    activity: dict[str, Any] = {
        "type": kind,
        "channelId": draw(st.one_of(st.sampled_from(["msteams", "emulator", "webchat"]), TEXT)),
        "conversation": draw(_conversation()),
        # Unique, so a redelivery check never hides an answer.
        "id": f"fuzz-{next(_ids)}",
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "serviceUrl": st.one_of(st.just(service_url), st.just(service_url), TEXT),
        "from": _account(known=known),
        "recipient": _account(),
        "timestamp": st.sampled_from(["2026-11-23T10:00:00Z", "2026-11-23T10:00:00.1234567+00:00"]),
        "locale": st.one_of(st.just("en-GB"), TEXT),
        "text": MESSAGE_TEXT,
        "textFormat": st.sampled_from(["plain", "markdown", "xml"]),
        "value": _card_action_value() if kind == "invoke" else ANY_JSON,
        "name": st.one_of(st.just("adaptiveCard/action"), TEXT) if kind == "invoke" else TEXT,
        "entities": _entities(),
        "attachments": _attachments(file_url),
        "channelData": _channel_data(),
        "replyToId": TEXT,
        "membersAdded": st.lists(_account(), max_size=2),
        "membersRemoved": st.lists(_account(), max_size=2),
        "reactionsAdded": st.lists(
            st.fixed_dictionaries({"type": st.one_of(st.just("like"), TEXT)}), max_size=2
        ),
        "action": st.one_of(st.sampled_from(["add", "remove", "add-upgrade"]), TEXT),
        "localTimezone": TEXT,
    }
    if kind == "message" and known:
        optional["text"] = st.one_of(WORDS, MESSAGE_TEXT)
    for name, strategy in optional.items():
        value = draw(_optional(strategy))
        if value is not ...:
            activity[name] = value
    if known and "from" not in activity:
        activity["from"] = {"id": f"29:{known}", "aadObjectId": known, "name": "Someone"}
    return activity


@cache
def schema_activities() -> st.SearchStrategy[dict[str, Any]]:
    """Straight from the schema, unbiased: any activity at all."""
    return from_schema(activity_schema())


def dumps(value: Any) -> str:
    return json.dumps(value)


# --- Slack ------------------------------------------------------------------------------------
# Shapes from Slack's Events API schema (slack_events_api_async_v1.json: only ``type`` and
# ``event_ts`` are required of an event) and its documentation of slash commands and
# interactivity payloads. ``KNOWN_SLACK_USERS`` are in the test directory.

KNOWN_SLACK_USERS = ["USAM", "UHELEN", "UCHRIS"]
SLACK_USER = st.one_of(st.sampled_from(KNOWN_SLACK_USERS), st.from_regex(r"\AU[A-Z0-9]{2,10}\Z"))
SLACK_TS = st.integers(1_600_000_000, 1_900_000_000).map(lambda n: f"{n}.{n % 999999:06d}")
SLACK_TEXT = st.one_of(WORDS, TEXT, WORDS.map(lambda w: f"<@UQABOT> {w}"), LONG_TEXT)
BUTTON_VALUE = st.one_of(
    st.builds(
        lambda verb, data: json.dumps({"verb": verb, "data": data}),
        st.sampled_from(["tasks.show", "help.show", "alloc.done", "nom.vote"]) | TEXT,
        st.dictionaries(TEXT, ANY_JSON, max_size=3),
    ),
    TEXT,
)
OPTION = st.fixed_dictionaries(
    {"value": st.one_of(TEXT, BUTTON_VALUE)},
    optional={"text": st.fixed_dictionaries({"type": st.just("plain_text"), "text": TEXT})},
)


def _optional_fields(required: dict[str, Any], optional: dict[str, Any]) -> Any:
    return st.fixed_dictionaries(required, optional=optional)


def _slack_file() -> st.SearchStrategy[dict[str, Any]]:
    return _optional_fields(
        {"id": st.from_regex(r"\AF[A-Z0-9]{4,8}\Z")},
        {
            "name": st.one_of(st.just("rows.csv"), TEXT),
            "mimetype": st.sampled_from(["text/csv", "text/plain", "image/png", ""]),
            "size": st.integers(0, 10**9),
            # The fake Web API's host (the bot sends its token only there or to Slack's); nothing
            # listens on port 9, so the download fails at once.
            "url_private": st.one_of(st.just("http://127.0.0.1:9/rows.csv"), TEXT),
            "url_private_download": st.one_of(st.just("https://evil.example/rows.csv"), TEXT),
            "mode": st.sampled_from(["hosted", "tombstone", "external"]),
        },
    )


def _message_event(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, Any] = {
        "user": SLACK_USER,
        "text": SLACK_TEXT,
        "ts": SLACK_TS,
        "thread_ts": SLACK_TS,
        "subtype": st.sampled_from(
            [
                "bot_message",
                "message_changed",
                "message_deleted",
                "message_replied",
                "file_share",
                "thread_broadcast",
                "channel_join",
                "me_message",
            ]
        )
        | TEXT,
        "bot_id": st.from_regex(r"\AB[A-Z0-9]{4}\Z"),
        "edited": _optional_fields({}, {"user": SLACK_USER, "ts": SLACK_TS}),
        "files": st.lists(_slack_file(), max_size=2),
        "upload": st.booleans(),
        "blocks": st.lists(st.dictionaries(TEXT, ANY_JSON, max_size=2), max_size=2),
        "message": st.dictionaries(TEXT, ANY_JSON, max_size=3),
        "previous_message": st.dictionaries(TEXT, ANY_JSON, max_size=3),
        "hidden": st.booleans(),
        "client_msg_id": TEXT,
        "team": st.just("T0DEMO"),
    }
    required: dict[str, Any] = {
        "type": st.just(kind),
        "event_ts": SLACK_TS,
        # A message always names its channel (the listeners rely on it).
        "channel": st.from_regex(r"\A[CDG][A-Z0-9]{2,10}\Z"),
    }
    if kind == "message":
        optional["channel_type"] = st.sampled_from(["im", "channel", "group", "mpim", "app_home"])
    return _optional_fields(required, optional)


def _home_event() -> st.SearchStrategy[dict[str, Any]]:
    return _optional_fields(
        {"type": st.just("app_home_opened"), "event_ts": SLACK_TS},
        {
            "user": SLACK_USER,
            "channel": st.from_regex(r"\AD[A-Z0-9]{2,10}\Z"),
            "tab": st.sampled_from(["home", "messages", "about"]),
            "view": st.dictionaries(TEXT, ANY_JSON, max_size=3),
        },
    )


def _other_event() -> st.SearchStrategy[dict[str, Any]]:
    return _optional_fields(
        {
            "type": st.one_of(
                st.sampled_from(["reaction_added", "member_joined_channel", "app_uninstalled"]),
                TEXT.filter(bool),
            ),
            "event_ts": SLACK_TS,
        },
        {"user": st.one_of(SLACK_USER, ANY_JSON), "item": ANY_JSON},
    )


def _event_callback() -> st.SearchStrategy[dict[str, Any]]:
    event = st.one_of(
        _message_event("message"), _message_event("app_mention"), _home_event(), _other_event()
    )
    return _optional_fields(
        {
            "type": st.just("event_callback"),
            "event": event,
            "event_id": st.builds(lambda: f"Ev{next(_ids):010d}"),
        },
        {
            "token": TEXT,
            "team_id": st.just("T0DEMO"),
            "api_app_id": st.just("A0QABOT"),
            "event_time": st.integers(0, 2**40),
            "authed_users": st.lists(SLACK_USER, max_size=2),
            "authorizations": st.lists(st.dictionaries(TEXT, ANY_JSON, max_size=3), max_size=1),
            "is_ext_shared_channel": st.booleans(),
            "event_context": TEXT,
        },
    )


def _url_verification() -> st.SearchStrategy[dict[str, Any]]:
    return _optional_fields(
        {"type": st.just("url_verification"), "challenge": TEXT.filter(bool)}, {"token": TEXT}
    )


def _slash_command() -> st.SearchStrategy[dict[str, str]]:
    return _optional_fields(
        {"command": st.sampled_from(["/qa", "/qa-test"]), "user_id": SLACK_USER},
        {
            "text": st.one_of(WORDS, TEXT, st.just("")),
            "token": TEXT,
            "team_id": st.just("T0DEMO"),
            "team_domain": TEXT,
            "channel_id": st.from_regex(r"\A[CDG][A-Z0-9]{2,10}\Z"),
            "channel_name": st.sampled_from(["directmessage", "general", "privategroup"]),
            "user_name": TEXT,
            "response_url": st.just("http://127.0.0.1:9/response"),
            "trigger_id": st.builds(lambda: f"trig-{next(_ids)}"),
            "api_app_id": st.just("A0QABOT"),
            "enterprise_id": TEXT,
            "is_enterprise_install": st.sampled_from(["true", "false"]),
        },
    )


def _action() -> st.SearchStrategy[dict[str, Any]]:
    common = {"block_id": TEXT, "action_ts": SLACK_TS}
    kinds = [
        ({"type": st.just("button")}, {"value": BUTTON_VALUE, "text": ANY_JSON, "style": TEXT}),
        ({"type": st.just("static_select")}, {"selected_option": OPTION}),
        ({"type": st.just("overflow")}, {"selected_option": OPTION}),
        (
            {"type": st.just("datepicker")},
            {"selected_date": st.one_of(TEXT, st.just("2026-12-01"))},
        ),
        ({"type": st.just("checkboxes")}, {"selected_options": st.lists(OPTION, max_size=3)}),
        (
            {"type": st.just("multi_static_select")},
            {"selected_options": st.lists(OPTION, max_size=3)},
        ),
        ({"type": st.just("users_select")}, {"selected_user": SLACK_USER}),
        ({"type": st.just("plain_text_input")}, {"value": TEXT}),
        ({"type": st.just("radio_buttons")}, {"selected_option": OPTION}),
        ({"type": TEXT}, {"value": ANY_JSON}),
    ]
    return st.one_of(
        *(
            _optional_fields({**required, "action_id": TEXT}, {**common, **optional})
            for required, optional in kinds
        )
    )


def _state_values() -> st.SearchStrategy[dict[str, Any]]:
    """``state.values``: block id -> action id -> the input's state, of every input type."""
    return st.dictionaries(TEXT, st.dictionaries(TEXT, _action(), max_size=2), max_size=3)


def _slack_user() -> st.SearchStrategy[dict[str, Any]]:
    return _optional_fields(
        {"id": SLACK_USER}, {"username": TEXT, "name": TEXT, "team_id": st.just("T0DEMO")}
    )


def _view() -> st.SearchStrategy[dict[str, Any]]:
    return _optional_fields(
        {
            "id": st.from_regex(r"\AV[A-Z0-9]{4,8}\Z"),
            # Always sent ("" when the app set none).
            "callback_id": st.one_of(st.sampled_from(["nom.submit", "form.closed"]), TEXT),
            "type": st.sampled_from(["modal", "home"]),
        },
        {
            "private_metadata": st.one_of(BUTTON_VALUE, TEXT, st.just("")),
            "hash": TEXT,
            "state": _optional_fields({}, {"values": _state_values()}),
            "blocks": st.lists(st.dictionaries(TEXT, ANY_JSON, max_size=2), max_size=2),
        },
    )


def _interaction() -> st.SearchStrategy[dict[str, Any]]:
    base = {"team": st.just({"id": "T0DEMO", "domain": "demo"}), "api_app_id": st.just("A0QABOT")}
    block_actions = _optional_fields(
        {
            "type": st.just("block_actions"),
            "user": _slack_user(),
            "actions": st.lists(_action(), min_size=1, max_size=2),
        },
        {
            **base,
            "trigger_id": st.builds(lambda: f"trig-{next(_ids)}"),
            "channel": _optional_fields(
                {"id": st.from_regex(r"\A[CD][A-Z0-9]{3}\Z")}, {"name": TEXT}
            ),
            "container": st.dictionaries(TEXT, ANY_JSON, max_size=3),
            "message": _optional_fields({}, {"ts": SLACK_TS, "text": TEXT}),
            "state": _optional_fields({}, {"values": _state_values()}),
            "view": _view(),
            "response_url": st.just("http://127.0.0.1:9/response"),
        },
    )
    view_submission = _optional_fields(
        {"type": st.just("view_submission"), "user": _slack_user(), "view": _view()},
        {**base, "trigger_id": st.builds(lambda: f"trig-{next(_ids)}")},
    )
    view_closed = _optional_fields(
        {"type": st.just("view_closed"), "user": _slack_user(), "view": _view()},
        {**base, "is_cleared": st.booleans()},
    )
    shortcut = _optional_fields(
        {"type": st.just("shortcut"), "callback_id": TEXT, "user": _slack_user()},
        {**base, "trigger_id": st.builds(lambda: f"trig-{next(_ids)}")},
    )
    message_action = _optional_fields(
        {"type": st.just("message_action"), "callback_id": TEXT, "user": _slack_user()},
        {
            **base,
            "trigger_id": st.builds(lambda: f"trig-{next(_ids)}"),
            "message": st.dictionaries(TEXT, ANY_JSON, max_size=3),
            "channel": _optional_fields({"id": st.just("C0GENERAL")}, {"name": TEXT}),
            "response_url": st.just("http://127.0.0.1:9/response"),
        },
    )
    return st.one_of(block_actions, view_submission, view_closed, shortcut, message_action)


def slack_requests() -> st.SearchStrategy[tuple[str, bytes, str]]:
    """(what it is, the body as Slack sends it, its content type)."""
    form = "application/x-www-form-urlencoded"
    return st.one_of(
        _url_verification().map(
            lambda b: ("url_verification", dumps(b).encode(), "application/json")
        ),
        _event_callback().map(
            lambda b: (f"event {b['event']['type']}", dumps(b).encode(), "application/json")
        ),
        _slash_command().map(lambda f: ("slash command", urlencode(f).encode(), form)),
        _interaction().map(lambda p: (p["type"], urlencode({"payload": dumps(p)}).encode(), form)),
    )


@st.composite
def _corrupted(draw: st.DrawFn, value: dict[str, Any]) -> dict[str, Any]:
    """``value`` with one field, at the top or one level down, removed or of another type."""
    value = copy.deepcopy(value)  # strategies may hand out the same object again
    nodes: list[dict[str, Any]] = [value]
    for child in value.values():
        if isinstance(child, dict):
            nodes.append(child)
        elif isinstance(child, list):
            nodes.extend(item for item in child if isinstance(item, dict))
    node = draw(st.sampled_from([n for n in nodes if n] or [value]))
    if node:
        key = draw(st.sampled_from(sorted(node)))
        if draw(st.booleans()):
            del node[key]
        else:
            node[key] = draw(ANY_JSON)
    return value


def slack_malformed_requests() -> st.SearchStrategy[tuple[str, bytes, str]]:
    """Requests Slack could send with one field missing or of the wrong type."""
    form = "application/x-www-form-urlencoded"
    return st.one_of(
        _url_verification()
        .flatmap(_corrupted)
        .map(lambda b: ("url_verification", dumps(b).encode(), "application/json")),
        _event_callback()
        .flatmap(_corrupted)
        .map(lambda b: ("event_callback", dumps(b).encode(), "application/json")),
        _slash_command()
        .flatmap(_corrupted)
        .map(
            lambda f: (
                "slash command",
                urlencode(
                    {k: v if isinstance(v, str) else dumps(v) for k, v in f.items()}
                ).encode(),
                form,
            )
        ),
        _interaction()
        .flatmap(_corrupted)
        .map(lambda p: ("interaction", urlencode({"payload": dumps(p)}).encode(), form)),
    )


def slack_dms_from(user: str) -> st.SearchStrategy[dict[str, Any]]:
    """A direct message (an ``event_callback``) from ``user``, as Slack sends one a person
    typed: any text, a thread reply, a file, edited fields, or no text at all."""
    event = _optional_fields(
        {
            "type": st.just("message"),
            "channel_type": st.just("im"),
            "user": st.just(user),
            "channel": st.just("D" + user[1:]),
            "ts": SLACK_TS,
            "event_ts": SLACK_TS,
        },
        {
            "text": SLACK_TEXT,
            "thread_ts": SLACK_TS,
            "subtype": st.just("file_share"),
            "files": st.lists(_slack_file(), max_size=1),
            "blocks": st.lists(st.dictionaries(TEXT, ANY_JSON, max_size=2), max_size=2),
            "client_msg_id": TEXT,
            "team": st.just("T0DEMO"),
        },
    )
    return st.fixed_dictionaries(
        {
            "type": st.just("event_callback"),
            "event": event,
            "event_id": st.builds(lambda: f"Ev{next(_ids):010d}"),
        },
        optional={"team_id": st.just("T0DEMO"), "api_app_id": st.just("A0QABOT")},
    )
