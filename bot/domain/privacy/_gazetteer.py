"""The first names the screen knows, from a list that ships in a package.

The list is gender-guesser's ``nam_dict.txt`` (Jörg Michael's list of about 45,000 first names from
many countries, GNU FDL), read from the installed package: nothing is downloaded. The bot's own
small lists in ``data/`` add given names common among children born since the list was made,
mark the names that are also ordinary English words ("Hope", "Will") or frequent in ordinary text,
and the place names that are also first names ("Chelsea", "Lincoln").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

_NAME_COLUMNS = slice(3, 29)  # nam_dict.txt is a fixed-width file: the name is in columns 3-28
# Two-letter entries are mostly syllables and abbreviations ("An", "Ok"); these few are names.
_SHORT_NAMES = frozenset({"jo", "al", "ed", "ty", "bo"})


def gazetteer_first_names() -> frozenset[str]:
    """Every first name in gender-guesser's list, in lower case."""
    data = resources.files("gender_guesser").joinpath("data/nam_dict.txt")
    names: set[str] = set()
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            if line[:1] in "#=" or len(line) < 30:
                continue
            name = line[_NAME_COLUMNS].strip()
            # Arabic, Chinese and Korean names written in parts: "Jun+Wei" is "Junwei" or
            # "Jun-Wei" (the parts alone, "Jun" and "Wei", are listed when they are names).
            names.update(name.replace("+", joiner) for joiner in ("", "-"))
    return frozenset(
        name.lower() for name in names if len(name) > 2 or name.lower() in _SHORT_NAMES
    )


def _shipped(name: str) -> frozenset[str]:
    text = resources.files("bot.domain.privacy").joinpath(f"data/{name}").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@dataclass(frozen=True)
class Gazetteer:
    first_names: frozenset[str]
    also_words: frozenset[str]  # "hope", "iris", "will": in lower case, a word
    common_words: frozenset[str]  # "hope", "grace", "will": capitalised, still a word
    frequent: frozenset[str]  # "john", "sarah": frequent enough that lower case needs a cue
    places: frozenset[str]  # "chelsea", "lincoln"


@cache
def gazetteer() -> Gazetteer:
    places = _shipped("places.txt")
    names = (gazetteer_first_names() | _shipped("extra_names.txt")) - places
    return Gazetteer(
        first_names=names,
        also_words=_shipped("name_words.txt"),
        common_words=_shipped("common_name_words.txt"),
        frequent=_shipped("frequent_names.txt"),
        places=places,
    )
