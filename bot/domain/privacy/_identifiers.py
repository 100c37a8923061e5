"""Identifiers with a shape: dates of birth, NHS and National Insurance numbers, postcodes, home
addresses, phone numbers, family email addresses and a child's school.

Every regular expression uses only bounded repetition with no repetition nested inside another,
so none can backtrack catastrophically on long texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from importlib import resources

from bot.domain.privacy._common import (
    Cues,
    Finding,
    FindingKind,
    cue_after,
    cue_before,
    finding,
    same_sentence,
)

# Dates of birth

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?:(?<![\w/.\-])|(?<=(?<!\w)[bB]\.))(?:"  # "b.07/07/2012" as well as "07/07/2012"
    r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})"  # 12/03/2015, 3.4.15
    r"|(?P<iy>\d{4})-\d{1,2}-\d{1,2}"  # 2015-03-12
    rf"|\d{{1,2}}{_ORDINAL}[ ]{{1,3}}(?:of[ ]{{1,3}})?{_MONTH}\.?"
    rf"(?:,?[ ]{{1,3}}(?P<ty>\d{{4}}|'?\d{{2}}))?"
    rf"|{_MONTH}[ ]{{1,3}}\d{{1,2}}{_ORDINAL}(?:,?[ ]{{1,3}}(?P<uy>\d{{4}}))?"  # March 3, 2016
    rf"|{_MONTH}[ ]{{1,3}}(?P<my>\d{{4}})"  # March 2016 (only with a cue)
    r")(?![\w/]|[.\-]\d)",
    re.IGNORECASE,
)
_BIRTH_WORD = re.compile(
    r"(?<!\w)(?:d\.?o\.?b\b\.?|date[ ]{1,3}of[ ]{1,3}birth|birth[ ]?date|born|birthday|b\."
    r"|turns[ ]{1,3}\d{1,2}[ ]{1,3}on|due[ ]{1,3}date|EDD)",
    re.IGNORECASE,
)
_BIRTH_WORD_BEFORE = 40  # "born at home on 3 March 2016": the date follows within this
_BIRTH_WORD_AFTER = 15  # "12/03/2015 (DOB)"
# A full date this many years back or more, with no cue, is more likely a birth than a meeting.
_YEARS_BACK_FOR_A_BIRTH = (3, 25)


def dates_of_birth(text: str, today: date) -> Iterator[Finding]:
    cues = Cues(_BIRTH_WORD.finditer(text))
    for match in _DATE.finditer(text):
        start, end = match.span()
        cued = cue_before(text, cues, start, _BIRTH_WORD_BEFORE) or cue_after(
            text, cues, end, _BIRTH_WORD_AFTER
        )
        if cued or _a_birth_year(match, today):
            yield finding(FindingKind.DATE_OF_BIRTH, text, start, end)


def _a_birth_year(match: re.Match[str], today: date) -> bool:
    """A full date (day, month and year) whose year is a child's birth year, not a meeting's."""
    raw = match.group("y") or match.group("iy") or match.group("ty") or match.group("uy")
    if raw is None:
        return False
    if match.group("d") is not None and not _plausible_day_month(match):
        return False
    year = _full_year(raw.lstrip("'"), today)
    low, high = _YEARS_BACK_FOR_A_BIRTH
    return today.year - high <= year <= today.year - low


def _plausible_day_month(match: re.Match[str]) -> bool:
    day, month = int(match.group("d")), int(match.group("m"))
    return 1 <= day <= 31 and 1 <= month <= 12


def _full_year(raw: str, today: date) -> int:
    if len(raw) == 4:
        return int(raw)
    year = 2000 + int(raw)
    return year if year <= today.year else year - 100


# NHS numbers: ten digits in any grouping, with a valid Modulus 11 check digit or near "NHS".

_TEN_DIGITS = re.compile(
    r"(?<![\w/.\-+])(?:\d{3}[ \-]?\d{3}[ \-]?\d{4}|\d{3}[ \-]?\d{4}[ \-]?\d{3}"
    r"|\d{4}[ \-]?\d{3}[ \-]?\d{3}|\d{5}[ \-]?\d{5})(?![\w/]|[.\-]\d|[ \-]\d)"
)
_NHS_WORD = re.compile(r"\bNHS\b", re.IGNORECASE)
_NHS_WORD_BEFORE = 30
# A number that is not an NHS number by its check digit may still be labelled as something else.
_OTHER_NUMBER_WORD = re.compile(
    r"\b(?:case|invoice|order|mosaic|lcs|ehm|record|account|payroll|employee)\b", re.IGNORECASE
)


def nhs_check_digit_ok(digits: str) -> bool:
    """Whether a 10-digit NHS number's last digit is its Modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_numbers(text: str) -> Iterator[Finding]:
    nhs_cues = Cues(_NHS_WORD.finditer(text))
    other_cues = Cues(_OTHER_NUMBER_WORD.finditer(text))
    for match in _TEN_DIGITS.finditer(text):
        start, end = match.span()
        digits = re.sub(r"\D", "", match.group())
        if cue_before(text, nhs_cues, start, _NHS_WORD_BEFORE):
            yield finding(FindingKind.NHS_NUMBER, text, start, end)
        elif (
            nhs_check_digit_ok(digits)
            and not digits.startswith("0")  # a phone number, or a Scottish CHI number
            and not cue_before(text, other_cues, start, 20)
        ):
            yield finding(FindingKind.NHS_NUMBER, text, start, end)


