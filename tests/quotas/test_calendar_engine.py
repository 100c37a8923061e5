"""The calendar engine's intervals and rotations: North Somerset's team action plans every six
weeks and its Team Spotlight team and lead for each month (seed 004), Somerset's Team
Diagnostics every 18 months per team and MAPE's different team each time (seed 000), the
partnership's Section 11 audit every two years (seed 003); the QA team's prompt names whose
turn it is; leads are reminded in their morning summary."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from pydantic import ValidationError

from bot.config import load_framework
from bot.domain.activities import ActivityType, CycleQuota, Interval
from bot.domain.workdays import WorkingCalendar
from bot.quotas.rules import month_schedule
from bot.quotas.schedule import Directory, Member, Taken
from tests.allocations.support import (  # noqa: F401
    PRIYA,
    QUINN,
    TESS,
    away,
    messages_to,
    qa_env,
    rows,
    running,
)
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock
from tests.quotas.support import at, card_text, morning, say
from tests.quotas.test_feeds import _get, _link

CAL = WorkingCalendar(quarter_start_month=4)
SOMERSET_TEAMS = ["Bridgwater CP", "Frome CiC", "Minehead CIN", "Taunton CP", "Wells FIS", "Yeovil"]
SPOTLIGHT_TEAMS = {
    2: "CDT",
    3: "Children in Care",
    4: "Front Door",
    5: "Family Support and Safeguarding",
    6: "Family Wellbeing",
    7: "YOS",
    9: "Fostering",
    10: "Quality and Assurance",
    11: "Care Leavers",
}


def _month(year: int, month: int) -> date:
    return date(year, month, 1)


def _entry(preset: str, first: date, key: str, directory: Directory | None = None) -> object:
    found = [
        e for e in month_schedule(load_framework(preset), first, CAL, directory) if e.key == key
    ]
    return found[0] if found else None


# --- the framework model -------------------------------------------------------------------


def test_an_activity_recurs_by_months_or_an_interval_and_says_why_not() -> None:
    good = load_framework("north-somerset").activity("team_action_plan_review")
    assert good is not None and good.every is not None and good.every.weeks == 6
    data = good.model_dump()
    with pytest.raises(ValidationError, match="by months or by an interval"):
        ActivityType.model_validate({**data, "months": (1, 7)})
    interval = {"starts": date(2026, 9, 7), "source": "seed 004"}
    with pytest.raises(ValidationError, match="give exactly one"):
        Interval.model_validate({**interval, "weeks": 6, "months": 2})
    with pytest.raises(ValidationError, match="give exactly one"):
        Interval.model_validate(interval)
    with pytest.raises(ValidationError, match='per = "team" needs an interval in months'):
        Interval.model_validate({**interval, "weeks": 6, "per": "team"})
    with pytest.raises(ValidationError, match="first day of a month"):
        Interval.model_validate({**interval, "months": 18})
    with pytest.raises(ValidationError, match=r"\[\[quotas\]\]"):
        CycleQuota.model_validate({"activity": "feedback", "per": "practitioner", "per_cycle": 1})
    team = {"key": "team", "label": "team", "of": "team", "source": "seed 004"}
    with pytest.raises(ValidationError, match="need a cadence"):
        ActivityType.model_validate({**data, "every": None, "leads": (), "rotations": [team]})
    with pytest.raises(ValidationError, match='of = "role"'):
        ActivityType.model_validate({**data, "rotations": [{**team, "of": "role"}]})


# --- North Somerset (seed 004) ----------------------------------------------------------------


def test_north_somerset_action_plans_every_six_weeks_skipping_the_quiet_months() -> None:
    framework = load_framework("north-somerset")
    plan = framework.activity("team_action_plan_review")
    assert plan is not None
    opened = [
        e.opens_on
        for n in range(16)
        for e in month_schedule(framework, _month(2026 + (8 + n) // 12, (8 + n) % 12 + 1), CAL)
        if e.key == "team_action_plan_review"
    ]
    assert opened == [
        date(2026, 9, 7),
        date(2026, 10, 19),
        date(2026, 11, 30),
        date(2027, 1, 11),
        date(2027, 2, 22),
        date(2027, 4, 5),
        date(2027, 5, 17),
        date(2027, 6, 28),
        # 9 August 2027 falls in the quiet August: nothing is prompted
        date(2027, 9, 20),
        date(2027, 11, 1),
    ]
    assert all(
        b - a in (timedelta(weeks=6), timedelta(weeks=12)) for a, b in itertools.pairwise(opened)
    )


@pytest.mark.parametrize("month", range(1, 13))
def test_north_somerset_team_spotlight_month_by_month(month: int) -> None:
    year = 2027
    leads = [Member("1", "Ade Assistant"), Member("2", "Hana Head")]
    directory = Directory(members={"team_spotlight.lead": leads})
    entry = _entry("north-somerset", _month(year, month), "team_spotlight", directory)
    if month not in SPOTLIGHT_TEAMS:
        assert entry is None  # January, and the quiet August and December
        return
    assert entry is not None
    turns = {t.label: t.member.label for t in entry.turns}  # type: ignore[attr-defined]
    assert turns["team"] == SPOTLIGHT_TEAMS[month]
    # The senior managers lead in turn: the year's first Spotlight is the first's.
    index = sorted(SPOTLIGHT_TEAMS).index(month)
    assert turns["lead"] == leads[index % 2].label


def test_a_kept_turn_moves_the_rotation_on_from_there() -> None:
    leads = [Member("1", "Ade Assistant"), Member("2", "Hana Head"), Member("3", "Dee Director")]
    kept = Directory(
        members={"team_spotlight.lead": leads},
        taken={"team_spotlight.lead": Taken("3", date(2027, 3, 1))},
    )
    april = _entry("north-somerset", _month(2027, 4), "team_spotlight", kept)
    may = _entry("north-somerset", _month(2027, 5), "team_spotlight", kept)
    september = _entry("north-somerset", _month(2027, 9), "team_spotlight", kept)
    names = [
        {t.label: t.member.label for t in e.turns}["lead"]  # type: ignore[attr-defined]
        for e in (april, may, september)
    ]
    # Dee led in March; then Ade (Apr), Hana (May), Dee (Jun), Ade (Jul) and, with no Spotlight
    # in the quiet August, Hana in September.
    assert names == ["Ade Assistant", "Hana Head", "Hana Head"]


# --- Somerset (seed 000) -------------------------------------------------------------------


@pytest.mark.parametrize("month", range(1, 13))
def test_somerset_month_by_month_with_diagnostics_and_mape(month: int) -> None:
    year = 2027 if month < 4 else 2026
    directory = Directory(
        teams=SOMERSET_TEAMS,
        members={"mape.team": [Member(t, t) for t in SOMERSET_TEAMS]},
    )
    entries = month_schedule(load_framework("somerset"), _month(year, month), CAL, directory)
    keys = [e.key for e in entries]
    # Six teams over 18 months from April 2024: one team every three months.
    since = (year - 2024) * 12 + month - 4
    diagnostic = next((e for e in entries if e.key == "team_diagnostic"), None)
    if since % 3 == 0:
        assert diagnostic is not None
        assert diagnostic.teams == (SOMERSET_TEAMS[(since % 18) // 3],)
        assert "every 18 months per team" in diagnostic.cadence
    else:
        assert diagnostic is None
    mape = next((e for e in entries if e.key == "mape"), None)
    assert (mape is not None) == (month % 2 == 0)
    if mape is not None:
        # A different team each time: the year's MAPEs take the teams in turn from February.
        assert mape.turns[0].member.label == SOMERSET_TEAMS[(month // 2 - 1) % 6]
    assert ("practice_evaluation" in keys) == (month in (2, 5, 8, 11))


def test_every_somerset_team_has_a_diagnostic_once_in_18_months() -> None:
    framework = load_framework("somerset")
    seen: list[str] = []
    for n in range(18):
        first = _month(2026 + (3 + n) // 12, (3 + n) % 12 + 1)
        for entry in month_schedule(framework, first, CAL, Directory(teams=SOMERSET_TEAMS)):
            seen += list(entry.teams)
    assert sorted(seen) == sorted(SOMERSET_TEAMS)


# --- the partnership (seed 003) --------------------------------------------------------------


def test_section_11_every_two_years_from_quarter_1_2019() -> None:
    framework = load_framework("somerset-partnership")
    years = [
        year
        for year in range(2019, 2031)
        for e in month_schedule(framework, _month(year, 4), CAL)
        if e.key == "section_11_audit"
    ]
    assert years == [2019, 2021, 2023, 2025, 2027, 2029]
    assert _entry("somerset-partnership", _month(2027, 5), "section_11_audit") is None


# --- in chat, the QA team's prompt and the leads' reminders ---------------------------------

NORTH_SOMERSET_STAFF = """email,name,roles,team,service,manager_email,slack_user_id
dee.dcs@example.gov.uk,Dee Director,director,Leadership,CS,,UDEE
ade.ad@example.gov.uk,Ade Assistant,assistant_director,Leadership,CS,dee.dcs@example.gov.uk,UADE
hana.hos@example.gov.uk,Hana Head,head_of_service,Leadership,CS,ade.ad@example.gov.uk,UHANA
tom.tm@example.gov.uk,Tom Manager,team_manager,CDT,CS,hana.hos@example.gov.uk,UTOM
pat.sw@example.gov.uk,Pat Social,practitioner,CDT,CS,tom.tm@example.gov.uk,UPAT
quinn.qa@example.gov.uk,Quinn Improvement,qa_team,QA,CS,hana.hos@example.gov.uk,UQUINN
"""


async def test_the_prompt_names_the_spotlight_team_and_lead_in_turn(
    database: Database, clock: FakeClock
) -> None:
    async with running(
        database, clock, framework="north-somerset", staff=NORTH_SOMERSET_STAFF
    ) as env:
        await morning(env, date(2027, 2, 1))
        await morning(env, date(2027, 2, 2))  # once a month
        await morning(env, date(2027, 3, 1))
        posts = [card_text(r.payload) for r in await rows(env, kind="calendar")]
        assert len(posts) == 2
        assert "Team Spotlight" in posts[0] and "Team: CDT; lead: Ade Assistant" in posts[0]
        assert "Team action plan review" in posts[0]
        spotlight = next(line for line in posts[0].splitlines() if "Team Spotlight" in line)
        assert "Allocate it with `allocate`" in spotlight and "allocate cycle" not in spotlight
        plans = next(line for line in posts[0].splitlines() if "action plan" in line)
        assert "leads are reminded" in plans
        assert "Team: Children in Care; lead: Dee Director" in posts[1]
        # The calendar in chat shows the turns to come (none confirmed yet: the year's order;
        # a confirmed cycle moves the rotation on, tests/quotas/test_work_events.py).
        (card,) = await say(env, "quinn.qa@example.gov.uk", "calendar 2027-04")
        assert "team: Front Door; lead: Hana Head" in card_text(card)


async def test_leads_are_reminded_at_the_start_of_the_month_and_days_before(
    database: Database, clock: FakeClock
) -> None:
    async with running(
        database, clock, framework="north-somerset", staff=NORTH_SOMERSET_STAFF
    ) as env:
        # Five working days before the review of Monday 22 February 2027 (a local default).
        await morning(env, date(2027, 2, 12))
        await morning(env, date(2027, 2, 15))
        await morning(env, date(2027, 2, 16))
        tom = [
            card_text(m.payload)
            for m in await messages_to(env, "tom.tm@example.gov.uk", "reminder")
        ]
        assert len(tom) == 1, tom
        assert "You lead Team action plan review" in tom[0] and "22 Feb" in tom[0]
        # The Spotlight lead is the one whose turn it is, not every senior manager.
        await morning(env, date(2027, 3, 1))
        dee = [
            card_text(m.payload)
            for m in await messages_to(env, "dee.dcs@example.gov.uk", "reminder")
        ]
        hana = [
            card_text(m.payload)
            for m in await messages_to(env, "hana.hos@example.gov.uk", "reminder")
        ]
        assert any("You lead Team Spotlight" in t and "Children in Care" in t for t in dee)
        assert not any("You lead Team Spotlight" in t and "Children in Care" in t for t in hana)


async def test_somersets_calendar_and_feeds_show_the_team_whose_diagnostic_is_due(
    qa: BotEnv,
) -> None:
    # The case-holding teams (Taunton CP, Yeovil CiC; not Leadership, SIT or the CSW group)
    # over 18 months from April 2024: Taunton CP in April 2027.
    qa.clock.set(at(date(2026, 11, 16), 10))
    (card,) = await say(qa, TESS, "calendar 2027-04")
    line = next(x for x in card_text(card).splitlines() if "Team Diagnostic" in x)
    assert "every 18 months per team" in line and "teams due: Taunton CP" in line
    (card,) = await say(qa, TESS, "calendar december")
    assert "Team Diagnostic" not in card_text(card)
    mape = next(x for x in card_text(card).splitlines() if "MAPE" in x)
    assert "team: Taunton CP" in mape or "team: Yeovil CiC" in mape

    def diagnostics(text: str) -> set[date]:
        return {
            event.decoded("dtstart")
            for event in Calendar.from_ical(text).walk("VEVENT")
            if str(event.get("summary")) == "Team Diagnostic opens"
        }

    _, everything = await _get(qa, await _link(qa, QUINN, "qa"))
    assert diagnostics(everything) == {date(2027, 4, 1)}
    # Only Taunton CP's people have it in their own feeds.
    _, tess = await _get(qa, await _link(qa, TESS))
    _, priya = await _get(qa, await _link(qa, PRIYA))
    assert diagnostics(tess) == {date(2027, 4, 1)}
    assert diagnostics(priya) == set()


async def test_an_away_leads_line_goes_to_their_manager_or_else_the_qa_team(
    database: Database, clock: FakeClock
) -> None:
    async with running(
        database, clock, framework="north-somerset", staff=NORTH_SOMERSET_STAFF
    ) as env:
        # Tom leads the team action plan review of Monday 22 February 2027 but is away on the
        # day of his reminder: Hana, his line manager, hears it instead.
        await away(env, "tom.tm@example.gov.uk", date(2027, 2, 15), date(2027, 2, 19))
        await morning(env, date(2027, 2, 15))
        assert await messages_to(env, "tom.tm@example.gov.uk", "reminder") == []
        hana = [
            card_text(m.payload)
            for m in await messages_to(env, "hana.hos@example.gov.uk", "reminder")
        ]
        assert any(
            "Tom Manager is away today, so you hear that they lead Team action plan review" in t
            for t in hana
        ), hana
        # Hana away too, and Ade and Dee above her: the QA team hears it.
        for email in ("hana.hos@example.gov.uk", "ade.ad@example.gov.uk", "dee.dcs@example.gov.uk"):
            await away(env, email, date(2027, 3, 25), date(2027, 4, 9))
        await away(env, "tom.tm@example.gov.uk", date(2027, 3, 25), date(2027, 4, 9))
        # Five working days before the review of Monday 5 April (Good Friday and Easter Monday).
        await morning(env, date(2027, 3, 25))
        quinn = [
            card_text(m.payload)
            for m in await messages_to(env, "quinn.qa@example.gov.uk", "reminder")
        ]
        assert any("Tom Manager is away today" in t for t in quinn), quinn


async def test_the_qa_team_is_warned_once_of_calendar_teams_not_in_the_directory(
    database: Database, clock: FakeClock
) -> None:
    async with running(
        database, clock, framework="north-somerset", staff=NORTH_SOMERSET_STAFF
    ) as env:
        await morning(env, date(2027, 2, 1))
        await morning(env, date(2027, 2, 2))
        (warning,) = [
            card_text(r.payload)
            for r in await rows(env, kind="notice")
            if "not in the directory" in card_text(r.payload)
        ]
        # The directory has CDT (and Leadership, QA): the other eight Spotlight teams of
        # Appendix 1 are named, CDT is not.
        spotlight = next(x for x in warning.splitlines() if x.startswith("Team Spotlight:"))
        named = spotlight.removeprefix("Team Spotlight: ").split(", ")
        assert named == [t for t in SPOTLIGHT_TEAMS.values() if t != "CDT"]


async def test_no_warning_when_every_calendar_team_is_in_the_directory(
    database: Database, clock: FakeClock
) -> None:
    staff = NORTH_SOMERSET_STAFF + "".join(
        f"tm{i}@example.gov.uk,Manager {i},team_manager,{team},CS,hana.hos@example.gov.uk,\n"
        for i, team in enumerate(SPOTLIGHT_TEAMS.values())
        if team != "CDT"
    )
    async with running(database, clock, framework="north-somerset", staff=staff) as env:
        await morning(env, date(2027, 2, 1))
        assert not any(
            "not in the directory" in card_text(r.payload) for r in await rows(env, kind="notice")
        )
