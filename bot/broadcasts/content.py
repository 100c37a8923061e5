"""A broadcast's content (a digest, a newsletter or a 7-minute briefing) and its cards.

One model is rendered everywhere: to neutral cards here (split into numbered parts that fit
Slack's 50 blocks and Teams' message size, never cut), and to Markdown and HTML in
``export.py``. Every chart is also listed as text, for screen readers and the console.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.cards import adaptive, blockkit
from bot.cards.model import Button, Card, Element, Facts, Image, TextBlock
from bot.domain.digest import Distribution, completion_text

Kind = Literal["digest", "newsletter", "briefing"]
KIND_LABELS: dict[str, str] = {
    "digest": "QA digest",
    "newsletter": "Newsletter",
    "briefing": "7-minute briefing",
}
# Text longer than this is split at a paragraph, line or word (Slack: 3000 a section).
PARAGRAPH_CHARS = 2800
FACTS_PER_BLOCK = 10


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Link(_Model):
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=1000)


class Chart(_Model):
    """Counts by category, drawn as a picture and always listed as text."""

    title: str
    counts: list[tuple[str, int]]
    kind: Literal["bar", "line", "completion"] = "bar"
    # A completion chart's totals ("12 of 15"), in the order of ``counts``.
    of: list[int] = []

    @model_validator(mode="after")
    def _totals_match(self) -> Chart:
        self.distribution()  # raises ValueError when the totals do not match the counts
        return self

    def distribution(self) -> Distribution:
        return Distribution(self.title, tuple(self.counts), self.kind, tuple(self.of))

    def lines(self) -> list[str]:
        """Each category as text: "Quota: 12 of 15 (80 %)" or "Good: 21"."""
        if self.kind == "completion":
            return [
                f"{label}: {completion_text(n, of, p)}"
                for label, n, of, p in self.distribution().completion()
            ]
        return [f"{label}: {n}" for label, n in self.counts]

    def as_text(self) -> str:
        if self.kind == "completion":
            return f"{self.title}: {'; '.join(self.lines()) or 'no data'}"
        total = sum(n for _, n in self.counts)
        listed = "; ".join(f"{label}: {n}" for label, n in self.counts) or "no data"
        suffix = f" (total {total})" if self.kind == "bar" and self.counts else ""
        return f"{self.title}: {listed}{suffix}"


class ContentSection(_Model):
    heading: str = Field(min_length=1, max_length=200)
    body: str = ""
    figures: list[tuple[str, str]] = []
    charts: list[Chart] = []
    highlights: list[str] = []
    links: list[Link] = []


class Content(_Model):
    title: str = Field(min_length=1, max_length=200)
    kind: Kind = "newsletter"
    period: str = ""
    sections: list[ContentSection] = []
    editor_note: str = ""

    def free_text(self) -> list[tuple[str, str]]:
        """(label, text) of everything people typed, for the privacy screen."""
        found = [("Title", self.title), ("Editor's note", self.editor_note)]
        for s in self.sections:
            found += [(s.heading, s.body), *((s.heading, h) for h in s.highlights)]
        return [(label, text) for label, text in found if text.strip()]


ChartUrl = Callable[[int, int], str | None]  # (section index, chart index) -> picture URL


def no_pictures(section: int, chart: int) -> str | None:
    return None


def elements(content: Content, chart_url: ChartUrl = no_pictures) -> list[Element]:
    """The content as card elements, each small enough for one Slack section."""
    out: list[Element] = []
    if content.period:
        out.append(TextBlock(text=content.period, style="subtle"))
    if content.editor_note.strip():
        out += [TextBlock(text=t) for t in paragraphs("Editor's note: " + content.editor_note)]
    for s_index, section in enumerate(content.sections):
        out.append(TextBlock(text=section.heading, style="heading"))
        out += [TextBlock(text=t) for t in paragraphs(section.body)]
        for start in range(0, len(section.figures), FACTS_PER_BLOCK):
            out.append(Facts(facts=section.figures[start : start + FACTS_PER_BLOCK]))
        for c_index, chart in enumerate(section.charts):
            url = chart_url(s_index, c_index)
            text = chart.as_text()
            if url:
                out.append(Image(url=url, alt=text[:1900]))
            out += [TextBlock(text=t, style="subtle") for t in paragraphs(text)]
        out += [TextBlock(text=t) for h in section.highlights for t in paragraphs("• " + h)]
        if section.links:
            lines = "\n".join(f"• {link.title}: {link.url}" for link in section.links)
            out += [TextBlock(text=t) for t in paragraphs(lines)]
    return out


def paragraphs(text: str, limit: int = PARAGRAPH_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, split at a blank line, a line end
    or a space where possible; nothing is dropped."""
    pieces: list[str] = []
    for block in (b.strip() for b in text.split("\n\n")):
        while len(block) > limit:
            cut = max(block.rfind("\n", 0, limit), block.rfind(" ", 0, limit))
            cut = cut if cut > limit // 2 else limit
            pieces.append(block[:cut].rstrip())
            block = block[cut:].lstrip()
        if block:
            pieces.append(block)
    return pieces


def cards(
    content: Content,
    *,
    name: str,
    chart_url: ChartUrl = no_pictures,
    buttons: Sequence[Button] = (),
) -> list[Card]:
    """The content as one card, or as numbered parts when one would be over a platform's
    limit. ``buttons`` go on the last part."""
    return split(content.title, elements(content, chart_url), name=name, buttons=buttons)


def split(
    title: str, body: Sequence[Element], *, name: str, buttons: Sequence[Button] = ()
) -> list[Card]:
    """Cards holding ``body`` in order, each fitting Slack's and Teams' limits."""
    groups: list[list[Element]] = [[]]
    probe_title = f"{title} (part 999 of 999)"
    for element in body:
        trial = [*groups[-1], element]
        if groups[-1] and not _fits(probe_title, trial, name, buttons):
            groups.append([element])
        else:
            groups[-1] = trial
    total = len(groups)
    out: list[Card] = []
    for index, group in enumerate(groups, start=1):
        part_title = title if total == 1 else f"{title} (part {index} of {total})"
        out.append(
            Card(
                name=name,
                title=part_title,
                fallback=part_title,
                body=group,
                buttons=list(buttons) if index == total else [],
            )
        )
    return out


def _fits(title: str, body: list[Element], name: str, buttons: Sequence[Button]) -> bool:
    card = Card(name=name, title=title, fallback=title, body=body, buttons=list(buttons))
    return blockkit.message_fits(card) and adaptive.fits(card)