# National Insurance numbers: two prefix letters, six digits and a suffix A to D, in any spacing.

_NI_NUMBER = re.compile(
    r"(?<![\w])([A-Z])[ \-]?([A-Z])[ \-]?(\d{2})[ \-]?(\d{2})[ \-]?(\d{2})(?:[ \-]?([A-D]))?"
    r"(?![\w])",
    re.IGNORECASE,
)
_NI_WORD = re.compile(
    r"\b(?:NI|NINO|N\.I\.|national[ ]{1,3}insurance)(?:[ ]{1,3}(?:no|number|num))?\b",
    re.IGNORECASE,
)
_NI_FIRST_NOT = frozenset("DFIQUV")
_NI_SECOND_NOT = frozenset("DFIOQUV")
_NI_PREFIX_NOT = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def ni_number_ok(prefix: str, suffix: str | None) -> bool:
    """HMRC's rules for an issued National Insurance number (prefix letters and suffix)."""
    first, second = prefix.upper()[0], prefix.upper()[1]
    return (
        suffix is not None
        and first not in _NI_FIRST_NOT
        and second not in _NI_SECOND_NOT
        and prefix.upper() not in _NI_PREFIX_NOT
    )


def ni_numbers(text: str) -> Iterator[Finding]:
    cues = Cues(_NI_WORD.finditer(text))
    for match in _NI_NUMBER.finditer(text):
        start, end = match.span()
        prefix = match.group(1) + match.group(2)
        if ni_number_ok(prefix, match.group(6)) or cue_before(text, cues, start, 30):
            yield finding(FindingKind.NI_NUMBER, text, start, end)


# Phone numbers

_PHONE = re.compile(
    r"(?<![\w+])(?:\+44[ ]?(?:\(0\)[ ]?)?|\(?0)"
    r"(?P<kind>7\d{3}\)?[ \-]?\d{3}[ \-]?\d{3}"  # 07700 900123
    r"|2\d\)?[ \-]?\d{4}[ \-]?\d{4}"  # 020 7946 0123
    r"|1\d{2}\)?[ \-]?\d{3}[ \-]?\d{4}"  # 0117 496 0123
    r"|1\d{3}\)?[ \-]?\d{3}[ \-]?\d{2,3}"  # 01632 960123
    r"|3\d{2}\)?[ \-]?\d{3}[ \-]?\d{4})"  # 0300 123 4567
    r"(?![\d\-])"
)
# An office, a service or the worker's own work phone: not the family's.
_SERVICE_PHONE_WORD = re.compile(
    r"\b(?:office|offices|team|duty|hub|MASH|switchboard|reception|helpline|service|services"
    r"|desk|EDT|council|front[ ]door|direct[ ]dial|DD|extension|ext|my[ ]work|work[ ]mobile"
    r"|work[ ]phone|my[ ]mobile|my[ ]number|me[ ]on|call[ ]me|contact[ ]me|centre|line|base)\b",
    re.IGNORECASE,
)
_FAMILY_PHONE_WORD = re.compile(
    r"\b(?:mum|mum's|dad|dad's|mother|father|carer|carer's|nan|gran|grandma|grandad|family"
    r"|home|his|her|their|parent|parents|child|YP|landline)\b",
    re.IGNORECASE,
)


