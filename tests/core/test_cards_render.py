"""The card renderers against the platforms' own definitions and the limits people run into.

Adaptive Cards are checked with the official 1.5 JSON schema; Block Kit with slack_sdk's
models, which enforce Slack's documented limits. Each sample card stresses something a person
would notice: long texts, dozens of facts, many buttons, forms with errors.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator, ValidationError
from jsonschema.exceptions import best_match
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View, ViewState

from bot.cards import adaptive, blockkit
from bot.cards.model import (
    Button,
    Card,
    Choice,
    ChoiceInput,
    DateInput,
    Divider,
    Facts,
    Progress,
    TextBlock,
    TextInput,
    ToggleInput,
)
from bot.cards.text import render_text
from tests.schemas import load_schema

AC_SCHEMA = "adaptivecards/adaptive-card-1.5.0.json"
MORE_URL = "https://qa.example.org/app/list?page=2"
JSON = dict[str, Any]

# --- sample cards -----------------------------------------------------------------------------


def _choices(count: int) -> list[Choice]:
    return [Choice(title=f"Team {i}", value=f"team_{i}") for i in range(count)]


def everything_card() -> Card:
    return Card(
        name="everything",
        title="Nomination for Practice Award & <QA>",
        fallback="Nomination for Practice Award: please vote.",
        body=[
            TextBlock(text="Case LCS-1234", style="heading"),
            TextBlock(text="Plain body text with *stars* & <angles>."),
            TextBlock(text="Submitted 3 days ago", style="subtle"),
            TextBlock(text="All checks passed", style="good"),
            TextBlock(text="Deadline in 2 working days", style="warning"),
            TextBlock(text="Overdue escalation", style="attention"),
            Facts(facts=[("Nominee", "Jo Bloggs"), ("Team", "Assessment & Intervention")]),
            Progress(label="Votes cast", value=3, total=5),
            Divider(),
            TextInput(
                id="reason",
                label="Reason",
                placeholder="Why this vote?",
                value="Because",
                multiline=True,
                required=True,
                max_length=500,
                error="Please say a little more.",
            ),
            ChoiceInput(id="score", label="Score", choices=_choices(4), value=["team_2"]),
            ChoiceInput(
                id="areas",
                label="Areas",
                choices=_choices(4),
                multi=True,
                expanded=True,
                value=["team_0", "team_3"],
            ),
            ChoiceInput(id="grade", label="Grade", choices=_choices(3), expanded=True),
            DateInput(id="due", label="Due date", value="2025-03-31", required=True),
            ToggleInput(id="anonymous", label="Vote anonymously", value=True, error="Not allowed"),
        ],
        buttons=[
            Button(
                label="Ratify",
                verb="vote.cast",
                data={"nomination": 42},
                style="primary",
                submits=True,
            ),
            Button(label="Decline", verb="vote.decline", data={"nomination": 42}, style="danger"),
            Button(label="Later", verb="vote.snooze", data={"days": 1, "quiet": True}),
            Button(label="Guidance", url="https://qa.example.org/guide"),
        ],
    )


def long_text_card() -> Card:
    paragraph = "Audit finding & follow-up <needed> for case LCS-77. " * 60
    return Card(
        name="long_text",
        title="T" * 200,
        fallback="A long audit report",
        body=[
            TextBlock(text="\n".join([paragraph] * 4)),  # ~12,500 characters
            TextBlock(text="a&" * 3000, style="warning"),  # escapes to 18,000 characters
            TextBlock(text="word " * 900, style="heading"),
            TextBlock(text="x" * 7000, style="subtle"),  # no spaces to split at
        ],
        buttons=[Button(label="Acknowledge", verb="audit.ack")],
    )


def many_facts_card() -> Card:
    facts = [(f"Practitioner {i:02}", f"{i} audits & {i % 4} moderations") for i in range(75)]
    return Card(
        name="many_facts",
        title="Quarterly allocation",
        fallback="Allocation for Q3",
        body=[Facts(facts=facts), Facts(facts=[("Long", "v" * 5000)])],
    )


def form_card() -> Card:
    return Card(
        name="feedback_form",
        title="Give feedback on an audit of case LCS-998877",
        fallback="Feedback form",
        body=[
            TextInput(id="summary", label="Summary", required=True, error="Required"),
            TextInput(id="detail", label="Detail", multiline=True, max_length=3000),
            ChoiceInput(
                id="rating",
                label="Rating",
                choices=_choices(5),
                required=True,
                expanded=True,
                error="Pick one",
            ),
            ChoiceInput(
                id="teams",
                label="Teams",
                choices=_choices(150),
                multi=True,
                value=["team_1", "team_120"],
            ),
            ChoiceInput(
                id="lead", label="Lead team", choices=_choices(12), expanded=True, value=["team_11"]
            ),
            DateInput(id="met_on", label="Met on"),
            ToggleInput(id="share", label="Share with the practitioner"),
        ],
        buttons=[
            Button(
                label="Send feedback",
                verb="feedback.submit",
                data={"audit": 7},
                style="primary",
                submits=True,
            ),
            Button(label="Save draft", verb="feedback.save", data={"audit": 7}, submits=True),
            Button(label="Ask a question", verb="feedback.ask", data={"audit": 7}),
            Button(label="Discard", verb="feedback.discard", data={"audit": 7}, style="danger"),
        ],
    )


def many_buttons_card() -> Card:
    buttons = [Button(label=f"Case {i}", verb="case.open", data={"case": i}) for i in range(30)]
    return Card(name="many_buttons", title="Open a case", fallback="Pick a case", buttons=buttons)


def huge_card(more_url: str | None = MORE_URL) -> Card:
    body: list[Any] = []
    for i in range(120):
        body += [TextBlock(text=f"Item {i}: " + "details " * 120), Divider()]
    body.append(Facts(facts=[(f"Fact {i}", "value") for i in range(80)]))
    return Card(
        name="huge",
        title="Everything outstanding",
        fallback="Everything outstanding",
        body=body,
        buttons=[Button(label="Refresh", verb="tasks.refresh", style="primary")],
        more_url=more_url,
    )


def unicode_card() -> Card:
    # Non-ASCII travels as \\uXXXX escapes: 6 bytes a character on the wire.
    body = [TextBlock(text="▓é" * 1500) for _ in range(20)]
    return Card(name="unicode", title="Übersicht", fallback="Übersicht", body=body)


def empty_card() -> Card:
    return Card(name="empty", title="", fallback="Nothing to do today")


SAMPLES = {
    "everything": everything_card,
    "long_text": long_text_card,
    "many_facts": many_facts_card,
    "form": form_card,
    "many_buttons": many_buttons_card,
    "huge": huge_card,
    "huge_no_url": lambda: huge_card(more_url=None),
    "unicode": unicode_card,
    "empty": empty_card,
}


@pytest.fixture(params=sorted(SAMPLES))
def sample(request: pytest.FixtureRequest) -> Card:
    card: Card = SAMPLES[request.param]()
    return card


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ac_validator() -> Draft6Validator:
    return Draft6Validator(load_schema(AC_SCHEMA))


def assert_valid_adaptive(validator: Draft6Validator, payload: JSON) -> None:
    _assert_valid(validator, payload)
    # The schema lets any object through as a fallback (its "drop" pattern ignores non-strings),
    # so each fallback action is checked on its own.
    for action in walk(payload):
        if isinstance(action.get("fallback"), dict):
            lifted = {"type": "AdaptiveCard", "version": "1.5", "actions": [action["fallback"]]}
            _assert_valid(validator, lifted)


def _assert_valid(validator: Draft6Validator, payload: JSON) -> None:
    error = best_match(validator.iter_errors(payload))
    if error is not None:
        # The schema nests anyOf alternatives: the deepest complaint names the real fault.
        deepest = max(_leaf_errors(error), key=lambda e: len(e.absolute_path))
        pytest.fail(
            f"not a valid Adaptive Card 1.5: {list(deepest.absolute_path)}: {deepest.message[:300]}"
        )


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    if not error.context:
        yield error
    for child in error.context:
        yield from _leaf_errors(child)


def walk(node: Any) -> Iterator[JSON]:
    """Every JSON object inside ``node``, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def assert_valid_blocks(blocks: list[JSON]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, f"unknown block: {block}"
        parsed.validate_json()
        # to_dict() validates nested elements too; equality shows no key was misspelt or dropped.
        assert parsed.to_dict() == block
    for obj in walk(blocks):
        if obj.get("type") == "plain_text":
            assert obj.get("emoji") is True and obj["text"], obj
    action_ids = [o["action_id"] for o in walk(blocks) if "action_id" in o]
    assert len(action_ids) == len(set(action_ids)), "action_id must be unique"
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), "block_id must be unique"


