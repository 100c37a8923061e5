"""The words around a name that make it a child's or a family member's: kinship words ("her
son", "Kayden's mum"), a sentence about a child's family, being met, told or asked about, and
pronoun ages ("she is 7")."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.domain.privacy._ages import NUMBER_WORDS, OLDEST_CHILD_AGE, age_after
from bot.domain.privacy._common import Finding, FindingKind, finding, words
from bot.domain.privacy._cued_names import (
    _CHILD_WORDS,
    _PLURAL_CHILD_WORDS,
    ADULT_KIN,
    _sentence_start,
)
from bot.domain.privacy._mention import _Mention
from bot.domain.privacy._people_words import (
    _ADULT_KIN,
    _FAMILY_THINGS,
    _KIN,
    _PERSON_VERBS,
    _STATES,
    _TITLES,
    _sentence_around,
    _word,
)
from bot.domain.privacy._tokens import Token


def _subject_with_a_family(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "Autumn is going to stay with her dad": a month or season opening a sentence as its
    subject, in a sentence that speaks of a family with a pronoun."""
    if not _sentence_start(tokens, mention.first) or tokens[mention.last].possessive:
        return False
    if _word(tokens, mention.last + 1) not in ("is", "was", "has", "had", "will", "wants"):
        return False
    low, high = _sentence_around(tokens, mention.first)
    return _family_in_sentence(tokens, mention.first, low, high)


def _place_as_a_person(
    tokens: Sequence[Token], mention: _Mention, identified: Sequence[tuple[int, int]]
) -> bool:
    """A place's name used as a person's: "Chelsea's nan", "mum Georgia", "Chelsea, 14,", or
    "Georgia has a place at Parkside Pupil Referral Unit" (the subject of a sentence that gives
    a child's school, address or date of birth). Not "Kent's children", "Chelsea has a new
    stadium"."""
    last = mention.last
    if tokens[last].possessive:
        following = _word(tokens, last + 1)
        return following in _ADULT_KIN - _NEEDS_AN_OWNER or following in _CHILD_WORDS
    if _kin_before(tokens, mention.first) or _birth_after(tokens, last):
        return True
    if age_after(tokens, last) is not None:
        return True
    if not _sentence_start(tokens, mention.first) or _word(tokens, last + 1) not in _PERSON_VERBS:
        return False
    low, high = _sentence_around(tokens, mention.first)
    start, end = tokens[low].start, tokens[high].end
    return any(s < end and start < e for s, e in identified)


_NEEDS_AN_OWNER = words("partner parent carer ex kinship sgo")
_SAID_OF_A_PERSON = _PERSON_VERBS | _STATES


_OWNERS = words("her his their")


def _family_in_sentence(tokens: Sequence[Token], index: int, low: int, high: int) -> bool:
    """ "her teacher", "his younger brothers", "their birth mum": a child's family or school,
    spoken of with a pronoun in the same sentence as the name (tokens ``low`` to ``high``).
    A pronoun after another person in the sentence is theirs: "Maxine spent hours with the young
    person and her mum" says nothing of Maxine."""
    for at in range(low, high + 1):
        if tokens[at].lower in _REFERENTS and at != index:
            return False
        if at == index or tokens[at].lower not in _OWNERS:
            continue
        following = (_word(tokens, at + 1), _word(tokens, at + 2))
        if any(word in _FAMILY_THINGS and word not in _NOT_FAMILY_CONTEXT for word in following):
            return True
    return False


_REFERENTS = (
    _CHILD_WORDS
    | _PLURAL_CHILD_WORDS
    | words("person people family families parents carers client clients")
)
# Things a colleague has too: "her plan for the week", "her needs as a student".
_NOT_FAMILY_CONTEXT = words("plan needs wishes feelings words voice home room life")