_WORK_PHONE_WORD = re.compile(r"\bwork[ ](?:mobile|phone|number)\b", re.IGNORECASE)


def phone_numbers(text: str) -> Iterator[Finding]:
    service = Cues(_SERVICE_PHONE_WORD.finditer(text))
    family = Cues(_FAMILY_PHONE_WORD.finditer(text))
    work = Cues(_WORK_PHONE_WORD.finditer(text))
    for match in _PHONE.finditer(text):
        start, end = match.span()
        if cue_before(text, work, start, 20):
            continue
        family_ends = [
            e for e in family.ending_within(start - 40, start) if same_sentence(text, e, start)
        ]
        service_ends = [
            e for e in service.ending_within(start - 40, start) if same_sentence(text, e, start)
        ]
        # "call the Family Safeguarding team on": the nearer cue says whose number it is
        for_family = bool(family_ends) and (not service_ends or family_ends[-1] > service_ends[-1])
        # 'Text from Paige: "can u ring me on 07700 900 621"': inside a quotation the "me"
        # is whoever is quoted, not the worker
        quoted = _inside_a_quotation(text, start)
        a_service = (
            (bool(service_ends) and not quoted)
            or cue_after(text, service, end, 40)  # "Ring 01823 355 803 for the duty team"
            or _NON_GEOGRAPHIC.match(match.group()) is not None
        )
        if a_service and not for_family:
            continue
        yield finding(FindingKind.PHONE_NUMBER, text, start, end)


_QUOTE_MARKS = re.compile(r'"|“|”')


def _inside_a_quotation(text: str, start: int) -> bool:
    """Whether an opening quotation mark on the same line is still open at ``start``."""
    line_start = text.rfind("\n", max(0, start - 200), start) + 1
    marks = _QUOTE_MARKS.findall(text, max(line_start, start - 200), start)
    return "“" in marks[-1:] or marks.count('"') % 2 == 1


# Numbers for organisations, not homes: 0300 (public bodies and charities), freephone, 084/087,
# 033.
_NON_GEOGRAPHIC = re.compile(r"\(?0(?:300|33\d|34\d|80[08]|84[345]|87[01])")


# Email addresses: a family's, not a council's, a school's or the NHS's.

_EMAIL = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9._%+\-]{1,64}@([A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,5})"
)
_ORGANISATION_DOMAIN = re.compile(
    r"(?:^|\.)(?:gov\.uk|nhs\.net|nhs\.uk|sch\.uk|police\.uk|ac\.uk|org\.uk|cjsm\.net|org)$",
    re.IGNORECASE,
)


def email_spans(text: str) -> list[tuple[int, int]]:
    """Every email address, a family's or not (the names in them are not names in the text)."""
    return [match.span() for match in _EMAIL.finditer(text)]


def family_emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        if not _ORGANISATION_DOMAIN.search(match.group(1)):
            yield finding(FindingKind.EMAIL, text, match.start(), match.end())


# Postcodes, home addresses and schools

