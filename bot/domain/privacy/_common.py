"""What every part of the screen shares: the kinds of finding and how a finding is made."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class FindingKind(StrEnum):
    CHILD_NAME = "child_name"
    FAMILY_NAME = "family_name"
    DATE_OF_BIRTH = "date_of_birth"
    AGE = "age"
    NHS_NUMBER = "nhs_number"
    NI_NUMBER = "ni_number"
    POSTCODE = "postcode"
    ADDRESS = "address"
    PHONE_NUMBER = "phone_number"
    EMAIL = "email"
    SCHOOL = "school"
    CASE_REFERENCE = "case_reference"


MESSAGES: dict[FindingKind, str] = {
    FindingKind.CHILD_NAME: "This looks like a child's name",
    FindingKind.FAMILY_NAME: "This looks like the name of someone in the family",
    FindingKind.DATE_OF_BIRTH: "This looks like a date of birth",
    FindingKind.AGE: "This looks like a child's age",
    FindingKind.NHS_NUMBER: "This looks like an NHS number",
    FindingKind.NI_NUMBER: "This looks like a National Insurance number",
    FindingKind.POSTCODE: "This looks like a postcode",
    FindingKind.ADDRESS: "This looks like a home address",
    FindingKind.PHONE_NUMBER: "This looks like a phone number",
    FindingKind.EMAIL: "This looks like a family email address",
    FindingKind.SCHOOL: "This looks like a child's school",
    FindingKind.CASE_REFERENCE: "This looks like a case record number",
}


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    excerpt: str
    start: int
    end: int
    message: str


def finding(kind: FindingKind, text: str, start: int, end: int) -> Finding:
    return Finding(kind, text[start:end], start, end, MESSAGES[kind])


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


class Cues:
    """Positions of cue words ("DOB", "NHS"), to ask which lie within a few characters.

    The cue pattern is only run over the text when first asked, since most texts have no
    candidate identifier to ask about.
    """

    def __init__(self, matches: Iterable[re.Match[str]]) -> None:
        self._matches = matches
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def _positions(self) -> list[int]:
        if self._starts is None:
            spans = [match.span() for match in self._matches]  # in order, not overlapping
            self._starts = [start for start, _ in spans]
            self._ends = [end for _, end in spans]
        return self._starts

    def ending_within(self, low: int, high: int) -> list[int]:
        self._positions()
        return _between(self._ends, low, high)

    def starting_within(self, low: int, high: int) -> list[int]:
        return _between(self._positions(), low, high)


def _between(positions: list[int], low: int, high: int) -> list[int]:
    return positions[bisect_left(positions, low) : bisect_right(positions, high)]


SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)|\n")


def same_sentence(text: str, start: int, end: int) -> bool:
    return SENTENCE_BREAK.search(text, start, end) is None


def cue_before(text: str, cues: Cues, start: int, reach: int) -> bool:
    """Whether a cue ends within ``reach`` characters before ``start``, in the same sentence."""
    return any(same_sentence(text, end, start) for end in cues.ending_within(start - reach, start))


def cue_after(text: str, cues: Cues, end: int, reach: int) -> bool:
    return any(same_sentence(text, end, start) for start in cues.starting_within(end, end + reach))