def texts_of(blocks: list[JSON]) -> list[str]:
    return [o["text"] for o in walk(blocks) if o.get("type") == "mrkdwn"]


def buttons_of(blocks: list[JSON]) -> list[JSON]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def ac_actions(card: JSON) -> list[JSON]:
    """The card's actions in order, wherever they sit (action bar or ActionSets)."""
    bar: list[JSON] = card.get("actions", [])
    return bar + [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- tests/schemas.py -------------------------------------------------------------------------


def test_missing_schema_fails_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QABOT_SCHEMAS_DIR", str(tmp_path))
    with pytest.raises(AssertionError, match="QABOT_SCHEMAS_DIR"):
        load_schema("adaptivecards/nope.json")


def _broken_size(card: JSON) -> None:
    card["body"][0]["size"] = "huge"


def _broken_associated_inputs(card: JSON) -> None:
    card["actions"][1]["associatedInputs"] = "some"


def _misspelt_input_property(card: JSON) -> None:
    next(o for o in walk(card) if o.get("type") == "Input.Text")["multiline"] = True


def _misspelt_fallback_property(card: JSON) -> None:
    card["actions"][0]["fallback"]["verb"] = "vote.cast"


@pytest.mark.parametrize(
    "break_card",
    [
        _broken_size,
        _broken_associated_inputs,
        _misspelt_input_property,
        _misspelt_fallback_property,
    ],
)
def test_schema_check_catches_mistakes(
    ac_validator: Draft6Validator, break_card: Callable[[JSON], None]
) -> None:
    card = adaptive.render(everything_card())
    assert_valid_adaptive(ac_validator, card)
    break_card(card)
    with pytest.raises(pytest.fail.Exception, match="not a valid Adaptive Card"):
        assert_valid_adaptive(ac_validator, card)


# --- Adaptive Cards ---------------------------------------------------------------------------


def test_adaptive_card_conforms_to_official_schema(
    sample: Card, ac_validator: Draft6Validator
) -> None:
    payload = adaptive.render(sample)
    assert_valid_adaptive(ac_validator, payload)
    assert payload["type"] == "AdaptiveCard" and payload["version"] == "1.5"
    assert payload["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert payload["fallbackText"] == payload["speak"] == sample.fallback
    assert adaptive.size_of(payload) <= 80_000
    assert len(json.dumps(payload).encode()) <= 80_000
    for action_set in [payload.get("actions", [])] + [
        e["actions"] for e in payload["body"] if e["type"] == "ActionSet"
    ]:
        assert len(action_set) <= 6
    assert len(ac_actions(payload)) == len(sample.buttons)


def test_adaptive_renders_every_element() -> None:
    body = adaptive.render(everything_card())["body"]
    title, heading, plain, subtle, good, warning, attention, facts, progress = body[:9]
    assert title == {
        "type": "TextBlock",
        "text": "Nomination for Practice Award & <QA>",
        "style": "heading",
        "weight": "bolder",
        "size": "large",
        "wrap": True,
    }
    assert heading["weight"] == "bolder" and heading["size"] in ("medium", "large")
    assert plain["text"] == "Plain body text with *stars* & <angles>." and plain["wrap"]
    assert subtle["isSubtle"] is True
    assert [good["color"], warning["color"], attention["color"]] == ["good", "warning", "attention"]
    assert facts["facts"][1] == {"title": "Team", "value": "Assessment & Intervention"}
    progress_texts = [o["text"] for o in walk(progress) if o.get("type") == "TextBlock"]
    assert "Votes cast" in progress_texts and "▓▓▓░░ 3 of 5" in progress_texts

    reason_group = body[9]
    assert reason_group["separator"] is True, "the Divider must show as a separator"
    reason, reason_error = reason_group["items"]
    assert reason == {
        "type": "Input.Text",
        "id": "reason",
        "label": "Reason",
        "placeholder": "Why this vote?",
        "value": "Because",
        "isMultiline": True,
        "maxLength": 500,
        "isRequired": True,
        "errorMessage": "Reason is required.",
    }
    assert reason_error["text"] == "Please say a little more."
    assert reason_error["color"] == "attention"

    inputs = {o["id"]: o for o in walk(body) if str(o.get("type", "")).startswith("Input.")}
    assert inputs["score"]["style"] == "compact" and inputs["score"]["value"] == "team_2"
    assert inputs["areas"]["isMultiSelect"] is True and inputs["areas"]["style"] == "expanded"
    assert inputs["areas"]["value"] == "team_0,team_3"
    assert "value" not in inputs["grade"]
    assert inputs["due"] == {
        "type": "Input.Date",
        "id": "due",
        "label": "Due date",
        "value": "2025-03-31",
        "isRequired": True,
        "errorMessage": "Due date is required.",
    }
    assert inputs["anonymous"]["type"] == "Input.Toggle"
    assert inputs["anonymous"]["value"] == "true"
    assert inputs["anonymous"]["title"] == "Vote anonymously"
    toggle_group = next(e for e in body if e.get("items", [{}])[0].get("id") == "anonymous")
    assert toggle_group["items"][1]["text"] == "Not allowed"


def test_adaptive_buttons_are_universal_actions_with_submit_fallback() -> None:
    ratify, decline, later, guide = adaptive.render(everything_card())["actions"]
    assert ratify["type"] == "Action.Execute" and ratify["verb"] == "vote.cast"
    assert ratify["data"] == {"nomination": 42} and ratify["style"] == "positive"
    assert ratify["fallback"] == {
        "type": "Action.Submit",
        "title": "Ratify",
        "style": "positive",
        "data": {"verb": "vote.cast", "nomination": 42},
    }
    assert "associatedInputs" not in ratify, "a submit button must send the inputs"
    assert decline["style"] == "destructive"
    # Non-submitting buttons on a form must not be blocked by empty required fields.
    assert decline["associatedInputs"] == "none"
    assert decline["fallback"]["associatedInputs"] == "none"
    assert "style" not in later and later["fallback"]["data"] == {
        "verb": "vote.snooze",
        "days": 1,
        "quiet": True,
    }
    assert guide == {
        "type": "Action.OpenUrl",
        "title": "Guidance",
        "url": "https://qa.example.org/guide",
    }


def test_adaptive_buttons_without_inputs_send_everything_by_default() -> None:
    actions = ac_actions(adaptive.render(many_buttons_card()))
    assert all("associatedInputs" not in a for a in actions)


def test_adaptive_more_than_six_buttons_split_into_action_sets_in_order() -> None:
    payload = adaptive.render(many_buttons_card())
    assert "actions" not in payload
    sets = [e for e in payload["body"] if e["type"] == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == [6, 6, 6, 6, 6]
    assert [a["data"]["case"] for a in ac_actions(payload)] == list(range(30))


def test_adaptive_huge_card_is_cut_with_a_more_link_and_keeps_its_buttons() -> None:
    payload = adaptive.render(huge_card())
    assert adaptive.size_of(payload) <= 80_000
    assert payload["actions"][0]["verb"] == "tasks.refresh"
    last = payload["body"][-1]
    assert last["type"] == "TextBlock"
    match = re.fullmatch(
        r"… and (\d+) \[more\]\((.+)\) — open the app for the full list", last["text"]
    )
    assert match and match.group(2) == MORE_URL
    shown = sum(1 for e in payload["body"] if e["text"].startswith("Item "))
    # Every text not shown plus the 80 facts are counted in "and N more".
    assert shown + int(match.group(1)) == 120 + 80
    assert payload["body"][1]["text"].startswith("Item 0: ")


def test_adaptive_cut_without_more_url_still_says_so() -> None:
    last = adaptive.render(huge_card(more_url=None))["body"][-1]["text"]
    assert re.fullmatch(r"… and \d+ more — open the app for the full list", last)


def test_adaptive_size_counts_non_ascii_as_sent() -> None:
    payload = adaptive.render(unicode_card())
    assert len(json.dumps(payload, ensure_ascii=True)) <= 80_000
    assert payload["body"][-1]["text"].startswith("…")
    assert 1 < len(payload["body"]) < 21


def test_adaptive_one_giant_text_is_shortened_rather_than_dropped() -> None:
    card = Card(name="log", title="Log", fallback="Log", body=[TextBlock(text="line\n" * 40_000)])
    body = adaptive.render(card)["body"]
    assert len(body) == 3
    assert body[1]["text"].startswith("line\nline") and body[1]["text"].endswith("…")
    assert body[2]["text"] == "… more — open the app for the full list"


def test_adaptive_many_facts_are_cut_to_a_prefix_and_counted() -> None:
    facts = [(f"Fact {i}", "v" * 200) for i in range(1000)]
    card = Card(name="facts", title="Facts", fallback="Facts", body=[Facts(facts=facts)])
    body = adaptive.render(card)["body"]
    shown = body[1]["facts"]
    assert shown == [{"title": t, "value": v} for t, v in facts[: len(shown)]]
    assert body[2]["text"] == f"… and {1000 - len(shown)} more — open the app for the full list"


def test_invoke_responses() -> None:
    card = everything_card()
    assert adaptive.render_invoke_response(card) == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": adaptive.render(card),
    }
    assert adaptive.render_message_invoke_response("Vote recorded") == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "Vote recorded",
    }


# --- Block Kit: conformance -------------------------------------------------------------------


def test_slack_message_conforms(sample: Card) -> None:
    message = blockkit.render_message(sample)
    assert message["text"] == sample.fallback
    assert 1 <= len(message["blocks"]) <= 50
    assert_valid_blocks(message["blocks"])


def test_slack_modal_conforms(sample: Card) -> None:
    view = blockkit.render_modal(sample, callback_id="feedback.submit", private_metadata='{"a":1}')
    View(**view).validate_json()
    assert View(**view).to_dict()["type"] == "modal"
    assert len(view["blocks"]) <= 100
    assert_valid_blocks(view["blocks"])
    assert view["callback_id"] == "feedback.submit" and view["private_metadata"] == '{"a":1}'


def test_slack_home_stacks_cards_within_100_blocks() -> None:
    cards = [long_text_card(), many_facts_card(), many_buttons_card(), huge_card()]
    home = blockkit.render_home(cards)
    View(**home).validate_json()
    assert home["type"] == "home" and "submit" not in home and "close" not in home
    assert len(home["blocks"]) == 100
    assert_valid_blocks(home["blocks"])
    headers = [b["text"]["text"] for b in home["blocks"] if b["type"] == "header"]
    assert headers[1:] == ["Quarterly allocation", "Open a case", "Everything outstanding"]
    for header_index in [i for i, b in enumerate(home["blocks"]) if b["type"] == "header"][1:]:
        assert home["blocks"][header_index - 1] == {"type": "divider"}
    assert f"<{MORE_URL}|more>" in home["blocks"][-1]["elements"][0]["text"]


def test_slack_home_with_no_cards_is_still_a_valid_view() -> None:
    home = blockkit.render_home([])
    View(**home).validate_json()
    assert_valid_blocks(home["blocks"])


# --- Block Kit: content -----------------------------------------------------------------------


def test_slack_maps_every_element() -> None:
    blocks = blockkit.render_message(everything_card())["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "Nomination for Practice Award & <QA>",
            "emoji": True,
        },
    }
    heading, plain, subtle, good, warning, attention = blocks[1:7]
    assert heading["text"]["text"] == "*Case LCS-1234*"
    assert plain["text"]["text"] == "Plain body text with *stars* &amp; &lt;angles&gt;."
    assert subtle == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "Submitted 3 days ago"}],
    }
    assert good["text"]["text"] == ":white_check_mark: All checks passed"
    assert warning["text"]["text"] == ":warning: Deadline in 2 working days"
    assert attention["text"]["text"] == ":warning: Overdue escalation"
    assert blocks[7]["fields"][1]["text"] == "*Team*\nAssessment &amp; Intervention"
    assert "▓▓▓░░ 3 of 5" in blocks[8]["text"]["text"] and "Votes cast" in blocks[8]["text"]["text"]
    assert blocks[9] == {"type": "divider"}


