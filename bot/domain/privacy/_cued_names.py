"""Names found by the words around them: a word for a child, an age, a possessive kinship word.

Every regular expression here uses bounded repetition only; names are found in one pass over a
token list with bounded look-around, so long texts are screened in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.domain.privacy._ages import age_after
from bot.domain.privacy._common import Finding, FindingKind, finding
from bot.domain.privacy._common import words as _words
from bot.domain.privacy._gazetteer import gazetteer
from bot.domain.privacy._tokens import Token

ADULT_KIN = _words(
    "mum mummy mom mother dad daddy father parent carer nan nana nanny gran granny grandma"
    " grandmother grandad granddad grandpa grandfather aunt auntie aunty uncle cousin stepmum"
    " stepdad stepmother stepfather partner boyfriend girlfriend husband wife ex grandparent"
    " step-mum step-dad sgo kinship"
)
_NEEDS_AN_OWNER = _words("partner parent carer ex kinship sgo")
_OWNERS = _words("her his their my your")
_CHILD_WORDS = _words(
    "child kid son daughter baby infant newborn toddler teenager teen youngster boy girl"
    " sibling brother sister half-brother half-sister stepbrother stepsister step-brother"
    " step-sister stepson stepdaughter step-son step-daughter grandson granddaughter grandchild"
    " niece nephew twin yp cyp lad lass eldest youngest oldest"
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
    " steps first exploitation matters programme project champions ambassadors forum club"
    " uno lego minecraft fortnite roblox xbox playstation monopoly jenga"
    " futures start minds voices centre center trust foundation network charity hospice"
    " west central city county district borough initial child-in-need"
)


def _is_name_word(token: Token) -> bool:
    text = token.text
    if len(text) < 2 or not text[0].isupper() or token.lower in _NOT_NAMES:
        return False
    parts = re.split(r"['’\-]", text)
    return all(part[:1].isupper() for part in parts) and any(c.islower() for c in text)


@dataclass(frozen=True)
class _Span:
    first: int  # index of the first token
    last: int  # index of the last token


def _name_spans(tokens: Sequence[Token]) -> Iterator[_Span]:
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


def cued_names(text: str, tokens: Sequence[Token]) -> Iterator[Finding]:
    previous: _Span | None = None
    list_open = False  # the previous name followed a plural ("siblings Kai, Mia and Leo")
    for span in _name_spans(tokens):
        if _after_team_word(tokens, span):
            previous, list_open = span, False
            continue
        before = _child_word_before(tokens, span.first)
        continues_list = list_open and previous is not None and _joined(tokens, previous, span)
        adult = _adult_kin_before(tokens, span.first)
        flagged = (
            before is not None
            or continues_list
            or adult
            or _cue_after(tokens, span)
            or _renamed(tokens, span.first)
        )
        if flagged:
            start, end = tokens[span.first].start, tokens[span.last].end
            kind = FindingKind.FAMILY_NAME if adult else FindingKind.CHILD_NAME
            yield finding(kind, text, start, end)
        list_open = (before is True) or (continues_list and flagged)
        previous = span


def _adult_kin_before(tokens: Sequence[Token], first: int) -> bool:
    """ "Paternal grandmother Mo", "mum's partner, Mo Fairbairn", "Dad (Lee)": a name an adult
    relative is given ("our partner Somerset" is an organisation: "partner" needs an owner)."""
    index = first - 1
    if _word(tokens, index) in (",", "(", ":"):
        index -= 1
    if index < 0 or tokens[first].line_start or tokens[index].possessive:
        return False
    word = tokens[index].lower
    if word not in ADULT_KIN:
        return False
    if word in _NEEDS_AN_OWNER:
        owner = tokens[index - 1] if index > 0 else None
        return owner is not None and (owner.possessive or owner.lower in _OWNERS)
    return True


def _renamed(tokens: Sequence[Token], first: int) -> bool:
    """ "change her name to Lennon", "wants to be called Mo", "changed her surname to Farrow",
    "Ruqayyah's surname (Hussain)": a name a child has chosen, or a family's surname."""
    before = tuple(_word(tokens, first - offset) for offset in (3, 2, 1))
    if before[1] in ("name", "surname") and before[2] == "to":
        return True
    if before[1] in _SURNAME_WORDS and before[2] in ("(", ":", "is", "was"):
        return True
    return before == ("to", "be", "called") or before[1:] == ("known", "as")


_SURNAME_WORDS = _words("surname surnames maiden")


def _after_team_word(tokens: Sequence[Token], span: _Span) -> bool:
    return span.first > 0 and tokens[span.first - 1].lower == "team"


def _joined(tokens: Sequence[Token], previous: _Span, span: _Span) -> bool:
    between = tuple(t.lower for t in tokens[previous.last + 1 : span.first])
    return between in _LIST_JOINERS


@dataclass(frozen=True)
class _ChildWord:
    end: int  # index after the child word
    plural: bool
    possessive: bool


def _child_word_at(tokens: Sequence[Token], index: int) -> _ChildWord | None:
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


def _child_word_before(tokens: Sequence[Token], first: int) -> bool | None:
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
                if skipped == 0 and _programme_name(tokens, end - length, first):
                    return None
                return word.plural
        if skipped == 2 or tokens[end - 1].lower not in _CONNECTORS:
            return None
        end -= 1
    return None


def _programme_name(tokens: Sequence[Token], child_word: int, first: int) -> bool:
    """ "Kids Count", "Baby Bonds", "Children Missing Education", "Child Sexual Exploitation
    lead": a capitalised child word right before a capitalised word that is no first name is
    the start of a programme's or a service's name ("Baby Amelia" is a child)."""
    return (
        tokens[child_word].text[:1].isupper()
        and tokens[first].lower not in gazetteer().first_names
        and tokens[first].lower not in gazetteer().places
    )


