"""A privacy screen for free text: warn before a child's or their family's identity goes into chat.

Children are referred to only by their case-record number. Nominations, comments and other free
text are screened for anything that could identify a child or their family:

- names of children, parents, carers, siblings and grandparents: a first name the gazetteer knows
  (``_gazetteer``, from the gender-guesser package) unless the text shows it is a colleague's, and
  any capitalised name next to a word for a child, a kinship word or an age (``_people``,
  ``_cued_names``); an age given with a name ("Tyler, 8,");
- dates of birth (with a cue such as "DOB", "b." or "born", or a full date 2 to 25 years back),
  NHS numbers (Modulus 11 check digit, or near "NHS"), National Insurance numbers (HMRC's prefix
  and suffix rules, any spacing), postcodes, home addresses, phone numbers, family email
  addresses and a school named with a child (``_identifiers``).

Staff names with their roles, case-record numbers, teams, services, council places, organisations,
meeting dates and office numbers and addresses are left alone. Once something is flagged, every
other occurrence of it is flagged too, so removing the findings removes them all.

Texts can be long (300 KB), so the screen runs in linear time: every regular expression uses
bounded repetition only, and names are found in one pass over a token list with bounded
look-around.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from datetime import date

from bot.domain.framework import CaseReferenceRule
from bot.domain.privacy._common import MESSAGES, Finding, FindingKind, finding
from bot.domain.privacy._cued_names import cued_names
from bot.domain.privacy._family_cues import pronoun_ages
from bot.domain.privacy._gazetteer import gazetteer
from bot.domain.privacy._identifiers import (
    addresses,
    dates_of_birth,
    email_spans,
    family_emails,
    nhs_check_digit_ok,
    nhs_numbers,
    ni_number_ok,
    ni_numbers,
    phone_numbers,
    postcodes,
    schools,
)
from bot.domain.privacy._mention import NO_STAFF, staff_from
from bot.domain.privacy._people import beside_names, people
from bot.domain.privacy._tokens import tokenize

__all__ = [
    "MESSAGES",
    "REMOVED",
    "Finding",
    "FindingKind",
    "contains_case_reference",
    "find_case_references",
    "load_word_lists",
    "nhs_check_digit_ok",
    "ni_number_ok",
    "redact",
    "screen",
]

REMOVED = "[removed]"
_NAME_KINDS = frozenset({FindingKind.CHILD_NAME, FindingKind.FAMILY_NAME})
_ABOUT_A_FAMILY = frozenset(
    {
        FindingKind.DATE_OF_BIRTH,
        FindingKind.NHS_NUMBER,
        FindingKind.NI_NUMBER,
        FindingKind.POSTCODE,
        FindingKind.ADDRESS,
        FindingKind.SCHOOL,
        FindingKind.PHONE_NUMBER,
        FindingKind.EMAIL,
    }
)
# An age is a number: other occurrences of "8" are not the child's age.
_NOT_REPEATED = frozenset({FindingKind.AGE, FindingKind.CASE_REFERENCE})


def load_word_lists() -> None:
    """Read the names gazetteer now (it is otherwise read by the first screen)."""
    gazetteer()


def screen(
    text: str, *, today: date | None = None, staff_names: Collection[str] = ()
) -> list[Finding]:
    """Everything in ``text`` that may identify a child or their family, in order, not
    overlapping, including every repeat of anything flagged once.

    ``today`` judges whether a bare date is a child's birth date (the bot's clock; the
    machine's date if not given). ``staff_names`` are the directory's people ("Megan",
    "Megan Jones"): their first names are left alone when used as a colleague's (bare in a
    sentence about work, or with a colleague's surname), not with a family cue ("her son
    Megan", "Megan's mum"), in a list with a child, with another surname, or in a sentence
    about a child's family or giving a family's address, school or date of birth."""
    tokens = tokenize(text)
    names = staff_names if isinstance(staff_names, frozenset) else frozenset(staff_names)
    staff = staff_from(names) if names else NO_STAFF
    identifiers = [
        *dates_of_birth(text, today or date.today()),
        *nhs_numbers(text),
        *ni_numbers(text),
        *postcodes(text),
        *addresses(text),
        *phone_numbers(text),
        *family_emails(text),
        *schools(text),
    ]
    # A colleague's first name in a sentence that gives a family's identifier is a child's.
    identified = [(f.start, f.end) for f in identifiers if f.kind in _ABOUT_A_FAMILY]
    findings = [
        *cued_names(text, tokens),
        *people(text, tokens, staff, identified),
        *pronoun_ages(text),
        *identifiers,
    ]
    found_names = [f for f in findings if f.kind in _NAME_KINDS]
    findings += beside_names(text, tokens, found_names)
    emails = email_spans(text)
    findings = [f for f in findings if f.kind not in _NAME_KINDS or not _inside(f, emails)]
    kept = _without_overlaps(findings)
    return _without_overlaps([*kept, *_repeats(text, kept)])


def _inside(found: Finding, spans: list[tuple[int, int]]) -> bool:
    return any(start <= found.start and found.end <= end for start, end in spans)


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with every finding, and every other occurrence of what it found, replaced by
    "[removed]" (overlapping findings merge).

    Raises ValueError if a finding was not made on this text.
    """
    given = list(findings)
    _check_made_on(text, given)
    pieces: list[str] = []
    position = 0
    for start, end in _merged_spans([*given, *_repeats(text, given)]):
        pieces += [text[position:start], REMOVED]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _check_made_on(text: str, findings: Iterable[Finding]) -> None:
    for found in findings:
        if found.start < 0 or text[found.start : found.end] != found.excerpt:
            raise ValueError(f"{found.excerpt!r} is not at {found.start} in this text")