def test_slack_long_text_is_split_into_sections_without_losing_any() -> None:
    card = long_text_card()
    blocks = blockkit.render_message(card)["blocks"]
    assert blocks[0]["text"]["text"] == "T" * 149 + "…"
    texts = texts_of(blocks)
    assert all(len(t) <= 3000 for t in texts)
    # Entities are never cut in half.
    assert all(not re.search(r"&(?!amp;|lt;|gt;)", t) for t in texts)
    shown = squash(html.unescape("".join(texts)).replace(":warning:", "").replace("*", ""))
    expected = squash("".join(e.text for e in card.body if isinstance(e, TextBlock)))
    assert shown == expected
    subtle = [b for b in blocks if b["type"] == "context"]
    assert len(subtle) == 3, "7000 characters of subtle text need three context blocks"
    heading_parts = [t for t in texts if t.startswith("*word")]
    assert len(heading_parts) == 2 and all(t.endswith("*") for t in heading_parts)


def test_slack_facts_are_ten_fields_a_section_in_order() -> None:
    blocks = blockkit.render_message(many_facts_card())["blocks"]
    sections = [b for b in blocks if "fields" in b]
    assert [len(s["fields"]) for s in sections] == [10] * 7 + [5, 1]
    labels = [f["text"].split("\n")[0] for s in sections for f in s["fields"]][:75]
    assert labels == [f"*Practitioner {i:02}*" for i in range(75)]
    assert sections[0]["fields"][3]["text"] == "*Practitioner 03*\n3 audits &amp; 3 moderations"
    long_field = sections[-1]["fields"][0]["text"]
    assert len(long_field) == 2000 and long_field.endswith("…")