# The GOV.UK bulk-data postcode pattern, with an optional space and any case. An inward code that
# reads as a lower-case ordinal ("S47 2nd" for a second section 47 enquiry) is not a postcode.
_POSTCODE = re.compile(
    r"\b(?:GIR[ ]?0AA|"
    r"[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW])"
    r"[ ]?(?-i:(?!1st|2nd|3rd|[0-9]th))[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# An office's, a centre's or a school's address, which the screen leaves alone.
_OFFICE_WORD = re.compile(
    r"\b(?:office|offices|hall|civic|council|base|hub|HQ|headquarters|reception|centre|center"
    r"|clinic|surgery|hospital|library|depot|P\.?O\.?[ ]?Box|conference|venue|training|event)\b",
    re.IGNORECASE,
)
_HOME_WORD = re.compile(
    r"\b(?:lives|living|live|home|address|staying|stays|resides|family|mum|dad|nan|gran|carer"
    r"|carers|placement)\b",
    re.IGNORECASE,
)
# "moved to 14 Acacia Avenue" is a home unless an office moved.
_MOVE_WORD = re.compile(r"\b(?:moved|moving|move|house|flat)\b", re.IGNORECASE)
_HOME_OR_MOVE_WORD = re.compile(
    rf"(?:{_HOME_WORD.pattern})|(?:{_MOVE_WORD.pattern})", re.IGNORECASE
)
# A named house is also a home when a child sleeps there or goes missing from it.
_HOUSE_CUE = re.compile(
    rf"(?:{_HOME_OR_MOVE_WORD.pattern})|\b(?:room|bedroom|bed|sleeps|slept|missing|runs[ ]away"
    r"|ran[ ]away|running[ ]away|run[ ]away|absconded|returned[ ]to|back[ ]to|letters"
    r"|grandmother|grandfather|grandma|grandad|grandparents|aunt|auntie|uncle|contact[ ]at)\b",
    re.IGNORECASE,
)
_STREET_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl"
    "|Gardens|Gdns|Terrace|Tce|Grove|Hill|Rise|View|Walk|Mews|Square|Sq|Parade|Row|Green|Park"
    "|Vale|Mead|Meadows|Fields|Drove|Boulevard|Crest|Wharf|Yard|Croft|Heights|Estate"
)
_STREET_WORD = r"[A-Za-z][a-z'’\-]{1,30}"
_NUMBERED_ADDRESS = re.compile(
    r"(?<![\w£$.,/:])\d{1,4}[A-Za-z]?,?[ ]{1,3}"
    rf"((?:{_STREET_WORD}[ ]{{1,3}}){{1,3}})"
    rf"((?i:{_STREET_TYPES}))\b"
)
# "105 Kingsway", "3 Parkside": a number and one word that is a street's name on its own.
_ONE_WORD_STREET = re.compile(
    r"(?<![\w£$.,/:])\d{1,4}[A-Za-z]?[ ]{1,3}"
    r"[A-Z][a-z]{2,20}(?:way|gate|side|field|fields|croft|mead|rise|row|mews|parade|dale|brook)"
    r"\b(?![ ]{1,3}[A-Z])"
)
# "7 the Crescent", "12 The Green": a number and "the" with a street's name.
_NUMBER_AND_THE_STREET = re.compile(
    r"(?<![\w£$.,/:])\d{1,4}[A-Za-z]?,?[ ]{1,3}[Tt]he[ ]{1,3}"
    r"(?:Crescent|Green|Grove|Avenue|Drive|Close|Parade|Square|Mews|Walk|Rise|Paddocks|Orchard"
    r"|Maltings|Coppice|Spinney|Meadows|Fairway|Glade|Dell|Nook|Croft|Hollow|Pastures|Laurels"
    r"|Limes|Willows|Beeches|Oaks|Poplars|Elms|Cedars|Firs)\b"
)
_FLAT = re.compile(
    r"\b(?:Flat|Apartment|Apt|Unit)[ ]{1,3}\d{1,4}[A-Za-z]?\b"
    rf"(?:,?[ ]{{1,3}}(?:[A-Z][a-z'’\-]{{1,30}}[ ]{{1,3}}){{1,3}}(?:{_STREET_TYPES}|House|Court"
    r"|Tower|Heights|Lodge|Mansions|Buildings))?",
    re.IGNORECASE,
)
_HOUSE_TYPES = (
    "Cottage|Cottages|Farm|Farmhouse|Lodge|Barn|Villa|Manor|Bungalow|House|Forge|Mill|Rectory"
    "|Vicarage|Grange|Granary|Stables|Oast|Smithy|Chapel|Schoolhouse|Toll[ ]House"
)
_NAMED_HOUSE = re.compile(
    rf"\b(?:The[ ]Old[ ](?:{_HOUSE_TYPES}|[A-Z][a-z'’\-]{{1,30}})|The[ ](?:{_HOUSE_TYPES})"
    rf"|(?:[A-Z][a-z'’\-]{{1,30}}[ ]{{1,3}}){{1,2}}(?:{_HOUSE_TYPES}))\b"
)
# A named house followed by its street: "Rosemary Cottage, Long Lane".
_STREET_AFTER = re.compile(
    rf",?[ ]{{1,3}}((?:[A-Z][a-z'’\-]{{1,30}}[ ]{{1,3}}){{1,3}}(?:{_STREET_TYPES}))\b"
)
# A part of an address between commas just before a postcode: "Heron House, Quayside, NE1 3DX".
_PART_BEFORE_POSTCODE = re.compile(
    r"(?<=,[ ])([A-Z][a-z'’\-]{2,30}(?:[ ][A-Z][a-z'’\-]{2,30}){0,2})"
    r"(?=,?[ ]{1,3}[A-Z]{1,2}[0-9][0-9A-Z]?[ ]?[0-9][A-Z]{2}\b)"
)
_TRAFFIC_CUE = re.compile(
    r"\b(?:roadworks|road[ ]works|traffic|closed|closure|closures|diversion|diverted|accident"
    r"|congestion|queues|parking)\b",
    re.IGNORECASE,
)
# A building named in a sentence about booking rooms or offices is a workplace, not a home.
_WORKPLACE_CUE = re.compile(
    r"\b(?:booked|booking|book|meet|meeting|meetings|conference|training|offices|office|staff"
    r"|colleagues|panel|committee|parking|reception|hot[ ]?desk|desks|party|social|lunch"
    r"|drinks|venue|event|celebration|cafe|café|restaurant|pub|vacancy|vacancies|job|jobs"
    r"|recruitment|interviews)\b",
    re.IGNORECASE,
)
_POSTCODE_AFTER = re.compile(r",?[ ]{1,3}[A-Z]{1,2}[0-9][0-9A-Z]?[ ]?[0-9][A-Z]{2}\b")
# Without a number, a park, a green or a hill is more often a place than a street.
_UNNUMBERED_STREET_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl"
    "|Gardens|Gdns|Terrace|Tce|Grove|Rise|Walk|Mews|Square|Sq|Parade|Row|Drove|Boulevard|Croft"
)
_UNNUMBERED_STREET = re.compile(
    r"\b(?:on|in|to|at|from|off|near|along|of)[ ]{1,3}"
    rf"((?:[A-Z][a-z'’\-]{{1,30}}[ ]{{1,3}}){{1,3}}(?:{_UNNUMBERED_STREET_TYPES}))\b"
    # "moved to Rotherham Road offices": a street named for a workplace on it
    r"(?![ ]{1,3}(?:offices|office|depot|site|campus|building|HQ|base|centre|hub|car[ ]park)\b)"
)
# "3 Family Court hearings" is not an address, nor "Practice Way".
_COURTS = frozenset(
    {
        "family", "crown", "county", "magistrates", "magistrates'", "high", "youth", "appeal",
        "supreme", "district", "coroner's", "coroners", "civil", "combined",
    }
)  # fmt: skip
_NOT_STREET_WORDS = frozenset(
    {
        "the", "of", "in", "on", "at", "and", "a", "to", "for", "with", "weeks", "visits",
        "hours", "days", "months", "years", "times", "sessions", "practice", "new", "way",
        "this", "that", "our", "their", "her", "his", "minute", "minutes", "child", "children",
    }
)  # fmt: skip


