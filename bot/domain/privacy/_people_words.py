"""The words that tell a person's name from a word, a colleague or a family member (shared by
the rules of ``_people``, ``_family_cues``, ``_staff_cues`` and ``_family_surnames``), and
helpers that read the tokens around a name."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.privacy._common import words
from bot.domain.privacy._cued_names import (
    _CHILD_WORDS,
    _NOT_NAMES,
    _PLURAL_CHILD_WORDS,
    ADULT_KIN,
)
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


def _sentence_break(tokens: Sequence[Token], index: int) -> bool:
    return tokens[index].line_start or tokens[index].text in (".", "!", "?", ";")


def _word(tokens: Sequence[Token], index: int) -> str:
    return tokens[index].lower if 0 <= index < len(tokens) else ""