def test_slack_inputs_keep_values_and_show_errors_in_messages() -> None:
    blocks = blockkit.render_message(form_card())["blocks"]
    inputs = {b["block_id"]: b for b in blocks if b["type"] == "input"}
    assert list(inputs) == ["summary", "detail", "rating", "teams", "lead", "met_on", "share"]
    assert all(b["element"]["action_id"] == b["block_id"] for b in inputs.values())
    assert inputs["summary"]["optional"] is False and inputs["detail"]["optional"] is True
    assert inputs["detail"]["element"] == {
        "type": "plain_text_input",
        "action_id": "detail",
        "multiline": True,
        "max_length": 3000,
    }
    assert inputs["rating"]["element"]["type"] == "radio_buttons"
    teams = inputs["teams"]["element"]
    assert teams["type"] == "multi_static_select"
    grouped = [o["value"] for g in teams["option_groups"] for o in g["options"]]
    assert grouped == [f"team_{i}" for i in range(150)], "no choice may be lost to the 100 limit"
    assert [o["value"] for o in teams["initial_options"]] == ["team_1", "team_120"]
    # Radio buttons hold at most 10 options: 12 choices fall back to a select.
    assert inputs["lead"]["element"]["type"] == "static_select"
    assert inputs["lead"]["element"]["initial_option"]["value"] == "team_11"
    assert inputs["met_on"]["element"]["type"] == "datepicker"
    assert inputs["share"]["element"]["type"] == "checkboxes"
    assert "initial_options" not in inputs["share"]["element"]

    after_summary = blocks[blocks.index(inputs["summary"]) + 1]
    assert after_summary == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": ":warning: Required"}],
    }
    after_rating = blocks[blocks.index(inputs["rating"]) + 1]
    assert after_rating["elements"][0]["text"] == ":warning: Pick one"


