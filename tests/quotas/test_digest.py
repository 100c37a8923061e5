"""What quotas give the QA digest, for a seeded quarter with known counts: each quota met by
how many it counts, feedback by kind and source, themes; a team scope; the period's
boundaries; and what the framework does not count said as such, not shown as 0."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.charts import describe
from bot.config import load_framework
from bot.dialogs.forms import calendar
from bot.domain.digest import Section
from bot.domain.quotas import Quota
from bot.quotas import flows
from bot.quotas.digest import HELD, QUOTA_CHART, digest
from bot.quotas.store import ACTIVE, WITHDRAWN, CalendarHeld, QuotaItem, met_and_counted
from tests import digest_support
from tests.digest_support import (
    AFTER,
    AUTHORITY,
    BEFORE,
    TAUNTON,
    DigestEnv,
    counts,
    figures,
    unavailable,
)

digest_env = digest_support.digest_env
STAMP = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)


def feedback(
    env: DigestEnv,
    who: str,
    on: date,
    kind: str,
    source: str,
    themes: list[str] | None = None,
    status: str = ACTIVE,
) -> QuotaItem:
    return QuotaItem(
        kind="feedback",
        status=status,
        subject_person_id=env.people[who],
        occurred_on=on,
        source=source,
        feedback_kind=kind,
        themes=themes or [],
        created_at=STAMP,
        updated_at=STAMP,
    )


def dip_review(env: DigestEnv, team: str, on: date, theme: str) -> QuotaItem:
    return QuotaItem(
        kind="dip_review",
        subject_team_id=env.teams[team],
        occurred_on=on,
        theme=theme,
        themes=[],
        created_at=STAMP,
        updated_at=STAMP,
    )


async def seed_quarter(env: DigestEnv) -> None:
    """Feedback: Sam 2, Priya 1, Eve 1 (Tom's fall outside the quarter or were withdrawn);
    dip reviews: Taunton and Early Help North, not Yeovil; no observations."""
    async with env.store.session() as session:
        session.add_all(
            [
                feedback(env, "sam", date(2026, 7, 5), "compliment", "parent"),
                feedback(
                    env,
                    "sam",
                    date(2026, 9, 30),
                    "complaint",
                    "carer",
                    ["Child's voice", "Recording"],
                ),
                feedback(env, "priya", date(2026, 8, 1), "comment", "child", ["Child's voice"]),
                feedback(env, "eve", date(2026, 7, 1), "compliment", "professional"),
                feedback(env, "tom", BEFORE, "compliment", "parent", ["Recording"]),
                feedback(env, "tom", AFTER, "compliment", "parent", ["Recording"]),
                feedback(env, "tom", date(2026, 8, 1), "compliment", "parent", status=WITHDRAWN),
                dip_review(env, "Taunton CP", date(2026, 8, 3), "Neglect"),
                dip_review(env, "Early Help North", date(2026, 9, 1), "Neglect"),
                dip_review(env, "Yeovil CiC", AFTER, "Neglect"),
            ]
        )


async def test_every_figure_of_a_seeded_quarter(digest_env: DigestEnv) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest)

    breadth = parts[Section.BREADTH]
    assert figures(breadth) == {
        "Family feedback: met the target": (3, 4),
        "Team dip review: met the target": (2, 3),
        "Practice observation: met the target": (0, 4),
        "Feedback logged": (4, None),
        # July's stocktake, QPRM, thematic dip review, Repeat CP analysis and Closing the Loop,
        # September's SEND dip review, action plans and feedback themes: none marked held.
        HELD: (0, 8),
    }
    # One completion chart of the quotas: each met by how many, of how many it counts.
    (chart,) = [d for d in breadth.distributions if d.kind == "completion"]
    assert [(label, n, of) for label, n, of, _ in chart.completion()] == [
        ("Family feedback", 3, 4),
        ("Team dip review", 2, 3),
        ("Practice observation", 0, 4),
    ]
    assert describe(chart) == (
        f"{QUOTA_CHART}: Family feedback 3 of 4 (75 %), Team dip review 2 of 3 (67 %), "
        "Practice observation 0 of 4 (0 %)."
    )
    assert counts(breadth, "Feedback by kind") == {"Compliment": 2, "Complaint": 1, "Comment": 1}
    assert counts(breadth, "Feedback by source") == {
        "Child": 1,
        "Young person": 0,
        "Parent": 1,
        "Carer": 1,
        "Professional": 1,
    }
    assert unavailable(breadth) == []
    assert parts[Section.THEMES].themes == (("Child's voice", 2), ("Neglect", 2), ("Recording", 1))


async def test_a_team_scope_counts_only_that_team(digest_env: DigestEnv) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest, TAUNTON)

    assert figures(parts[Section.BREADTH]) == {
        "Family feedback: met the target": (1, 2),
        "Team dip review: met the target": (1, 1),
        "Practice observation: met the target": (0, 2),
        "Feedback logged": (2, None),
    }
    assert parts[Section.THEMES].themes == (("Child's voice", 1), ("Neglect", 1), ("Recording", 1))


async def test_monthly_yearly_and_partnership_quotas(digest_env: DigestEnv) -> None:
    """A monthly quota is counted in each of the quarter's three months; a yearly one has not
    ended, and a partnership's is not counted per team: both said, not shown as 0. A framework
    that logs no feedback says so."""
    common = {"logged_by": ("qa_team",), "gap_owner": "qa_team", "source": "local default: test"}
    monthly = Quota(
        key="monthly", name="Monthly observation", counts="observation", per="practitioner",
        period="month", target=1, **common,
    )  # fmt: skip
    yearly = Quota(
        key="yearly", name="Yearly observation", counts="observation", per="practitioner",
        period="year", target=1, **common,
    )  # fmt: skip
    calls = Quota(
        key="calls", name="Follow-up calls", counts="follow_up_call", per="partnership",
        period="quarter", target=6, **common,
    )  # fmt: skip
    framework = digest_env.framework.model_copy(update={"quotas": (monthly, yearly, calls)})
    async with digest_env.store.session() as session:
        for who, on in (("sam", date(2026, 7, 3)), ("sam", date(2026, 8, 3)), ("eve", AFTER)):
            session.add(
                QuotaItem(
                    kind="observation",
                    subject_person_id=digest_env.people[who],
                    occurred_on=on,
                    themes=[],
                    created_at=STAMP,
                    updated_at=STAMP,
                )
            )
    parts = await digest_env.parts(digest, framework=framework)
    breadth = parts[Section.BREADTH]
    assert figures(breadth) == {
        "Monthly observation: met the target": (2, 12),
        "Follow-up calls: met the target": (0, 1),
        HELD: (0, 8),
    }
    notes = {f.label: f.note for f in breadth.figures}
    assert "3 periods (July 2026 to September 2026)" in notes["Monthly observation: met the target"]
    assert unavailable(breadth) == ["Yearly observation", "Family and professional feedback"]

    team = await digest_env.parts(digest, TAUNTON, framework=framework)
    assert figures(team[Section.BREADTH]) == {"Monthly observation: met the target": (2, 6)}
    (chart,) = [d for d in team[Section.BREADTH].distributions if d.kind == "completion"]
    assert chart.counts == (("Monthly observation", 2),) and chart.of == (6,)
    assert unavailable(team[Section.BREADTH]) == [
        "Yearly observation",
        "Follow-up calls",
        HELD,
        "Family and professional feedback",
    ]


async def test_an_empty_quarter(digest_env: DigestEnv) -> None:
    parts = await digest_env.parts(digest)

    assert figures(parts[Section.BREADTH])["Family feedback: met the target"] == (0, 4)
    assert figures(parts[Section.BREADTH])["Feedback logged"] == (0, None)
    assert parts[Section.THEMES].themes == ()


async def test_the_digest_counts_what_the_progress_card_counts(digest_env: DigestEnv) -> None:
    """The digest's one-statement count agrees with the area's own progress computation
    (``flows.count_quota``) for every Somerset quota."""
    await seed_quarter(digest_env)
    async with digest_env.store.session() as session:
        ctx = digest_env.context(session)
        for quota in ctx.framework.quotas:
            period = quota.period_of(date(2026, 8, 1), calendar(ctx))
            count = await flows.count_quota(ctx, quota, period)
            roles = list(quota.roles) if quota.per == "role" else ["practitioner"]
            assert await met_and_counted(
                session, quota.counts, quota.per, roles, quota.target, period.start, period.end,
                AUTHORITY,
            ) == (count.met, len(count.counted)), quota.key  # fmt: skip


async def test_calendar_meetings_held_in_the_quarter(digest_env: DigestEnv) -> None:
    """N of M: the lead-run meetings and analyses whose cycle fell in the quarter, and how many
    were marked held (one held for the quarter before does not count)."""
    async with digest_env.store.session() as session:
        for key, cycle_on in (
            ("stocktake", date(2026, 7, 1)),
            ("feedback_themes", date(2026, 9, 1)),
            ("stocktake", date(2026, 4, 1)),
        ):
            session.add(
                CalendarHeld(
                    activity=key, cycle_on=cycle_on, held_on=cycle_on, marked_at=STAMP, note=None
                )
            )
    parts = await digest_env.parts(digest)
    (held,) = [f for f in parts[Section.BREADTH].figures if f.label == HELD]
    assert (held.value, held.of, held.note) == (2, 8, "6 not marked as held")
    team = await digest_env.parts(digest, TAUNTON)
    assert HELD in unavailable(team[Section.BREADTH])
    # A calendar with no lead-run meetings says nothing about them.
    dudley = await digest_env.parts(digest, framework=load_framework("dudley"))
    assert HELD not in figures(dudley[Section.BREADTH])
    assert HELD not in unavailable(dudley[Section.BREADTH])
