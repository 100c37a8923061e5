"""Render a neutral ``Card`` as an Adaptive Card 1.5 for Microsoft Teams.

Buttons become ``Action.Execute`` (Universal Actions, so a card can be replaced in place) with
an ``Action.Submit`` fallback for clients without Universal Actions. A card's JSON is kept under
``MAX_CARD_BYTES``: trailing body elements are cut and a visible "… more" line is added.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.cards.model import (
    Button,
    Card,
    ChoiceInput,
    DateInput,
    Divider,
    Element,
    Facts,
    Image,
    Progress,
    TextBlock,
    TextInput,
    ToggleInput,
)

JSON = dict[str, Any]

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
# Teams rejects messages above about 100 KB; the card leaves room for the activity around it.
MAX_CARD_BYTES = 80_000
# Teams' host config shows at most 6 actions in one action bar and silently drops the rest.
MAX_ACTIONS_PER_SET = 6
MAX_FALLBACK_CHARS = 4_000

_TEXT_STYLES: dict[str, JSON] = {
    "body": {},
    "heading": {"style": "heading", "weight": "bolder", "size": "medium"},
    "subtle": {"isSubtle": True},
    "good": {"color": "good"},
    "warning": {"color": "warning"},
    "attention": {"color": "attention"},
}
_ACTION_STYLES = {"primary": "positive", "danger": "destructive"}


def render(card: Card) -> JSON:
    """The card as Adaptive Card 1.5 JSON, at most ``MAX_CARD_BYTES`` when serialised."""
    content = [(_title(card.title), 0)] if card.title.strip() else []
    content += _body(card.body) or [(_text(card.fallback), 1)]
    actions = [_action(b, card.is_form) for b in card.buttons]
    action_sets: list[JSON] = []
    if len(actions) > MAX_ACTIONS_PER_SET:
        action_sets = [
            {"type": "ActionSet", "actions": actions[i : i + MAX_ACTIONS_PER_SET]}
            for i in range(0, len(actions), MAX_ACTIONS_PER_SET)
        ]
        actions = []
    shell: JSON = {
        "$schema": SCHEMA_URL,
        "type": "AdaptiveCard",
        "version": VERSION,
        "fallbackText": _clip(card.fallback, MAX_FALLBACK_CHARS),
        "speak": _clip(card.fallback, MAX_FALLBACK_CHARS),
        "body": [],
    }
    if actions:
        shell["actions"] = actions
    return _fit(shell, content, action_sets, card.more_url)


def fits(card: Card) -> bool:
    """Whether ``render`` shows the whole card (nothing cut to ``MAX_CARD_BYTES``)."""
    body = render(card).get("body") or [{}]
    return not str(body[-1].get("text", "")).endswith(_MORE_TAIL)


def render_invoke_response(card: Card) -> JSON:
    """The body answering an ``adaptiveCard/action`` invoke with a replacement card."""
    return {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": render(card),
    }


def render_message_invoke_response(text: str) -> JSON:
    """The body answering an ``adaptiveCard/action`` invoke with a short message."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


# --- body -------------------------------------------------------------------------------------


def _title(title: str) -> JSON:
    return {
        "type": "TextBlock",
        "text": title,
        "style": "heading",
        "weight": "bolder",
        "size": "large",
        "wrap": True,
    }


def _body(elements: list[Element]) -> list[tuple[JSON, int]]:
    """Each element with the number of items it shows; a Divider separates the next element."""
    rendered: list[tuple[JSON, int]] = []
    separate_next = False
    for element in elements:
        if isinstance(element, Divider):
            separate_next = True
            continue
        parts = _element(element)
        block = parts[0] if len(parts) == 1 else _group(parts)
        if separate_next:
            block |= {"separator": True, "spacing": "medium"}
            separate_next = False
        items = len(element.facts) if isinstance(element, Facts) else 1
        rendered.append((block, items))
    return rendered


def _group(parts: list[JSON]) -> JSON:
    # An input and its error line stay together so truncation never separates them.
    return {"type": "Container", "items": parts}


def _element(element: Element) -> list[JSON]:
    if isinstance(element, TextBlock):
        return [_text(element.text, **_TEXT_STYLES[element.style])]
    if isinstance(element, Facts):
        return [_fact_set(element.facts)]
    if isinstance(element, Progress):
        return [_progress(element)]
    if isinstance(element, Image):
        return [{"type": "Image", "url": element.url, "altText": element.alt}]
    if isinstance(element, TextInput | ChoiceInput | DateInput | ToggleInput):
        rendered = [_input(element)]
        if element.error:
            rendered.append(_text(element.error, color="attention", spacing="small"))
        return rendered
    raise TypeError(f"cannot render {type(element).__name__}")


def _text(text: str, **props: Any) -> JSON:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def _fact_set(facts: list[tuple[str, str]]) -> JSON:
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]}


def _progress(progress: Progress) -> JSON:
    label = {"type": "Column", "width": "stretch", "items": [_text(progress.label)]}
    bar = {
        "type": "Column",
        "width": "auto",
        "items": [_text(progress.bar(), fontType="monospace")],
    }
    return {"type": "ColumnSet", "columns": [label, bar]}


