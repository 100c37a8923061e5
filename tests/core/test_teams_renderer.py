"""Every card, rendered by Microsoft's official Adaptive Cards renderer with Teams' host configs.

The JSON schema (test_gallery.py, test_cards_render.py) says a card is well-formed; the official
renderer says what Teams would make of it: unknown or forbidden elements and actions, invalid
values, properties newer than Adaptive Cards 1.5 (what Teams supports on desktop and mobile), more
actions than Teams shows, required inputs without a label or error message, duplicate ids, and a
render that produces nothing. Any such parse event, validation failure or console message fails.
"""

from __future__ import annotations

import copy
import json

import pytest

from bot.areas import build_router
from bot.cards import adaptive
from bot.config import PRESETS, load_framework
from bot.gallery import gallery_cards
from tests.core.teams_renderer import JSON, Renderer, install, report
from tests.core.test_cards_render import SAMPLES, everything_card


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return install()


def gallery_payloads() -> dict[str, JSON]:
    """Each distinct gallery card of every preset, rendered for Teams, by a readable name."""
    router = build_router()
    payloads: dict[str, JSON] = {}
    seen: set[str] = set()
    for preset in PRESETS:
        for card in gallery_cards(load_framework(preset), router):
            payload = adaptive.render(card)
            key = json.dumps(payload, sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            name = f"{preset}/{card.name}"
            count = sum(1 for n in payloads if n == name or n.startswith(f"{name}#"))
            payloads[name if not count else f"{name}#{count + 1}"] = payload
    return payloads


def assert_clean(problems: dict[tuple[str, str], list[str]]) -> None:
    found = {key: p for key, p in problems.items() if p}
    assert not found, "Microsoft's Adaptive Cards renderer reports:\n" + report(found)


def test_every_gallery_card_renders_cleanly_in_teams(renderer: Renderer) -> None:
    payloads = gallery_payloads()
    assert len({name.split("/")[1].split("#")[0] for name in payloads}) >= 50
    assert_clean(renderer.problems(payloads))


def test_cards_at_the_limits_render_cleanly_in_teams(renderer: Renderer) -> None:
    # Long texts, dozens of facts, 30 buttons, a card cut at 80 KB, forms showing errors.
    assert_clean(
        renderer.problems({name: adaptive.render(make()) for name, make in SAMPLES.items()})
    )


def _broken_cards() -> dict[str, tuple[JSON, str]]:
    """Cards Teams would not show as meant, each with the problem the check must name."""
    base = adaptive.render(everything_card())
    cards: dict[str, tuple[JSON, str]] = {}

    def variant(name: str, expected: str) -> JSON:
        card = copy.deepcopy(base)
        cards[name] = (card, expected)
        return card

    variant("seven_actions", "TooManyActions")["actions"] += [
        {"type": "Action.Submit", "title": f"Extra {i}"} for i in range(3)
    ]
    variant("unknown_element", "UnknownElementType")["body"].append({"type": "Rating"})
    variant("unknown_action", "UnknownActionType")["actions"].append({"type": "Action.Popover"})
    variant("bad_value", "InvalidPropertyValue")["body"][0]["size"] = "huge"
    inputs = [e for e in variant("newer_than_1_5", "UnsupportedProperty")["body"] if "id" in e]
    inputs[0]["labelPosition"] = "inline"
    variant("version_1_6", "UnsupportedCardVersion")["version"] = "1.6"
    unlabelled = variant("required_without_label", "RequiredInputsShouldHaveLabel")
    next(e for e in unlabelled["body"] if e.get("isRequired")).pop("label")
    variant("duplicate_id", "DuplicateId")["body"].append(
        {"type": "Input.Text", "id": "reason", "label": "Again"}
    )
    variant("nothing_shown", "no text").update(body=[], actions=[])
    return cards


def test_the_renderer_check_names_what_teams_would_not_show(renderer: Renderer) -> None:
    cards = _broken_cards()
    problems = renderer.problems({name: card for name, (card, _) in cards.items()})
    for (name, host), found in problems.items():
        expected = cards[name][1]
        assert any(expected in p for p in found), f"{name} ({host}): {expected} not in {found}"
