"""Family surnames: "Mrs Smith", "the Smith family", "the Smith children", a family visited."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bot.domain.privacy._common import Finding, FindingKind, finding, words
from bot.domain.privacy._gazetteer import gazetteer
from bot.domain.privacy._mention import Staff
from bot.domain.privacy._people_words import (
    _ORGANISATION_NOUNS,
    _PERSON_VERBS,
    _TITLES,
    _surname_like,
    _word,
)
from bot.domain.privacy._staff_cues import _pet_after, _pet_named_before, _role_after, _role_before
from bot.domain.privacy._tokens import Token

_FAMILY_WORD = "family"


def _family_surnames(text: str, tokens: Sequence[Token], staff: Staff) -> Iterator[Finding]:
    """ "the Smith family", "Mrs Smith", "Mr and Mrs Jones" (unless a role follows, or a
    colleague has that surname: "Mrs Jones chaired")."""
    for index, token in enumerate(tokens):
        if not _surname_like(token) or token.lower in staff.surnames:
            continue
        before = _word(tokens, index - 1)
        after = _word(tokens, index + 1)
        titled = before in _TITLES and not tokens[index].line_start
        if titled and (_pet_named_before(tokens, index - 1) or _pet_after(tokens, index)):
            continue  # "The rabbit at the contact centre (Mr Nibbles)", "Mr Tickles the tortoise"
        if titled and not _role_after(tokens, index) and not _role_before(tokens, index - 1):
            yield finding(FindingKind.FAMILY_NAME, text, token.start, token.end)
        elif (
            after == _FAMILY_WORD
            and before == "the"
            and _word(tokens, index + 2) not in _ORGANISATION_NOUNS
        ):  # not "the Meadows Family Centre"
            yield finding(FindingKind.FAMILY_NAME, text, token.start, token.end)
        elif _the_surname_children(tokens, index):
            yield finding(FindingKind.FAMILY_NAME, text, token.start, token.end)
        elif _family_visited(tokens, index):
            yield finding(FindingKind.FAMILY_NAME, text, token.start, token.end)


_A_FAMILYS_CHILDREN = words("children kids siblings twins boys girls household")


def _the_surname_children(tokens: Sequence[Token], index: int) -> bool:
    """ "the Okonkwo children", "the Clarke twins" (not "the Leeds children's services", nor a
    place: "the Chelsea kids")."""
    after = index + 1
    return (
        _word(tokens, index - 1) == "the"
        and _word(tokens, after) in _A_FAMILYS_CHILDREN
        and not tokens[after].possessive
        and not tokens[after].line_start
        and tokens[index].lower not in gazetteer().places
        # what the children do or are, not "the Oldham children work", "the Kirklees children
        # in care"
        and _word(tokens, after + 1) in _SAID_OF_CHILDREN
    )


_SAID_OF_CHILDREN = _PERSON_VERBS | words(
    "are were have had live stay stayed remain . , ; ) : ! ? and - –"
)


_VISITING = words("visit visits visited visiting saw seen met meeting")


def _family_visited(tokens: Sequence[Token], index: int) -> bool:
    """ "home visit to the Pearsons", "visited the Smiths": a family named by its surname in
    the plural, as the people a worker visits or sees."""
    token = tokens[index]
    if token.possessive or not token.lower.endswith("s") or len(token.text) < 5:
        return False
    if _word(tokens, index - 1) != "the":
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is not None and not following.line_start and following.text[:1].isupper():
        return False  # part of a longer name: "visited the Meadows Family Centre"
    before = index - 2
    if _word(tokens, before) == "to":
        before -= 1
    return _word(tokens, before) in _VISITING
