"""What nominations give the QA digest, for a seeded quarter with known counts: practice added
to the Good Practice Library (newest first, as the library shows it), nominations made and
ratified, teams nominated for a Good Practice Conversation, themes; a team scope; the period's
boundaries in local time (British Summer Time at the end of September)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.config import load_framework
from bot.domain.digest import Section
from bot.nominations import store
from bot.nominations.digest import digest, shorten
from bot.nominations.store import LibraryEntry, Nomination, Nominee, TeamNomination
from tests import digest_support
from tests.digest_support import TAUNTON, DigestEnv, figures

digest_env = digest_support.digest_env


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def nominate(
    env: DigestEnv,
    who: str | None,
    theme: str,
    submitted: datetime,
    *,
    decided: datetime | None = None,
    status: str = store.VOTING,
    team: str | None = None,
    via_team: tuple[str, ...] = (),
    library_on: date | None = None,
) -> None:
    async with env.store.session() as session:
        nomination = Nomination(
            nominator_id=env.people["quinn"],
            team_id=env.teams[team] if team else None,
            what_happened=f"Direct work on {theme.lower()} with the family, week by week.",
            difference_made="The child's plan now starts from what they told us.",
            evidence_source="Supervision",
            theme=theme,
            case_reference="2045871",
            status=status,
            submitted_at=submitted,
            updated_at=submitted,
            decided_at=decided,
        )
        nomination.nominees = [Nominee(person_id=env.people[p]) for p in ([who] if who else [])]
        nomination.nominees += [Nominee(person_id=env.people[p], via_team=True) for p in via_team]
        session.add(nomination)
        await session.flush()
        if library_on is not None:
            session.add(
                LibraryEntry(
                    nomination_id=nomination.id,
                    reference=nomination.reference,
                    theme=theme,
                    team_id=nomination.team_id,
                    team_name=team or env_team(who),
                    nominees="someone",
                    what_happened=nomination.what_happened,
                    difference_made=nomination.difference_made,
                    evidence_source="Supervision",
                    ratified_on=library_on,
                    added_at=at(library_on.year, library_on.month, library_on.day),
                    search_text="",
                )
            )


def env_team(who: str | None) -> str | None:
    return digest_support.PEOPLE[who][1] if who else None


async def seed_quarter(env: DigestEnv) -> None:
    r = store.RATIFIED
    await nominate(
        env,
        "sam",
        "Child's voice",
        at(2026, 7, 3),
        decided=at(2026, 7, 20),
        status=r,
        library_on=date(2026, 7, 20),
    )
    # Ratified at 00:30 on 1 October, London time: the next quarter's, as is its library entry.
    await nominate(
        env,
        "priya",
        "Direct work",
        at(2026, 8, 2),
        decided=at(2026, 9, 30, 23, 30),
        status=r,
        library_on=date(2026, 10, 1),
    )
    # Submitted at 00:30 on 1 July, London time: this quarter's.
    await nominate(
        env,
        "eve",
        "Child's voice",
        at(2026, 6, 30, 23, 30),
        decided=at(2026, 8, 10),
        status=r,
        library_on=date(2026, 8, 10),
    )
    await nominate(env, "tom", "Recording", at(2026, 9, 1))
    # Submitted at 23:00 on 30 June, London time: last quarter's.
    await nominate(
        env,
        "sam",
        "Direct work",
        at(2026, 6, 30, 22, 0),
        decided=at(2026, 7, 5),
        status=store.DECLINED,
    )
    await nominate(
        env,
        None,
        "Partnership working",
        at(2026, 7, 10),
        decided=at(2026, 7, 25),
        status=r,
        team="Taunton CP",
        via_team=("tom",),
        library_on=date(2026, 7, 25),
    )


async def test_every_figure_of_a_seeded_quarter(digest_env: DigestEnv) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest)

    good = parts[Section.GOOD_PRACTICE]
    assert figures(good) == {
        "Practice added to the Good Practice Library": (3, None),
        "Nominations made": (5, None),
        "Nominations ratified by the CSW group": (3, None),
    }
    assert [(h.title, h.reference[:8]) for h in good.highlights] == [
        ("Child's voice: Early Help North", "GP-2026-"),
        ("Partnership working: Taunton CP", "GP-2026-"),
        ("Child's voice: Taunton CP", "GP-2026-"),
    ]
    assert good.highlights[0].text.startswith("Direct work on child's voice with the family")
    assert all("2045871" not in h.text + h.title for h in good.highlights)
    assert parts[Section.THEMES].themes == (
        ("Child's voice", 2),
        ("Direct work", 1),
        ("Partnership working", 1),
        ("Recording", 1),
    )


async def test_a_team_scope_counts_its_nominees_and_its_team(digest_env: DigestEnv) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest, TAUNTON)

    good = parts[Section.GOOD_PRACTICE]
    assert figures(good) == {
        "Practice added to the Good Practice Library": (2, None),
        "Nominations made": (3, None),
        "Nominations ratified by the CSW group": (2, None),
    }
    assert [h.title for h in good.highlights] == [
        "Partnership working: Taunton CP",
        "Child's voice: Taunton CP",
    ]
    assert parts[Section.THEMES].themes == (
        ("Child's voice", 1),
        ("Partnership working", 1),
        ("Recording", 1),
    )


async def test_teams_nominated_for_a_good_practice_conversation(digest_env: DigestEnv) -> None:
    """North Somerset: heads of service nominate teams (seed 004)."""
    async with digest_env.store.session() as session:
        for team, created, status in (
            ("Taunton CP", at(2026, 7, 6), store.GPC_ARRANGED),
            ("Yeovil CiC", at(2026, 8, 6), store.GPC_WITHDRAWN),
            ("Early Help North", at(2026, 9, 6), store.GPC_LISTED),
            ("Taunton CP", at(2026, 10, 6), store.GPC_LISTED),
        ):
            session.add(
                TeamNomination(
                    team_id=digest_env.teams[team],
                    nominated_by_id=digest_env.people["yan"],
                    reason="Strong family meetings",
                    status=status,
                    created_at=created,
                    updated_at=created,
                )
            )
    framework = load_framework("north-somerset")
    label = "Teams nominated for a Good Practice Conversation"
    assert figures((await digest_env.parts(digest, framework=framework))[Section.GOOD_PRACTICE])[
        label
    ] == (2, None)
    team = await digest_env.parts(digest, TAUNTON, framework=framework)
    assert figures(team[Section.GOOD_PRACTICE])[label] == (1, None)
    somerset = await digest_env.parts(digest)
    assert label not in figures(somerset[Section.GOOD_PRACTICE])


async def test_an_empty_quarter(digest_env: DigestEnv) -> None:
    parts = await digest_env.parts(digest)

    assert figures(parts[Section.GOOD_PRACTICE])["Nominations made"] == (0, None)
    assert parts[Section.GOOD_PRACTICE].highlights == ()
    assert parts[Section.THEMES].themes == ()


def test_long_practice_is_shortened_at_a_word() -> None:
    text = "word " * 100
    short = shorten(text, 40)
    assert len(short) <= 40
    assert short.endswith("word…")
    assert shorten("Short and sweet.") == "Short and sweet."
