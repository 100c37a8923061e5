"""Cards every area uses: a one-paragraph notice and the privacy check of a form."""

from __future__ import annotations

from typing import Literal

from bot.cards.model import Button, Card, Choice, ChoiceInput, Facts, TextBlock
from bot.domain.privacy import Finding

CHILD_REMINDER = (
    "Refer to children only by their case record number: never a name, date of birth, "
    "address or school."
)


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


TextStyle = Literal["body", "heading", "subtle", "good", "warning", "attention"]


def simple(
    name: str, title: str, text: str, style: TextStyle = "body", buttons: list[Button] | None = None
) -> Card:
    """A one-paragraph message."""
    return Card(
        name=name,
        title=title,
        fallback=text,
        body=[TextBlock(text=text, style=style)],
        buttons=buttons or [],
    )


def _privacy_facts(flagged: list[tuple[str, Finding]]) -> list[tuple[str, str]]:
    """One line for each different thing found in a field, however often it occurs ("×3")."""
    counts: dict[tuple[str, str, str], int] = {}
    for label, found in flagged:
        key = (label, found.excerpt, found.message)
        counts[key] = counts.get(key, 0) + 1
    return [
        (label, f"“{clip(excerpt, 80)}”{f' (×{n})' if n > 1 else ''}: {message.lower()}")
        for (label, excerpt, message), n in counts.items()
    ]


def privacy_check_form(
    flagged: list[tuple[str, Finding]],
    *,
    verb: str,
    data: dict[str, str | int | bool | None],
    preview: list[tuple[str, str]] | None = None,
) -> Card:
    """Shows what looks like a child's identity and asks what to do before anything is shared.

    ``preview`` is each flagged field as it will be shared if the person picks "Remove these
    for me": every occurrence of everything listed is removed, and the preview shows exactly that.
    """
    facts = _privacy_facts(flagged)
    # Text blocks rather than facts: they hold a whole field on Slack (3,000 characters).
    shown = (
        [
            TextBlock(text="If I remove them, this is exactly what will be shared:"),
            *(TextBlock(text=f"{label}:\n{text}") for label, text in preview),
        ]
        if preview
        else []
    )
    return Card(
        name="privacy_check",
        title="Check before it is shared",
        fallback=f"I found {len(flagged)} thing(s) that may identify a child. Please check them.",
        body=[
            TextBlock(
                text="Before anything is shared, I found something that may identify a child. "
                "Nothing has been posted yet.",
                style="warning",
            ),
            Facts(facts=facts),
            *shown,
            TextBlock(text=CHILD_REMINDER, style="subtle"),
            ChoiceInput(
                id="privacy_choice",
                label="What would you like to do?",
                choices=[
                    Choice(title="Remove these for me, then submit", value="remove"),
                    Choice(title="Let me edit it", value="edit"),
                    Choice(
                        title="None of these identify a child: submit as written", value="confirm"
                    ),
                ],
                required=True,
                expanded=True,
            ),
        ],
        buttons=[Button(label="Continue", verb=verb, data=data, style="primary", submits=True)],
    )


def delivery_failed_card(
    *, kind: str, card_name: str, recipient: str, attempts: int, error: str
) -> Card:
    text = (
        f"A {kind} message ({card_name}) to {recipient} could not be delivered after "
        f"{attempts} attempts. Please check the person or channel on Teams/Slack."
    )
    return Card(
        name="delivery_failed",
        title="A message could not be delivered",
        fallback=text,
        body=[
            TextBlock(text=text, style="warning"),
            Facts(
                facts=[
                    ("Message", f"{kind} / {card_name}"),
                    ("To", recipient),
                    ("Attempts", str(attempts)),
                    ("Last error", error[:300]),
                ]
            ),
        ],
    )
