"""Slack's documented Block Kit rules that slack_sdk's models do not enforce.

``problems(payload, surface)`` lists what Slack would refuse or show wrongly in a
``chat.postMessage`` payload (surface ``"message"``) or a view (``"modal"``, ``"home"``): the
text object types each field allows, ``emoji`` and ``verbatim`` on the right one, which elements
may sit in a section's accessory, an actions block and an input block, options and their initial
values, unique ids, URL buttons, and the modal's own fields. Sources: Slack's Block Kit reference
(blocks, block elements, composition objects, view objects) and ../shared/PLATFORMS.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

JSON = dict[str, Any]

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000  # chat.postMessage truncates longer text
MAX_VIEW_TEXT = 24
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_EXPANDED_OPTIONS = 10
MAX_SELECT_OPTIONS = 100

BLOCKS = {
    "message": {
        "section",
        "divider",
        "image",
        "actions",
        "context",
        "header",
        "input",
        "rich_text",
    },
    "modal": {"section", "divider", "image", "actions", "context", "header", "input", "rich_text"},
    "home": {"section", "divider", "image", "actions", "context", "header", "input", "rich_text"},
}
SELECTS = {
    f"{multi}{kind}_select"
    for multi in ("", "multi_")
    for kind in ("static", "external", "users", "conversations", "channels")
}
INTERACTIVE = {
    "button",
    "checkboxes",
    "datepicker",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
} | SELECTS
ACCESSORY = INTERACTIVE | {"image"}
ACTIONS = INTERACTIVE | {"datetimepicker", "rich_text_input"}
INPUTS = (INTERACTIVE - {"button", "overflow", "workflow_button"}) | {
    "plain_text_input",
    "datetimepicker",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "file_input",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://[^\s<>|]+$")


def problems(payload: JSON, surface: str) -> list[str]:
    """Every rule ``payload`` breaks, each naming where."""
    found: list[str] = []
    blocks = payload.get("blocks") or []
    if not 0 < len(blocks) <= MAX_BLOCKS[surface]:
        found.append(f"{len(blocks)} blocks; a {surface} holds 1 to {MAX_BLOCKS[surface]}")
    if surface == "message":
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            found.append("message has no fallback text")
        elif len(text) > MAX_MESSAGE_TEXT:
            found.append(f"message text is {len(text)} characters; Slack keeps {MAX_MESSAGE_TEXT}")
    else:
        found += _view(payload, surface)
    for index, block in enumerate(blocks):
        found += [f"blocks[{index}] {p}" for p in _block(block, surface)]
    found += _unique("action_id", [e["action_id"] for e in _elements(blocks) if "action_id" in e])
    found += _unique("block_id", [b["block_id"] for b in blocks if "block_id" in b])
    return found


def _view(view: JSON, surface: str) -> list[str]:
    found: list[str] = []
    if view.get("type") != surface:
        found.append(f"view type {view.get('type')!r} is not {surface!r}")
    if surface != "modal":
        return found
    for key in ("title", "submit", "close"):
        if key in view:
            found += [f"{key} {p}" for p in _text(view[key], plain=True, limit=MAX_VIEW_TEXT)]
    if "title" not in view:
        found.append("a modal needs a title")
    if any(b.get("type") == "input" for b in view.get("blocks") or []) and "submit" not in view:
        found.append("a modal with input blocks needs a submit button")
    return found


def _block(block: JSON, surface: str) -> list[str]:
    kind = block.get("type")
    if kind not in BLOCKS[surface]:
        return [f"a {kind} block is not allowed in a {surface}"]
    if kind == "header":
        return [f"header {p}" for p in _text(block.get("text"), plain=True, limit=150)]
    if kind == "section":
        return _section(block)
    if kind == "context":
        elements = block.get("elements") or []
        found = [] if 0 < len(elements) <= MAX_CONTEXT_ELEMENTS else ["context needs 1-10 elements"]
        for element in elements:
            if element.get("type") != "image":
                found += [f"context {p}" for p in _text(element)]
        return found
    if kind == "actions":
        found = []
        for element in block.get("elements") or []:
            if element.get("type") not in ACTIONS:
                found.append(f"a {element.get('type')} cannot be in an actions block")
            found += _element(element)
        return found
    if kind == "input":
        found = [f"label {p}" for p in _text(block.get("label"), plain=True, limit=2000)]
        if "hint" in block:
            found += [f"hint {p}" for p in _text(block["hint"], plain=True, limit=2000)]
        element = block.get("element") or {}
        if element.get("type") not in INPUTS:
            found.append(f"a {element.get('type')} cannot be an input block's element")
        return found + _element(element)
    return []


def _section(block: JSON) -> list[str]:
    found: list[str] = []
    if "text" not in block and "fields" not in block:
        found.append("section has neither text nor fields")
    if "text" in block:
        found += [f"section text {p}" for p in _text(block["text"], limit=3000)]
    for field in block.get("fields") or []:
        found += [f"section field {p}" for p in _text(field, limit=2000)]
    accessory = block.get("accessory")
    if accessory is not None:
        if accessory.get("type") not in ACCESSORY:
            found.append(f"a {accessory.get('type')} cannot be a section's accessory")
        found += _element(accessory)
    return found


def _element(element: JSON) -> list[str]:
    kind = element.get("type")
    where = f"{kind} {element.get('action_id', '')}".strip()
    found: list[str] = []
    if "placeholder" in element:
        found += _text(element["placeholder"], plain=True, limit=150)
    if kind == "button":
        found += _button(element)
    elif kind in SELECTS or kind in ("checkboxes", "radio_buttons", "overflow"):
        found += _options(element)
    elif kind == "datepicker" and "initial_date" in element:
        if not _DATE.match(str(element["initial_date"])):
            found.append(f"initial_date {element['initial_date']!r} is not YYYY-MM-DD")
    elif kind == "plain_text_input":
        most = element.get("max_length", 3000)
        if not 0 < most <= 3000 or element.get("min_length", 0) > 3000:
            found.append("max_length and min_length are 0-3000")
        if len(element.get("initial_value", "")) > most:
            found.append("initial_value is longer than max_length")
    return [f"{where}: {p}" for p in found]


def _button(button: JSON) -> list[str]:
    found = [f"text {p}" for p in _text(button.get("text"), plain=True, limit=75)]
    if button.get("style", "primary") not in ("primary", "danger"):
        found.append(f"style {button['style']!r} is neither primary nor danger")
    if len(str(button.get("value", ""))) > MAX_BUTTON_VALUE:
        found.append(f"value is over {MAX_BUTTON_VALUE} characters")
    if "url" in button and not (len(button["url"]) <= MAX_URL and _URL.match(button["url"])):
        found.append(f"url {button['url'][:80]!r} is not an http(s) URL of at most {MAX_URL}")
    if "url" not in button and "value" not in button:
        found.append("a button with neither url nor value tells the bot nothing")
    return found


def _options(element: JSON) -> list[str]:
    kind = element["type"]
    plain = kind not in ("checkboxes", "radio_buttons")  # only these allow mrkdwn options
    found: list[str] = []
    groups = element.get("option_groups")
    if groups is not None and "options" in element:
        found.append("has both options and option_groups")
    if groups is not None:
        if not 0 < len(groups) <= MAX_SELECT_OPTIONS:
            found.append(f"{len(groups)} option groups; 1-{MAX_SELECT_OPTIONS} allowed")
        options: list[JSON] = []
        for group in groups:
            found += [f"group label {p}" for p in _text(group.get("label"), plain=True, limit=75)]
            found += _count(group.get("options") or [], MAX_SELECT_OPTIONS, "group")
            options += group.get("options") or []
    elif kind in SELECTS and not kind.startswith(("multi_static", "static")):
        return found  # options come from Slack or the bot's options endpoint
    else:
        options = element.get("options") or []
        limit = MAX_EXPANDED_OPTIONS if not plain else MAX_SELECT_OPTIONS
        found += _count(options, 5 if kind == "overflow" else limit, kind)
    for option in options:
        found += [f"option {p}" for p in _text(option.get("text"), plain, MAX_OPTION_TEXT)]
        if not 0 < len(str(option.get("value", ""))) <= MAX_OPTION_VALUE:
            found.append(f"option value {option.get('value')!r} is not 1-{MAX_OPTION_VALUE} long")
    values = [o.get("value") for o in options]
    found += _unique("option value", values)
    if "initial_option" in element and element["initial_option"] not in options:
        found.append(f"initial_option {element['initial_option'].get('value')!r} is not an option")
    for chosen in element.get("initial_options") or []:
        if chosen not in options:
            found.append(f"initial_options has {chosen.get('value')!r}, which is not an option")
    return found


def _count(options: list[JSON], limit: int, what: str) -> list[str]:
    return [] if 0 < len(options) <= limit else [f"{len(options)} options; a {what} has 1-{limit}"]


def _text(obj: Any, plain: bool = False, limit: int = 3000) -> list[str]:
    """A text object: the allowed type, ``emoji`` only on plain_text, ``verbatim`` on mrkdwn."""
    if not isinstance(obj, dict):
        return [f"{obj!r} is not a text object"]
    kind = obj.get("type")
    found: list[str] = []
    if kind not in ("plain_text", "mrkdwn") or (plain and kind != "plain_text"):
        found.append(f"must be {'plain_text' if plain else 'plain_text or mrkdwn'}, not {kind}")
    if "emoji" in obj and kind != "plain_text":
        found.append("emoji is only for plain_text")
    if "verbatim" in obj and kind != "mrkdwn":
        found.append("verbatim is only for mrkdwn")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        found.append("text is empty")
    elif len(text) > limit:
        found.append(f"text is {len(text)} characters; {limit} allowed")
    return found


def _elements(blocks: list[JSON]) -> Iterator[JSON]:
    for block in blocks:
        yield from block.get("elements") or []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                yield block[key]


def _unique(what: str, values: list[Any]) -> list[str]:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    return [f"{what} {v!r} is used more than once" for v in repeated]
