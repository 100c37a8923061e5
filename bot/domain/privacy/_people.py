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

from collections.abc import Iterator, Sequence
from itertools import pairwise

from bot.domain.privacy._ages import age_after, ages_beside
from bot.domain.privacy._common import Finding, FindingKind, finding, words
from bot.domain.privacy._cued_names import (
    _PLURAL_CHILD_WORDS,
    _is_name_word,
    _sentence_start,
)
from bot.domain.privacy._family_cues import (
    _adult_kin_after,
    _adult_kin_before,
    _family_cue,
    _met_in_person,
    _place_as_a_person,
    _regarding,
    _subject_with_a_family,
    _told,
)
from bot.domain.privacy._family_surnames import _family_surnames
from bot.domain.privacy._gazetteer import Gazetteer, gazetteer
from bot.domain.privacy._mention import NO_STAFF, Staff, Tier, _Mention, _Verdict
from bot.domain.privacy._people_words import (
    _BEFORE_A_PERSON,
    _CALENDAR,
    _EXCLUDED,
    _JOINERS,
    _KIN,
    _MAX_NAME_WORDS,
    _ORGANISATION_NOUNS,
    _ROLE_WORDS,
    _STATES,
    _surname_like,
    _word,
)
from bot.domain.privacy._staff_cues import (
    _a_colour,
    _a_pet,
    _a_pupils_results,
    _a_title,
    _after_a_proper_noun,
    _as_a_colleague,
    _contacted_with_a_number,
    _organisation_name,
    _person_verb_after,
    _pet_after,
    _role_after,
    _role_before,
    _staff_verb_after,
)
from bot.domain.privacy._tokens import Token


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
