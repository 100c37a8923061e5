"""A first name found in a text (``_Mention``) and what it was judged to be, and the staff
directory's names the judgement leaves alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Literal

Tier = Literal["strong", "word", "calendar", "place"]


class _Verdict(Enum):
    NONE = 0
    STAFF = 1
    CHILD = 2
    FAMILY = 3
    DIRECTORY = 4  # a colleague's first name with nothing else to go on: a list can outweigh it


@dataclass
class _Mention:
    first: int  # token indexes
    last: int
    key: str  # the first name, in lower case
    tier: Tier
    verdict: _Verdict
    family_cue: bool
    staff_cue: bool
    role_cue: bool = False  # a role beside it: a colleague wherever the name appears


@dataclass(frozen=True)
class Staff:
    """The directory's people, in lower case: first names ("megan") and surnames ("jones")."""

    first_names: frozenset[str] = frozenset()
    surnames: frozenset[str] = frozenset()


NO_STAFF = Staff()


@lru_cache(maxsize=4)
def staff_from(names: frozenset[str]) -> Staff:
    """Staff from the directory's names ("Megan", "Megan Jones"): a first name is each name's
    first word, a surname the last word of a name with more than one."""
    first: set[str] = set()
    last: set[str] = set()
    for name in names:
        parts = name.lower().split()
        if parts:
            first.add(parts[0])
        if len(parts) > 1:
            last.add(parts[-1])
    return Staff(frozenset(first), frozenset(last))
