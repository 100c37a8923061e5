"""Render a neutral ``Card`` as an HTML form, for the browser try-out page (``bot/tryout``).

Each card is one ``<form>`` that posts to ``action``. Every button is a submit button whose
value is the JSON ``{"verb", "data", "submits"}``; the card's inputs are fields named
``input:<id>`` (a multi-choice input sends one value per choice picked). The page turns that
back into an ``Action``, as the console channel does for a typed number.
"""

from __future__ import annotations

import json
from html import escape

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

INPUT_PREFIX = "input:"


def render_html(card: Card, *, action: str, hidden: dict[str, str] | None = None) -> str:
    """The card as a ``<form class="card">`` posting to ``action`` with ``hidden`` fields."""
    parts = [f'<form class="card" method="post" action="{escape(action)}" data-card="{card.name}">']
    parts += [_hidden(name, value) for name, value in (hidden or {}).items()]
    if card.title.strip():
        parts.append(f"<h3>{escape(card.title)}</h3>")
    parts += [_element(element) for element in card.body]
    if card.buttons:
        parts.append('<div class="buttons">')
        parts += [_button(button) for button in card.buttons]
        parts.append("</div>")
    if card.more_url:
        parts.append(f'<p><a href="{escape(card.more_url)}">See everything</a></p>')
    parts.append("</form>")
    return "".join(parts)


def button_value(button: Button) -> str:
    return json.dumps({"verb": button.verb, "data": button.data, "submits": button.submits})


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def _element(element: Element) -> str:
    if isinstance(element, TextBlock):
        return _text(element)
    if isinstance(element, Facts):
        rows = "".join(
            f"<tr><th>{escape(label)}</th><td>{_lines(value)}</td></tr>"
            for label, value in element.facts
        )
        return f'<table class="facts">{rows}</table>'
    if isinstance(element, Progress):
        return (
            f'<div class="progress"><label>{escape(element.label)} '
            f'<progress value="{element.value}" max="{max(element.total, 1)}"></progress> '
            f"{element.value} of {element.total}</label></div>"
        )
    if isinstance(element, Divider):
        return "<hr>"
    if isinstance(element, Image):
        return f'<figure><img src="{escape(element.url)}" alt="{escape(element.alt)}"></figure>'
    return _field(element)


def _text(block: TextBlock) -> str:
    if not block.text.strip():
        return ""
    if block.style == "heading":
        return f"<h4>{escape(block.text)}</h4>"
    return f'<p class="{block.style}">{_lines(block.text)}</p>'


def _lines(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _field(element: TextInput | ChoiceInput | DateInput | ToggleInput) -> str:
    name = escape(INPUT_PREFIX + element.id)
    required = getattr(element, "required", False)
    label = escape(element.label) + (' <span class="required">*</span>' if required else "")
    if isinstance(element, TextInput):
        limit = f' maxlength="{element.max_length}"' if element.max_length else ""
        hint = f' placeholder="{escape(element.placeholder)}"' if element.placeholder else ""
        value = escape(element.value or "")
        control = (
            f'<textarea name="{name}" rows="4"{limit}{hint}>{value}</textarea>'
            if element.multiline
            else f'<input type="text" name="{name}" value="{value}"{limit}{hint}>'
        )
    elif isinstance(element, DateInput):
        control = f'<input type="date" name="{name}" value="{escape(element.value or "")}">'
    elif isinstance(element, ToggleInput):
        checked = " checked" if element.value else ""
        control = f'<input type="checkbox" name="{name}" value="true"{checked}>'
    else:
        control = _choices(element, name)
    error = f'<span class="error">{escape(element.error)}</span>' if element.error else ""
    if isinstance(element, ChoiceInput) and (element.multi or element.expanded):
        return f'<fieldset class="field"><legend>{label}</legend>{control}{error}</fieldset>'
    return f'<div class="field"><label>{label}<br>{control}</label>{error}</div>'


def _choices(element: ChoiceInput, name: str) -> str:
    if element.multi or element.expanded:
        kind = "checkbox" if element.multi else "radio"
        return "".join(
            f'<label class="choice"><input type="{kind}" name="{name}" '
            f'value="{escape(choice.value)}"{" checked" if choice.value in element.value else ""}>'
            f" {escape(choice.title)}</label>"
            for choice in element.choices
        )
    options = ['<option value="">Choose…</option>'] + [
        f'<option value="{escape(choice.value)}"'
        f"{' selected' if choice.value in element.value else ''}>{escape(choice.title)}</option>"
        for choice in element.choices
    ]
    return f'<select name="{name}">{"".join(options)}</select>'


def _button(button: Button) -> str:
    if button.url:
        return f'<a class="button" href="{escape(button.url)}">{escape(button.label)}</a>'
    return (
        f'<button type="submit" name="button" class="{button.style}" '
        f'value="{escape(button_value(button))}">{escape(button.label)}</button>'
    )
