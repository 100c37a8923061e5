"""Render a neutral ``Card`` as plain text for the console channel.

Buttons are numbered ``[1] …`` in list order so a person can press one by typing its number;
an input shows its label and current value, and a choice set numbers its choices ``1.`` …
in the order the console's form prompt numbers them (internal ids and values are never shown).
"""

from __future__ import annotations

from bot.cards.model import (
    Button,
    Card,
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

RULE = "-" * 40
_PREFIXES = {"good": "✓ ", "warning": "Warning: ", "attention": "Attention: "}


def render_text(card: Card) -> tuple[str, list[Button]]:
    """The card as text, and its buttons: button ``n`` on screen is ``buttons[n - 1]``."""
    parts: list[str] = []
    if card.title.strip():
        parts.append(_underline(card.title.strip(), "="))
    parts += [_element(e) for e in card.body]
    if card.buttons:
        parts.append(_buttons(card.buttons))
    return "\n\n".join(p for p in parts if p) or card.fallback, list(card.buttons)


def _element(element: Element) -> str:
    if isinstance(element, TextBlock):
        return _text(element)
    if isinstance(element, Facts):
        return _facts(element.facts)
    if isinstance(element, Progress):
        return f"{element.label}  {element.bar()}"
    if isinstance(element, Divider):
        return RULE
    if isinstance(element, Image):
        return f"[Picture: {element.alt}]"
    return _input(element)


def _text(block: TextBlock) -> str:
    if not block.text.strip():
        return ""
    if block.style == "heading":
        return _underline(block.text.strip(), "-")
    return _PREFIXES.get(block.style, "") + block.text


def _facts(facts: list[tuple[str, str]]) -> str:
    width = max((len(label) for label, _ in facts), default=0) + 1
    indent = " " * (width + 1)
    lines = []
    for label, value in facts:
        # Continuation lines of a multi-line value stay in the value column.
        value = value.replace("\n", "\n" + indent)
        lines.append(f"{label + ':':<{width}} {value}".rstrip())
    return "\n".join(lines)


def _input(element: Input) -> str:
    required = not isinstance(element, ToggleInput) and element.required
    line = f"{element.label}{' *' if required else ''} [{_current(element)}]"
    if isinstance(element, ChoiceInput):
        kind = "any of" if element.multi else "one of"
        options = "\n".join(f"    {n}. {c.title}" for n, c in enumerate(element.choices, 1))
        line += f" {kind}:\n{options}"
    if element.error:
        line += f"\n  ! {element.error}"
    return line


def _current(element: Input) -> str:
    if isinstance(element, ToggleInput):
        return "on" if element.value else "off"
    if isinstance(element, ChoiceInput):
        titles = {c.value: c.title for c in element.choices}
        return ", ".join(titles.get(v, v) for v in element.value)
    if isinstance(element, TextInput | DateInput):
        return element.value or ""
    raise TypeError(f"cannot render {type(element).__name__}")


def _buttons(buttons: list[Button]) -> str:
    return "  ".join(f"[{n}] {_button(b)}" for n, b in enumerate(buttons, start=1))


def _button(button: Button) -> str:
    return f"{button.label} ({button.url})" if button.url else button.label


def _underline(text: str, mark: str) -> str:
    width = max(len(line) for line in text.splitlines())
    return f"{text}\n{mark * width}"
