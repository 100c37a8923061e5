"""What allocations give the QA digest, for a seeded quarter with known counts: every number,
the scope (a team counts only its own people's work), the period's boundaries, and what is not
recorded said as such rather than shown as 0."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.allocations import store
from bot.allocations.digest import digest, span_label, trend_spans
from bot.allocations.store import Allocation, AllocationAction
from bot.config import load_framework
from bot.domain.digest import DigestPeriod, Section
from tests import digest_support
from tests.digest_support import (
    AFTER,
    BEFORE,
    QUARTER,
    SW,
    TAUNTON,
    DigestEnv,
    counts,
    figures,
    unavailable,
)

digest_env = digest_support.digest_env
STAMP = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


class Seeder:
    def __init__(self, env: DigestEnv) -> None:
        self.env = env
        self.rows: list[Any] = []
        self.n = 0

    def work(
        self,
        who: str,
        *,
        activity: str = "practice_evaluation",
        due: date = date(2026, 8, 14),
        status: str = store.DONE,
        completed: date | None = date(2026, 8, 10),
        grade: str | None = None,
        role: str = store.EVALUATOR,
        origin: str | None = None,
    ) -> Allocation:
        self.n += 1
        row = Allocation(
            activity=activity,
            case_ref=f"20{self.n:05d}",
            assignee_id=self.env.people[who],
            role=role,
            allocated_on=date(2026, 6, 1),
            due_on=due,
            status=status,
            completed_on=completed if status == store.DONE else None,
            grade=grade,
            origin_key=origin,
            created_at=STAMP,
            updated_at=STAMP,
        )
        self.rows.append(row)
        return row

    def action(self, who: str, on: Allocation, due: date, done: date | None) -> None:
        self.rows.append(
            AllocationAction(
                allocation_id=on.id,
                owner_id=self.env.people[who],
                description="Update the plan",
                due_on=due,
                status=store.ACTION_DONE if done else store.ACTION_OPEN,
                completed_on=done,
                created_at=STAMP,
            )
        )

    async def save(self) -> None:
        async with self.env.store.session() as session:
            session.add_all(self.rows)


async def seed_quarter(env: DigestEnv) -> None:
    """Taunton (Sam, Tom): 5 evaluations due in the quarter, 4 done (grades Good, Good,
    Requires improvement, Inadequate), 1 still open; Yeovil (Priya): 3 due, 1 done (Outstanding),
    1 returned, 1 accepted; Early Help (Eve): 1 MAPE due and done (Good). Outside the quarter:
    work due 30 June and 1 October, and a grade given 1 October."""
    s = Seeder(env)
    good1 = s.work("sam", grade="good")
    good2 = s.work("sam", grade="good", completed=date(2026, 7, 1))  # the first day counts
    ri = s.work("tom", grade="requires_improvement", completed=date(2026, 9, 30))
    inadequate = s.work("tom", grade="inadequate")
    s.work("tom", status=store.ACCEPTED)
    outstanding = s.work("priya", grade="outstanding")
    s.work("priya", status=store.RETURNED)
    s.work("priya", status=store.ACCEPTED)
    s.work("eve", activity="mape", grade="good")
    # Outside the quarter or not planned.
    s.work("sam", due=BEFORE, grade="good", completed=BEFORE)
    s.work("sam", due=AFTER, grade="good", completed=AFTER)
    s.work("sam", status=store.CANCELLED)
    s.work("sam", status=store.PROPOSED)
    await s.save()
    # Moderations (Chris, of Taunton's and Yeovil's work): 3 of Taunton's, 2 agreeing; 1 of
    # Priya's, agreeing; 1 completed in October (outside).
    s = Seeder(env)
    for original, grade, completed in (
        (good1, "good", date(2026, 8, 20)),
        (good2, "requires_improvement", date(2026, 8, 20)),
        (inadequate, "inadequate", date(2026, 9, 1)),
        (outstanding, "outstanding", date(2026, 9, 2)),
        (ri, "requires_improvement", AFTER),
    ):
        row = s.work(
            "chris",
            activity="moderation",
            role=store.MODERATOR,
            grade=grade,
            completed=completed,
            due=date(2026, 9, 30),
        )
        row.parent_id = original.id
    # Actions due in the quarter: Sam 3 (2 on time, 1 late), Priya 2 (1 on time, 1 open).
    s.action("sam", good1, date(2026, 8, 1), date(2026, 7, 30))
    s.action("sam", good1, date(2026, 9, 30), date(2026, 9, 30))
    s.action("sam", good2, date(2026, 8, 1), date(2026, 8, 5))
    s.action("priya", outstanding, date(2026, 9, 1), date(2026, 8, 28))
    s.action("priya", outstanding, date(2026, 9, 15), None)
    s.action("sam", good1, AFTER, None)  # due after the quarter
    await s.save()
    await _escalations(env)


async def _escalations(env: DigestEnv) -> None:
    """Marks as the escalation sweep writes them: Tom's work escalated twice in August, once
    "covered" (the manager already knew), and once on 30 June; Priya's once in September."""
    tom, priya = env.people["tom"], env.people["priya"]
    async with env.store.session() as session:
        for key, at, details in (
            (f"esc:alloc:901:p{tom}:s1", datetime(2026, 8, 3, 9, tzinfo=UTC), {"to": "m1"}),
            (f"esc:alloc:901:p{tom}:s2", datetime(2026, 8, 10, 9, tzinfo=UTC), {"to": "h1"}),
            (f"esc:alloc:901:p{tom}:away", datetime(2026, 8, 10, 9, tzinfo=UTC), {"covered": True}),
            (f"esc:alloc:902:p{tom}:s1", datetime(2026, 6, 30, 9, tzinfo=UTC), {"to": "m1"}),
            (f"esc:action:77:p{priya}:s1", datetime(2026, 9, 3, 9, tzinfo=UTC), {"to": "m2"}),
            (f"nudge:action:77:p{priya}:due", datetime(2026, 9, 1, 9, tzinfo=UTC), None),
        ):
            await store.mark(session, [key], at, details)


