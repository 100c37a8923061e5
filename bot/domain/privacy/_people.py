"""Names of children and their family, found with a first-names gazetteer and the words around.

A known first name is taken as a family member's unless the text shows it is a member of staff:
a role beside it ("Priya (social worker)", "IRO Mark Evans"), a professional's verb after it
("Sarah visited", "Tom supported") or the same name given a role elsewhere in the text. Names
that are also words ("Hope", "Grace", "Will") and months or seasons ("May", "Summer") need more:
their place in the sentence or a cue ("Hope has been settled", "Kayden's mum", "for Grace").
A first name in the staff directory is a colleague's only when used as one (``_as_a_colleague``).
Once a name is flagged, every other mention of it is flagged too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from bot.domain.privacy._ages import NUMBER_WORDS, OLDEST_CHILD_AGE, age_after, ages_beside
from bot.domain.privacy._common import Finding, FindingKind, finding, words
from bot.domain.privacy._cued_names import (
    _CHILD_WORDS,
    _NOT_NAMES,
    _PLURAL_CHILD_WORDS,
    ADULT_KIN,
    _is_name_word,
    _sentence_start,
)
from bot.domain.privacy._gazetteer import Gazetteer, gazetteer
from bot.domain.privacy._tokens import Token

# "Hope was quiet", "Ruby was born": what is said of a person, not of a word.
_STATES = words(
    "born settled happy sad quiet excited worried scared upset brave proud seen placed moved"
    " taken able keen clear doing now still really so very not also living excluded unwell"
    " missing thriving struggling anxious angry tearful chatty calm shy aged"
)
_NOT_AFTER_IS = words("the a an what how why that this")
_CALENDAR = words("may june april august july summer autumn winter spring sunday christmas")
_EXCLUDED = _NOT_NAMES - _CALENDAR
_ADULT_KIN = ADULT_KIN
_KIN = _ADULT_KIN | _CHILD_WORDS | _PLURAL_CHILD_WORDS
# What follows a possessive name and makes it a family member's: "Kayden's mum", "Tia's school".
_FAMILY_THINGS = _KIN | words(
    "school nursery bedroom birthday behaviour home placement family friends friend dog cat"
    " teacher class carers parents room needs diagnosis wishes feelings words voice plan"
    " dad's mum's life story"
)
_PROFESSIONAL_THINGS = words(
    "recording recordings assessment assessments report reports caseload practice supervision"
    " analysis chronology genogram nomination team manager supervisor work writing visits"
    " direct approach case cases audit audits letter plan's"
)
_TITLES = words("mr mrs ms miss mx")
_AUDIENCES = words("team staff colleagues all everyone")
_HAVING = words("a an no new another her his their")
# What may come between a role and the name it gives: "social worker, Priya", "Head of Service
# Priya", "IRO (Mark)".
_WITHIN_A_ROLE = words(", ( : - – — of the our my and &")
_PROFESSIONAL_TITLES = words("dr prof cllr pc dc ds sgt")
_ROLE_WORDS = words(
    "social worker workers sw iro csw manager tm lead head director officer practitioner nurse"
    " doctor gp teacher headteacher head-teacher senco dsl midwife visitor advocate psychologist"
    " therapist colleague colleagues student chair supervisor mentor consultant coordinator"
    " co-ordinator assistant solicitor barrister paralegal adviser advisor pa admin"
    " administrator qa auditor moderator asye nqsw deputy principal councillor cllr mp"
    " sergeant pc dc clinician paediatrician psychiatrist senior team staff nominee nominated"
    " partner-agency facilitator trainer tutor manager's worker's"
)
# Words before a name that introduce a colleague: "nominated by Sarah", "thanks to Tom".
_STAFF_INTRODUCERS = (
    ("by",),
    ("thanks", "to"),
    ("thank", "you"),
    ("well", "done"),
    ("congratulations",),
    ("congratulations", "to"),
    ("ring",),
    ("congrats",),
    ("dear",),
    ("hi",),
    ("hello",),
    ("cc",),
    ("kudos",),
    ("shout", "out"),
    ("shout-out",),
    ("colleague",),
    ("from",),
    ("regards",),
    ("supervision", "with"),
    ("supervised", "by"),
    ("managed", "by"),
    ("co-worked", "with"),
    ("shadowed",),
    ("thanks",),
    ("nominate",),
    ("nominating",),
    ("wishes", ","),
    ("regards", ","),
    ("thanks", ","),
    ("cheers", ","),
    ("best", ","),
    ("my", "colleague"),
)
# What a professional does, said after their name: "Colin went out of her way", "Zoe did a home
# visit". (A child "did" things too, so only these phrases.)
_STAFF_PHRASES_AFTER = (
    ("went", "out", "of"),
    ("went", "the", "extra"),
    ("went", "above"),
    ("did", "a", "home"),
    ("did", "the", "home"),
    ("did", "a", "joint"),
    ("did", "a", "visit"),
    ("did", "the", "visit"),
    ("did", "the", "assessment"),
    ("did", "an", "assessment"),
    ("and", "i"),
    ("and", "me"),
    ("and", "myself"),
    # at work: "Simran is on leave", "Reggie from IT"
    ("is", "on", "leave"),
    ("is", "on", "annual"),
    ("is", "on", "duty"),
    ("is", "chairing"),
    ("is", "covering"),
    ("from", "it"),
    ("from", "hr"),
    ("from", "finance"),
    ("from", "payroll"),
    ("from", "legal"),
    ("from", "comms"),
    ("in", "business", "support"),
    ("in", "it"),
    ("in", "hr"),
    ("in", "finance"),
)
_STAFF_VERBS = words(
    "visited supported chaired led built used wrote worked arranged advocated coordinated"
    " co-ordinated facilitated ran delivered organised organized ensured liaised challenged"
    " escalated recorded shared presented audited moderated nominated joined undertook mapped"
    " held reviewed drafted prepared managed observed assessed referred completed met"
    " persevered modelled modeled coached mentored trained championed sourced secured"
    " negotiated convened carried sent emailed submitted uploaded"
    " demonstrated evidenced recognised identified tracked followed pushed helped thanked"
    " contacted phoned emailed wrote updated introduced explained planned designed"
)
_ADVERBS = words("also then really always quickly has had have and")
# Verbs a child or parent does as the subject of a sentence: "Hope has been settled".
_PERSON_VERBS = words(
    "has is was said says told tells seems seemed loves loved likes liked enjoys enjoyed wants"
    " wanted asked asks lives lived moved settled feels felt started attends attended goes went"
    " had can could would cried smiled talked spoke drew chose did does came now remains"
    " remained struggled struggles thrived thrives is's hasn't isn't wasn't didn't doesn't"
    " shared disclosed returned ran turns turned showed hits hit kicks kicked hurts hurt keeps"
    " kept gets got plays played sleeps slept shouts shouted screams screamed bites bit pushes"
    " pushed swears swore misses missed refuses refused"
)
_ORGANISATION_NOUNS = words(
    "team teams project house centre center hub service services unit ward trust partnership"
    " foundation group programme program award awards academy school college nursery primary"
    " hall church hospital library park court road street lane avenue close drive way"
    " steps first place fund charity network hospice clinic surgery practice club cafe"
    " café forum board panel campus community hill heath green vale bay bridge cross end"
    " regis magna parva cottage cottages farm farmhouse lodge barn villa manor bungalow"
    # "Amber warning", "Ruby award": a colour or a grade, not a person
    " warning warnings alert alerts rating ratings status light lights zone level flag flags"
    # "the Ivy Room", "Ivy League": a room, a building, a league
    " room rooms suite wing building block lounge league"
    # "Rosa Parks Day", "Anti-Bullying Week"
    " day days week"
)
# Words after which a capitalised word that is also a name is a person: "for Grace", "met Hope".
_BEFORE_A_PERSON = _STAFF_VERBS | words(
    "for with to and re about from , & or saw see seeing visiting supporting told asked"
    " helped meeting at : ( by of between include including included like helping finding"
    " placing matching adopting"
)
_PETS = words(
    "dog dogs cat cats puppy kitten pet pets rabbit hamster pony horse budgie guinea tortoise"
    " parrot goldfish snake lizard ferret labrador spaniel terrier collie poodle staffie"
    " alsatian retriever greyhound whippet lurcher beagle pug husky dachshund cockapoo"
    " cockerpoo labradoodle chihuahua rottweiler bulldog"
)
_DETERMINERS_BEFORE = words("the a an our this every each")  # not "that": "said that Tony hits her"
_JOINERS = words(", and & or")
_MAX_NAME_WORDS = 3


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


def people(
    text: str,
    tokens: Sequence[Token],
    staff: Staff = NO_STAFF,
    identified: Sequence[tuple[int, int]] = (),
) -> list[Finding]:
    """Names of children and family members (with any age given beside them), and family
    surnames ("Mrs Smith", "the Smith family"). A first name in the staff directory is a
    colleague's when used as one: not with a family cue ("her son Megan", "mum Megan"), in a
    list with a child, or in a sentence that speaks of a child's family or gives one of the
    ``identified`` spans (a family's address, school, date of birth...)."""
    gaz = gazetteer()
    mentions = [_judge(tokens, m, staff, identified) for m in _mentions(tokens, gaz)]
    _propagate(tokens, mentions)
    _join_lists(tokens, mentions)
    findings: list[Finding] = []
    for mention in mentions:
        if mention.verdict in (_Verdict.CHILD, _Verdict.FAMILY):
            kind = (
                FindingKind.FAMILY_NAME
                if mention.verdict is _Verdict.FAMILY
                else FindingKind.CHILD_NAME
            )
            start, end = tokens[mention.first].start, tokens[mention.last].end
            findings.append(finding(kind, text, start, end))
            findings.extend(ages_beside(text, tokens, mention.first, mention.last))
    findings.extend(_family_surnames(text, tokens, staff))
    return findings


def _mentions(tokens: Sequence[Token], gaz: Gazetteer) -> Iterator[_Mention]:
    index = 0
    while index < len(tokens):
        token = tokens[index]
        tier = _tier(token, gaz)
        if tier is None:
            index += 1
            continue
        last = index
        while (
            last - index + 1 < _MAX_NAME_WORDS
            and not tokens[last].possessive
            and last + 1 < len(tokens)
            and not tokens[last + 1].line_start
            and _surname_like(tokens[last + 1])
            and token.text[:1].isupper()
        ):
            last += 1
        yield _Mention(index, last, token.lower, tier, _Verdict.NONE, False, False)
        index = last + 1


def _tier(token: Token, gaz: Gazetteer) -> Tier | None:
    """How sure a first name is to be a name: "strong" ("Kayden"), "word" (a common word too:
    "Hope", or in lower case "iris"), "calendar" ("May", "Summer") or "place" (a place's name
    too: "Chelsea", "Georgia")."""
    text = token.text
    if len(text) < 2 or not text[0].isalpha() or (text.isupper() and len(text) > 1):
        return None  # acronyms: "MASH", "CAMHS"
    key = token.lower
    if key in _CALENDAR:
        return "calendar"
    if key in gaz.places:
        return "place" if text[0].isupper() else None
    if key not in gaz.first_names and not _double_name(key, gaz):
        return None
    if key in _EXCLUDED:
        return None
    capital = text[0].isupper()
    if key in (gaz.common_words if capital else gaz.also_words):
        return "word"
    if not capital and key in gaz.frequent:
        return "word"
    return "strong"


def _double_name(key: str, gaz: Gazetteer) -> bool:
    """ "Kerry-Ann", "Lily-Mae": every part a first name."""
    parts = key.split("-")
    return len(parts) > 1 and all(part in gaz.first_names for part in parts)


def _surname_like(token: Token) -> bool:
    text = token.text
    return (
        len(text) > 1
        and text[0].isupper()
        and not text.isupper()
        and any(c.islower() for c in text)
        and token.lower not in _NOT_NAMES
        and token.lower not in _ORGANISATION_NOUNS
        and token.lower not in _KIN
        and token.lower not in _ROLE_WORDS
    )


def _judge(
    tokens: Sequence[Token],
    mention: _Mention,
    staff: Staff,
    identified: Sequence[tuple[int, int]] = (),
) -> _Mention:
    capital = tokens[mention.first].text[0].isupper()
    # "mum said", "the youngest, hope": a word after a cue is still a word in lower case.
    mention.family_cue = (capital or mention.tier == "strong") and _family_cue(tokens, mention)
    mention.role_cue = _role_after(tokens, mention.last) or _role_before(tokens, mention.first)
    mention.staff_cue = mention.role_cue or _staff_verb_after(tokens, mention.last)
    adult = _adult_kin_before(tokens, mention.first) or _adult_kin_after(tokens, mention.last)
    kind = _Verdict.FAMILY if adult else _Verdict.CHILD
    if _a_pet(tokens, mention.first) or _pet_after(tokens, mention.last):
        return mention
    if _a_colour(tokens, mention) or _a_title(tokens, mention):
        return mention
    if mention.tier == "place":
        if _place_as_a_person(tokens, mention, identified):
            mention.verdict = kind
        return mention
    if not mention.family_cue and _after_a_proper_noun(tokens, mention.first):
        return mention
    if _organisation_name(tokens, mention) and (
        not mention.family_cue or _word(tokens, mention.first - 1) == "team"
    ):
        return mention
    if mention.family_cue:
        mention.verdict = kind
    elif (
        mention.staff_cue
        and not _contacted_with_a_number(tokens, mention, identified)
        and not _a_pupils_results(tokens, mention)
    ):
        mention.verdict = _Verdict.STAFF
    elif mention.key in staff.first_names and _as_a_colleague(tokens, mention, staff, identified):
        mention.verdict = _Verdict.DIRECTORY
    elif mention.tier == "strong":
        mention.verdict = kind
    elif mention.tier == "word" and capital and not _word(tokens, mention.last + 1).isdigit():
        # "moved to Floor 2", "Phase 3": a word with a number is no name
        at_start = _sentence_start(tokens, mention.first)
        if _person_verb_after(tokens, mention) or (
            not at_start and _word(tokens, mention.first - 1) in _BEFORE_A_PERSON
        ):
            mention.verdict = kind
    elif (
        mention.tier == "calendar"
        and capital
        and (
            _person_verb_after(tokens, mention)
            or _met_in_person(tokens, mention)
            or _subject_with_a_family(tokens, mention)
        )
    ):
        mention.verdict = kind
    elif not capital and mention.tier != "calendar" and _regarding(tokens, mention.first):
        mention.verdict = kind
    elif not capital and mention.tier == "word" and _told(tokens, mention):
        mention.verdict = kind
    elif not capital and mention.tier == "word" and _lower_case_person(tokens, mention):
        mention.verdict = kind
    elif not capital and mention.tier == "word" and _lower_case_frequent_name(tokens, mention):
        mention.verdict = kind
    return mention


def _lower_case_frequent_name(tokens: Sequence[Token], mention: _Mention) -> bool:
    """A frequent name that is no English word ("tyler", "jack"), in lower case, read as a
    capitalised one would be: "about tyler's meds", "took jack to the dentist"."""
    if mention.key in gazetteer().also_words:
        return False
    return (
        tokens[mention.last].possessive
        or _person_verb_after(tokens, mention)
        or _word(tokens, mention.first - 1) in _BEFORE_A_PERSON | _TAKING
    )


_TAKING = words("took take taking collected collect dropped drove picked")


_PUPILS_RESULTS = words("gcses gcse sats a-levels a-level btec btecs 11-plus eleven-plus")


def _a_pupils_results(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "congratulations to Marcus who passed all his GCSEs": a pupil's exams in the sentence
    outweigh the words that usually introduce a colleague (not a role beside the name: "Thanks
    to Jo (SENCO) for the SATs data")."""
    if _role_after(tokens, mention.last) or _word(tokens, mention.first - 1) in _ROLE_WORDS:
        return False
    low, high = _sentence_around(tokens, mention.first)
    return any(tokens[at].lower in _PUPILS_RESULTS for at in range(low, high + 1))


def _subject_with_a_family(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "Autumn is going to stay with her dad": a month or season opening a sentence as its
    subject, in a sentence that speaks of a family with a pronoun."""
    if not _sentence_start(tokens, mention.first) or tokens[mention.last].possessive:
        return False
    if _word(tokens, mention.last + 1) not in ("is", "was", "has", "had", "will", "wants"):
        return False
    low, high = _sentence_around(tokens, mention.first)
    return _family_in_sentence(tokens, mention.first, low, high)


def _lower_case_person(tokens: Sequence[Token], mention: _Mention) -> bool:
    """A name that is also a word, written in lower case, used as a person: with an age ("will
    is now 15", "my notes say rio is seventeen"), or opening a sentence as its subject
    ("grace's dad came", "hope and amber seen at home")."""
    after = _word(tokens, mention.last + 1)
    if after in ("is", "was", ",") and age_after(tokens, mention.last) is not None:
        return True
    if not _sentence_start(tokens, mention.first):
        return False
    if tokens[mention.last].possessive:
        return after in _KIN and after not in _PLURAL_CHILD_WORDS
    if after == "and" and mention.last + 2 < len(tokens):
        other = tokens[mention.last + 2]
        if _tier(other, gazetteer()) is not None:
            return _word(tokens, mention.last + 3) in _STATES | _FELT_OR_SAID
        return False
    # "grace said", "will is upset" (not "tie goes to the default rule", "mark has a point")
    if after in ("is", "was"):
        return _word(tokens, mention.last + 2) in _STATES
    return after in _FELT_OR_SAID


_FELT_OR_SAID = words(
    "said says told tells feels felt cried wants wanted loves loved misses missed disclosed were"
)


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
_CONTACT_VERBS = words("phoned rang texted emailed messaged contacted called rung")


def _contacted_with_a_number(
    tokens: Sequence[Token], mention: _Mention, identified: Sequence[tuple[int, int]]
) -> bool:
    """ "Alisha phoned me from a new number, 07700 900 904": someone who rang the worker from
    a number the screen flagged is a family member, not a colleague."""
    if mention.role_cue or _word(tokens, mention.last + 1) not in _CONTACT_VERBS:
        return False
    low, high = _sentence_around(tokens, mention.first)
    start, end = tokens[low].start, tokens[high].end
    return any(s < end and start < e for s, e in identified)


def _as_a_colleague(
    tokens: Sequence[Token],
    mention: _Mention,
    staff: Staff,
    identified: Sequence[tuple[int, int]],
) -> bool:
    """Whether a first name in the staff directory is used as a colleague's: with a colleague's
    surname, or alone in a sentence that says nothing of a child's family and gives no other
    identifier (an address, a school, a date of birth). "Dylan Marsh" and "Dylan said the
    panel went well" are; "Dylan Smith", "Dylan told her teacher" and "Lola was excluded from
    Chilton Trinity School" are not."""
    if mention.last > mention.first:
        return tokens[mention.last].lower in staff.surnames
    low, high = _sentence_around(tokens, mention.first)
    start, end = tokens[low].start, tokens[high].end
    if any(s < end and start < e for s, e in identified):
        return False
    return not _family_in_sentence(tokens, mention.first, low, high)


_OWNERS = words("her his their")
_FAMILY_CONTEXT_REACH = 16  # tokens either side, within the sentence


def _sentence_around(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The first and last token of the sentence around ``index`` (within a reach)."""
    low, high = index, index
    while low > 0 and index - low < _FAMILY_CONTEXT_REACH and not _sentence_break(tokens, low):
        low -= 1
    while high + 1 < len(tokens) and high - index < _FAMILY_CONTEXT_REACH:
        if _sentence_break(tokens, high + 1):
            break
        high += 1
    return low, high


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


def _sentence_break(tokens: Sequence[Token], index: int) -> bool:
    return tokens[index].line_start or tokens[index].text in (".", "!", "?", ";")


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


def _word(tokens: Sequence[Token], index: int) -> str:
    return tokens[index].lower if 0 <= index < len(tokens) else ""


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


def _role_after(tokens: Sequence[Token], last: int) -> bool:
    index = last + 1
    opener = _word(tokens, index)
    if tokens[last].possessive:
        return opener in _PROFESSIONAL_THINGS  # "Chris's recording was clear"
    if opener == "has" and _word(tokens, index + 1) in _HAVING:
        return False  # "Ada has a new social worker": the role is someone else's
    if opener in ("(", ",", "-", "–", "—", "is", "was", "as", "our", "has"):
        for offset in range(1, 7):
            word = _word(tokens, index + offset)
            if word in _ROLE_WORDS:
                return True
            if word in _OBJECT_VERBS:
                return False  # "Archie has told the nurse": the role is someone else's
            kin = word in _KIN and not tokens[index + offset].possessive
            if word in (".", ";", ")", "!", "?", "") or kin:
                return False
    return False


# Verbs that put a role after them out of the name's reach: "Archie has told the nurse".
_OBJECT_VERBS = words(
    "told tells asked asks saw sees seen hit hits kicked kicks bit bites punched phoned rang"
    " texted emailed called wants wanted likes liked loves loved misses missed"
)


def _role_before(tokens: Sequence[Token], first: int) -> bool:
    for offset in range(1, 5):
        index = first - offset
        if index < 0 or tokens[index].text in (".", "!", "?", ";", ")"):
            break
        if tokens[first - offset + 1].line_start and offset > 1:
            break
        word = tokens[index].lower
        if word in _KIN or word in _STAFF_VERBS:
            return False
        if word in _AUDIENCES and any(t.text == ":" for t in tokens[index:first]):
            return False  # "Update for the QA team: Louie now lives with…" is a heading
        if word in _ROLE_WORDS or word in _PROFESSIONAL_TITLES:
            return True
        if word not in _WITHIN_A_ROLE and not tokens[index].text[:1].isupper():
            break  # "told her teacher that Tony hits her": the role is someone else's
    for phrase in _STAFF_INTRODUCERS:
        size = len(phrase)
        if tuple(_word(tokens, first - size + i) for i in range(size)) == phrase:
            # "Text from Paige:": a family member's message, not a colleague's sign-off
            return not (phrase == ("from",) and _word(tokens, first - 2) in _MESSAGES)
    return False


_MESSAGES = words("text texts voicemail whatsapp snapchat")


def _staff_verb_after(tokens: Sequence[Token], last: int) -> bool:
    if tokens[last].possessive:
        return False
    for phrase in _STAFF_PHRASES_AFTER:  # "Sarah and I visited", "Sam went above and beyond"
        if all(_word(tokens, last + 1 + i) == word for i, word in enumerate(phrase)):
            return True
    index = last + 1
    for _ in range(3):
        word = _word(tokens, index)
        if word in _STAFF_VERBS:
            # "Sam ran the group" is a colleague; "Rowan ran up to show me" a child
            return not (word == "ran" and _word(tokens, index + 1) in _RUNNING)
        if word not in _ADVERBS:
            return False
        index += 1
    return False


_RUNNING = words("up away off out home back around over into to across")


def _person_verb_after(tokens: Sequence[Token], mention: _Mention) -> bool:
    if tokens[mention.last].possessive:  # "May's audit cycle" is not "May's mum"
        return mention.tier != "calendar" or _word(tokens, mention.last + 1) in _FAMILY_THINGS
    verb = _word(tokens, mention.last + 1)
    if verb in ("is", "was"):
        # "Hope is what the family felt": a word that is a name needs more than "is"
        following = _word(tokens, mention.last + 2)
        if mention.tier == "strong":
            return following not in _NOT_AFTER_IS
        return following in _STATES
    return verb in _PERSON_VERBS


def _after_a_proper_noun(tokens: Sequence[Token], first: int) -> bool:
    """ "Cradley Heath", "Burgess Hill": in mid-sentence, a capitalised word that is no name,
    title, role or kinship word before a first name makes it part of a place's name."""
    before = first - 1
    if before < 0 or tokens[first].line_start or _sentence_start(tokens, before):
        return False
    token = tokens[before]
    word = token.lower
    return (
        token.text[:1].isupper()
        and not token.text.isupper()
        and not token.possessive
        and word not in gazetteer().first_names
        and word not in _NOT_NAMES
        and word not in _KIN
        and word not in _TITLES
        and word not in _PROFESSIONAL_TITLES
        and word not in _ROLE_WORDS
        and word not in _PROPER_NOUN_NOT
    )


# Capitalised words before a name that do not make it a place: "Little Mia", "Big Sam".
_PROPER_NOUN_NOT = words("little big young baby tiny wee")


def _pet_after(tokens: Sequence[Token], last: int) -> bool:
    """ "Bruno the labrador", "Luna, our cat,", "Max (dog)": a pet named before what it is."""
    index = last + 1
    if _word(tokens, index) in ("(", ",", "-", "–"):
        index += 1
    if _word(tokens, index) in ("the", "a", "our", "my", "her", "his", "their", "family"):
        index += 1
    # "Bruno, our office dog,": a word may describe the pet
    return _word(tokens, index) in _PETS or _word(tokens, index + 1) in _PETS


_MAXIMA = words("capacity size limit number amount load speed height weight length")
_COLOURS = words("red amber green blue yellow orange purple pink black white grey gray")


def _a_title(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "Matilda the Musical", "Bob the Builder": a name, "the" and a capitalised word is the
    title of a show, a book or a character (not "Kayden the eldest")."""
    the = mention.last + 1
    if tokens[mention.last].possessive or _word(tokens, the) != "the":
        return False
    following = tokens[the + 1] if the + 1 < len(tokens) else None
    return (
        following is not None
        and not following.line_start
        and following.text[:1].isupper()
        and following.lower not in _KIN
    )


def _a_colour(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "Amber and red ratings", "green or Amber": a colour listed with another colour."""
    after = (_word(tokens, mention.last + 1), _word(tokens, mention.last + 2))
    if after[0] in _COLOURS and not tokens[mention.last].possessive:
        return True  # "Sienna red paint", "Olive green"
    if mention.key == "max" and after[0] in _MAXIMA:
        return True  # "Max capacity of the room"
    if mention.key not in _COLOURS:
        return False
    before = (_word(tokens, mention.first - 1), _word(tokens, mention.first - 2))
    joiners = ("and", "or", "/", ",", "to")
    return (after[0] in joiners and after[1] in _COLOURS) or (
        before[0] in joiners and before[1] in _COLOURS
    )


def _pet_named_before(tokens: Sequence[Token], first: int) -> bool:
    """A name in brackets after a pet earlier in the sentence: "the rabbit at the centre (Mr
    Nibbles)"."""
    if _word(tokens, first - 1) != "(":
        return False
    for index in range(first - 2, max(-1, first - 10), -1):
        if _sentence_break(tokens, index):
            return False
        if tokens[index].lower in _PETS:
            return True
    return False


def _a_pet(tokens: Sequence[Token], first: int) -> bool:
    """ "the dog, Luna,", "her cat Max": pets are not people."""
    index = first - 1
    while _word(tokens, index) in (",", "(", "called", "named"):
        index -= 1
    return _word(tokens, index) in _PETS


def _organisation_name(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "Grace Academy", "the Hope project", "Team Kai": a name in the name of something else."""
    after = tokens[mention.last + 1] if mention.last + 1 < len(tokens) else None
    if after is not None and not after.line_start and after.lower in _ORGANISATION_NOUNS:
        return True
    before = _word(tokens, mention.first - 1)
    return before in _DETERMINERS_BEFORE or before == "team"


def _join_lists(tokens: Sequence[Token], mentions: list[_Mention]) -> None:
    """ "Kai, Mia and Leo": a capitalised name in a list with a flagged name is flagged too."""
    for _ in range(2):  # a list is read both ways
        for previous, mention in pairwise(mentions):
            between = {t.lower for t in tokens[previous.last + 1 : mention.first]}
            if not between or not between <= _JOINERS:
                continue
            pair = (previous, mention)
            flagged = [m for m in pair if m.verdict in (_Verdict.CHILD, _Verdict.FAMILY)]
            for other in pair:
                capital = tokens[other.first].text[0].isupper()
                # "hope and amber seen at home": a writer who does not capitalise names
                lower_list = (
                    bool(flagged)
                    and not tokens[flagged[0].first].text[0].isupper()
                    and not capital
                    and other.tier in ("strong", "word")
                )
                if (
                    flagged
                    and other.verdict in (_Verdict.NONE, _Verdict.DIRECTORY)
                    and (capital or lower_list)
                    and other.tier not in ("calendar", "place")
                ):
                    other.verdict = flagged[0].verdict


def _propagate(tokens: Sequence[Token], mentions: list[_Mention]) -> None:
    """A name given a role anywhere is a colleague's everywhere (unless a family cue says
    otherwise); a name flagged anywhere is flagged everywhere else it is written as a name."""
    staff = {m.key for m in mentions if m.verdict is _Verdict.STAFF and m.role_cue}
    for mention in mentions:
        if mention.key in staff and not mention.family_cue:
            mention.verdict = _Verdict.STAFF if mention.staff_cue else _Verdict.NONE
    flagged = {m.key: m.verdict for m in mentions if m.verdict in (_Verdict.CHILD, _Verdict.FAMILY)}
    for mention in mentions:
        verdict = flagged.get(mention.key)
        if verdict is None or mention.verdict in (_Verdict.CHILD, _Verdict.FAMILY):
            continue
        capital = tokens[mention.first].text[0].isupper()
        if mention.staff_cue or (mention.tier != "strong" and not capital):
            continue
        mention.verdict = verdict


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


def beside_names(text: str, tokens: Sequence[Token], names: Sequence[Finding]) -> list[Finding]:
    """What the names found by any rule bring with them: the age given beside each ("Mercy
    (9)") and a name the gazetteer does not know listed with one ("Daisy-Mae and Lennon")."""
    by_start = {token.start: index for index, token in enumerate(tokens)}
    by_end = {token.end: index for index, token in enumerate(tokens)}
    spans = [
        (by_start[f.start], by_end[f.end], f.kind)
        for f in names
        if f.start in by_start and f.end in by_end
    ]
    found: list[Finding] = []
    seen = {(first, last) for first, last, _ in spans}
    queue = list(spans)
    for _ in range(_MAX_LIST_ROUNDS):
        joined: list[tuple[int, int, FindingKind]] = []
        for first, last, kind in queue:
            for span in (_listed_after(tokens, last), _listed_before(tokens, first)):
                if span is not None and span not in seen:
                    seen.add(span)
                    joined.append((*span, kind))
        found += [finding(kind, text, tokens[a].start, tokens[b].end) for a, b, kind in joined]
        spans += joined
        queue = joined
        if not queue:
            break
    for first, last, _ in spans:
        found.extend(ages_beside(text, tokens, first, last))
    return found


_MAX_LIST_ROUNDS = 3
_LIST_JOINERS = words(", and &")


def _unknown_name(token: Token) -> bool:
    """A capitalised word that may be a name the gazetteer lacks ("Lennon", "Mercy")."""
    return (
        _is_name_word(token)
        and token.lower not in gazetteer().first_names
        and token.lower not in _ORGANISATION_NOUNS
        and token.lower not in _ROLE_WORDS
        and token.lower not in _KIN
    )


def _listed_after(tokens: Sequence[Token], last: int) -> tuple[int, int] | None:
    index = last + 1
    if tokens[last].possessive or _word(tokens, index) not in _LIST_JOINERS:
        return None
    if _word(tokens, index) == "," and _word(tokens, index + 1) in ("and", "&"):
        index += 1
    first = index + 1
    if first >= len(tokens) or tokens[first].line_start or not _unknown_name(tokens[first]):
        return None
    end = first
    while (
        end - first + 1 < _MAX_NAME_WORDS
        and not tokens[end].possessive
        and end + 1 < len(tokens)
        and _surname_like(tokens[end + 1])
    ):
        end += 1
    after = tokens[end + 1] if end + 1 < len(tokens) else None
    if after is not None and after.lower in _ORGANISATION_NOUNS:
        return None
    return (first, end)


def _listed_before(tokens: Sequence[Token], first: int) -> tuple[int, int] | None:
    index = first - 1
    if _word(tokens, index) not in _LIST_JOINERS or tokens[first].line_start:
        return None
    if _word(tokens, index) in ("and", "&") and _word(tokens, index - 1) == ",":
        index -= 1
    last = index - 1
    if last < 0 or not _unknown_name(tokens[last]) or tokens[last].possessive:
        return None
    return (last, last)
