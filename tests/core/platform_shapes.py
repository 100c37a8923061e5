"""Hypothesis strategies for what the platforms may send: Bot Framework activities generated from
the official Activity schema (read through ``tests.schemas``, never copied), and Slack requests
of every shape Slack's schemas and documentation allow.

The strategies are biased towards the shapes the bot reads (messages, card actions, installs)
while leaving every optional field free to be missing or to take any value the schema allows.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from typing import Any

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