def _school_pattern() -> re.Pattern[str]:
    """A school's name: one to four capitalised words ("St Bede's", "Holy Trinity") and a school
    type from the shipped list (``data/school_types.txt``), after an optional faith or
    foundation designation ("RC", "C of E")."""
    data = resources.files("bot.domain.privacy").joinpath("data/school_types.txt")
    text = data.read_text("utf-8")
    listed: dict[str, list[str]] = {"faith": [], "type": []}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in listed and value.strip():
            listed[key].append(r"[ ]".join(re.escape(part) for part in value.split()))
    faiths, types = "|".join(listed["faith"]), "|".join(listed["type"])
    return re.compile(
        r"\b((?:St\.?[ ]|Saint[ ])?(?:[A-Z][a-z'’\-]{1,30}[ ]{1,3}){1,4})"
        rf"((?:(?:{faiths})[ ])?(?:{types}))\b"
        # "Fairfield High Street", "the High Court", "School Lane": a street or a court
        r"(?![ ]{1,3}(?:Street|St|Road|Rd|Lane|Court|Sheriff|Way|Close|Drive|Avenue)\b)"
    )


_SCHOOL = _school_pattern()
_GENERIC_SCHOOL_WORDS = frozenset(
    {
        "virtual", "forest", "sunday", "summer", "holiday", "special", "local", "mainstream",
        "primary", "secondary", "nursery", "residential", "boarding", "home", "hospital",
        "independent", "free", "alternative", "good", "outstanding", "open", "night", "the",
        "a", "his", "her", "their", "new", "old", "previous", "current", "same", "one", "every",
        "each", "all", "this", "that", "our", "at", "to", "from", "in", "of", "and", "any",
        "school", "schools", "a-level", "sixth", "further", "education", "early", "years",
        "social", "work", "practice", "learning", "training", "national", "sure", "start",
        "children's", "family", "foundation", "support", "safeguarding", "designated", "lead",
        "senco", "head", "deputy", "after", "breakfast", "club", "year", "reception",
    }
)  # fmt: skip
_CHILD_SCHOOL_CONTEXT = re.compile(
    r"\b(?:attends|attending|attend|(?<!well[ ])attended|started|starts|start|moved|move"
    r"|goes|going|go"
    r"|pupil|pupils|excluded|exclusion|enrolled|place|places|year[ ]\d{1,2}|reception|class"
    r"|son|daughter|child|children|boy|girl|YP|sibling|siblings|brother|sister|his|her"
    r"|their|he|she|transition|transfer|joined|back[ ]to|off[ ]rolled|school[ ]run|settled"
    r"|settling|teacher|disclosed|referral|attendance|uniform)\b",
    re.IGNORECASE,
)