def test_slack_everything_card_initial_values() -> None:
    blocks = blockkit.render_message(everything_card())["blocks"]
    inputs = {b["block_id"]: b["element"] for b in blocks if b["type"] == "input"}
    assert inputs["reason"]["initial_value"] == "Because"
    assert inputs["reason"]["placeholder"]["text"] == "Why this vote?"
    assert inputs["score"]["type"] == "static_select"
    assert inputs["score"]["initial_option"]["value"] == "team_2"
    assert inputs["areas"]["type"] == "checkboxes"
    assert [o["value"] for o in inputs["areas"]["initial_options"]] == ["team_0", "team_3"]
    assert inputs["grade"]["type"] == "radio_buttons" and "initial_option" not in inputs["grade"]
    assert inputs["due"]["initial_date"] == "2025-03-31"
    assert inputs["anonymous"]["initial_options"] == inputs["anonymous"]["options"]


def test_slack_buttons_round_trip_their_verb_and_data() -> None:
    card = everything_card()
    buttons = buttons_of(blockkit.render_message(card)["blocks"])
    assert [b["text"]["text"] for b in buttons] == ["Ratify", "Decline", "Later", "Guidance"]
    assert [b.get("style") for b in buttons] == ["primary", "danger", None, None]
    for index, (rendered, button) in enumerate(zip(buttons[:3], card.buttons, strict=False)):
        assert rendered["action_id"] == f"{button.verb}:{index}"
        assert blockkit.parse_button_value(rendered["value"]) == (button.verb, button.data)
    assert buttons[3]["url"] == "https://qa.example.org/guide" and "value" not in buttons[3]


