"""A privacy screen for free text: warn before a child's identity goes into chat or the library.

Children are referred to only by their case-record number. Nominations, comments and other free
text are screened for what looks like a child's identity:

- a child's name: a capitalised name next to a word for a child ("her son Jayden Smith",
  "YP Tyler", "siblings Kai, Mia and Leo", "Jayden's sister") or next to an age ("Tyler Jones (8)",
  "Amelia, aged 7", "Emily, the youngest child,");
- a date of birth: a date near "DOB", "date of birth", "born" or "birthday" (a date on its own is
  normal in a nomination: meetings have dates);
- an NHS number: ten digits with a valid Modulus 11 check digit, or any ten digits near "NHS";
- a full UK postcode, a street address ("14 Acacia Avenue") and a UK phone number.

Staff names ("Sarah (social worker) visited"), team names, month names and the capital letter at
the start of a sentence are not flagged. The screen is a warning for the person, not a proof: it
errs towards few false alarms, so people keep reading them.

Texts can be long (300 KB), so the screen runs in linear time. Every regular expression uses only
bounded repetition with no repetition nested inside another, so none can backtrack
catastrophically; names are found by one pass over a token list with bounded look-around.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from bot.domain.framework import CaseReferenceRule

REMOVED = "[removed]"


class FindingKind(StrEnum):
    CHILD_NAME = "child_name"
    DATE_OF_BIRTH = "date_of_birth"
    NHS_NUMBER = "nhs_number"
    POSTCODE = "postcode"
    ADDRESS = "address"
    PHONE_NUMBER = "phone_number"
    CASE_REFERENCE = "case_reference"


MESSAGES: dict[FindingKind, str] = {
    FindingKind.CHILD_NAME: "This looks like a child's name",
    FindingKind.DATE_OF_BIRTH: "This looks like a date of birth",
    FindingKind.NHS_NUMBER: "This looks like an NHS number",
    FindingKind.POSTCODE: "This looks like a postcode",
    FindingKind.ADDRESS: "This looks like a home address",
    FindingKind.PHONE_NUMBER: "This looks like a phone number",
    FindingKind.CASE_REFERENCE: "This looks like a case record number",
}


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    excerpt: str
    start: int
    end: int
    message: str


def _finding(kind: FindingKind, text: str, start: int, end: int) -> Finding:
    return Finding(kind, text[start:end], start, end, MESSAGES[kind])


def screen(text: str) -> list[Finding]:
    """Everything in ``text`` that looks like a child's identity, in order, not overlapping."""
    findings = [
        *_child_names(text),
        *_dates_of_birth(text),
        *_nhs_numbers(text),
        *_postcodes(text),
        *_addresses(text),
        *_phone_numbers(text),
    ]
    return _without_overlaps(findings)


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with every finding replaced by "[removed]" (overlapping findings merge).

    Raises ValueError if a finding was not made on this text.
    """
    pieces: list[str] = []
    position = 0
    for start, end in _merged_spans(text, findings):
        pieces += [text[position:start], REMOVED]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _merged_spans(text: str, findings: Iterable[Finding]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        if text[finding.start : finding.end] != finding.excerpt or finding.start < 0:
            raise ValueError(f"{finding.excerpt!r} is not at {finding.start} in this text")
        if merged and finding.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finding.end))
        else:
            merged.append((finding.start, finding.end))
    return merged


def _without_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Sort by position; of two overlapping findings keep the earlier (the longer on a tie)."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
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
        yield _finding(FindingKind.CASE_REFERENCE, text, start, start + len(stripped))
        return
    for piece in _ALNUM.finditer(raw):
        if piece.group() != raw and _is_case_reference(piece.group(), pattern):
            start = chunk.start() + piece.start()
            yield _finding(FindingKind.CASE_REFERENCE, text, start, start + len(piece.group()))


def _is_case_reference(token: str, pattern: re.Pattern[str]) -> bool:
    return len(token) <= _CASE_TOKEN_MAX and pattern.fullmatch(token) is not None


def contains_case_reference(text: str, rule: CaseReferenceRule) -> list[str]:
    """The case references in ``text``, each once, in order of first appearance."""
    found = (f.excerpt for f in find_case_references(text, rule))
    return list(dict.fromkeys(found))


# Dates of birth

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    r"\b(?:"
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"  # 12/03/2015, 12.03.15
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 2015-03-12
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ ]{{1,3}}(?:of[ ]{{1,3}})?{_MONTH}(?:,?[ ]{{1,3}}\d{{4}})?"
    rf"|{_MONTH}[ ]{{1,3}}(?:\d{{1,2}}(?:st|nd|rd|th)?,?[ ]{{1,3}})?\d{{4}}"  # March 3, 2016
    r")\b",
    re.IGNORECASE,
)
_BIRTH_WORD = re.compile(
    r"\b(?:d\.?o\.?b\b\.?|date[ ]{1,3}of[ ]{1,3}birth|birth[ ]?date|born|birthday)",
    re.IGNORECASE,
)
_BIRTH_WORD_BEFORE = 40  # "born at home on 3 March 2016": the date follows within this
_BIRTH_WORD_AFTER = 15  # "12/03/2015 (DOB)"
_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)|\n")


def _dates_of_birth(text: str) -> Iterator[Finding]:
    cues = _Cues(_BIRTH_WORD.finditer(text))
    for date in _DATE.finditer(text):
        start, end = date.span()
        before = cues.ending_within(start - _BIRTH_WORD_BEFORE, start)
        after = cues.starting_within(end, end + _BIRTH_WORD_AFTER)
        if any(_same_sentence(text, cue_end, start) for cue_end in before) or any(
            _same_sentence(text, end, cue_start) for cue_start in after
        ):
            yield _finding(FindingKind.DATE_OF_BIRTH, text, start, end)


class _Cues:
    """Positions of cue words ("DOB", "NHS"), to ask which lie within a few characters."""

    def __init__(self, matches: Iterable[re.Match[str]]) -> None:
        spans = [match.span() for match in matches]  # in order and not overlapping
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]

    def ending_within(self, low: int, high: int) -> list[int]:
        return _between(self._ends, low, high)

    def starting_within(self, low: int, high: int) -> list[int]:
        return _between(self._starts, low, high)


def _between(positions: list[int], low: int, high: int) -> list[int]:
    return positions[bisect_left(positions, low) : bisect_right(positions, high)]


def _same_sentence(text: str, start: int, end: int) -> bool:
    return _SENTENCE_BREAK.search(text, start, end) is None


# NHS numbers

_TEN_DIGITS = re.compile(r"(?<![\w/.\-])(\d{3})([ \-]?)(\d{3})\2(\d{4})(?![\w/]|[.\-]\d)")
_NHS_WORD = re.compile(r"\bNHS\b", re.IGNORECASE)
_NHS_WORD_BEFORE = 30


def nhs_check_digit_ok(digits: str) -> bool:
    """Whether a 10-digit NHS number's last digit is its Modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _nhs_numbers(text: str) -> Iterator[Finding]:
    cues = _Cues(_NHS_WORD.finditer(text))
    for number in _TEN_DIGITS.finditer(text):
        start, end = number.span()
        digits = number.group(1) + number.group(3) + number.group(4)
        near_nhs = any(
            _same_sentence(text, cue_end, start)
            for cue_end in cues.ending_within(start - _NHS_WORD_BEFORE, start)
        )
        if near_nhs or nhs_check_digit_ok(digits):
            yield _finding(FindingKind.NHS_NUMBER, text, start, end)


