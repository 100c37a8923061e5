"""The words around a name that make it a colleague's or nobody's: a role beside it ("Priya
(social worker)", "IRO Mark Evans"), a professional's verb after it ("Sarah visited"), a
colleague's first name used as one, and a pet, a colour, a title or an organisation."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.privacy._common import words
from bot.domain.privacy._cued_names import (
    _NOT_NAMES,
    _sentence_start,
)
from bot.domain.privacy._family_cues import _family_in_sentence
from bot.domain.privacy._gazetteer import gazetteer
from bot.domain.privacy._mention import Staff, _Mention
from bot.domain.privacy._people_words import (
    _ADVERBS,
    _AUDIENCES,
    _DETERMINERS_BEFORE,
    _FAMILY_THINGS,
    _HAVING,
    _KIN,
    _NOT_AFTER_IS,
    _ORGANISATION_NOUNS,
    _PERSON_VERBS,
    _PETS,
    _PROFESSIONAL_THINGS,
    _PROFESSIONAL_TITLES,
    _ROLE_WORDS,
    _STAFF_INTRODUCERS,
    _STAFF_PHRASES_AFTER,
    _STAFF_VERBS,
    _STATES,
    _TITLES,
    _WITHIN_A_ROLE,
    _sentence_around,
    _sentence_break,
    _word,
)
from bot.domain.privacy._tokens import Token

_PUPILS_RESULTS = words("gcses gcse sats a-levels a-level btec btecs 11-plus eleven-plus")


def _a_pupils_results(tokens: Sequence[Token], mention: _Mention) -> bool:
    """ "congratulations to Marcus who passed all his GCSEs": a pupil's exams in the sentence
    outweigh the words that usually introduce a colleague (not a role beside the name: "Thanks
    to Jo (SENCO) for the SATs data")."""
    if _role_after(tokens, mention.last) or _word(tokens, mention.first - 1) in _ROLE_WORDS:
        return False
    low, high = _sentence_around(tokens, mention.first)
    return any(tokens[at].lower in _PUPILS_RESULTS for at in range(low, high + 1))


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