def test_slack_many_buttons_split_into_actions_blocks_of_25() -> None:
    blocks = blockkit.render_message(many_buttons_card())["blocks"]
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    cases = [blockkit.parse_button_value(b["value"])[1]["case"] for b in buttons_of(blocks)]
    assert cases == list(range(30))


def test_slack_button_value_over_2000_characters_is_refused() -> None:
    card = Card(
        name="big",
        title="Big",
        fallback="Big",
        buttons=[Button(label="Go", verb="x.go", data={"blob": "x" * 2000})],
    )
    with pytest.raises(ValueError, match="2000"):
        blockkit.render_message(card)


@pytest.mark.parametrize(
    "value", ["", "nope", "[1, 2]", '{"data": {}}', '{"verb": "a", "data": 3}']
)
def test_parse_button_value_rejects_what_we_never_sent(value: str) -> None:
    with pytest.raises(ValueError):
        blockkit.parse_button_value(value)


def test_slack_message_over_50_blocks_is_cut_with_a_more_link() -> None:
    blocks = blockkit.render_message(huge_card())["blocks"]
    assert len(blocks) == 50
    assert blocks[-1]["type"] == "actions", "buttons survive the cut"
    note = blocks[-2]["elements"][0]["text"]
    match = re.fullmatch(r"… and (\d+) <(.+)\|more> — open the app for the full list", note)
    assert match and match.group(2) == MORE_URL
    shown = sum(1 for t in texts_of(blocks) if t.startswith("Item "))
    assert shown + int(match.group(1)) == 120 + 80