# Postcodes, addresses and phone numbers

# The GOV.UK bulk-data postcode pattern, with an optional space and any case. An inward code that
# reads as a lower-case ordinal ("S47 2nd" for a second section 47 enquiry) is not a postcode.
_POSTCODE = re.compile(
    r"\b(?:GIR[ ]?0AA|"
    r"[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW])"
    r"[ ]?(?-i:(?!1st|2nd|3rd|[0-9]th))[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_STREET_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl"
    "|Gardens|Gdns|Terrace|Tce|Grove|Hill|Rise|View|Walk|Mews|Square|Sq|Parade|Row|Green|Park"
    "|Vale|Mead|Meadows|Fields|Drove|Boulevard|Crest|Wharf|Yard|Croft"
)
_ADDRESS = re.compile(
    r"(?<![\w£$.,/])\d{1,4}[A-Za-z]?,?[ ]{1,3}"
    r"((?:[A-Z][a-z'’\-]{1,30}[ ]{1,3}){1,3})"
    rf"({_STREET_TYPES})\b"
)
# "3 Family Court hearings" is not an address.
_COURTS = frozenset(
    {"family", "crown", "county", "magistrates", "magistrates'", "high", "youth", "appeal"}
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44[ ]?(?:\(0\)[ ]?)?|\(?0)"
    r"(?:7\d{3}\)?[ \-]?\d{3}[ \-]?\d{3}"  # 07700 900123
    r"|2\d\)?[ \-]?\d{4}[ \-]?\d{4}"  # 020 7946 0123
    r"|1\d{2}\)?[ \-]?\d{3}[ \-]?\d{4}"  # 0117 496 0123
    r"|1\d{3}\)?[ \-]?\d{3}[ \-]?\d{2,3}"  # 01632 960123
    r"|3\d{2}\)?[ \-]?\d{3}[ \-]?\d{4})"  # 0300 123 4567
    r"(?![\d\-])"
)


