"""A child's age given beside their name: "Tyler, 8,", "Tyler (8)", "Tyler aged 8", "Wren turned
12", "Kenzie is nearly 3", "Ronnie, who is 3,", "Hallie is only 3 but", "the 14-year-old, Macie"."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.privacy._common import Finding, FindingKind, finding, words
from bot.domain.privacy._tokens import Token, word_at

OLDEST_CHILD_AGE = 25  # care leavers are supported to 25
_AGE_UNITS = words("year years yr yrs y yo months month mths")
_AGE_OPENER_WORDS = words("aged age turned turns turning be")
_BEFORE_A_BIRTHDAY = words("has had just recently will")
_AGE_OPENERS = _AGE_OPENER_WORDS | words(", ( is was - –")
_BEFORE_AN_AGE = words("aged age now nearly almost just only barely still")
# What ends an age said outright: "Tyler, 8, came", "Tyler (8)", "Tyler is 8 and".
_AGE_ENDS = words(", ) . ; and now but")
# After "is"/"was" (and "only", "nearly"...) a number is an age when what follows goes on
# about the person or the time: "Tyler is 14 next month", "Hallie is only 3 but", "was 5 when"
# (not "was 5 minutes late", "is only 2 visits behind", "was 2nd").
_AFTER_A_STATED_AGE = words(
    "next this in on but so when now today tonight soon last yet already though although"
    " going at with since who and or until tomorrow"
)
_STATE_OPENERS = words("is was")
# Ages in words: "Maisie is nine and", "rio is seventeen next month", "turned twelve".
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    f"twenty-{word}": 20 + value for value, word in enumerate("one two three four five".split(), 1)
}
# Said in words, only these openers make a number an age ("is nine and", "turned twelve",
# "aged six"), and never "one" alone ("Maisie is one of the…").
_WORD_AGE_OPENERS = words("is was turned turns turning aged age ,")
_RELATIVE = words("who")


def age_after(tokens: Sequence[Token], last: int) -> int | None:
    """The index of an age given after a name that ends at token ``last``."""
    index = last + 1
    while word_at(tokens, index) in _BEFORE_A_BIRTHDAY and index < last + 3:
        index += 1  # "has just turned 10", "will be 16"
    opener = word_at(tokens, index)
    if index > last + 1 and opener not in _AGE_OPENER_WORDS:
        return None
    if opener not in _AGE_OPENERS:
        return None
    index += 1
    if opener == "," and word_at(tokens, index) in _RELATIVE:
        if word_at(tokens, index + 1) not in _STATE_OPENERS:
            return None
        opener = word_at(tokens, index + 1)  # "Ronnie, who is 3,"
        index += 2
    if (
        opener == "("
        and word_at(tokens, index) in _KIN_IN_BRACKETS
        and word_at(tokens, index + 1) == ","
    ):
        index += 2  # "(son, 8)", "(twins, 3)"
    qualified = word_at(tokens, index) in _BEFORE_AN_AGE
    if qualified:
        index += 1
    if opener in _STATE_OPENERS and word_at(tokens, index) == "aged":
        index += 1  # "is now aged 8"
    number = word_at(tokens, index)
    if number in NUMBER_WORDS:
        return index if _age_in_words(tokens, index, opener, qualified) else None
    if not number.isdigit() or int(number) > OLDEST_CHILD_AGE:
        return None
    after = word_at(tokens, index + 1)
    if after in _AGE_UNITS or after in _AGE_ENDS or after == "":
        return index
    if opener in _AGE_OPENER_WORDS - {"be"} and after not in (":", "/", "%"):
        return index
    if opener == "be" and after in ("in", "next", "this", "on", "soon"):
        return index
    if (opener in _STATE_OPENERS or qualified) and after in _AFTER_A_STATED_AGE:
        return index  # "Mabel is 14 next month", "Hallie is only 3 but"
    return None


def _age_in_words(tokens: Sequence[Token], index: int, opener: str, qualified: bool) -> bool:
    """Whether the number word at ``index`` is an age: after "is", "turned", "aged" or a comma,
    with what follows going on about the person or the time ("nine and", "twelve next month",
    "seven years old"). "one" needs a unit ("one year old")."""
    if opener not in _WORD_AGE_OPENERS or NUMBER_WORDS[word_at(tokens, index)] == 0:
        return False
    after = word_at(tokens, index + 1)
    if after in _AGE_UNITS:
        return True
    if word_at(tokens, index) == "one":
        return False
    if opener == ",":
        return after == "," and word_at(tokens, index + 2).isalpha()  # "Junaid, ten, says"
    if opener in ("aged", "age", "turned", "turns", "turning"):
        return after not in ("of", "-", "/", "%", "times", "out")
    return after in _AGE_ENDS or after in _AFTER_A_STATED_AGE or after == ""


_KIN_IN_BRACKETS = words(
    "son daughter boy girl child twin twins sibling brother sister stepson stepdaughter baby"
    " grandson granddaughter nephew niece eldest youngest"
)


def ages_beside(text: str, tokens: Sequence[Token], first: int, last: int) -> list[Finding]:
    """The age given after or just before the name in tokens ``first`` to ``last``."""
    found: list[Finding] = []
    index = age_after(tokens, last)
    if index is not None:
        found.append(_age(text, tokens[index]))
    before = _age_before(tokens, first)
    if before is not None:
        found.append(_age(text, tokens[before]))
    return found


def _age(text: str, token: Token) -> Finding:
    return finding(FindingKind.AGE, text, token.start, token.end)


def _age_before(tokens: Sequence[Token], first: int) -> int | None:
    """ "the 14-year-old, Macie", "8-year-old Tyler": the number, when a name follows."""
    index = first - 1
    if word_at(tokens, index) == ",":
        index -= 1
    if word_at(tokens, index) not in ("year-old", "years-old", "month-old", "yo"):
        return None
    index -= 1
    if word_at(tokens, index) == "-":
        index -= 1
    number = word_at(tokens, index)
    if not number.isdigit() or int(number) > OLDEST_CHILD_AGE:
        return None
    return index