def _cue_after(tokens: Sequence[Token], span: _Span) -> bool:
    """Whether an age or a child word follows the name closely enough to make it a child's."""
    after = span.last + 1
    if tokens[span.last].possessive:  # "Jayden's sister", "Kezia's dad"
        word = _child_word_at(tokens, after)
        if word is None:
            kin = _word(tokens, after)
            if kin in _A_CHILDS_OWN:  # "Zorawar's adoption", not "Barnardo's adoption service"
                return _word(tokens, after + 1) not in _SERVICE_NOUNS
            return kin in ADULT_KIN and kin not in _NEEDS_AN_OWNER
        return not word.plural or _word(tokens, after) in _FAMILY_PLURALS
    if after >= len(tokens) or tokens[after].line_start:
        return False
    initial_single = span.first == span.last and _sentence_start(tokens, span.first)
    follower = tokens[after].lower
    if follower == "(":  # "Tyler Jones (8)", "Jayden (son)"
        return _paren_cue(tokens, after + 1, initial_single)
    if follower == "," and _bare_age_between_commas(tokens, after + 1):  # "Junaid, 10, says"
        return True
    if follower in _APPOSITION_OPENERS:  # "Amelia, aged 7", "Emily, the youngest child,"
        return _appositive_cue(tokens, after + 1, initial_single)
    if follower in ("is", "was"):  # "Tyler is 8 years old", "Ember is 11 now", "Lennon was born"
        if _word(tokens, after + 1) == "born":
            return True
        return (
            _age_phrase(tokens, after + 1) is not None or age_after(tokens, span.last) is not None
        )
    if follower == "," and _word(tokens, after + 1) == "who":  # "Ronnie, who is 3,"
        return age_after(tokens, span.last) is not None
    if follower == "dob":  # "Penny DOB 5.8.15"
        return True
    if follower == "and" and _word(tokens, after + 1) in _OWNERS:
        return _kin_within(tokens, after + 2)  # "Dougie and her baby brother"
    return _age_phrase(tokens, after) is not None  # "Amelia aged 7"


_A_CHILDS_OWN = _words("adoption birthday bedroom nappies nappy cot pushchair buggy")
_SERVICE_NOUNS = _words(
    "service services panel panels team teams agency agencies scheme support league order orders"
    " policy process processes board"
)


def _bare_age_between_commas(tokens: Sequence[Token], index: int) -> bool:
    """ "Junaid, 10, says": a child's age between commas, then the sentence goes on in lower
    case (not "Themes, 3, 4 and 5")."""
    if not _is_age(tokens, index) or int(_word(tokens, index)) > _OLDEST_BARE_AGE:
        return False
    if _word(tokens, index + 1) != "," or index + 2 >= len(tokens):
        return False
    following = tokens[index + 2]
    return not following.line_start and following.text[:1].islower() and following.text.isalpha()


_OLDEST_BARE_AGE = 18


def _kin_within(tokens: Sequence[Token], index: int) -> bool:
    """A kinship word at ``index`` or after up to two adjectives ("her baby brother")."""
    for at in range(index, index + 3):
        word = _word(tokens, at)
        if (word in _CHILD_WORDS or word in ADULT_KIN) and not tokens[at].possessive:
            return True
        if word not in _CHILD_ADJECTIVES and word not in _KIN_ADJECTIVES:
            return False
    return False


_KIN_ADJECTIVES = _words("big birth step half maternal paternal real new elder")


def _word(tokens: Sequence[Token], index: int) -> str:
    return tokens[index].lower if 0 <= index < len(tokens) else ""


def _sentence_start(tokens: Sequence[Token], index: int) -> bool:
    """Whether the token opens a sentence, a line or a bullet point (after any opening quote)."""
    while index > 0 and not tokens[index].line_start and tokens[index - 1].text in _OPENERS:
        index -= 1
    if tokens[index].line_start:
        return True
    previous = tokens[index - 1]
    return previous.text in _SENTENCE_ENDS or (previous.text in _BULLETS and previous.line_start)


def _paren_cue(tokens: Sequence[Token], index: int, initial_single: bool) -> bool:
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


def _paren_age(tokens: Sequence[Token], index: int) -> tuple[int, bool] | None:
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


def _sentence_continues(tokens: Sequence[Token], index: int) -> bool:
    if index >= len(tokens) or tokens[index].line_start:
        return False
    return tokens[index].text == "," or tokens[index].text[:1].islower()


@dataclass(frozen=True)
class _Phrase:
    end: int  # index after the phrase
    by_age: bool


def _child_phrase(tokens: Sequence[Token], index: int) -> _Phrase | None:
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


def _appositive_cue(tokens: Sequence[Token], index: int, initial_single: bool) -> bool:
    phrase = _child_phrase(tokens, index)
    if phrase is None:
        return False
    if phrase.by_age or not initial_single:
        return True
    # "Remarkably, the child attended" is a sentence opener; "Emily, the youngest child, said"
    # is a name in apposition, closed by a comma.
    return _word(tokens, phrase.end) in _APPOSITION_CLOSERS


def _is_age(tokens: Sequence[Token], index: int) -> bool:
    word = _word(tokens, index)
    return word.isdigit() and len(word) <= 2 and int(word) <= _OLDEST_CHILD_AGE


def _age_phrase(tokens: Sequence[Token], index: int) -> int | None:
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