def _postcodes(text: str) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        yield _finding(FindingKind.POSTCODE, text, match.start(), match.end())


def _addresses(text: str) -> Iterator[Finding]:
    for match in _ADDRESS.finditer(text):
        last_word, street_type = match.group(1).split()[-1], match.group(2)
        if street_type == "Court" and last_word.lower() in _COURTS:
            continue
        yield _finding(FindingKind.ADDRESS, text, match.start(), match.end())


def _phone_numbers(text: str) -> Iterator[Finding]:
    for match in _PHONE.finditer(text):
        yield _finding(FindingKind.PHONE_NUMBER, text, match.start(), match.end())


# Children's names

_TOKEN = re.compile(r"[^\W\d_]{1,64}(?:['’\-][^\W\d_]{1,64}){0,4}|\d{1,9}|\S")


class _Token(NamedTuple):
    text: str
    start: int
    end: int
    lower: str
    possessive: bool
    line_start: bool  # a line break (or the start of the text) comes before it


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        word = match.group()
        possessive = len(word) > 2 and word[-2] in "'’" and word[-1] in "sS"
        base = word[:-2] if possessive else word
        line_start = not tokens or "\n" in text[previous_end : match.start()]
        tokens.append(
            _Token(
                base, match.start(), match.start() + len(base), base.lower(), possessive, line_start
            )
        )
        previous_end = match.end()
    return tokens


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CHILD_WORDS = _words(
    "child kid son daughter baby infant newborn toddler teenager teen youngster boy girl"
    " sibling brother sister half-brother half-sister stepbrother stepsister step-brother"
    " step-sister stepson stepdaughter step-son step-daughter grandson granddaughter grandchild"
    " niece nephew twin yp cyp"
)
_PLURAL_CHILD_WORDS = _words(
    "children kids sons daughters babies infants toddlers teenagers teens youngsters boys girls"
    " siblings brothers sisters stepbrothers stepsisters grandsons granddaughters grandchildren"
    " nieces nephews twins"
)
_TWO_WORD_CHILD = {("young", "person"): False, ("young", "people"): True, ("little", "one"): False}
_DETERMINERS = _words("a an the her his their our my your its this that")
_CHILD_ADJECTIVES = _words(
    "eldest oldest youngest younger older little baby new newborn middle teenage unborn twin"
    " adopted foster only"
)
_CONNECTORS = _words(", : ( - – — named called")
_AGE_WORDS = _words("aged age")
_AGE_UNITS = _words("year years yr yrs y month months mth mths mo week weeks wk wks day days")
_AGE_UNITS_OLD = _words("year-old years-old month-old months-old week-old weeks-old day-old")
_OLDEST_CHILD_AGE = 25  # care leavers are supported to 25
_SENTENCE_ENDS = _words(". ! ? • · … *")
_BULLETS = _words("- – — * •")
_OPENERS = _words("\" “ ‘ ' ( [")
_LIST_JOINERS = ((",",), ("and",), ("&",), (",", "and"))
_APPOSITION_OPENERS = _words(", - – — :")
_APPOSITION_CLOSERS = _words(", ) - – — . ; :")
# "Jayden's sister" names a child; "Somerset's children" does not.
_FAMILY_PLURALS = _words("siblings brothers sisters twins")
_MAX_NAME_WORDS = 3

