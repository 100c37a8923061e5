"""The staff directory and the privacy screen: a colleague's first name is left alone only when
it is used as a colleague's, so a child who shares it is still flagged."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.privacy import FindingKind, screen

TODAY = date(2026, 11, 30)
DIRECTORY = frozenset({"Dylan Marsh", "Dylan", "Sam Social", "Sam"})


def flagged(text: str) -> list[str]:
    return [f.excerpt for f in screen(text, today=TODAY, staff_names=DIRECTORY)]


@pytest.mark.parametrize(
    "text",
    [
        "Dylan said the panel went well.",
        "Dylan Marsh chaired the review.",
        "Thanks to Dylan for covering duty.",
        "Dylan spoke to mum about the plan.",
        "Sam and Dylan ran the training.",
        "Sam (social worker) visited on Monday.",
        # the pronoun is the young person's
        "Dylan spent hours with the young person and her mum.",
    ],
)
def test_a_colleague_named_as_a_colleague_is_left_alone(text: str) -> None:
    assert flagged(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # family cues
        ("Sam's mum rang the duty line.", ["Sam"]),
        ("The new bed is for Sam, aged 6.", ["Sam", "6"]),
        ("Her son Dylan has settled well.", ["Dylan"]),
        # talk of a child's family or school in the sentence
        ("Dylan told her teacher that Danielle hits her.", ["Dylan", "Danielle"]),
        ("Dylan went to see his mum in hospital.", ["Dylan"]),
        # listed with a child
        ("Saw Bryn and Dylan together at the contact centre.", ["Bryn", "Dylan"]),
        ("Kayden, Sam and Uma are all on the same plan.", ["Kayden", "Sam", "Uma"]),
        # a surname that is no colleague's
        ("Dylan Smith has moved schools.", ["Dylan Smith"]),
    ],
)
def test_a_child_who_shares_a_colleagues_first_name_is_flagged(
    text: str, expected: list[str]
) -> None:
    assert flagged(text) == expected


def test_without_the_directory_a_colleague_named_bare_is_flagged() -> None:
    text = "Dylan said the panel went well."
    assert [f.kind for f in screen(text, today=TODAY)] == [FindingKind.CHILD_NAME]
