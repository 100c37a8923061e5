"""Render a neutral ``Card`` as Slack Block Kit: a message, a modal view or an App Home view.

Every Block Kit limit is respected here rather than left to Slack to reject: long text is split
into several sections, facts into sections of 10 fields, buttons into actions blocks of 25, and a
message (50 blocks) or view (100 blocks) that is still too long is cut with a visible
"… and N more" note that links to ``card.more_url`` when there is one.

Inputs use ``block_id == action_id == input id`` so ``parse_state_values`` can read a
``view_submission`` or a message's ``state.values`` back into ``{input_id: value}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from bot.cards.model import (
    Button,
    Card,
    Choice,
    ChoiceInput,
    DateInput,
    Divider,
    Element,
    Facts,
    Image,
    Input,
    Progress,
    TextBlock,
    TextInput,
    ToggleInput,
)

JSON = dict[str, Any]
# A rendered body block and how many items (texts, facts, fields...) a reader loses if it is cut.
Weighted = tuple[JSON, int]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_VIEW_TEXT = 24  # modal title, submit and close
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_ACTIONS = 25
MAX_OPTION_TEXT = 75
MAX_SELECT_OPTIONS = 100
MAX_EXPANDED_OPTIONS = 10  # radio buttons and checkboxes
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255

# The value of the single checkbox that renders a ToggleInput; how a toggle is told apart from
# a multi-choice checkbox group when reading the state back.
TOGGLE_ON = "qabot.toggle.on"

_PREFIXES = {"good": ":white_check_mark: ", "warning": ":warning: ", "attention": ":warning: "}
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


# --- public API -------------------------------------------------------------------------------


def render_message(card: Card) -> JSON:
    """A ``chat.postMessage`` / ``chat.update`` payload: fallback text plus at most 50 blocks."""
    blocks = _fit(
        _header(card.title),
        _body(card.body, in_modal=False),
        _actions(list(enumerate(card.buttons))),
        MAX_MESSAGE_BLOCKS,
        card.more_url,
    )
    return {"text": card.fallback, "blocks": blocks or [_fallback_section(card)]}


def message_fits(card: Card) -> bool:
    """Whether ``render_message`` shows the whole card (nothing cut to the 50-block limit)."""
    blocks = _header(card.title) + _body(card.body, in_modal=False)
    return len(blocks) + len(_actions(list(enumerate(card.buttons)))) <= MAX_MESSAGE_BLOCKS


def render_modal(card: Card, callback_id: str, private_metadata: str = "") -> JSON:
    """A ``views.open`` modal. The first submitting button becomes the modal's submit button.

    On ``view_submission`` Slack does not say which button was pressed: the channel keeps the
    submit verb itself (see ``submit_button``), e.g. in ``callback_id`` or ``private_metadata``.
    """
    _check_length("callback_id", callback_id, MAX_CALLBACK_ID)
    _check_length("private_metadata", private_metadata, MAX_PRIVATE_METADATA)
    submit = submit_button(card)
    others = [(i, b) for i, b in enumerate(card.buttons) if b is not submit]
    title = _clip(card.title.strip() or card.name.replace("_", " ").capitalize(), MAX_VIEW_TEXT)
    # The title bar is short: repeat a cut title in full as a header.
    head = _header(card.title) if title != card.title.strip() else []
    blocks = _fit(
        head, _body(card.body, in_modal=True), _actions(others), MAX_VIEW_BLOCKS, card.more_url
    )
    view: JSON = {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title),
        "close": _plain("Cancel"),
        "blocks": blocks or [_fallback_section(card)],
    }
    if submit is not None:
        view["submit"] = _plain(_clip(submit.label, MAX_VIEW_TEXT))
    elif card.is_form:
        view["submit"] = _plain("Submit")  # Slack requires a submit button when there are inputs
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def render_home(cards: list[Card]) -> JSON:
    """An App Home view stacking the cards with dividers, cut to 100 blocks."""
    body: list[Weighted] = []
    next_button = 0
    for card in cards:
        if body:
            body.append((_divider(), 0))
        body += [(b, 0) for b in _header(card.title)]
        body += _body(card.body, in_modal=False)
        numbered = list(enumerate(card.buttons, start=next_button))
        body += [(b, 0) for b in _actions(numbered)]
        next_button += len(card.buttons)
    more_url = next((c.more_url for c in cards if c.more_url), None)
    blocks = _fit([], body, [], MAX_VIEW_BLOCKS, more_url)
    return {"type": "home", "blocks": blocks or [_context("Nothing to show yet.")]}


def submit_button(card: Card) -> Button | None:
    """The button a modal shows as its submit button: the first one that submits."""
    return next((b for b in card.buttons if b.submits and not b.url), None)


def errors_response(card: Card) -> JSON | None:
    """The ``view_submission`` answer that shows each input's error beside it, if any."""
    errors = {i.id: i.error for i in card.inputs if i.error}
    return {"response_action": "errors", "errors": errors} if errors else None