# Capitalised words that are not names: sentence openers, calendar words, roles, services,
# practice vocabulary. A name that is also one of these ("May", "Will") is missed; that is the
# price of not flagging every capital letter.
_NOT_NAMES = _words(
    # function words and common sentence openers
    "a an the this that these those he she they we i you it his her hers their theirs our ours"
    " my your its him them us me and but or so because as when while whilst after before during"
    " since if although though then there here where what which who whom whose how why all both"
    " each every some any no not none one two three four five six seven eight nine ten also"
    " however overall following today yesterday tomorrow tonight recently previously now later"
    " initially finally firstly secondly thirdly lastly additionally furthermore moreover"
    " throughout through with without within from for to in on at by of about over under into"
    " onto upon despite given having being been was were is are be do did does has had have"
    " very really please thank thanks dear hi hello many most more much several other another"
    " such only just even still again once twice yes ok okay sadly fortunately unfortunately"
    " thankfully hopefully importantly notably clearly crucially ultimately interestingly"
    " subsequently consequently eventually meanwhile therefore thus hence similarly specifically"
    " particularly especially usually originally currently together alongside between among"
    " across around until unless whether either neither nor everyone everybody someone somebody"
    " nobody anyone anybody society well done great excellent brilliant fantastic amazing"
    " outstanding lovely wonderful congratulations kind regards best wishes note notes see"
    " update summary background key themes strengths impact evidence outcome outcomes"
    # titles
    " mr mrs ms miss mx dr prof sir madam cllr"
    # calendar
    " january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday"
    " saturday sunday mon tue tues wed thu thur thurs fri sat sun christmas easter eid diwali"
    " hanukkah ramadan halloween bank holiday holidays half term week weekend month quarter"
    " year q1 q2 q3 q4 spring summer autumn winter"
    # family adults
    " mum mummy mom mother dad daddy father parent parents carer carers nan nana nanny gran"
    " granny grandma grandmother grandad granddad grandpa grandfather grandparent grandparents"
    " aunt auntie aunty uncle cousin stepmum stepdad stepmother stepfather guardian foster"
    " kinship"
    # children's words, capitalised in headings or service names
    " child children son daughter baby boy girl sibling siblings brother sister young person"
    " people yp cyp kids teenager teenagers"
    # services, roles and practice vocabulary
    " good practice library team teams council service services social worker workers care"
    " safeguarding partnership protection plan plans conference conferences review reviews"
    " panel court family families group meeting meetings early help looked leaving leaver"
    " leavers adoption fostering residential school schools nursery college academy police"
    " health hospital visitor midwife cafcass iro csw qa consultant manager managers head"
    " director assistant lead senior practitioner practitioners officer independent reviewing"
    " chair nomination nominations award awards recognition quality assurance audit audits"
    " assessment assessments supervision signs safety relationship based direct work voice"
    " recording planning support nspcc childline mash front door edge duty intake referral"
    " referrals need needs cin cp lac cla cic mosaic lcs ehm liquidlogic slack section strategy"
    " discussion core ehcp send sen camhs yot youth justice education psychology psychologist"
    " therapist therapy contact visit visits home placement pathway life story letter letters"
    " statement report reports chronology genogram ecomap advocacy advocate closing loop"
    " appreciative inquiry conversation conversations briefing briefings minute barnardo"
    " newsletter unit hub ward office department local authority north south east"
    " west central city county district borough initial child-in-need"
)


def _is_name_word(token: _Token) -> bool:
    text = token.text
    if len(text) < 2 or not text[0].isupper() or token.lower in _NOT_NAMES:
        return False
    parts = re.split(r"['’\-]", text)
    return all(part[:1].isupper() for part in parts) and any(c.islower() for c in text)


@dataclass(frozen=True)
class _Span:
    first: int  # index of the first token
    last: int  # index of the last token