def _input(element: TextInput | ChoiceInput | DateInput | ToggleInput) -> JSON:
    if isinstance(element, ToggleInput):
        # The toggle's own title is its visible label.
        return {
            "type": "Input.Toggle",
            "id": element.id,
            "title": element.label,
            "value": "true" if element.value else "false",
            "valueOn": "true",
            "valueOff": "false",
            "wrap": True,
        }
    common: JSON = {"id": element.id, "label": element.label}
    if element.required:
        common |= {"isRequired": True, "errorMessage": f"{element.label} is required."}
    if isinstance(element, TextInput):
        return {"type": "Input.Text", **common, **_text_input_props(element)}
    if isinstance(element, ChoiceInput):
        return {"type": "Input.ChoiceSet", **common, **_choice_props(element)}
    date: JSON = {"type": "Input.Date", **common}
    if element.value:
        date["value"] = element.value
    return date


def _text_input_props(element: TextInput) -> JSON:
    props: JSON = {"isMultiline": element.multiline}
    if element.placeholder:
        props["placeholder"] = element.placeholder
    if element.value is not None:
        props["value"] = element.value
    if element.max_length is not None:
        props["maxLength"] = element.max_length
    return props


def _choice_props(element: ChoiceInput) -> JSON:
    props: JSON = {
        "choices": [{"title": c.title, "value": c.value} for c in element.choices],
        "style": "expanded" if element.expanded else "compact",
        "isMultiSelect": element.multi,
        "wrap": True,
    }
    if element.value:
        props["value"] = ",".join(element.value)
    return props


# --- actions ----------------------------------------------------------------------------------


def _action(button: Button, card_has_inputs: bool) -> JSON:
    base: JSON = {"title": button.label}
    if button.style in _ACTION_STYLES:
        base["style"] = _ACTION_STYLES[button.style]
    if button.url:
        return {"type": "Action.OpenUrl", **base, "url": button.url}
    if card_has_inputs and not button.submits:
        base["associatedInputs"] = "none"
    submit = {"type": "Action.Submit", **base, "data": {"verb": button.verb, **button.data}}
    return {
        "type": "Action.Execute",
        **base,
        "verb": button.verb,
        "data": dict(button.data),
        "fallback": submit,
    }


# --- size limit -------------------------------------------------------------------------------


def size_of(payload: JSON) -> int:
    """Bytes on the wire: Bot Framework clients send JSON with ASCII escapes."""
    return len(json.dumps(payload))


def _fit(
    shell: JSON,
    content: list[tuple[JSON, int]],
    action_sets: list[JSON],
    more_url: str | None,
) -> JSON:
    """The card with as much content as fits in ``MAX_CARD_BYTES``, then a "more" line.

    ``content`` pairs each body element with how many items a reader loses if it is cut.
    """
    full = {**shell, "body": [element for element, _ in content] + action_sets}
    if size_of(full) <= MAX_CARD_BYTES:
        return full
    # Budget for the longest possible "more" line, so the final card surely fits.
    worst_more = _more_line(10**9, more_url)
    budget = MAX_CARD_BYTES - size_of({**shell, "body": [worst_more, *action_sets]})
    kept: list[JSON] = []
    for index, (element, items) in enumerate(content):
        cost = size_of(element) + 2  # ", " between list items
        if cost > budget:
            shrunk, shown = _shrink(element, budget - 2)
            kept += [shrunk] if shrunk is not None else []
            dropped = max(items - shown, 0) + sum(n for _, n in content[index + 1 :])
            return {**shell, "body": [*kept, _more_line(dropped, more_url), *action_sets]}
        kept.append(element)
        budget -= cost
    raise AssertionError("a card over the limit must have content to cut")


def _shrink(element: JSON, budget: int) -> tuple[JSON | None, int]:
    """The element cut to fit ``budget`` (a prefix of its facts or text), and items it shows."""
    kind = element.get("type")
    if kind == "FactSet":
        facts = element["facts"]
        count = _longest(len(facts), lambda n: size_of({**element, "facts": facts[:n]}) <= budget)
        return ({**element, "facts": facts[:count]}, count) if count else (None, 0)
    if kind == "TextBlock":
        text = element["text"]

        def fits(length: int) -> bool:
            return size_of({**element, "text": _clip(text, length)}) <= budget

        length = _longest(len(text), fits)
        return ({**element, "text": _clip(text, length)}, 1) if length > 1 else (None, 0)
    return None, 0


def _longest(upper: int, fits: Callable[[int], bool]) -> int:
    """The largest n in 0..upper with fits(n), for fits that holds up to some n and no further."""
    low, high = 0, upper
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def _more_line(dropped: int, more_url: str | None) -> JSON:
    more = f"[more]({more_url})" if more_url else "more"
    count = f"and {dropped} " if dropped else ""
    return _text(f"… {count}{more}{_MORE_TAIL}", isSubtle=True)


_MORE_TAIL = " — open the app for the full list"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