def _met_in_person(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "Spoke with Summer about", "saw May today": a month or season met like a person (not
    "with Summer holidays", "saw May 2025's figures")."""
    after = tokens[mention.last + 1] if mention.last + 1 < len(tokens) else None
    if tokens[mention.last].possessive or (after is not None and after.lower in _SEASONAL):
        return False
    if after is None or not after.text[:1].islower():
        return False  # "compared with May, June was busier", "with May 2025 in mind"
    return _word(tokens, mention.first - 1) in _MEETING_A_PERSON


_MEETING_A_PERSON = words("with saw visited met told asked seeing meeting")
_SEASONAL = words(
    "holidays holiday term half half-term camp school fair break bank festival club clubs"
    " programme activities scheme reading"
)


def _told(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "sienna told me", "nathan said": a lower-case name as the subject of a speech verb."""
    return _word(tokens, mention.first - 1) in (",", "and", "") and _word(
        tokens, mention.last + 1
    ) in ("told", "said", "says", "asked", "wants", "wanted")


def _regarding(tokens: Sequence[Token], first: int) -> bool:
    """ "re: tyler", "re tia": a note's subject line names someone."""
    before = _word(tokens, first - 1)
    return before == "re" or (before == ":" and _word(tokens, first - 2) == "re")


def _family_cue(tokens: Sequence[Token], mention: _Mention) -> bool:
    last = tokens[mention.last]
    following = _word(tokens, mention.last + 1)
    if last.possessive and following in _FAMILY_THINGS:
        return True
    if last.possessive and following in _KIN_ADJECTIVES:  # "April's foster carer"
        return _word(tokens, mention.last + 2) in _KIN
    if _adult_kin_after(tokens, mention.last):
        return True
    if _kin_before(tokens, mention.first) or _birth_after(tokens, mention.last):
        return True
    # "in June, 4 audits": a month with a number is a date
    return mention.tier != "calendar" and age_after(tokens, mention.last) is not None


def _birth_after(tokens: Sequence[Token], last: int) -> bool:
    """ "Dexter (b. 5.5.18)", "Lily Smith (DOB 07/05/2008)", "Tia, born 2016"."""
    if _word(tokens, last + 1) in ("dob", "born"):
        return True  # "Penny DOB 5th August 2015"
    if _word(tokens, last + 1) not in ("(", ",", "-", "–"):
        return False
    return _word(tokens, last + 2) in ("b", "dob", "d", "born", "date")


def _kin_before(tokens: Sequence[Token], first: int) -> bool:
    """ "mum Kelly", "her son, Noah", "Dad (Lee)", "the lad Tyler", "Stepson Liam"."""
    index = first - 1
    for _ in range(2):
        word = _word(tokens, index)
        if word in _KIN and not tokens[index].possessive:
            return not tokens[first].line_start
        if word not in (",", "(", ":", "-", "–", "named", "called", "is", "was"):
            return False
        index -= 1
    return False


_KIN_ADJECTIVES = words(
    "foster birth adoptive step maternal paternal little big baby older younger elder new"
)


def _adult_kin_after(tokens: Sequence[Token], last: int) -> bool:
    """ "Dawn (maternal grandmother)", "Lee, mum's partner,", "Kelly - birth mum -": a name
    given its place in the family in brackets or between commas."""
    if tokens[last].possessive or _word(tokens, last + 1) not in ("(", ",", "-", "–"):
        return False
    index = last + 2
    if _word(tokens, index) in ("her", "his", "their", "the"):
        index += 1
    while _word(tokens, index) in _KIN_ADJECTIVES and index < last + 5:
        index += 1
    word = _word(tokens, index)
    if word not in ADULT_KIN or word in _NEEDS_AN_OWNER or tokens[index].possessive:
        return False
    return _word(tokens, index + 1) in (")", ",", "-", "–", ".", "")


def _adult_kin_before(tokens: Sequence[Token], first: int) -> bool:
    index = first - 1
    for _ in range(2):
        word = _word(tokens, index)
        if word in _ADULT_KIN or word in _TITLES:
            return True
        if word not in (",", "(", ":", "-", "–", "named", "called"):
            return False
        index -= 1
    return False


# "since she was 14", "when he turned 3", "from the age of 12": a child's age with no name beside.
_AGE_WORDS = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("zero", "one")), key=len)[::-1])
_PRONOUN_AGE = re.compile(
    r"\b(?:since|when|until|till|before|after|because)[ ]{1,3}(?:she|he|they)[ ]{1,3}"
    r"(?:was|were|turned|is|had[ ]{1,3}turned)[ ]{1,3}(?:only[ ]{1,3}|just[ ]{1,3}|aged[ ]{1,3})?"
    rf"(\d{{1,2}}|{_AGE_WORDS})\b"
    r"(?![:.]\d|[ ]?(?:%|am\b|pm\b|o'clock|minutes|mins|hours|weeks\b|days\b))"
    r"|\b(?:since|from|at|by)[ ]{1,3}the[ ]{1,3}age[ ]{1,3}of[ ]{1,3}"
    rf"(\d{{1,2}}|{_AGE_WORDS})\b"
    # "He turns 18 in March", "she turned twelve last week"
    r"|\b(?:she|he|they)[ ]{1,3}(?:turns|turned|will[ ]{1,3}turn)[ ]{1,3}"
    rf"(\d{{1,2}}|{_AGE_WORDS})\b(?![:.]\d|[ ]?%)",
    re.IGNORECASE,
)


def pronoun_ages(text: str) -> Iterator[Finding]:
    for match in _PRONOUN_AGE.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        said = match.group(group).lower()
        if NUMBER_WORDS.get(said, int(said) if said.isdigit() else 99) <= OLDEST_CHILD_AGE:
            yield finding(FindingKind.AGE, text, match.start(group), match.end(group))