def test_slack_modal_uses_first_submit_button_and_keeps_the_others() -> None:
    card = form_card()
    view = blockkit.render_modal(card, callback_id="feedback.submit")
    assert view["title"] == {
        "type": "plain_text",
        "text": "Give feedback on an aud…",
        "emoji": True,
    }
    assert view["blocks"][0]["text"]["text"] == card.title, "a cut title is shown in full"
    assert view["submit"] == {"type": "plain_text", "text": "Send feedback", "emoji": True}
    assert view["close"]["text"] == "Cancel"
    assert blockkit.submit_button(card) == card.buttons[0]
    assert "private_metadata" not in view
    others = buttons_of(view["blocks"])
    assert [b["text"]["text"] for b in others] == ["Save draft", "Ask a question", "Discard"]
    assert [b["action_id"] for b in others] == [
        "feedback.save:1",
        "feedback.ask:2",
        "feedback.discard:3",
    ]
    # In a modal, errors come back through response_action instead of context blocks.
    assert not any(":warning:" in t for t in texts_of(view["blocks"]))


def test_slack_modal_with_inputs_but_no_submit_button_can_still_be_submitted() -> None:
    card = Card(
        name="ask", title="Ask", fallback="Ask", body=[TextInput(id="question", label="Question")]
    )
    view = blockkit.render_modal(card, callback_id="ask")
    assert view["submit"]["text"] == "Submit"
    assert "submit" not in blockkit.render_modal(many_facts_card(), callback_id="x")


def test_slack_modal_refuses_oversized_metadata() -> None:
    with pytest.raises(ValueError, match="private_metadata"):
        blockkit.render_modal(form_card(), callback_id="x", private_metadata="m" * 3001)


def test_errors_response_lists_every_bad_field() -> None:
    assert blockkit.errors_response(form_card()) == {
        "response_action": "errors",
        "errors": {"summary": "Required", "rating": "Pick one"},
    }
    assert blockkit.errors_response(many_facts_card()) is None


def _option(value: str) -> JSON:
    return {"text": {"type": "plain_text", "text": value.title(), "emoji": True}, "value": value}


def view_submission_state() -> JSON:
    """``view.state`` as Slack sends it in a view_submission for ``form_card``."""
    return {
        "values": {
            "summary": {"summary": {"type": "plain_text_input", "value": "Thorough audit"}},
            "detail": {"detail": {"type": "plain_text_input", "value": None}},
            "rating": {"rating": {"type": "radio_buttons", "selected_option": _option("team_3")}},
            "teams": {
                "teams": {
                    "type": "multi_static_select",
                    "selected_options": [_option("team_1"), _option("team_140")],
                }
            },
            "lead": {"lead": {"type": "static_select", "selected_option": None}},
            "met_on": {"met_on": {"type": "datepicker", "selected_date": "2025-02-14"}},
            "share": {
                "share": {
                    "type": "checkboxes",
                    "selected_options": [
                        {
                            "text": {"type": "plain_text", "text": "Share", "emoji": True},
                            "value": blockkit.TOGGLE_ON,
                        }
                    ],
                }
            },
        }
    }