def _repeats(text: str, findings: Iterable[Finding]) -> Iterator[Finding]:
    """Every other occurrence of each finding's text, as a word: "Kayden" flagged once is
    flagged everywhere. A name that is also a word ("Hope") is matched with its capital only."""
    exact: dict[str, FindingKind] = {}
    any_case: dict[str, FindingKind] = {}
    also_words = gazetteer().also_words
    for found in findings:
        if found.kind in _NOT_REPEATED:
            continue
        if found.kind not in _NAME_KINDS:
            exact.setdefault(found.excerpt.strip(), found.kind)
            continue
        for piece in found.excerpt.split():
            if piece.lower() in also_words:
                exact.setdefault(piece, found.kind)
            else:
                any_case.setdefault(piece.lower(), found.kind)
    for pieces, flags in ((exact, 0), (any_case, re.IGNORECASE)):
        wanted = [piece for piece in pieces if piece]
        if not wanted:
            continue
        # Longest first, so "Jayden Smith" is matched before "Jayden".
        alternatives = "|".join(re.escape(p) for p in sorted(wanted, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags)
        for match in pattern.finditer(text):
            key = match.group() if flags == 0 else match.group().lower()
            yield finding(pieces[key], text, match.start(), match.end())


def _merged_spans(findings: Iterable[Finding]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for found in sorted(findings, key=lambda f: (f.start, f.end)):
        if merged and found.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], found.end))
        else:
            merged.append((found.start, found.end))
    return merged


def _without_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Sort by position; of two overlapping findings keep the earlier (the longer on a tie)."""
    kept: list[Finding] = []
    for found in sorted(findings, key=lambda f: (f.start, -f.end)):
        if not kept or found.start >= kept[-1].end:
            kept.append(found)
    return kept


# Case-record numbers

# A token longer than this is no case reference, and skipping it bounds the authority's pattern.
_CASE_TOKEN_MAX = 64
_CHUNK = re.compile(r"\S{1,256}")
_ALNUM = re.compile(r"[^\W_]{1,64}")
_EDGE_PUNCTUATION = "\"'“”‘’()[]{}<>.,;:!?"


def find_case_references(text: str, rule: CaseReferenceRule) -> list[Finding]:
    """Every token of ``text`` matching the authority's case reference pattern.

    A whitespace-separated chunk is tried whole (without surrounding punctuation, so "EH/12345"
    can match a pattern with a slash); if it does not match, its letter-and-digit pieces are
    tried ("ref:1234567" yields "1234567").
    """
    pattern = re.compile(rule.pattern)
    findings: list[Finding] = []
    for chunk in _CHUNK.finditer(text):
        findings.extend(_case_references_in_chunk(text, chunk, pattern))
    return findings


def _case_references_in_chunk(
    text: str, chunk: re.Match[str], pattern: re.Pattern[str]
) -> Iterator[Finding]:
    raw = chunk.group()
    stripped = raw.strip(_EDGE_PUNCTUATION)
    if stripped and _is_case_reference(stripped, pattern):
        start = chunk.start() + raw.index(stripped)
        yield finding(FindingKind.CASE_REFERENCE, text, start, start + len(stripped))
        return
    for piece in _ALNUM.finditer(raw):
        if piece.group() != raw and _is_case_reference(piece.group(), pattern):
            start = chunk.start() + piece.start()
            yield finding(FindingKind.CASE_REFERENCE, text, start, start + len(piece.group()))


def _is_case_reference(token: str, pattern: re.Pattern[str]) -> bool:
    # A record number has digits: a loose pattern (EHM's letters and digits) must not make
    # every ordinary word of free text look like one.
    return (
        len(token) <= _CASE_TOKEN_MAX
        and any(c.isdigit() for c in token)
        and pattern.fullmatch(token) is not None
    )


def contains_case_reference(text: str, rule: CaseReferenceRule) -> list[str]:
    """The case references in ``text``, each once, in order of first appearance."""
    found = (f.excerpt for f in find_case_references(text, rule))
    return list(dict.fromkeys(found))
