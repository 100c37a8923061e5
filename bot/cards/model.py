"""The neutral card model.

A ``Card`` is what a dialog wants to show: text, facts, a progress bar, inputs and buttons.
It is serialisable (it travels through the outbox as JSON) and rendered at the edge by
``adaptive.py`` (Teams), ``blockkit.py`` (Slack) and ``text.py`` (console).

Conventions every renderer and channel shares:
- a ``Button`` carries a ``verb`` (``"flow.step"``, e.g. ``"vote.cast"``) and small ``data``;
  pressing it produces an action with that verb, that data and the values of the card's inputs;
- an input's ``id`` is the key of its value in the action's ``inputs``;
- ``error`` on an input is a server-side validation message shown beside the field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ActionData = dict[str, str | int | bool | None]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextBlock(_Model):
    type: Literal["text"] = "text"
    text: str
    style: Literal["body", "heading", "subtle", "good", "warning", "attention"] = "body"


class Facts(_Model):
    type: Literal["facts"] = "facts"
    facts: list[tuple[str, str]]


class Progress(_Model):
    type: Literal["progress"] = "progress"
    label: str
    value: int = Field(ge=0)
    total: int = Field(ge=0)

    def bar(self, width: int = 10) -> str:
        """The progress as text shared by every renderer, e.g. ``▓▓▓░░ 3 of 5``.

        One cell per item up to ``width`` items. Any progress shows at least one filled cell
        and an unfinished count never looks full.
        """
        cells = min(self.total, width) or width
        filled = round(cells * self.value / self.total) if self.total else 0
        if self.value < self.total:
            filled = max(filled, 1 if self.value else 0)
            filled = min(filled, cells - 1)
        filled = min(filled, cells)
        return f"{'▓' * filled}{'░' * (cells - filled)} {self.value} of {self.total}"


class Image(_Model):
    """A picture served by the bot (a chart). ``alt`` says what it shows, for screen readers
    and for renderers that cannot show pictures (the console, the text fallback)."""

    type: Literal["image"] = "image"
    url: str = Field(min_length=1, max_length=2000)
    alt: str = Field(min_length=1, max_length=1900)


class Divider(_Model):
    type: Literal["divider"] = "divider"


class Choice(_Model):
    title: str
    value: str


class TextInput(_Model):
    type: Literal["text_input"] = "text_input"
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    placeholder: str | None = None
    value: str | None = None
    multiline: bool = False
    required: bool = False
    max_length: int | None = Field(default=None, ge=1, le=3000)
    error: str | None = None


class ChoiceInput(_Model):
    type: Literal["choice_input"] = "choice_input"
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    choices: list[Choice]
    multi: bool = False
    required: bool = False
    value: list[str] = []
    expanded: bool = False
    error: str | None = None


class DateInput(_Model):
    type: Literal["date_input"] = "date_input"
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    value: str | None = Field(default=None, description="ISO date, YYYY-MM-DD")
    required: bool = False
    error: str | None = None


class ToggleInput(_Model):
    type: Literal["toggle_input"] = "toggle_input"
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    value: bool = False
    error: str | None = None


Element = Annotated[
    TextBlock
    | Facts
    | Progress
    | Image
    | Divider
    | TextInput
    | ChoiceInput
    | DateInput
    | ToggleInput,
    Field(discriminator="type"),
]
Input = TextInput | ChoiceInput | DateInput | ToggleInput
INPUT_TYPES = (TextInput, ChoiceInput, DateInput, ToggleInput)


class Button(_Model):
    label: str = Field(min_length=1, max_length=75)
    verb: str = Field(default="", pattern=r"^([a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*)?$")
    data: ActionData = {}
    style: Literal["default", "primary", "danger"] = "default"
    url: str | None = None
    # A submit button sends the card's inputs; others send only their data.
    submits: bool = False


class Card(_Model):
    """One message or form. ``name`` is its gallery name (e.g. ``vote``), used in logs and tests."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    fallback: str = Field(min_length=1, description="Plain text for notifications and readers")
    body: list[Element] = []
    buttons: list[Button] = []
    # Shown when a platform limit forced the renderer to cut the card short.
    more_url: str | None = None

    @property
    def inputs(self) -> list[Input]:
        return [e for e in self.body if isinstance(e, INPUT_TYPES)]

    @property
    def is_form(self) -> bool:
        return bool(self.inputs)

    def with_errors(self, errors: dict[str, str], values: dict[str, object]) -> Card:
        """The same card with the person's values kept and an error beside each bad field."""
        body: list[Element] = []
        for element in self.body:
            if isinstance(element, INPUT_TYPES):
                update: dict[str, object] = {"error": errors.get(element.id)}
                if element.id in values:
                    raw = values[element.id]
                    if isinstance(element, ChoiceInput):
                        if isinstance(raw, list):
                            update["value"] = [str(v) for v in raw]
                        elif raw:
                            update["value"] = [v for v in str(raw).split(",") if v]
                        else:
                            update["value"] = []
                    elif isinstance(element, ToggleInput):
                        update["value"] = raw in (True, "true", "True", "1", 1)
                    else:
                        update["value"] = None if raw is None else str(raw)
                element = element.model_copy(update=update)
            body.append(element)
        return self.model_copy(update={"body": body})


class CardEnvelope(_Model):
    """A card as stored in the outbox."""

    card: Card