def test_parse_state_values_reads_a_view_submission() -> None:
    state = view_submission_state()
    ViewState(**state).to_dict()  # the hand-built payload has Slack's shape
    assert blockkit.parse_state_values(state["values"]) == {
        "summary": "Thorough audit",
        "detail": None,
        "rating": "team_3",
        "teams": ["team_1", "team_140"],
        "lead": None,
        "met_on": "2025-02-14",
        "share": True,
    }


def test_parse_state_values_unticked_toggle_needs_the_card_to_be_false() -> None:
    state = view_submission_state()["values"]
    state["share"]["share"]["selected_options"] = []
    assert blockkit.parse_state_values(state)["share"] == []
    values = blockkit.parse_state_values(state, card=form_card())
    assert values["share"] is False and values["lead"] is None and values["rating"] == "team_3"
    del state["teams"]
    assert blockkit.parse_state_values(state, card=form_card())["teams"] == []


def test_rejected_submission_re_renders_with_the_persons_values() -> None:
    card = form_card()
    values = blockkit.parse_state_values(view_submission_state()["values"], card=card)
    again = card.with_errors({"met_on": "Must be a working day"}, values)
    view = blockkit.render_modal(again, callback_id="feedback.submit")
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["summary"]["initial_value"] == "Thorough audit"
    assert [o["value"] for o in inputs["teams"]["initial_options"]] == ["team_1", "team_140"]
    assert inputs["met_on"]["initial_date"] == "2025-02-14"
    assert inputs["share"]["initial_options"][0]["value"] == blockkit.TOGGLE_ON
    assert blockkit.errors_response(again) == {
        "response_action": "errors",
        "errors": {"met_on": "Must be a working day"},
    }


@pytest.mark.parametrize(
    ("value", "total", "bar"),
    [
        (3, 5, "▓▓▓░░ 3 of 5"),
        (1, 120, "▓░░░░░░░░░ 1 of 120"),  # any progress shows
        (119, 120, "▓▓▓▓▓▓▓▓▓░ 119 of 120"),  # unfinished never looks full
        (120, 120, "▓▓▓▓▓▓▓▓▓▓ 120 of 120"),
        (0, 0, "░░░░░░░░░░ 0 of 0"),
    ],
)
def test_progress_bar_reads_true_on_every_platform(value: int, total: int, bar: str) -> None:
    card = Card(
        name="p", title="P", fallback="P", body=[Progress(label="Done", value=value, total=total)]
    )
    assert bar in json.dumps(adaptive.render(card), ensure_ascii=False)
    assert f"Done\n`{bar}`" in texts_of(blockkit.render_message(card)["blocks"])
    assert f"Done  {bar}" in render_text(card)[0]


# --- text -------------------------------------------------------------------------------------


def test_text_numbers_buttons_in_order() -> None:
    card = everything_card()
    text, buttons = render_text(card)
    assert buttons == card.buttons
    assert text.endswith(
        "[1] Ratify  [2] Decline  [3] Later  [4] Guidance (https://qa.example.org/guide)"
    )


def test_text_shows_title_facts_progress_inputs_and_errors() -> None:
    text, _ = render_text(everything_card())
    lines = text.splitlines()
    assert lines[:2] == ["Nomination for Practice Award & <QA>", "=" * 36]
    assert "Nominee: Jo Bloggs" in lines
    assert "Team:    Assessment & Intervention" in lines
    assert "Votes cast  ▓▓▓░░ 3 of 5" in lines
    reason = lines.index("Reason * [Because]")
    assert lines[reason + 1] == "  ! Please say a little more."
    assert "Score [Team 2] one of:" in lines and "    3. Team 2" in lines
    assert "Vote anonymously [on]" in lines
    assert "(score)" not in text and "(reason)" not in text
    assert "Warning: Deadline in 2 working days" in lines
    assert "\x1b" not in text


def test_text_of_an_empty_card_is_its_fallback() -> None:
    text, buttons = render_text(empty_card())
    assert text == "Nothing to do today" and buttons == []