# A school named for its staff, not a pupil: "training at Kingsmead Academy for 20 staff".
_PROFESSIONAL_SCHOOL_CONTEXT = re.compile(
    r"\b(?:training|trained|staff|delivered|hosted|governors|headteachers|heads|conference"
    r"|cluster|partnership|network|briefing|workshop|assembly|colleagues|teachers|DSLs"
    r"|schools)\b",
    re.IGNORECASE,
)


def postcodes(text: str) -> Iterator[Finding]:
    offices = Cues(_OFFICE_WORD.finditer(text))
    homes = Cues(_HOME_WORD.finditer(text))
    for match in _POSTCODE.finditer(text):
        start, end = match.span()
        if _an_office(text, start, offices, homes, reach=60):
            continue
        yield finding(FindingKind.POSTCODE, text, start, end)


def addresses(text: str) -> Iterator[Finding]:
    offices = Cues(_OFFICE_WORD.finditer(text))
    homes = Cues(_HOME_WORD.finditer(text))
    for span in _address_spans(text):
        if not _an_office(text, span[0], offices, homes, reach=30):
            yield finding(FindingKind.ADDRESS, text, *span)
    # judged as the postcode it comes before is: "the office is at Unit 4, Riverside Business
    # Park, Halifax HX1 5PF" is an office's
    for match in _PART_BEFORE_POSTCODE.finditer(text):
        if not _an_office(text, match.start(), offices, homes, reach=60):
            yield finding(FindingKind.ADDRESS, text, *match.span())


