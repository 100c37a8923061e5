"""Every gallery card's Block Kit against Slack's documented rules beyond slack_sdk's models.

test_gallery.py parses each block with slack_sdk (lengths it knows) and counts blocks; here the
rules it does not know: text object types per field, emoji and verbatim, the elements allowed in
a section accessory, an actions block and an input block, options and their initial values,
ids unique in a message, URL buttons, a modal's title, submit and close (slack_rules.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from bot.areas import build_router
from bot.cards import blockkit
from bot.cards.model import Card
from bot.config import PRESETS, load_framework
from bot.gallery import gallery_cards, slack_payload
from tests.core.slack_rules import JSON, problems
from tests.core.test_cards_render import SAMPLES, everything_card, form_card


def _surface(payload: JSON) -> str:
    return str(payload.get("type", "message"))


@pytest.mark.parametrize("preset", PRESETS)
def test_every_gallery_card_keeps_slacks_block_kit_rules(preset: str) -> None:
    cards = gallery_cards(load_framework(preset), build_router())
    found: list[str] = []
    for card in cards:
        # As the gallery shows it (a form as a modal), and as a message: the outbox posts any card.
        for payload in (slack_payload(card), blockkit.render_message(card)):
            found += [
                f"{card.name} ({_surface(payload)}): {p}"
                for p in problems(payload, _surface(payload))
            ]
    home = blockkit.render_home([c for c in cards if not c.is_form])
    found += [f"App Home of every card: {p}" for p in problems(home, "home")]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_cards_at_the_limits_keep_slacks_block_kit_rules(name: str) -> None:
    card: Card = SAMPLES[name]()
    message = blockkit.render_message(card)
    modal = blockkit.render_modal(card, callback_id="x.submit")
    assert problems(message, "message") == [] and problems(modal, "modal") == []


def _message() -> JSON:
    return blockkit.render_message(everything_card())


def _modal() -> JSON:
    return blockkit.render_modal(form_card(), callback_id="feedback.submit")


def _first(payload: JSON, kind: str) -> JSON:
    return next(b for b in payload["blocks"] if b["type"] == kind)


def _input(payload: JSON, element: str) -> JSON:
    return next(b for b in payload["blocks"] if b.get("element", {}).get("type") == element)


def _mrkdwn_header(p: JSON) -> None:
    p["blocks"].insert(0, {"type": "header", "text": {"type": "mrkdwn", "text": "*Hi*"}})


def _emoji_on_mrkdwn(p: JSON) -> None:
    _first(p, "section")["text"]["emoji"] = True


def _mrkdwn_button(p: JSON) -> None:
    _first(p, "actions")["elements"][0]["text"]["type"] = "mrkdwn"


def _mrkdwn_select_option(p: JSON) -> None:
    _input(p, "static_select")["element"]["options"][0]["text"]["type"] = "mrkdwn"


def _input_in_accessory(p: JSON) -> None:
    p["blocks"].append(
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "x"},
            "accessory": {"type": "plain_text_input", "action_id": "free"},
        }
    )


def _button_as_input(p: JSON) -> None:
    button = copy.deepcopy(_first(p, "actions")["elements"][0]) | {"action_id": "other"}
    p["blocks"].append(
        {"type": "input", "label": {"type": "plain_text", "text": "L"}, "element": button}
    )


def _initial_option_not_an_option(p: JSON) -> None:
    select = _input(p, "static_select")["element"]
    select["initial_option"] = {"text": {"type": "plain_text", "text": "Gone"}, "value": "gone"}


def _long_option(p: JSON) -> None:
    _input(p, "static_select")["element"]["options"][0]["text"]["text"] = "o" * 76


def _repeated_action_id(p: JSON) -> None:
    buttons = _first(p, "actions")["elements"]
    buttons[1]["action_id"] = buttons[0]["action_id"]


def _big_value(p: JSON) -> None:
    _first(p, "actions")["elements"][0]["value"] = "v" * 2001


def _bad_url(p: JSON) -> None:
    _first(p, "actions")["elements"][-1]["url"] = "javascript:alert(1)"


def _eleven_checkboxes(p: JSON) -> None:
    box = _input(p, "checkboxes")["element"]
    box["options"] = [
        {"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(11)
    ]
    box.pop("initial_options", None)


def _modal_without_submit(p: JSON) -> None:
    del p["submit"]


def _modal_title_too_long(p: JSON) -> None:
    p["title"]["text"] = "t" * 25


BREAKS: list[tuple[Callable[[], JSON], Callable[[JSON], None], str]] = [
    (_message, _mrkdwn_header, "header must be plain_text"),
    (_message, _emoji_on_mrkdwn, "emoji is only for plain_text"),
    (_message, _mrkdwn_button, "text must be plain_text"),
    (_message, _mrkdwn_select_option, "option must be plain_text"),
    (_message, _input_in_accessory, "plain_text_input cannot be a section's accessory"),
    (_message, _button_as_input, "button cannot be an input block's element"),
    (_message, _initial_option_not_an_option, "initial_option 'gone' is not an option"),
    (_message, _long_option, "option text is 76 characters"),
    (_message, _repeated_action_id, "is used more than once"),
    (_message, _big_value, "value is over 2000"),
    (_message, _bad_url, "is not an http(s) URL"),
    (_message, _eleven_checkboxes, "11 options; a checkboxes has 1-10"),
    (_modal, _modal_without_submit, "needs a submit button"),
    (_modal, _modal_title_too_long, "title text is 25 characters"),
]


@pytest.mark.parametrize(
    ("make", "break_it", "expected"), BREAKS, ids=[b[1].__name__ for b in BREAKS]
)
def test_the_rules_name_what_slack_would_refuse(
    make: Callable[[], JSON], break_it: Callable[[JSON], None], expected: str
) -> None:
    payload = make()
    assert problems(payload, _surface(payload)) == []
    break_it(payload)
    found = problems(payload, _surface(payload))
    assert any(expected in p for p in found), found


def test_the_fake_slack_refuses_blocks_real_slack_would_refuse() -> None:
    """Every end-to-end test's Slack messages and views meet Block Kit's rules, because the
    fake answers ``invalid_blocks`` as Slack does; a text-only message needs no blocks."""
    from tests.fakes import _invalid_blocks

    bad_header = {"type": "header", "text": {"type": "mrkdwn", "text": "*Title*"}}
    assert _invalid_blocks("chat.postMessage", {"text": "t", "blocks": [bad_header]})
    good = {"type": "section", "text": {"type": "mrkdwn", "text": "*Title*"}}
    assert _invalid_blocks("chat.postMessage", {"text": "t", "blocks": [good]}) == []
    assert _invalid_blocks("chat.postMessage", {"text": "only text"}) == []
    too_many = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "T"},
        "blocks": [good] * 101,
    }
    assert _invalid_blocks("views.open", {"view": too_many})