def _name_spans(tokens: Sequence[_Token]) -> Iterator[_Span]:
    """Runs of one to three capitalised name words on one line."""
    index = 0
    while index < len(tokens):
        if not _is_name_word(tokens[index]):
            index += 1
            continue
        last = index
        while (
            not tokens[last].possessive
            and last + 1 < len(tokens)
            and not tokens[last + 1].line_start
            and _is_name_word(tokens[last + 1])
        ):
            last += 1
        if last - index < _MAX_NAME_WORDS:
            yield _Span(index, last)
        index = last + 1


def _child_names(text: str) -> Iterator[Finding]:
    tokens = _tokens(text)
    previous: _Span | None = None
    list_open = False  # the previous name followed a plural ("siblings Kai, Mia and Leo")
    for span in _name_spans(tokens):
        if _after_team_word(tokens, span):
            previous, list_open = span, False
            continue
        before = _child_word_before(tokens, span.first)
        continues_list = list_open and previous is not None and _joined(tokens, previous, span)
        flagged = before is not None or continues_list or _cue_after(tokens, span)
        if flagged:
            start, end = tokens[span.first].start, tokens[span.last].end
            yield _finding(FindingKind.CHILD_NAME, text, start, end)
        list_open = (before is True) or (continues_list and flagged)
        previous = span


def _after_team_word(tokens: Sequence[_Token], span: _Span) -> bool:
    return span.first > 0 and tokens[span.first - 1].lower == "team"


def _joined(tokens: Sequence[_Token], previous: _Span, span: _Span) -> bool:
    between = tuple(t.lower for t in tokens[previous.last + 1 : span.first])
    return between in _LIST_JOINERS


@dataclass(frozen=True)
class _ChildWord:
    end: int  # index after the child word
    plural: bool
    possessive: bool


def _child_word_at(tokens: Sequence[_Token], index: int) -> _ChildWord | None:
    if index >= len(tokens):
        return None
    token = tokens[index]
    if token.lower in _CHILD_WORDS or token.lower in _PLURAL_CHILD_WORDS:
        return _ChildWord(index + 1, token.lower in _PLURAL_CHILD_WORDS, token.possessive)
    if index + 1 < len(tokens) and not token.possessive:
        plural = _TWO_WORD_CHILD.get((token.lower, tokens[index + 1].lower))
        if plural is not None:
            return _ChildWord(index + 2, plural, tokens[index + 1].possessive)
    return None


def _child_word_before(tokens: Sequence[_Token], first: int) -> bool | None:
    """Whether a child word comes just before the name: None if not, else whether it is plural.

    Up to two connectors may come between: "son Jayden", "the child, Jayden", "a boy named
    Jayden", "the child (Jayden)". "The child's social worker Sarah" is not a child's name.
    """
    end = first  # the child word would end just before this token
    for skipped in range(3):
        if tokens[end].line_start:
            return None
        for length in (1, 2):
            word = _child_word_at(tokens, end - length) if end >= length else None
            if word is not None and word.end == end and not word.possessive:
                return word.plural
        if skipped == 2 or tokens[end - 1].lower not in _CONNECTORS:
            return None
        end -= 1
    return None


def _cue_after(tokens: Sequence[_Token], span: _Span) -> bool:
    """Whether an age or a child word follows the name closely enough to make it a child's."""
    after = span.last + 1
    if tokens[span.last].possessive:  # "Jayden's sister"
        word = _child_word_at(tokens, after)
        return word is not None and (not word.plural or _word(tokens, after) in _FAMILY_PLURALS)
    if after >= len(tokens) or tokens[after].line_start:
        return False
    initial_single = span.first == span.last and _sentence_start(tokens, span.first)
    follower = tokens[after].lower
    if follower == "(":  # "Tyler Jones (8)", "Jayden (son)"
        return _paren_cue(tokens, after + 1, initial_single)
    if follower in _APPOSITION_OPENERS:  # "Amelia, aged 7", "Emily, the youngest child,"
        return _appositive_cue(tokens, after + 1, initial_single)
    if follower in ("is", "was"):  # "Tyler is 8 years old"
        return _age_phrase(tokens, after + 1) is not None
    return _age_phrase(tokens, after) is not None  # "Amelia aged 7"


def _word(tokens: Sequence[_Token], index: int) -> str:
    return tokens[index].lower if index < len(tokens) else ""


