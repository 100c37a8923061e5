"""Text as tokens: words (with any possessive "'s" split off), numbers and single symbols."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

_TOKEN = re.compile(r"[^\W\d_]{1,64}(?:['’\-][^\W\d_]{1,64}){0,4}|\d{1,9}|\S")


class Token(NamedTuple):
    text: str
    start: int
    end: int
    lower: str
    possessive: bool
    line_start: bool  # a line break (or the start of the text) comes before it


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        word = match.group()
        possessive = len(word) > 2 and word[-2] in "'’" and word[-1] in "sS"
        base = word[:-2] if possessive else word
        line_start = not tokens or "\n" in text[previous_end : match.start()]
        tokens.append(
            Token(
                base, match.start(), match.start() + len(base), base.lower(), possessive, line_start
            )
        )
        previous_end = match.end()
    return tokens


def word_at(tokens: Sequence[Token], index: int) -> str:
    """The token at ``index`` in lower case, or "" outside the text."""
    return tokens[index].lower if 0 <= index < len(tokens) else ""
