"""Every card the bot can send, filled with sample data, for review and conformance checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cards import adaptive, blockkit
from bot.cards.model import Card
from bot.dialogs.base import Context, Router
from bot.dialogs.common import help_card
from bot.domain.framework import Framework
from bot.store.models import Person, PersonRole


def gallery_cards(framework: Framework, router: Router) -> list[Card]:
    cards: list[Card] = [help_card(_sample_context(framework), router)]
    for source in router.gallery_sources:
        cards.extend(source())
    return cards


def write_gallery(out: Path, framework: Framework, router: Router) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    seen: dict[str, int] = {}
    for card in gallery_cards(framework, router):
        seen[card.name] = seen.get(card.name, 0) + 1
        name = card.name if seen[card.name] == 1 else f"{card.name}_{seen[card.name]}"
        for suffix, payload in (
            ("adaptive", adaptive.render(card)),
            ("blockkit", slack_payload(card)),
        ):
            path = out / f"{name}.{suffix}.json"
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
            written.append(path)
    return written


def slack_payload(card: Card) -> dict[str, Any]:
    """A form is shown as a modal on Slack; everything else as a message."""
    if card.is_form:
        submit = next((b for b in card.buttons if b.submits), None)
        return blockkit.render_modal(card, callback_id=submit.verb if submit else "form.closed")
    return blockkit.render_message(card)


def _sample_context(framework: Framework) -> Context:
    person = Person(id=1, email="sam.sw@example.gov.uk", name="Sam Social", active=True)
    person.roles = [PersonRole(role="practitioner"), PersonRole(role="team_manager")]
    return Context(
        session=None,  # type: ignore[arg-type]
        framework=framework,
        tz=ZoneInfo("Europe/London"),
        now=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        person=person,
        outbox=None,  # type: ignore[arg-type]
        audit=None,  # type: ignore[arg-type]
    )