def _sentence_start(tokens: Sequence[_Token], index: int) -> bool:
    """Whether the token opens a sentence, a line or a bullet point (after any opening quote)."""
    while index > 0 and not tokens[index].line_start and tokens[index - 1].text in _OPENERS:
        index -= 1
    if tokens[index].line_start:
        return True
    previous = tokens[index - 1]
    return previous.text in _SENTENCE_ENDS or (previous.text in _BULLETS and previous.line_start)


def _paren_cue(tokens: Sequence[_Token], index: int, initial_single: bool) -> bool:
    phrase = _child_phrase(tokens, index)
    if phrase is not None and _word(tokens, phrase.end) in (")", ","):
        return True
    age = _paren_age(tokens, index)
    if age is None:
        return False
    close, explicit = age
    if explicit or not initial_single:
        return True
    # A lone capitalised word with a bare number, "Themes (3):", is often a heading; as the
    # subject of a sentence, "Jayden (8) was seen", it is a name.
    return _sentence_continues(tokens, close + 1)


def _paren_age(tokens: Sequence[_Token], index: int) -> tuple[int, bool] | None:
    """ "(8)", "(aged 8)", "(8 years)", "(8 yrs old)": the index of ")" and whether the age is
    explicit (more than a bare number)."""
    explicit = _word(tokens, index) in _AGE_WORDS
    if explicit:
        index += 1
    if not _is_age(tokens, index):
        return None
    index += 1
    if _word(tokens, index) in _AGE_UNITS or _word(tokens, index) in _AGE_UNITS_OLD:
        explicit = True
        index += 1
    if _word(tokens, index) == "old":
        index += 1
    return (index, explicit) if _word(tokens, index) == ")" else None


def _sentence_continues(tokens: Sequence[_Token], index: int) -> bool:
    if index >= len(tokens) or tokens[index].line_start:
        return False
    return tokens[index].text == "," or tokens[index].text[:1].islower()


@dataclass(frozen=True)
class _Phrase:
    end: int  # index after the phrase
    by_age: bool


def _child_phrase(tokens: Sequence[_Token], index: int) -> _Phrase | None:
    """ "her son", "the youngest child", "YP", "a 7-year-old", "aged 7" from ``index``."""
    if _word(tokens, index) in _DETERMINERS:
        index += 1
    for _ in range(3):
        word = _child_word_at(tokens, index)
        if word is not None:
            return None if word.possessive else _Phrase(word.end, by_age=False)
        age_end = _age_phrase(tokens, index)
        if age_end is not None:
            return _Phrase(age_end, by_age=True)
        if _word(tokens, index) not in _CHILD_ADJECTIVES:
            return None
        index += 1
    return None


def _appositive_cue(tokens: Sequence[_Token], index: int, initial_single: bool) -> bool:
    phrase = _child_phrase(tokens, index)
    if phrase is None:
        return False
    if phrase.by_age or not initial_single:
        return True
    # "Remarkably, the child attended" is a sentence opener; "Emily, the youngest child, said"
    # is a name in apposition, closed by a comma.
    return _word(tokens, phrase.end) in _APPOSITION_CLOSERS


def _is_age(tokens: Sequence[_Token], index: int) -> bool:
    word = _word(tokens, index)
    return word.isdigit() and len(word) <= 2 and int(word) <= _OLDEST_CHILD_AGE


def _age_phrase(tokens: Sequence[_Token], index: int) -> int | None:
    """An age said outright: "aged 7", "7-year-old", "7 years old", "7yo". The index after."""
    if _word(tokens, index) in _AGE_WORDS and _is_age(tokens, index + 1):
        index += 2
        return index + 1 if _word(tokens, index) in _AGE_UNITS else index
    if not _is_age(tokens, index):
        return None
    index += 1
    if _word(tokens, index) == "yo":
        return index + 1
    if _word(tokens, index) == "-":
        index += 1
    if _word(tokens, index) in _AGE_UNITS_OLD:  # "7-year-old" is "7", "-", "year-old"
        return index + 1
    if _word(tokens, index) not in _AGE_UNITS:
        return None
    index += 1
    if _word(tokens, index) == "-":
        index += 1
    return index + 1 if _word(tokens, index) == "old" else None
