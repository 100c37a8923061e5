"""The privacy screen, kind by kind (issue 13): what it must catch and what it must leave alone,
plus the labelled corpus it was tuned on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.domain.privacy import REMOVED, FindingKind, ni_number_ok, redact, screen

TODAY = date(2026, 11, 30)
CORPUS = Path(__file__).parent / "privacy_corpus"


def flagged(text: str) -> list[str]:
    return [f.excerpt for f in screen(text, today=TODAY)]


def kinds(text: str) -> set[FindingKind]:
    return {f.kind for f in screen(text, today=TODAY)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a first name alone, at the start of a sentence, after a preposition, in a possessive
        ("Hope has been settled since the move; Kayden's mum says…", ["Hope", "Kayden"]),
        ("Noah has settled well.", ["Noah"]),
        ("I did the visit for Noah on Tuesday.", ["Noah"]),
        ("re: Tia - school called", ["Tia"]),
        ("Kayden's mum rang.", ["Kayden"]),
        ("Kai, Mia and Leo stayed together.", ["Kai", "Mia", "Leo"]),
        ("spoke to noah today, he is happier", ["noah"]),
        ("re: tyler - mum rang", ["tyler"]),
        # names that are also words or months, used as names
        ("Grace said she likes her new room.", ["Grace"]),
        ("We went to the park with Grace.", ["Grace"]),
        ("May said she wants to see her nan.", ["May"]),
        ("Summer's mum came to the review.", ["Summer"]),
        # kinship words beyond the obvious
        ("Her eldest, Jordan, has started college.", ["Jordan"]),
        ("The lad Tyler is doing well.", ["Tyler"]),
        ("Stepson Liam came to the meeting.", ["Liam"]),
        ("Grandson Alfie stays at weekends.", ["Alfie"]),
        # parents, carers and grandparents
        ("Mum, Kelly, asked for the minutes.", ["Kelly"]),
        ("Mrs Smith said she felt heard.", ["Smith"]),
        ("The Kowalski family were positive.", ["Kowalski"]),
    ],
)
def test_flags_family_names(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


def test_a_parent_is_flagged_as_family_and_a_child_as_a_child() -> None:
    found = {f.excerpt: f.kind for f in screen("Her son Noah lives with mum Kelly.", today=TODAY)}
    assert found == {"Noah": FindingKind.CHILD_NAME, "Kelly": FindingKind.FAMILY_NAME}


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Tyler, 8, chose the venue.", "8"),
        ("Tyler (8) chose the venue.", "8"),
        ("Tyler aged 8 chose the venue.", "8"),
        ("Tyler is 8 and loves football.", "8"),
        ("The 14-year-old, Macie, was clear.", "14"),
    ],
)
def test_an_age_given_with_a_name_is_flagged(text: str, age: str) -> None:
    ages = [f.excerpt for f in screen(text, today=TODAY) if f.kind is FindingKind.AGE]
    assert ages == [age]


@pytest.mark.parametrize(
    ("text", "date_found"),
    [
        ("Noah (3.4.15) is doing well.", "3.4.15"),
        ("b. 09/09/2017", "09/09/2017"),
        ("born 12th March 2015", "12th March 2015"),
        ("Tia turns 18 on 4 June and the plan is ready.", "4 June"),
        ("DOB: 2016-02-29", "2016-02-29"),
        ("The child's date of birth is 1 Feb 2019.", "1 Feb 2019"),
    ],
)
def test_dates_of_birth_with_or_without_a_cue(text: str, date_found: str) -> None:
    dobs = [f.excerpt for f in screen(text, today=TODAY) if f.kind is FindingKind.DATE_OF_BIRTH]
    assert dobs == [date_found]


@pytest.mark.parametrize(
    ("text", "kind", "excerpt"),
    [
        ("They live at 14 Acacia Avenue.", FindingKind.ADDRESS, "14 Acacia Avenue"),
        ("Mum moved to Flat 3, Kestrel Court.", FindingKind.ADDRESS, "Flat 3, Kestrel Court"),
        ("The children live at Rose Cottage now.", FindingKind.ADDRESS, "Rose Cottage"),
        ("Dad lives on Mill Lane.", FindingKind.ADDRESS, "Mill Lane"),
        ("They moved to TA14DY.", FindingKind.POSTCODE, "TA14DY"),
        ("NHS 943 476 5919", FindingKind.NHS_NUMBER, "943 476 5919"),
        ("number 943-476-5919 on the letter", FindingKind.NHS_NUMBER, "943-476-5919"),
        ("NI AB 12 34 56 C", FindingKind.NI_NUMBER, "AB 12 34 56 C"),
        ("ni number ab123456c", FindingKind.NI_NUMBER, "ab123456c"),
        ("Mum's mobile is 07700 900123.", FindingKind.PHONE_NUMBER, "07700 900123"),
        ("Email mum at kelly.smith@gmail.com", FindingKind.EMAIL, "kelly.smith@gmail.com"),
        ("Noah attends Westfield Primary.", FindingKind.SCHOOL, "Westfield Primary"),
        ("She is in Year 4 at St Mary's Academy.", FindingKind.SCHOOL, "St Mary's Academy"),
    ],
)
def test_other_identifiers(text: str, kind: FindingKind, excerpt: str) -> None:
    assert (kind, excerpt) in [(f.kind, f.excerpt) for f in screen(text, today=TODAY)]


@pytest.mark.parametrize(
    ("prefix", "suffix", "valid"),
    [
        ("AB", "C", True),
        ("QQ", "C", False),  # Q is never a first letter: HMRC's specimen number
        ("DA", "A", False),  # D is never a first letter
        ("AO", "A", False),  # O is never a second letter
        ("GB", "A", False),  # a prefix never issued
        ("TN", "A", False),  # a temporary number
        ("AB", None, False),  # no suffix letter
    ],
)
def test_national_insurance_rules(prefix: str, suffix: str | None, valid: bool) -> None:
    assert ni_number_ok(prefix, suffix) is valid


def test_an_invalid_ni_number_is_still_flagged_when_labelled() -> None:
    assert kinds("NI number: QQ 12 34 56 C") == {FindingKind.NI_NUMBER}
    assert kinds("Reference QQ 12 34 56 C") == set()


@pytest.mark.parametrize(
    "text",
    [
        "Priya Shah (social worker) visited the family weekly.",
        "The IRO, Mark Evans, praised the plan.",
        "Sarah and I met the children at school.",
        "Congratulations to Aisha Shah on a brilliant nomination.",
        "Chris's recording was clear and analytical.",
        "Case 1234567 was audited.",
        "The Child Exploitation team and Children First met the Baby Steps group.",
        "CAMHS, Ofsted and Barnardo's all commented.",
        "The Family Safeguarding team in Taunton covers Yeovil and Chelsea.",
        "The Child Protection Conference on 12 March 2026 agreed the plan.",
        "The MASH is on 0800 123 4567 and the duty desk on 01823 355803.",
        "Our office at 12 High Street, Taunton TA1 4DY is closed on Friday.",
        "Send the evidence to priya.shah@somerset.gov.uk please.",
        "The young person's dog, Luna, came to every visit.",
        "In May the team completed 14 audits; in June, 12.",
        "Hope is what the family said they felt after the review.",
        "We hope the learning reaches every team.",
        "The summer holidays were hard for the family.",
        "Will the panel meet again in April?",
        "Training was delivered at Kingsmead Academy to 20 staff.",
        "Ring Tom on his work mobile 07700 900461 with questions.",
    ],
)
def test_leaves_professional_text_alone(text: str) -> None:
    assert flagged(text) == []


def test_every_repeat_of_a_flagged_name_is_found_and_removed() -> None:
    text = "Her son Rayden joined in. Rayden drew a tree, and rayden's nan kept it."
    findings = screen(text, today=TODAY)
    assert [f.excerpt for f in findings] == ["Rayden", "Rayden", "rayden"]
    assert redact(text, findings) == (
        f"Her son {REMOVED} joined in. {REMOVED} drew a tree, and {REMOVED}'s nan kept it."
    )


def test_redacting_one_finding_removes_every_occurrence() -> None:
    text = "DOB 12/03/2015. Again: 12/03/2015."
    first = screen(text, today=TODAY)[0]
    assert redact(text, [first]) == f"DOB {REMOVED}. Again: {REMOVED}."


def test_a_name_that_is_also_a_word_is_removed_only_as_a_name() -> None:
    text = "Hope has been settled. We hope Hope stays."
    assert redact(text, screen(text, today=TODAY)) == (
        f"{REMOVED} has been settled. We hope {REMOVED} stays."
    )


def _corpus(name: str) -> list[dict[str, object]]:
    lines = (CORPUS / name).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def test_the_corpus_is_big_enough_and_its_labels_point_at_their_text() -> None:
    for name in (
        "tuning.jsonl",
        "heldout.jsonl",
        "heldout2.jsonl",
        "heldout3.jsonl",
        "heldout4.jsonl",
    ):
        records = _corpus(name)
        with_identifiers = [r for r in records if r["identifiers"]]
        assert len(with_identifiers) >= len(records) / 2
        for record in records:
            for label in record["identifiers"]:  # type: ignore[attr-defined]
                assert str(record["text"])[label["start"] : label["end"]] == label["text"]
    tuning = _corpus("tuning.jsonl")
    assert len(tuning) >= 300
    assert len([r for r in tuning if r["identifiers"]]) > len(tuning) / 2


def test_the_tuning_corpus_meets_the_targets() -> None:
    records = _corpus("tuning.jsonl")
    positive = caught_texts = labels = caught_labels = clean = alarms = 0
    for record in records:
        findings = screen(str(record["text"]), today=TODAY)
        identifiers = record["identifiers"]
        assert isinstance(identifiers, list)
        if not identifiers:
            clean += 1
            alarms += bool(findings)
            continue
        positive += 1
        caught_texts += bool(findings)
        for label in identifiers:
            labels += 1
            caught_labels += any(
                f.start < label["end"] and label["start"] < f.end for f in findings
            )
    assert caught_texts / positive >= 0.95
    assert caught_labels / labels >= 0.90
    assert alarms / clean <= 0.05


# Colleagues: cues in the text, then the staff directory.


@pytest.mark.parametrize(
    "text",
    [
        "Best wishes, Megan",
        "Kind regards,\nMegan",
        "Thanks, Farid",
        "Cheers, Zoe",
        "I want to nominate Farid for her work with the whole family.",
        "Nominating Kofi for his calm on duty.",
        "Thanks to Priya for covering the rota.",
        "Priya (social worker) visited on Monday.",
        "My colleague Yvonne stayed late to finish the bundle.",
        "Megan's supervision notes were detailed.",
        "Colin went out of her way to find an interpreter.",
        "Colin went the extra mile for the family.",
        "Zoe did a home visit with the health visitor.",
        "Zoe and I did the visit together.",
    ],
)
def test_a_colleague_named_with_a_professional_cue_is_left_alone(text: str) -> None:
    assert flagged(text) == []


def test_a_name_in_the_staff_directory_is_left_alone() -> None:
    text = "Yvonne said the training on contextual safeguarding was excellent."
    assert flagged(text) == ["Yvonne"]  # without the directory the screen cannot tell
    found = screen(text, today=TODAY, staff_names={"Yvonne Blake", "Yvonne"})
    assert found == []


def test_a_directory_full_name_gives_its_first_name_and_surname() -> None:
    staff = frozenset({"Megan Jones"})
    assert screen("Megan said the panel went well.", today=TODAY, staff_names=staff) == []
    assert screen("Mrs Jones chaired the panel.", today=TODAY, staff_names=staff) == []
    assert [f.excerpt for f in screen("Mrs Smith came.", today=TODAY, staff_names=staff)] == [
        "Smith"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Her son Megan has settled well.", ["Megan"]),
        ("Mum Megan asked for the minutes.", ["Megan"]),
        ("Megan's mum rang the duty line.", ["Megan"]),
        ("Megan, 8, came to the review.", ["Megan", "8"]),
        # once a family cue names her, every mention is the family member's
        ("Mum Megan rang. Megan said the nights are calmer.", ["Megan", "Megan"]),
    ],
)
def test_a_family_cue_outweighs_the_staff_directory(text: str, expected: list[str]) -> None:
    found = screen(text, today=TODAY, staff_names={"Megan Jones", "Megan"})
    assert [f.excerpt for f in found] == expected


def test_a_name_not_in_the_directory_is_still_flagged() -> None:
    found = screen("Kayden said the nights are calmer.", today=TODAY, staff_names={"Megan"})
    assert [f.excerpt for f in found] == ["Kayden"]


# Ages said other ways, and "b." with no space.


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Wren turned 12 last week and had a party.", "12"),
        ("Kenzie is nearly 3 and still sleeps in mum's bed.", "3"),
        ("Bonnie is almost 2 now.", "2"),
        ("Tyler is just 8.", "8"),
        ("I have been working with Milo since she was 14.", "14"),
        ("When he was 6 he moved in with his aunt.", "6"),
        ("She has been in care since the age of 9.", "9"),
    ],
)
def test_ages_said_other_ways(text: str, age: str) -> None:
    found = screen(text, today=TODAY)
    assert age in [f.excerpt for f in found if f.kind is FindingKind.AGE]


@pytest.mark.parametrize(
    "text",
    [
        "When she was 10 minutes late the panel started without her.",
        "Since he was 30 he has worked in children's services.",
        "Megan turned 40 last week.",
    ],
)
def test_numbers_that_are_not_a_childs_age(text: str) -> None:
    assert FindingKind.AGE not in kinds(text)


def test_a_date_of_birth_after_b_with_no_space() -> None:
    found = screen("Cameron b.07/07/2012", today=TODAY)
    assert [(f.kind, f.excerpt) for f in found][-1] == (FindingKind.DATE_OF_BIRTH, "07/07/2012")


def test_a_bare_date_is_judged_against_the_given_today() -> None:
    text = "Seen on 12/03/2015 at the centre."
    assert kinds(text) == {FindingKind.DATE_OF_BIRTH}  # 11 years before 2026: a birth date
    assert screen(text, today=date(2015, 3, 20)) == []  # a week ago: a meeting date


def test_a_well_attended_staff_training_at_a_school_is_left_alone() -> None:
    assert flagged("Training for DSLs at Whitstone School was well attended by staff.") == []


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Delilah has just turned 10 and asked for a phone.", "10"),
        ("Xavier will be 17 in the spring.", "17"),
    ],
)
def test_an_age_a_verb_or_two_after_the_name(text: str, age: str) -> None:
    assert age in [f.excerpt for f in screen(text, today=TODAY) if f.kind is FindingKind.AGE]


def test_will_be_with_a_number_that_is_not_an_age() -> None:
    assert FindingKind.AGE not in kinds("Tyler will be 5 minutes late.")


@pytest.mark.parametrize(
    "text",
    [
        "Marley has been going missing from Honeysuckle Cottage at night.",
        "The boys share a room at Honeysuckle Cottage.",
        "Her brother keeps running away from Hillside Farm.",
    ],
)
def test_a_named_house_a_child_sleeps_in_or_goes_missing_from(text: str) -> None:
    assert FindingKind.ADDRESS in kinds(text)


def test_a_named_house_with_no_home_cue_is_left_alone() -> None:
    assert kinds("The conference was at Highfield House.") == set()


# Ages said yet other ways, and beside any flagged name.


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Ronnie, who is 3, wants to live with her dad.", "3"),
        ("Hallie is only 3 but is caring for her younger brothers.", "3"),
        ("Mabel is 14 next month and wants a party at nan's.", "14"),
        ("Ember is 11 now and wants a say in where she lives.", "11"),
        ("Mercy (9) was seen on her own at school.", "9"),
    ],
)
def test_an_age_beside_a_name_said_more_ways(text: str, age: str) -> None:
    assert age in [f.excerpt for f in screen(text, today=TODAY) if f.kind is FindingKind.AGE]


@pytest.mark.parametrize(
    "text",
    [
        "Tyler was 5 minutes late to the review.",
        "Grace was 2nd in the queue.",
        "The team has moved to Floor 2.",
    ],
)
def test_a_number_after_a_name_that_is_no_age(text: str) -> None:
    assert FindingKind.AGE not in kinds(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Her mum's partner, Mo Fairbairn, has a history of violence.", "Mo Fairbairn"),
        ("Paternal grandmother Mo wants contact.", "Mo"),
        ("Ronnie has asked to change her name to Lennon.", "Lennon"),
        ("Daisy-Mae and Lennon argue a lot but are very close.", "Lennon"),
        ("Ivy-Rose told her teacher that Tony hits her.", "Tony"),
        ("Raheem was chatty and made me a card.", "Raheem"),  # a name from Faker's list
    ],
)
def test_names_the_first_lists_missed(text: str, name: str) -> None:
    assert name in flagged(text)


@pytest.mark.parametrize(
    "text",
    [
        "Our partner Somerset Council has agreed to fund it.",
        "The MASH has moved to Floor 2, County Hall.",
        "The MASH is in Preston and Richmond.",
        "The social worker, Priya, visited on Monday.",
        "Head of Service Priya chaired the panel.",
    ],
)
def test_not_names_of_a_family(text: str) -> None:
    assert flagged(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Dougie and her baby brother Brooke are with foster carers.", "Dougie"),
        ("Penny DOB 5th August 2015 - please update the chronology.", "Penny"),
        ("Ada has a new social worker, Megan, from next week.", "Ada"),
    ],
)
def test_a_name_beside_a_sibling_a_birth_date_or_a_social_worker_of_their_own(
    text: str, name: str
) -> None:
    assert name in flagged(text)


def test_a_number_and_a_one_word_street_is_an_address() -> None:
    assert FindingKind.ADDRESS in kinds("The family moved from 105 Kingsway to a refuge.")
    assert FindingKind.ADDRESS not in kinds("The panel meets at 3 Parkside House.")


def test_a_colleagues_first_name_with_a_familys_school_in_the_sentence_is_flagged() -> None:
    text = "Lola was excluded from Whitstone School for the second time."
    found = screen(text, today=TODAY, staff_names={"Lola Fenwick", "Lola"})
    assert "Lola" in [f.excerpt for f in found]


@pytest.mark.parametrize(
    "text",
    [
        "Ring 01823 355 803 for the out of hours team.",
        "Please call the Family Safeguarding team on 01823 355803.",
        "The helpline is 0300 123 2224.",
    ],
)
def test_a_service_number_is_left_alone(text: str) -> None:
    assert FindingKind.PHONE_NUMBER not in kinds(text)


def test_a_familys_number_beside_a_service_word_is_still_flagged() -> None:
    assert FindingKind.PHONE_NUMBER in kinds("Mum rang from 01823 355803 about the duty team.")


def test_a_first_name_inside_a_place_name_is_left_alone() -> None:
    assert flagged("Faith groups in Cradley Heath have offered to help.") == []
    assert flagged("We saw Little Mia and her mum.") == ["Little Mia"]


def test_a_church_school_is_a_childs_school() -> None:
    text = "Dawid started at St Peter's C of E Primary last week."
    assert FindingKind.SCHOOL in kinds(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Lovely moment today when Rowan ran up to show me her swimming badge.", "Rowan"),
        ("Update for the QA team: Louie Zielinski now lives with her aunt.", "Louie Zielinski"),
    ],
)
def test_a_child_who_runs_up_or_follows_a_heading(text: str, name: str) -> None:
    assert name in flagged(text)


def test_a_colleague_who_ran_a_session_is_left_alone() -> None:
    assert flagged("Rowan ran the session on Monday.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Spoke with Summer about her contact with dad.", ["Summer"]),
        ("I saw May today.", ["May"]),
        ("Compared with May, June was busier.", []),
        ("We met with Summer holidays in mind.", []),
    ],
)
def test_a_month_or_season_met_like_a_person(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rory is only 2 visits behind this month.",
        "Deepa was just 5 minutes from the house.",
    ],
)
def test_a_count_after_is_only_is_no_age(text: str) -> None:
    assert FindingKind.AGE not in kinds(text)


def test_a_family_centre_is_no_family_name() -> None:
    assert flagged("The Meadows Family Centre hosted the day.") == []
    assert flagged("The Smith family moved.") == ["Smith"]


def test_fakers_names_are_read_from_the_installed_package() -> None:
    # The names are read as text from Faker's source: a change of its layout must not silently
    # leave the gazetteer without them.
    from bot.domain.privacy._gazetteer import faker_first_names

    names = faker_first_names()
    assert len(names) > 5000
    assert {"lennon", "raheem", "ember"} <= names
    assert "unknown" not in names and "baby" not in names
