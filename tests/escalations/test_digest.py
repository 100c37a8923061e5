"""What escalations give the QA digest, for a seeded quarter with known counts: disagreements
raised, resolved (and at which stage), still open at the end, within the timescale; the
categories and ladders as themes; a team scope; the period's boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.config import load_framework
from bot.domain.digest import Section
from bot.escalations.digest import digest
from bot.escalations.rules import OPEN, RESOLVED, WITHDRAWN
from bot.escalations.store import Dispute
from tests import digest_support
from tests.digest_support import AFTER, TAUNTON, DigestEnv, counts, figures, unavailable

digest_env = digest_support.digest_env
STAMP = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def dispute(
    env: DigestEnv,
    who: str,
    opened: date,
    category: str,
    *,
    status: str = OPEN,
    closed: date | None = None,
    stage: int = 0,
    total_due: date | None = None,
    ladder: str = "rpd",
) -> Dispute:
    return Dispute(
        ladder=ladder,
        status=status,
        raised_by_id=env.people[who],
        category=category,
        resolution_sought="A decision on the threshold",
        stage_index=stage,
        started_at_stage=0,
        stage_started_on=opened,
        opened_on=opened,
        total_due_on=total_due,
        closed_on=closed,
        created_at=STAMP,
    )


async def seed_quarter(env: DigestEnv) -> None:
    threshold, sharing = "Threshold decision", "Information sharing"
    async with env.store.session() as session:
        session.add_all(
            [
                # Taunton (Sam, Tom)
                dispute(env, "sam", date(2026, 7, 2), threshold, status=RESOLVED,
                        closed=date(2026, 7, 20), total_due=date(2026, 8, 1)),
                dispute(env, "sam", date(2026, 8, 1), sharing, status=RESOLVED,
                        closed=date(2026, 9, 30), stage=1, total_due=date(2026, 9, 1)),
                dispute(env, "tom", date(2026, 9, 10), threshold),
                dispute(env, "tom", date(2026, 5, 1), threshold),
                dispute(env, "sam", AFTER, "Other"),
                # Yeovil (Priya)
                dispute(env, "priya", date(2026, 6, 20), "Plan or progress of the plan",
                        status=RESOLVED, closed=date(2026, 7, 15), stage=2),
                dispute(env, "priya", date(2026, 7, 10), threshold, status=WITHDRAWN,
                        closed=date(2026, 8, 1)),
                # Early Help (Eve): resolved the day after the quarter, so open at its end.
                dispute(env, "eve", date(2026, 8, 5), sharing, status=RESOLVED, closed=AFTER,
                        total_due=date(2026, 9, 1)),
            ]
        )  # fmt: skip


async def test_every_figure_of_a_seeded_quarter(digest_env: DigestEnv) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest)

    impact = parts[Section.IMPACT]
    assert figures(impact) == {
        "Disagreements raised": (5, None),
        "Disagreements resolved": (3, None),
        "Disagreements still open at the end of the period": (3, None),
        "Resolved within the ladder's timescale": (1, 2),
    }
    assert impact.distributions[0].counts == (
        ("Stage 1: conversation between the practitioners", 1),
        ("Stage 2: the managers", 1),
        ("Stage 3: senior managers (formal, RPD Form)", 1),
    )
    themes = parts[Section.THEMES]
    assert themes.themes == (("Threshold decision", 3), ("Information sharing", 2))
    assert counts(themes, "Disagreements by ladder") == {"Resolving Professional Differences": 5}


async def test_a_team_scope_counts_only_disputes_its_people_raised(
    digest_env: DigestEnv,
) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest, TAUNTON)

    assert figures(parts[Section.IMPACT]) == {
        "Disagreements raised": (3, None),
        "Disagreements resolved": (2, None),
        "Disagreements still open at the end of the period": (2, None),
        "Resolved within the ladder's timescale": (1, 2),
    }
    assert parts[Section.THEMES].themes == (("Threshold decision", 2), ("Information sharing", 1))


async def test_an_empty_quarter_has_no_timescale_figure_to_show(digest_env: DigestEnv) -> None:
    parts = await digest_env.parts(digest)

    impact = {f.label: f for f in parts[Section.IMPACT].figures}
    assert impact["Disagreements raised"].value == 0
    assert impact["Resolved within the ladder's timescale"].value is None
    assert parts[Section.IMPACT].distributions == ()
    assert parts[Section.THEMES].themes == ()


async def test_stages_are_named_with_their_ladder_when_there_are_several(
    digest_env: DigestEnv,
) -> None:
    """Dudley has an audit dispute ladder and the IRO DRP."""
    async with digest_env.store.session() as session:
        session.add_all(
            [
                dispute(digest_env, "sam", date(2026, 7, 2), "Audit or moderation grade",
                        status=RESOLVED, closed=date(2026, 7, 9), ladder="audit_dispute"),
                dispute(digest_env, "tom", date(2026, 7, 2), "Plan or progress of the plan",
                        status=RESOLVED, closed=date(2026, 7, 9), stage=1, ladder="drp"),
            ]
        )  # fmt: skip
    parts = await digest_env.parts(digest, framework=load_framework("dudley"))

    assert parts[Section.IMPACT].distributions[0].counts == (
        ("Audit dispute: Stage 1: the practitioner and the auditor", 1),
        ("IRO Dispute Resolution Process: Formal 1: team manager", 1),
    )


async def test_a_framework_without_ladders_says_so(digest_env: DigestEnv) -> None:
    framework = digest_env.framework.model_copy(
        update={"escalations": digest_env.framework.escalations.model_copy(update={"ladders": ()})}
    )
    parts = await digest_env.parts(digest, framework=framework)

    assert list(parts) == [Section.IMPACT]
    assert figures(parts[Section.IMPACT]) == {}
    assert unavailable(parts[Section.IMPACT]) == ["Professional disagreements"]