def _address_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _NUMBERED_ADDRESS.finditer(text):
        words = match.group(1).split()
        if any(word.lower() in _NOT_STREET_WORDS for word in words) or _a_court(match):
            continue
        if match.group(1).islower() and not _street_type_spelt_out(match.group(2)):
            continue  # "12 joint visits in town" is not an address; "12 acacia avenue" is
        yield match.span()
    for match in _FLAT.finditer(text):
        yield match.span()
    moves = Cues(_HOME_OR_MOVE_WORD.finditer(text))
    for match in _NUMBER_AND_THE_STREET.finditer(text):
        # "lives at 7 the Crescent", not "saw 3 the Green team members"
        if cue_before(text, moves, match.start(), 40):
            yield match.span()
    for match in _ONE_WORD_STREET.finditer(text):
        yield match.span()
    yield from _named_houses(text)
    traffic = Cues(_TRAFFIC_CUE.finditer(text))
    for match in _UNNUMBERED_STREET.finditer(text):
        words = match.group(1).split()[:-1]
        if any(word.lower() in _NOT_STREET_WORDS for word in words):
            continue
        start, end = match.span(1)
        # "Roadworks on Kirkstall Road", "Harrogate Road will be closed": traffic, not a home
        if cue_before(text, traffic, start, 40) or cue_after(text, traffic, end, 30):
            continue
        yield start, end


def _named_houses(text: str) -> Iterator[tuple[int, int]]:
    """A named house ("Ivy House", "The Old Forge") with a home cue before it, a street or a
    postcode after it, and no talk of booking rooms or offices in the sentence ("The Grace
    Darling room at Bishopsgate House is booked")."""
    homes = Cues(_HOUSE_CUE.finditer(text))
    workplaces = Cues(_WORKPLACE_CUE.finditer(text))
    for match in _NAMED_HOUSE.finditer(text):
        start, end = match.span()
        if cue_before(text, workplaces, start, 60) or cue_after(text, workplaces, end, 40):
            continue
        street = _STREET_AFTER.match(text, end)
        if street is not None or _POSTCODE_AFTER.match(text, end):
            yield match.span()
            if street is not None:
                yield street.span(1)
        elif cue_before(text, homes, start, 40):
            yield match.span()


def _a_court(match: re.Match[str]) -> bool:
    return match.group(2).lower() == "court" and match.group(1).split()[-1].lower() in _COURTS


def _street_type_spelt_out(street_type: str) -> bool:
    return len(street_type) > 3


def _an_office(text: str, start: int, offices: Cues, homes: Cues, *, reach: int) -> bool:
    """An office word comes shortly before, and nearer than any home word ("we have moved
    offices to 2 Station Road" is an office; "the office said mum lives at" is a home)."""
    office = [end for end in offices.ending_within(start - reach, start)]
    if not office or not same_sentence(text, office[-1], start):
        return False
    home = [end for end in homes.ending_within(start - reach, start)]
    return not home or home[-1] < office[-1] or not same_sentence(text, home[-1], start)


def schools(text: str) -> Iterator[Finding]:
    context = Cues(_CHILD_SCHOOL_CONTEXT.finditer(text))
    professional = Cues(_PROFESSIONAL_SCHOOL_CONTEXT.finditer(text))
    for match in _SCHOOL.finditer(text):
        words = match.group(1).split()
        while words and words[0].lower() in _GENERIC_SCHOOL_WORDS:
            words.pop(0)
        if not words or all(word.lower() in _GENERIC_SCHOOL_WORDS for word in words):
            continue
        start = match.start(1) + match.group(1).index(words[0])
        end = match.end()
        about_a_child = cue_before(text, context, start, 80) or cue_after(text, context, end, 60)
        about_staff = cue_before(text, professional, start, 80) or cue_after(
            text, professional, end, 60
        )
        if about_a_child or not about_staff:
            yield finding(FindingKind.SCHOOL, text, start, end)