def button_value(verb: str, data: dict[str, Any]) -> str:
    """The compact JSON a button carries; raises ValueError above Slack's 2000 characters."""
    value = json.dumps({"verb": verb, "data": data}, separators=(",", ":"), ensure_ascii=False)
    _check_length(f"button value for {verb!r}", value, MAX_BUTTON_VALUE)
    return value


def parse_button_value(value: str) -> tuple[str, dict[str, Any]]:
    """The verb and data of a pressed button; raises ValueError for anything we did not send."""
    try:
        payload = json.loads(value)
    except (TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a button value: {value!r}") from exc
    if not isinstance(payload, dict):
        raise ValueError(f"not a button value: {value!r}")
    verb, data = payload.get("verb"), payload.get("data", {})
    if not isinstance(verb, str) or not isinstance(data, dict):
        raise ValueError(f"not a button value: {value!r}")
    return verb, data


def parse_state_values(state_values: dict[str, Any], card: Card | None = None) -> dict[str, object]:
    """``{input_id: value}`` from a ``view.state.values`` or a message's ``state.values``.

    Text, dates and single choices are ``str`` (``None`` when empty); multi-selects and
    checkbox groups are ``list[str]``; a ticked toggle is ``True``. Slack reports an unticked
    toggle as an empty checkbox group, so it reads as ``[]`` unless ``card`` is given: then it
    is ``False``, and inputs missing from the state are present with their empty value.
    """
    values: dict[str, object] = {}
    for block_id, actions in state_values.items():
        for state in actions.values():
            values[block_id] = _state_value(state)
    if card is not None:
        for element in card.inputs:
            values[element.id] = _coerce(element, values.get(element.id))
    return values


# --- body -------------------------------------------------------------------------------------


def _body(elements: list[Element], *, in_modal: bool) -> list[Weighted]:
    blocks: list[Weighted] = []
    for element in elements:
        blocks += _element(element, in_modal=in_modal)
    return blocks


def _element(element: Element, *, in_modal: bool) -> list[Weighted]:
    if isinstance(element, TextBlock):
        return _text_blocks(element)
    if isinstance(element, Facts):
        return _fact_sections(element.facts)
    if isinstance(element, Progress):
        label = _escaped(element.label, MAX_SECTION_TEXT - 40)
        return [(_section(f"{label}\n`{element.bar()}`"), 1)]
    if isinstance(element, Divider):
        return [(_divider(), 0)]
    if isinstance(element, Image):
        image = {"type": "image", "image_url": element.url, "alt_text": element.alt}
        return [(image, 1)]
    blocks: list[Weighted] = [(_input_block(element), 1)]
    # Modals show errors through the view_submission response instead (errors_response).
    if element.error and not in_modal:
        error = _escaped(element.error, MAX_SECTION_TEXT - len(":warning: "))
        blocks.append((_context(f":warning: {error}"), 0))
    return blocks


def _text_blocks(block: TextBlock) -> list[Weighted]:
    if not block.text.strip():
        return []  # Slack rejects empty text
    prefix = _PREFIXES.get(block.style, "")
    bold = block.style == "heading"
    room = MAX_SECTION_TEXT - len(prefix) - (2 if bold else 0)
    lines = [piece for line in escape(block.text).split("\n") for piece in _split_line(line, room)]
    if bold:
        lines = [_bold(line) for line in lines]
    lines[0] = prefix + lines[0]
    chunks = [c for c in _pack(lines, MAX_SECTION_TEXT) if c.strip()]
    make = _context if block.style == "subtle" else _section
    # Only the first part counts as an item: the rest continue the same text.
    return [(make(chunk), 1 if i == 0 else 0) for i, chunk in enumerate(chunks)]


def _fact_sections(facts: list[tuple[str, str]]) -> list[Weighted]:
    fields = [_mrkdwn(_fact_field(label, value)) for label, value in facts]
    sections = [fields[i : i + MAX_FIELDS] for i in range(0, len(fields), MAX_FIELDS)]
    return [({"type": "section", "fields": section}, len(section)) for section in sections]


def _fact_field(label: str, value: str) -> str:
    head = _bold(_escaped(label, MAX_FIELD_TEXT // 2)) + "\n"
    return head + _escaped(value, MAX_FIELD_TEXT - len(head))


# --- inputs -----------------------------------------------------------------------------------


def _input_block(element: Input) -> JSON:
    required = not isinstance(element, ToggleInput) and element.required
    return {
        "type": "input",
        "block_id": element.id,
        "label": _plain(_clip(element.label, MAX_LABEL)),
        "element": {"action_id": element.id, **_input_element(element)},
        "optional": not required,
    }


def _input_element(element: Input) -> JSON:
    if isinstance(element, TextInput):
        return _text_input(element)
    if isinstance(element, ChoiceInput):
        return _choice_input(element)
    if isinstance(element, DateInput):
        picker: JSON = {"type": "datepicker", "placeholder": _plain("Pick a date")}
        if element.value and _DATE.match(element.value):
            picker["initial_date"] = element.value
        return picker
    toggle = _option(Choice(title=element.label, value=TOGGLE_ON))
    checkbox: JSON = {"type": "checkboxes", "options": [toggle]}
    if element.value:
        checkbox["initial_options"] = [toggle]
    return checkbox


def _text_input(element: TextInput) -> JSON:
    field: JSON = {"type": "plain_text_input", "multiline": element.multiline}
    if element.max_length is not None:
        field["max_length"] = element.max_length
    if element.value:
        field["initial_value"] = element.value
    if element.placeholder:
        field["placeholder"] = _plain(_clip(element.placeholder, MAX_PLACEHOLDER))
    return field


def _choice_input(element: ChoiceInput) -> JSON:
    chosen = [_option(c) for c in element.choices if c.value in element.value]
    if element.expanded and len(element.choices) <= MAX_EXPANDED_OPTIONS:
        options = [_option(c) for c in element.choices]
        if element.multi:
            field: JSON = {"type": "checkboxes", "options": options}
            return field | ({"initial_options": chosen} if chosen else {})
        field = {"type": "radio_buttons", "options": options}
        return field | ({"initial_option": chosen[0]} if chosen else {})
    if element.multi:
        field = {"type": "multi_static_select", "placeholder": _plain("Choose any")}
        field |= {"initial_options": chosen} if chosen else {}
    else:
        field = {"type": "static_select", "placeholder": _plain("Choose one")}
        field |= {"initial_option": chosen[0]} if chosen else {}
    return field | _select_options(element.choices)


def _select_options(choices: list[Choice]) -> JSON:
    options = [_option(c) for c in choices]
    if len(options) <= MAX_SELECT_OPTIONS:
        return {"options": options}
    # A select holds 100 options; longer lists are grouped, 100 to a group.
    step = MAX_SELECT_OPTIONS
    groups = [
        {
            "label": _plain(f"{i + 1}–{min(i + step, len(options))}"),
            "options": options[i : i + step],
        }
        for i in range(0, len(options), step)
    ]
    return {"option_groups": groups[:MAX_SELECT_OPTIONS]}


def _option(choice: Choice) -> JSON:
    return {"text": _plain(_clip(choice.title, MAX_OPTION_TEXT)), "value": choice.value}


def _state_value(state: dict[str, Any]) -> object:
    kind = state.get("type")
    if kind in ("static_select", "radio_buttons"):
        selected = state.get("selected_option")
        return selected["value"] if selected else None
    if kind in ("multi_static_select", "checkboxes"):
        chosen = [o["value"] for o in state.get("selected_options") or []]
        return True if chosen == [TOGGLE_ON] else chosen
    if kind == "datepicker":
        return state.get("selected_date")
    return state.get("value")


def _coerce(element: Input, value: object) -> object:
    if isinstance(element, ToggleInput):
        return value is True
    if isinstance(element, ChoiceInput) and element.multi and not isinstance(value, list):
        return [] if value is None else [value]
    return value


# --- buttons ----------------------------------------------------------------------------------


def _actions(buttons: list[tuple[int, Button]]) -> list[JSON]:
    elements = [_button(index, button) for index, button in buttons]
    return [
        {"type": "actions", "elements": elements[i : i + MAX_ACTIONS]}
        for i in range(0, len(elements), MAX_ACTIONS)
    ]


def _button(index: int, button: Button) -> JSON:
    element: JSON = {"type": "button", "text": _plain(_clip(button.label, MAX_BUTTON_TEXT))}
    if button.url:
        element |= {"action_id": f"url:{index}", "url": button.url}
    else:
        suffix = f":{index}"
        element["action_id"] = button.verb[: MAX_ACTION_ID - len(suffix)] + suffix
        element["value"] = button_value(button.verb, dict(button.data))
    if button.style != "default":
        element["style"] = button.style
    return element


# --- limits -----------------------------------------------------------------------------------


def _fit(
    head: list[JSON], body: list[Weighted], tail: list[JSON], limit: int, more_url: str | None
) -> list[JSON]:
    """Head, body and tail within ``limit`` blocks, cutting the body's end with a "more" note."""
    if len(head) + len(body) + len(tail) <= limit:
        return head + [block for block, _ in body] + tail
    tail = tail[: max(limit - len(head) - 1, 0)]
    room = max(limit - len(head) - len(tail) - 1, 0)
    dropped = sum(items for _, items in body[room:])
    return head + [block for block, _ in body[:room]] + [_more_note(dropped, more_url)] + tail


def _more_note(dropped: int, more_url: str | None) -> JSON:
    more = f"<{more_url}|more>" if more_url else "more"
    count = f"and {dropped} " if dropped else ""
    return _context(f"… {count}{more} — open the app for the full list")


def _split_line(line: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a space where possible, never in ``&amp;``."""
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        entity = line.rfind("&", max(cut - 4, 0), cut)
        if entity > 0 and ";" not in line[entity:cut]:
            cut = entity
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    return [*pieces, line]


def _pack(lines: Iterable[str], limit: int) -> list[str]:
    """Lines joined with newlines into as few chunks of at most ``limit`` characters as fit."""
    chunks: list[str] = []
    current: str | None = None
    for line in lines:
        if current is not None and len(current) + 1 + len(line) <= limit:
            current += "\n" + line
        else:
            if current is not None:
                chunks.append(current)
            current = line
    return chunks if current is None else [*chunks, current]


def _check_length(what: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters; Slack allows {limit}")


# --- small builders ---------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text made safe for mrkdwn: Slack's control characters &, < and > as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped(text: str, limit: int) -> str:
    """``escape(text)`` cut to ``limit`` characters with "…", never inside an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return _split_line(escaped, limit - 1)[0] + "…"


def _bold(text: str) -> str:
    # Slack bolds only when the asterisks touch the words.
    return f"*{text.strip()}*" if text.strip() else text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str) -> JSON:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> JSON:
    return {"type": "mrkdwn", "text": text}


def _header(title: str) -> list[JSON]:
    title = title.strip()
    return [{"type": "header", "text": _plain(_clip(title, MAX_HEADER))}] if title else []


def _section(text: str) -> JSON:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> JSON:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _divider() -> JSON:
    return {"type": "divider"}


def _fallback_section(card: Card) -> JSON:
    return _section(_escaped(card.fallback, MAX_SECTION_TEXT))