async def test_every_figure_of_a_seeded_quarter(digest_env: DigestEnv) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest)

    breadth = figures(parts[Section.BREADTH])
    assert breadth == {
        "Practice Evaluation completed": (5, 8),
        "Practice Evaluation moderation completed": (4, 5),
        "Multi-Agency Practice Evaluation (MAPE) completed": (1, 1),
    }
    depth = parts[Section.DEPTH]
    assert counts(depth, "Grades given") == {
        "Outstanding": 1,
        "Good": 3,
        "Requires improvement": 1,
        "Inadequate": 1,
    }
    assert [label for label, _ in depth.distributions[0].counts] == [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    assert figures(depth) == {
        "Graded audits and evaluations": (6, None),
        "Moderations agreeing with the original grade": (3, 4),
    }
    impact = parts[Section.IMPACT]
    assert figures(impact) == {
        "Actions closed on time": (3, 5),
        "Escalations of overdue work": (3, None),
    }
    # Somerset has no Inadequate ladder: said, not shown as 0.
    assert "Re-audits of Inadequate cases" in unavailable(impact)
    assert "Whether the actions made a difference for the child" in unavailable(impact)


async def test_a_team_scope_counts_only_that_teams_people(digest_env: DigestEnv) -> None:
    await seed_quarter(digest_env)
    parts = await digest_env.parts(digest, TAUNTON)

    assert figures(parts[Section.BREADTH]) == {"Practice Evaluation completed": (4, 5)}
    assert counts(parts[Section.DEPTH], "Grades given") == {
        "Outstanding": 0,
        "Good": 2,
        "Requires improvement": 1,
        "Inadequate": 1,
    }
    # Moderations of Taunton's work, whoever moderated.
    assert figures(parts[Section.DEPTH])["Moderations agreeing with the original grade"] == (2, 3)
    assert figures(parts[Section.IMPACT]) == {
        "Actions closed on time": (2, 3),
        "Escalations of overdue work": (2, None),
    }
    service = await digest_env.parts(digest, SW)
    assert figures(service[Section.BREADTH])["Practice Evaluation completed"] == (5, 8)
    assert "Multi-Agency Practice Evaluation (MAPE) completed" not in figures(
        service[Section.BREADTH]
    )


async def test_an_empty_quarter_says_there_is_no_data_rather_than_zero(
    digest_env: DigestEnv,
) -> None:
    parts = await digest_env.parts(digest)

    assert figures(parts[Section.BREADTH]) == {}
    assert unavailable(parts[Section.BREADTH]) == ["QA activities completed against planned"]
    depth = {f.label: f for f in parts[Section.DEPTH].figures}
    assert depth["Moderations agreeing with the original grade"].value is None
    assert "no moderation" in depth["Moderations agreeing with the original grade"].note
    impact = {f.label: f for f in parts[Section.IMPACT].figures}
    assert impact["Actions closed on time"].value is None


async def test_reaudits_that_improved(digest_env: DigestEnv) -> None:
    """West Sussex re-audits Inadequate cases: 3 re-audits completed in the quarter, 2 no
    longer Inadequate; one in October is outside."""
    s = Seeder(digest_env)
    for n, (grade, completed) in enumerate(
        (
            ("good", date(2026, 7, 10)),
            ("requires_improvement", date(2026, 8, 10)),
            ("inadequate", date(2026, 9, 10)),
            ("good", AFTER),
        )
    ):
        s.work("sam", activity="reaudit", grade=grade, completed=completed, origin=f"reaudit:{n}:1")
    await s.save()
    parts = await digest_env.parts(digest, framework=load_framework("west-sussex"))

    impact = figures(parts[Section.IMPACT])
    assert impact["Re-audits of Inadequate cases that improved"] == (2, 3)
    assert "Re-audits of Inadequate cases" not in unavailable(parts[Section.IMPACT])
    # Re-audits are impact, not first grades.
    assert counts(parts[Section.DEPTH], "Grades given")["Good"] == 0


async def test_the_completion_trend_covers_four_periods(digest_env: DigestEnv) -> None:
    s = Seeder(digest_env)
    for day, n in ((date(2025, 12, 31), 1), (date(2026, 1, 5), 2), (date(2026, 6, 30), 3)):
        for _ in range(n):
            s.work("sam", due=day, completed=day)
    s.work("sam", completed=date(2026, 9, 30))
    await s.save()
    parts = await digest_env.parts(digest)

    trend = next(d for d in parts[Section.BREADTH].distributions if d.kind == "line")
    assert trend.counts == (
        ("Oct-Dec 2025", 1),
        ("Jan-Mar 2026", 2),
        ("Apr-Jun 2026", 3),
        ("Jul-Sep 2026", 1),
    )


def test_trend_spans_of_a_month() -> None:
    month = DigestPeriod(date(2026, 3, 1), date(2026, 4, 1), "March 2026")
    spans = trend_spans(month)
    assert spans[0] == (date(2025, 12, 1), date(2026, 1, 1))
    assert [span_label(*s) for s in spans] == ["Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026"]
    assert trend_spans(QUARTER)[-1] == (QUARTER.start, QUARTER.end)
    assert timedelta(0) < QUARTER.end - QUARTER.start
