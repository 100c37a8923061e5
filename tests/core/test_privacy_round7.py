"""The privacy screen's seventh round (issue 13): the rules and hard negatives added after the
first run of a held-out set written by someone who never saw the screen. The sentences here are
new ones of the same kinds, not the corpus's."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.privacy import FindingKind, screen
from bot.domain.privacy._gazetteer import FAKER_WORLD_LOCALES, faker_first_names, gazetteer

TODAY = date(2026, 11, 30)


def flagged(text: str, staff: tuple[str, ...] = ()) -> list[str]:
    return [f.excerpt for f in screen(text, today=TODAY, staff_names=staff)]


def found(text: str) -> dict[str, FindingKind]:
    return {f.excerpt: f.kind for f in screen(text, today=TODAY)}


# Names: a wider gazetteer


@pytest.mark.parametrize(
    "name", ["Adaeze", "Emeka", "Abena", "Kwabena", "Aarush", "Zainab", "Kacper", "Abdirahman"]
)
def test_west_african_south_asian_and_east_european_names_are_known(name: str) -> None:
    assert flagged(f"{name} was upset when the contact was cancelled.") == [name]


@pytest.mark.parametrize("name", ["Idowu", "Chinonso", "Danyal", "Simran", "Hodan", "Tosin"])
def test_names_neither_package_has_are_shipped(name: str) -> None:
    assert flagged(f"Went with {name} to the dentist.") == [name]


def test_fakers_world_locales_are_read_from_the_installed_package() -> None:
    names = faker_first_names(FAKER_WORLD_LOCALES)
    assert {"adaeze", "chinedu", "kwame", "aarav"} <= names
    assert "okafor" not in names  # a surname in the Nigerian provider, not a first name
    assert "chinedu" in gazetteer().first_names


def test_a_name_from_a_world_locale_that_is_an_english_word_needs_a_cue() -> None:
    assert flagged("Peace and quiet on the floor today, the training room is free.") == []
    assert flagged("Went to the shop with Blessing after school.") == ["Blessing"]


# Ages


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Oscar is eleven and wants to walk to school alone.", "eleven"),
        ("Freya is fifteen next month and has a part-time job.", "fifteen"),
        ("Leon turned nine last week.", "nine"),
        ("Ivy is aged seven.", "seven"),
        ("Since she was thirteen she has lived with her aunt.", "thirteen"),
        ("Tariq, 11, told his teacher about the bruises.", "11"),
    ],
)
def test_an_age_in_words_or_between_commas_is_flagged(text: str, age: str) -> None:
    assert age in flagged(text)


@pytest.mark.parametrize(
    "text",
    [
        "Yasmin is one of the most thoughtful practitioners I know.",
        "The meeting was two hours long and Harvey was nine minutes late.",
        "Themes, 3, 4 and 5 came up in the audit.",
        "The team is five strong this month.",
    ],
)
def test_numbers_in_words_that_are_no_age_are_left_alone(text: str) -> None:
    assert FindingKind.AGE not in {f.kind for f in screen(text, today=TODAY)}


def test_an_unknown_name_with_an_age_between_commas_is_flagged() -> None:
    assert flagged("Zebedee, 9, says he hates the new school.") == ["Zebedee", "9"]


# Names written in lower case, names that are places, names given a family role after them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("will is now 13 and wants his own key.", ["will", "13"]),
        ("notes say hope is sixteen in May.", ["hope", "sixteen"]),
        ("grace's nan rang the duty line.", ["grace"]),
        ("faith and amber seen at school, both happy.", ["faith", "amber"]),
    ],
)
def test_a_name_in_lower_case_used_as_a_person(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "will is the key thing here.",
        "hope is what keeps us going.",
        "mark the register before you leave.",
        "grace period for returns ends on Friday.",
        "tie goes to the chair's casting vote.",
        "mark has a point about the rota.",
    ],
)
def test_a_word_in_lower_case_is_still_a_word(text: str) -> None:
    assert flagged(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Devon's mum has moved out.", ["Devon"]),
        ("Her daughter Chelsea is settling in.", ["Chelsea"]),
        ("Sydney has a place at Oakfield Primary from January.", ["Sydney", "Oakfield Primary"]),
    ],
)
def test_a_place_name_used_as_a_person_is_flagged(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kent's children's services were inspected last year.",
        "Chelsea has a new manager.",
        "Georgia has a place on the training course.",
        "London's partner agencies met on Friday.",
    ],
)
def test_a_place_name_used_as_a_place_is_left_alone(text: str) -> None:
    assert flagged(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Pauline (paternal grandmother) collects her on Fridays.", "Pauline"),
        ("Joy, her birth mum, came to the review.", "Joy"),
        ("Tasha's foster carer says she is doing well.", "Tasha"),
        ("Ebony's dad has been released.", "Ebony"),
        ("Zuleika's nan wants updates.", "Zuleika"),  # a name no list has
    ],
)
def test_a_name_with_its_place_in_the_family_beside_it(text: str, name: str) -> None:
    assert name in flagged(text)


def test_a_name_given_an_adult_relatives_place_after_it_is_family() -> None:
    assert found("Pauline (maternal grandmother) agreed.")["Pauline"] is FindingKind.FAMILY_NAME


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("She has changed her surname to Whitlock.", "Whitlock"),
        ("Please remove Keeley's surname (Brannigan) from the notes.", "Brannigan"),
        ("Case note: home visit to the Hendersons; all well.", "Hendersons"),
        ("Rosie was helping Destiny with her homework.", "Destiny"),
        ("Thanks to Ben for finding Ayomide a placement.", "Ayomide"),
    ],
)
def test_surnames_and_names_after_helping_or_finding(text: str, name: str) -> None:
    assert name in flagged(text)


def test_the_visited_family_is_not_part_of_a_longer_name() -> None:
    assert flagged("We visited the Samaritans Centre for the training.") == []


# Colleague cues that the rest of the sentence outweighs


def test_a_role_after_a_verb_is_someone_elses() -> None:
    assert "Darcy" in flagged("Darcy has told the school nurse she is not eating.")


def test_a_role_after_the_name_still_makes_a_colleague() -> None:
    assert flagged("Darcy is our new social worker.") == []


def test_someone_who_phoned_from_a_flagged_number_is_family() -> None:
    assert flagged("Shannon rang me from a new mobile, 07700 900 311.") == [
        "Shannon",
        "07700 900 311",
    ]


def test_a_colleague_who_phoned_about_work_is_left_alone() -> None:
    assert flagged("Shannon phoned me about the audit.") == []


def test_a_text_from_someone_is_a_family_members() -> None:
    assert flagged("Text from Kelsey: running late") == ["Kelsey"]


@pytest.mark.parametrize(
    "text", ["Reggie from IT is fixing the printers.", "Simran is on leave until Monday."]
)
def test_a_colleague_at_work_is_left_alone(text: str) -> None:
    assert flagged(text) == []


def test_a_message_from_a_colleague_is_left_alone() -> None:
    assert flagged("Message from Priya: the panel has moved.") == []


# Addresses, phone numbers and schools


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nan has contact at Laurel House on Sundays.", ["Laurel House"]),
        ("Letters now go to The Old Rectory, Church Lane.", ["The Old Rectory", "Church Lane"]),
        (
            "They live at Primrose Cottage, Back Lane, near the farm.",
            ["Primrose Cottage", "Back Lane"],
        ),
        (
            "New address: Flat 2, Oak House, Marketside, LS2 7PQ.",
            ["Flat 2, Oak House", "Marketside", "LS2 7PQ"],
        ),
    ],
)
def test_named_houses_their_streets_and_parts_before_a_postcode(
    text: str, expected: list[str]
) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The Ada Lovelace room at Carlton House is booked all week.",
        "The training is at Cathedral House, Church Street.",
        "Christmas party at The Old Mill, Station Road.",
        "Meet in the Oak Room at Ashton House at 10.",
        "The panel meets in Committee Room 4 at the Civic Centre.",
        "room 12B is free for supervision.",
        "The service's postal address is PO Box 99, Leeds LS1 1AA.",
        "Our office is at Unit 7, Meadow Business Park, Halifax HX3 5AX.",
        "The Fostering team have moved to Bradford Road offices.",
        "Team barbecue in Roundwood Park on Friday.",
        "The conference is at Elland Road, Leeds LS11 0ES.",
        "Park at Sovereign Street car park.",
    ],
)
def test_workplaces_parks_rooms_and_post_boxes_are_no_home(text: str) -> None:
    assert flagged(text) == []


def test_a_number_inside_a_quotation_is_the_quoted_persons() -> None:
    text = 'Her message said: "call me on 07700 900 452 after 6".'
    assert flagged(text) == ["07700 900 452"]


def test_the_workers_own_number_is_still_left_alone() -> None:
    assert flagged("Any questions, call me on 07700 900 452.") == []


@pytest.mark.parametrize(
    "school",
    [
        "Brookfield High",
        "Northgate Secondary",
        "St Aidan's RC Primary",
        "Christ Church C of E Academy",
        "Riverside Pupil Referral Unit",
        "Hillcrest Special School",
        "Ashdown Sixth Form College",
    ],
)
def test_school_types_from_the_shipped_list(school: str) -> None:
    assert flagged(f"Her son started at {school} in September.") == [school]


@pytest.mark.parametrize(
    "text", ["Parking on Bramley High Street is limited.", "The High Court ruled."]
)
def test_a_high_street_or_court_is_no_school(text: str) -> None:
    assert FindingKind.SCHOOL not in {f.kind for f in screen(text, today=TODAY)}


# Hard negatives: programmes, pets, colours


@pytest.mark.parametrize(
    "text",
    [
        "The Kids Matter survey closes on Friday.",
        "The Baby Steps Plus programme starts in January.",
        "Children Missing Education officer can help.",
        "Our Child Criminal Exploitation lead is presenting.",
        "Bingo the spaniel visits the office on Fridays.",
        "Bruno, our office dog, says hello.",
        "The hamster at the family centre (Mr Whiskers) needs a home.",
        "Amber warning for ice tomorrow.",
        "The audit has an Amber rating this quarter.",
        "Amber and red ratings need an action plan.",
        "Mr Tickles the tortoise is back at the centre.",
    ],
)
def test_programmes_pets_and_colours_are_no_names(text: str) -> None:
    assert flagged(text) == []


def test_a_capitalised_child_word_before_a_known_name_is_still_a_child() -> None:
    assert flagged("Baby Amelia was born early.") == ["Amelia"]


@pytest.mark.parametrize(
    ("text", "surname"),
    [("The Okonkwo children are back at home.", "Okonkwo"), ("Visited the Nowak twins.", "Nowak")],
)
def test_a_familys_children_named_by_their_surname(text: str, surname: str) -> None:
    assert flagged(text) == [surname]


@pytest.mark.parametrize(
    "text",
    [
        "The Leeds children's services were praised.",
        "Figures for the Kirklees children in care are out.",
        "Nominating Sam for the Oldham children work.",
    ],
)
def test_a_councils_children_are_no_family(text: str) -> None:
    assert flagged(text) == []


@pytest.mark.parametrize(
    ("text", "age"), [("He turns 17 in June.", "17"), ("she turned eleven on Sunday", "eleven")]
)
def test_a_pronoun_turning_an_age(text: str, age: str) -> None:
    assert flagged(text) == [age]


def test_a_service_turning_ten_is_no_child() -> None:
    assert flagged("The service turns 10 this year.") == []


def test_a_number_and_the_street_where_someone_lives() -> None:
    assert flagged("Dad lives at 9 the Crescent, Otley.") == ["9 the Crescent"]
    assert flagged("We met 3 the Green team members.") == []


def test_a_pupils_exams_outweigh_a_colleagues_introducer() -> None:
    assert flagged("Well done to Kieran who passed all his GCSEs!") == ["Kieran"]
    assert flagged("Thanks to Jo (SENCO) for the SATs data.") == []
    assert flagged("Congratulations to Sarah who passed her ASYE.") == []


def test_a_season_as_the_subject_of_a_sentence_about_a_family() -> None:
    assert flagged("Summer is going to stay with her nan at Easter.") == ["Summer"]
    assert flagged("Summer is a busy time for our team.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Matilda the Musical tickets for the care leavers' trip.",
        "Bob the Builder stickers for the waiting room.",
        "Book the Ivy Room at the Civic Centre.",
    ],
)
def test_titles_and_rooms_named_after_people_are_no_names(text: str) -> None:
    assert flagged(text) == []


def test_a_childs_room_is_still_a_childs() -> None:
    assert flagged("Kayden's room was tidy.") == ["Kayden"]


def test_a_frequent_name_in_lower_case_read_as_a_name() -> None:
    assert flagged("called mum about tyler's meds") == ["tyler"]
    assert flagged("the jack was broken so we waited for the AA") == []


@pytest.mark.parametrize(
    "text",
    [
        "Roadworks on Kirkstall Road all week, leave early.",
        "Rosa Parks Day assembly for staff.",
        "Children's Home Manager vacancy at Ashfield House.",
        "Sienna red paint has been chosen for the family room.",
        "Max capacity of the room is 20.",
    ],
)
def test_traffic_days_vacancies_paint_and_maxima_are_no_identifiers(text: str) -> None:
    assert flagged(text) == []


def test_a_street_where_a_child_was_found_is_still_flagged() -> None:
    assert flagged("She was found at the bus stop on Kirkstall Road.") == ["Kirkstall Road"]


def test_a_name_no_list_has_before_a_childs_own_things() -> None:
    assert flagged("Great work on Zorawar's adoption.") == ["Zorawar"]
    assert flagged("Barnardo's adoption service is good.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Weekly chronology",
        "Lennon",
        "to Farrow",
        "surname (Hussain)",
        "known as Mo",
        "a",
        "(",
        "'s",
        "Mum:",
        "x " * 3,
    ],
)
def test_short_texts_at_every_rule_boundary_are_screened_without_failing(text: str) -> None:
    """The rules look a few words back from a name: at the start of a short text there are
    none, and a form's one-line field (a stretch target) must not stop the turn."""
    screen(text)
    screen(text, today=date(2026, 11, 30), staff_names=frozenset({"sam"}))
