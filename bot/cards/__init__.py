"""A small platform-neutral UI model and its renderers (Adaptive Cards, Block Kit, text)."""

from bot.cards.model import (
    Button,
    Card,
    Choice,
    ChoiceInput,
    DateInput,
    Divider,
    Element,
    Facts,
    Progress,
    TextBlock,
    TextInput,
    ToggleInput,
)

__all__ = [
    "Button",
    "Card",
    "Choice",
    "ChoiceInput",
    "DateInput",
    "Divider",
    "Element",
    "Facts",
    "Progress",
    "TextBlock",
    "TextInput",
    "ToggleInput",
]
