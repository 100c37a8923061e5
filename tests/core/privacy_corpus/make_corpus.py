"""Build the labelled privacy corpus: texts in staff's voice with every identifier's kind and span.

    .venv/bin/python tests/core/privacy_corpus/make_corpus.py

writes tuning.jsonl (templates in TUNING), heldout.jsonl (HELDOUT, written after the first round
of tuning and then used for a second round) and heldout2.jsonl (HELDOUT2, written after the
second round and then used for a third) and heldout3.jsonl (HELDOUT3, written after the third
round and never used to tune the screen). Each line is {"id", "text", "identifiers":
[{"kind", "start", "end", "text"}]}; a text with no identifiers is clean. Slots in a template
are filled from the pools below; a slot used twice in one text gets the same value, so repeats are
labelled too. Slots in UPPER case are identifiers; lower-case slots are things to leave alone.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from templates import HELDOUT, HELDOUT2, HELDOUT3, HELDOUT4, HELDOUT5, TUNING  # type: ignore[import-not-found]

HERE = Path(__file__).resolve().parent

CHILDREN = (
    "Kayden Noah Tia Kai Mia Leo Tyler Jayden Ruby Alfie Amelia Isla Freya Archie Ollie Riley"
    " Maisie Poppy Millie Theo Reggie Aaliyah Zainab Muhammad Ayaan Oscar Jaxon Keira Bradley"
    " Charlie Dexter Jenson Ellie Evie Liam Mason Lily Sophie Rosie Willow Harvey Logan Finley"
    " Callum Kian Reece Oakley Nevaeh Harper Kacper Zofia Amira Yusuf Bella Lexi Ava Olivia"
).split()
NAMES_THAT_ARE_WORDS = "Hope Grace May Summer Faith Autumn".split()
ADULTS = "Kelly Leanne Gemma Stacey Donna Wayne Lee Craig Dean Shaun Tracey Jodie Karen".split()
SURNAMES = "Smith Jones Taylor Brown Evans Walker Hughes Roberts Wood Thompson Kowalski".split()
STAFF = "Priya Sarah Tom Aisha Rebecca Claire Ben Kate Jo Sam Hannah Mark Amanda Dev".split()
STAFF_SURNAMES = "Shah Watson Lewis Clarke Evans Patel Green Hill Morgan Price".split()
STREETS = "Acacia Avenue|Mill Lane|Station Road|Church Street|Oak Close|Elm Grove|Victoria Road|Meadow Way|Orchard Drive|Park Crescent".split(
    "|"
)
ESTATES = "Oak House|Kestrel Court|Willow Court|Beacon Heights|Harbour View".split("|")
HOUSES = "Rose Cottage|The Willows|Ivy Lodge|Holly Farm|Mill House".split("|")
POSTCODES = (
    "TA1 4DY|BS1 4ST|TA6 3JB|BA20 1AB|DY1 1HF|RH10 1UZ|PO19 1RQ|TA21 8AA|BS23 1UJ|DY8 1QR".split(
        "|"
    )
)
SCHOOLS = "Westfield Primary|St Mary's C of E Primary|Oakfield Academy|Kingsmead School|Holyrood Academy|Castle Primary School|Priorswood Nursery|Heathfield Community School".split(
    "|"
)
TEAMS = "Phoenix Team|Taunton CP team|Early Help Hub|Family Safeguarding team|MASH|Child Exploitation team|Leaving Care team|Children First".split(
    "|"
)
PLACES = (
    "Taunton|Yeovil|Bridgwater|Frome|Dudley|Crawley|Chichester|Weston-super-Mare|Stourbridge".split(
        "|"
    )
)
ORGS = "CAMHS|Ofsted|Barnardo's|NSPCC|Cafcass|the police|the health visiting service|Kooth".split(
    "|"
)
PETS = "Biscuit|Rex|Luna|Bailey|Max".split("|")
# Held-out pools: names, places and schools the tuning texts never use.
HELDOUT_POOLS = {
    "CHILD": "Kacey Tayla Jenna Caleb Rhys Alisha Imogen Declan Kaiden Lacey Nathan Skye Troy Zara Dominic Eliza Frankie Harlow Ibrahim Jessica Kerry Macie Niamh Owen Paige Quinn Rocco Sienna Tobias Wiktoria".split(),
    "CHILD_WORDNAME": "Hope Grace Summer Faith Holly Ruby".split(),
    "ADULT": "Michelle Sharon Nicola Darren Jason Kirsty Carl Lisa Natalie Gary".split(),
    "SURNAME": "Clarke Davies Ahmed Nowak Bennett Harris Collins Murphy Begum".split(),
    "staff": "Fatima Rachel Gareth Lucy Olu Helen James Naomi Chris Anita".split(),
    "staff2": "Fatima Rachel Gareth Lucy Olu Helen James Naomi Chris Anita".split(),
    "staff_surname": "Okafor Bishop Reid Kaur Fletcher".split(),
    "STREET": "Hamilton Road|Kings Avenue|Brook Street|Cherry Tree Close|Linden Way|Mount Pleasant|Queens Drive|Wellington Terrace".split(
        "|"
    ),
    "ESTATE": "Sycamore Court|Nelson House|Ashdown Heights|Tower View".split("|"),
    "HOUSE": "Bramble Cottage|Meadow Lodge|The Old Barn|Brook Farm".split("|"),
    "POSTCODE": "TA2 7QP|BA4 5LG|DY3 2JR|RH12 1HS|TA8 1BE|BS22 6NZ|DY9 7AE".split("|"),
    "SCHOOL": "Hazelwood Primary School|St Joseph's Catholic Primary|Bishop Fox's School|Brookside Academy|Redstart Primary|Thornbury High School|Little Acorns Nursery".split(
        "|"
    ),
    "place": "Wellington|Glastonbury|Halesowen|Horsham|Burgess Hill|Minehead|Clevedon".split("|"),
    "pet": "Pickle|Coco|Bruno|Tilly".split("|"),
}
# Second held-out pools: none of these are in the pools above.
HELDOUT2_POOLS = {
    "CHILD": "Aria Bailey Cody Demi Elijah Esme Felix Georgia Hamza Iris Jude Keeley Louie Mabel Nico Orla Pippa Rowan Saffron Tommy-Lee Umar Violet Xander Yasmin Zak Brody Cerys Dawid Elsie Hugo".split(),
    "CHILD_WORDNAME": "Hope Grace Summer Faith Holly Ruby Rose Amber".split(),
    "ADULT": "Joanne Terry Stacey-Ann Rob Kerry-Ann Paula Nigel Chantelle Bev Marcus".split(),
    "SURNAME": "Pearce Marsh Kaur Dobson Whitehead Lynch Zielinski Okoro".split(),
    "staff": "Ruth Imran Sophie Tariq Emma Gillian Kwame Louise Pete Anjali".split(),
    "staff_surname": "Barker Hussain Doyle Mensah Ward".split(),
    "STREET": "Lime Tree Avenue|Coronation Road|Fore Street|Beech Close|Westfield Drive|Priory Road|Stanley Street".split(
        "|"
    ),
    "ESTATE": "Maple Court|Kingfisher House|Riverside Heights".split("|"),
    "HOUSE": "Primrose Cottage|Orchard Lodge|Greystones Farm".split("|"),
    "POSTCODE": "TA9 3RT|BA11 1QP|DY5 1AN|RH13 5AB|TA18 7HJ|BS48 1DE".split("|"),
    "SCHOOL": "Sandhill Primary School|St Peter's C of E Primary|Hillcrest Academy|Meadowbank Nursery|Ridgeway College|Brunel Academy".split(
        "|"
    ),
    "place": "Street|Ilminster|Wellington|Tipton|Sedgley|Shoreham".split("|"),
    "pet": "Alfie|Milo|Daisy".split("|"),
}
# Third held-out pools: none of these are in the pools above.
HELDOUT3_POOLS = {
    "CHILD": "Ada Bobby Carys Darcy Eden Farah Gracie-Mae Harry Ines Jasper Kenzie Layla Milo Nadia Ollie-James Phoebe Rafferty Sami Tegan Ulrika Vinnie Wren Yara Zeke Arlo Bonnie Cameron Dolly Ezra Finn".split(),
    "CHILD_WORDNAME": "Hope Grace Summer Faith Holly Ruby Rose Amber Willow Poppy".split(),
    "ADULT": "Debbie Lorraine Steve Wendy Trev Sam Julie-Ann Kayleigh Mick Gail".split(),
    "SURNAME": "Fowler Osei Nguyen Kelly Ashworth Szymanski Patel Riley".split(),
    "staff": "Bethan Farid Megan Colin Priti Yvonne Kofi Zoe Alan Rhiannon".split(),
    "staff_surname": "Morris Akhtar Quinn Boateng Hale".split(),
    "STREET": "Greenway Avenue|Hawthorn Road|North Street|Laburnum Close|Fairfield Drive|Silver Street|Albert Terrace".split(
        "|"
    ),
    "ESTATE": "Heron Court|Chestnut House|Parkside Heights".split("|"),
    "HOUSE": "Ivy Cottage|Hillside Farm|Rowan Lodge".split("|"),
    "POSTCODE": "TA4 1AB|BA16 0AA|DY4 7BL|RH16 3AA|TA20 1DS|BS25 5EW".split("|"),
    "SCHOOL": "Whitstone School|St Andrew's Junior School|Oaklands Primary|Castle Hill Academy|Robert Blake Science College|Tiny Steps Nursery".split(
        "|"
    ),
    "SCHOOL_ORG": "Whitstone School|Castle Hill Academy|Oaklands Primary".split("|"),
    "place": "Chard|Shepton Mallet|Brierley Hill|Haywards Heath|Burnham-on-Sea|Cheddar".split("|"),
    "pet": "Peanut|Scooby|Nala".split("|"),
}
# Fourth held-out pools: none of these are in the pools above.
HELDOUT4_POOLS = {
    "CHILD": "Alba Brooke Corey Delilah Ellis Flynn Gabriel Hollie Isaac Jada Kobe Lola Marley Nell Otis Penny Raheem Seren Talia Ursula Vivienne Wilf Xavier Yusra Zion Aurora Benji Clara Dougie Ember".split(),
    "CHILD_WORDNAME": "Hope Grace Summer Faith Holly Ruby Rose Amber Willow Poppy Dawn".split(),
    "ADULT": "Sandra Kev Jolene Dale Tina Russell Michaela Shane Bernie Leigh".split(),
    "SURNAME": "Gibbs Adeyemi Hartley Kowal Barrett Mahmood Pritchard Doherty".split(),
    "staff": "Nkechi Siobhan Graham Leila Duncan Hayley Bilal Joanna Ewan Parveen".split(),
    "staff2": "Nkechi Siobhan Graham Leila Duncan Hayley Bilal Joanna Ewan Parveen".split(),
    "staff_surname": "Chambers Iqbal Forsyth Mensah Lowe".split(),
    "STREET": "Rectory Lane|Gladstone Street|Sunnyside Road|Foxglove Close|Kingsway|Market Street|Tennyson Avenue".split(
        "|"
    ),
    "ESTATE": "Falcon Court|Beaufort House|Moorland Heights".split("|"),
    "HOUSE": "Badger's Rest|Honeysuckle Cottage|Stonebridge Farm".split("|"),
    "POSTCODE": "TA3 5RX|BA6 8JD|DY2 0QN|RH15 9PL|TA24 5BQ|BS27 3HU".split("|"),
    "SCHOOL": "Elmhurst Junior School|St Benedict's Catholic College|Kingfisher Primary|Chilton Trinity|Puddleducks Nursery|Wyvern Academy".split(
        "|"
    ),
    "place": "Wiveliscombe|Langport|Kingswinford|East Grinstead|Watchet|Wells".split("|"),
    "pet": "Marmite|Smudge|Ziggy".split("|"),
    "month_name": "March|June|September".split("|"),
}
# The directory the fourth held-out set is screened with: every colleague in its clean texts, and
# (to count the cost of the directory honestly) three staff who share a first name with a child.
HELDOUT4_DIRECTORY = [
    *(
        f"{first} {last}"
        for first, last in zip(
            HELDOUT4_POOLS["staff"], HELDOUT4_POOLS["staff_surname"] * 2, strict=True
        )
    ),
    "Brooke Tanner",
    "Isaac Obi",
    "Lola Fenwick",
]
# Fifth held-out pools: none of these are in the pools above.
HELDOUT5_POOLS = {
    "CHILD": "Amara Bryn Cassie Dylan Effie Fraser Gethin Hallie Ivy-Rose Jamal Kira Lennon Mercy Nate Ophelia Preston Ronnie Shay Teddy Uma Valentina Wesley Yasir Zuzanna Alfie-Ray Bea Connor Daisy-Mae Esa Frankie-Leigh".split(),
    "CHILD_WORDNAME": "Hope Grace Summer Faith Holly Ruby Rose Amber Willow Poppy Dawn Liberty".split(),
    "ADULT": "Carla Jamie Roxanne Wes Danielle Tony Sharon-Marie Kyle Geraldine Mo".split(),
    "SURNAME": "Crossley Oyelaran Fairbairn Wozniak Hendry Rashid Pugh Tierney".split(),
    "staff": "Ngozi Fiona Alistair Samina Rory Kerry Tunde Maxine Callum Deepa".split(),
    "staff2": "Ngozi Fiona Alistair Samina Rory Kerry Tunde Maxine Callum Deepa".split(),
    "staff_surname": "Whitfield Rahman Macleod Owusu Garner".split(),
    "STREET": "Nursery Lane|Cromwell Road|Bell Street|Bluebell Close|Somerset Avenue|Penn Hill|Abbey Road".split(
        "|"
    ),
    "ESTATE": "Osprey Court|Drake House|Quantock Heights".split("|"),
    "HOUSE": "Hawthorn Cottage|Little Orchard Farm|Wren Lodge".split("|"),
    "POSTCODE": "TA5 2PU|BA9 9DH|DY6 8LN|RH11 7XZ|TA19 0BS|BS26 2AT".split("|"),
    "SCHOOL": "Haygrove School|St Dunstan's School|Ladymead Community School|Bishops Hull Primary|Rainbow Corner Nursery|Preston Academy".split(
        "|"
    ),
    "place": "Crewkerne|Somerton|Cradley Heath|Lewes|Porlock|Nailsea".split("|"),
    "pet": "Waffles|Domino|Pip".split("|"),
    "month_name": "April|July|October".split("|"),
}
HELDOUT5_DIRECTORY = [
    *(
        f"{first} {last}"
        for first, last in zip(
            HELDOUT5_POOLS["staff"], HELDOUT5_POOLS["staff_surname"] * 2, strict=True
        )
    ),
    "Dylan Marsh",
    "Daisy Holt",
    "Nate Corbin",
]
POOLS_IN_USE: dict[str, list[str]] = {}
ROLES = "social worker|Team Manager|IRO|CSW|Practice Lead|family support worker|Head of Service|Consultant Social Worker|SW".split(
    "|"
)
PHONE_FORMATS = ("07{a} {b}", "07{a}{b}", "+44 7{a2} {b}", "07{a}-{b}")
MONTHS = (
    "January February March April May June July August September October November December".split()
)


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            raw = "".join(map(str, [*digits, check]))
            return rng.choice(
                [f"{raw[:3]} {raw[3:6]} {raw[6:]}", raw, f"{raw[:3]}-{raw[3:6]}-{raw[6:]}"]
            )


def ni_number(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        first, second = "A", "B"
    digits = "".join(str(rng.randint(0, 9)) for _ in range(6))
    suffix = rng.choice("ABCD")
    return rng.choice(
        [
            f"{first}{second}{digits}{suffix}",
            f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}",
            f"{first}{second}{digits[:2]} {digits[2:4]} {digits[4:]}{suffix}".lower(),
        ]
    )


def dob(rng: random.Random) -> str:
    year = rng.randint(2006, 2021)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [
            f"{day:02d}/{month:02d}/{year}",
            f"{day}.{month}.{year % 100:02d}",
            f"{day}{'th' if day not in (1, 2, 3, 21, 22, 23) else {1: 'st', 2: 'nd', 3: 'rd', 21: 'st', 22: 'nd', 23: 'rd'}[day]} {MONTHS[month - 1]} {year}",
            f"{day} {MONTHS[month - 1][:3]} {year}",
            f"{year}-{month:02d}-{day:02d}",
        ]
    )


def meeting_date(rng: random.Random) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    year = rng.choice([2025, 2026])
    return rng.choice(
        [
            f"{day:02d}/{month:02d}/{year}",
            f"{day} {MONTHS[month - 1]} {year}",
            f"{day} {MONTHS[month - 1]}",
        ]
    )


def phone(rng: random.Random) -> str:
    a = f"{rng.randint(400, 999)}"
    b = f"{rng.randint(100000, 999999)}"
    return rng.choice(PHONE_FORMATS).format(a=a, b=b, a2=a)


def fill(slot: str, rng: random.Random) -> str:
    base = slot.rstrip("0123456789")
    pools = {
        "CHILD": CHILDREN, "CHILD_WORDNAME": NAMES_THAT_ARE_WORDS, "ADULT": ADULTS,
        "SURNAME": SURNAMES, "staff": STAFF, "staff_surname": STAFF_SURNAMES,
        "STREET": STREETS, "ESTATE": ESTATES, "HOUSE": HOUSES, "POSTCODE": POSTCODES,
        "SCHOOL": SCHOOLS, "team": TEAMS, "place": PLACES, "org": ORGS, "pet": PETS,
        "role": ROLES,
    }  # fmt: skip
    if base in POOLS_IN_USE:
        return rng.choice(POOLS_IN_USE[base])
    if base in pools:
        return rng.choice(pools[base])
    if base == "child_lower":
        return rng.choice(POOLS_IN_USE.get("CHILD", CHILDREN)).lower()
    if base == "AGE":
        return str(rng.randint(2, 17))
    if base == "DOB":
        return dob(rng)
    if base == "NHS":
        return nhs_number(rng)
    if base == "NI":
        return ni_number(rng)
    if base == "PHONE":
        return phone(rng)
    if base == "EMAIL":
        name = rng.choice(ADULTS).lower()
        return f"{name}{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'hotmail.co.uk', 'outlook.com', 'icloud.com', 'yahoo.co.uk'])}"
    if base == "HOUSENO":
        return f"{rng.randint(1, 120)}{rng.choice(['', '', 'a'])}"
    if base == "FLATNO":
        return str(rng.randint(1, 40))
    if base == "meeting":
        return meeting_date(rng)
    if base == "case":
        return str(rng.randint(1000000, 9999999))
    if base == "office_phone":
        return rng.choice(["0300 123 2224", "0800 917 9955", "01823 355 803", "01384 813 000"])
    if base == "staff_email":
        return f"{rng.choice(STAFF).lower()}.{rng.choice(STAFF_SURNAMES).lower()}@somerset.gov.uk"
    if base == "n":
        return str(rng.randint(2, 30))
    raise KeyError(slot)


# The kind each identifier slot is labelled with.
KINDS = {
    "CHILD": "name", "CHILD_WORDNAME": "name", "ADULT": "name", "SURNAME": "name",
    "child_lower": "name", "AGE": "age", "DOB": "date_of_birth", "NHS": "nhs_number",
    "NI": "ni_number", "PHONE": "phone_number", "EMAIL": "email", "STREET": "address",
    "ESTATE": "address", "HOUSE": "address", "POSTCODE": "postcode", "SCHOOL": "school",
    "HOUSENO": "address", "FLATNO": "address",
}  # fmt: skip
SLOT = re.compile(r"\{([A-Za-z_]+[0-9]?)\}")


def render(template: str, rng: random.Random) -> dict[str, object]:
    values: dict[str, str] = {}
    text = ""
    identifiers: list[dict[str, object]] = []
    position = 0
    for match in SLOT.finditer(template):
        text += template[position : match.start()]
        slot = match.group(1)
        if slot not in values:
            values[slot] = fill(slot, rng)
            if slot.rstrip("0123456789") == "child_lower" or slot == "CHILD_LOWER":
                pass
        value = values[slot]
        kind = KINDS.get(slot.rstrip("0123456789"))
        if kind is not None:
            identifiers.append(
                {"kind": kind, "start": len(text), "end": len(text) + len(value), "text": value}
            )
        text += value
        position = match.end()
    text += template[position:]
    return {"text": text, "identifiers": _merge_addresses(identifiers)}


def _merge_addresses(identifiers: list[dict[str, object]]) -> list[dict[str, object]]:
    """A house number and its street ("14" + "Acacia Avenue") are one address."""
    merged: list[dict[str, object]] = []
    for item in identifiers:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous["kind"] == "address"
            and item["kind"] == "address"
            and int(item["start"]) - int(previous["end"]) <= 2  # type: ignore[call-overload]
        ):
            previous["end"] = item["end"]
            previous["text"] = (
                f"{previous['text']}{' ' * (int(item['start']) - int(previous['end']))}"  # type: ignore[call-overload]
            )
            continue
        merged.append(dict(item))
    return merged


def build(
    name: str, templates: list[str], copies: int, seed: int, pools: dict[str, list[str]]
) -> int:
    POOLS_IN_USE.clear()
    POOLS_IN_USE.update(pools)
    rng = random.Random(seed)
    lines = []
    for number, template in enumerate(templates * copies):
        record = render(template, rng)
        text = str(record["text"])
        for item in record["identifiers"]:  # type: ignore[attr-defined]
            item["text"] = text[item["start"] : item["end"]]
        lines.append(json.dumps({"id": f"{name}-{number}", **record}, ensure_ascii=False))
    (HERE / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    print(build("tuning", TUNING, 3, 13, {}), "tuning texts")
    print(build("heldout", HELDOUT, 3, 2026, HELDOUT_POOLS), "held-out texts")
    print(build("heldout2", HELDOUT2, 3, 1130, HELDOUT2_POOLS), "second held-out texts")
    print(build("heldout3", HELDOUT3, 3, 2140, HELDOUT3_POOLS), "third held-out texts")
    print(build("heldout4", HELDOUT4, 3, 2155, HELDOUT4_POOLS), "fourth held-out texts")
    (HERE / "heldout4_directory.txt").write_text("\n".join(HELDOUT4_DIRECTORY) + "\n", "utf-8")
    print(build("heldout5", HELDOUT5, 3, 2218, HELDOUT5_POOLS), "fifth held-out texts")
    (HERE / "heldout5_directory.txt").write_text("\n".join(HELDOUT5_DIRECTORY) + "\n", "utf-8")
