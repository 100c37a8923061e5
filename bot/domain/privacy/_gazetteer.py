"""The first names the screen knows, from a list that ships in a package.

The list is gender-guesser's ``nam_dict.txt`` (Jörg Michael's list of about 45,000 first names from
many countries, GNU FDL) and Faker's first names for English-speaking countries and for the
countries England's largest communities came from (MIT), read from the installed packages:
nothing is downloaded. The bot's own
small lists in ``data/`` add given names common among children born since the list was made
and West African, Somali and South Asian names neither package has,
mark the names that are also ordinary English words ("Hope", "Will") or frequent in ordinary text,
and the place names that are also first names ("Chelsea", "Lincoln").
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

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


# Faker's first names for the English-speaking locales (given names of the last century to today
# that the 2008 list lacks: "Lennon", "Raheem", "Ember", "Mercy") and for the countries the
# largest communities in England came from: Nigeria (English, Yoruba, Igbo and Hausa names),
# Ghana, Kenya and Somalia, Pakistan, India, Poland and Romania ("Adaeze", "Emeka", "Abena",
# "Abdirahman", "Aariz", "Aarush", "Kacper"). Only locales whose names are written in the Latin
# alphabet, as staff would type them.
FAKER_LOCALES = ("en", "en_GB", "en_IE")
FAKER_WORLD_LOCALES = (
    "en_NG", "yo_NG", "ig_NG", "ha_NG", "tw_GH", "en_KE", "en_PK", "en_IN", "pl_PL", "ro_RO",
)  # fmt: skip
# "    first_names_male = (", "    first_names_female: Tuple[str, ...] = (",
# "    first_names_male = [", "    first_names_male = OrderedDict(".
_FAKER_BLOCK = re.compile(
    r"    first_names(?:_female|_male)?(?::[^=]{1,40})? = (?:\(|\[|OrderedDict\()$"
)
_BLOCK_END = ("    )", "    ]")
_QUOTED = re.compile(r'"([^"\n]{2,40})"')
# Placeholders in the birth records Faker's US list comes from, not given names.
_NOT_GIVEN_NAMES = frozenset({"baby", "babyboy", "infant", "unknown", "unnamed", "male", "female"})


def faker_first_names(locales: tuple[str, ...] = FAKER_LOCALES) -> frozenset[str]:
    """Faker's first names for ``locales``, in lower case (MIT licence).

    They are read from the installed package's source files, not imported: importing Faker
    takes 0.3 s and 14 MB; the names alone take a few."""
    spec = importlib.util.find_spec("faker")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    people = Path(spec.submodule_search_locations[0]) / "providers" / "person"
    names: set[str] = set()
    for locale in locales:
        source = people / locale / "__init__.py"
        if not source.is_file():
            continue
        names.update(_names_in(source.read_text("utf-8")))
    return frozenset(names - _NOT_GIVEN_NAMES)


def _names_in(source: str) -> Iterator[str]:
    """The quoted names in a Faker person provider's ``first_names...`` tuples or lists."""
    inside = False
    for line in source.splitlines():
        if inside and line in _BLOCK_END:
            inside = False
        elif inside:
            yield from (
                name.lower() for name in _QUOTED.findall(line) if name.replace("-", "").isalpha()
            )
        elif _FAKER_BLOCK.match(line):
            inside = True


def listed_first_names() -> frozenset[str]:
    """Every first name the packaged lists give: gender-guesser's and Faker's."""
    return gazetteer_first_names() | faker_first_names(FAKER_LOCALES + FAKER_WORLD_LOCALES)


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
    names = (listed_first_names() | _shipped("extra_names.txt")) - places
    return Gazetteer(
        first_names=names,
        also_words=_shipped("name_words.txt"),
        common_words=_shipped("common_name_words.txt"),
        frequent=_shipped("frequent_names.txt"),
        places=places,
    )
