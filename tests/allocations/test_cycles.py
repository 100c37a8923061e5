"""A cycle sampled from a cohort in chat (Somerset's Practice Evaluations): quotas met, never a
case from your own team, one role each, loads balanced, people away left out, and evaluators and
moderators swapping at the next cycle. And every preset's activities get their own deadlines."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.allocations.dialogs.support import calendar_of
from bot.allocations.rules.nudges import day_label
from bot.config import PRESETS, load_framework
from bot.domain.activities import RelativeToTarget, due_date
from tests.allocations.support import (
    FINN,
    HEADER,
    QUINN,
    allocations,
    card_text,
    messages_to,
    press_button,
    qa_env,  # noqa: F401 (the qa fixture)
    running,
    say,
    settle,
)
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock

HELEN = "helen@somerset.example"
STAFF = f"""email,name,roles,team,service,manager_email,away_until
{HELEN},Helen Head,head_of_service,Leadership,Social Work,,
yas@somerset.example,Yas North,team_manager,YJT North,Youth Justice,{HELEN},
yuri@somerset.example,Yuri North,csw,YJT North,Youth Justice,{HELEN},
yve@somerset.example,Yve South,team_manager,YJT South,Youth Justice,{HELEN},
yan@somerset.example,Yan South,csw,YJT South,Youth Justice,{HELEN},
cat@somerset.example,Cat Disab,team_manager,CwD ES,Children with Disabilities Early Support,{HELEN},
cal@somerset.example,Cal Disab,csw,CwD ES,Children with Disabilities Early Support,{HELEN},
olu@somerset.example,Olu Other,iro,IRO service,Social Work,{HELEN},
ola@somerset.example,Ola Other,csw,CSW group,Social Work,{HELEN},
ash@somerset.example,Ash Away,csw,CSW group,Social Work,{HELEN},2027-01-31
{QUINN},Quinn Improvement,qa_team,SIT,Social Work,{HELEN},
sam@somerset.example,Sam Social,practitioner,YJT North,Youth Justice,yas@somerset.example,
"""


def cohort(start: int) -> str:
    lines = ["case_ref,team"]
    lines += [f"{start + i},YJT North" for i in range(6)]
    lines += [f"{start + 10 + i},YJT South" for i in range(6)]
    lines += [f"{start + 20 + i},CwD ES" for i in range(7)]
    lines.append(f"{start + 30},Nowhere Team")
    return "\n".join(lines)


@pytest.fixture
async def somerset(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    async with running(database, clock, staff=STAFF) as env:
        yield env


async def test_a_sampled_cycle_is_fair_and_the_next_one_swaps_roles(somerset: BotEnv) -> None:
    env = somerset
    (proposal,) = await say(
        env, QUINN, f"allocate cycle Practice Evaluation seed 7\n{cohort(3000100)}"
    )
    assert proposal.name == "allocation_proposal", proposal.fallback
    text = card_text(proposal)
    assert "Youth Justice:                            8 of 8" in text
    assert "Children with Disabilities Early Support: 5 of 5" in text
    assert "line 21: team 'Nowhere Team' is not in the directory" in text
    assert "Social Work: quota 60 but only 0 cases in the cohort" in text
    assert "away during the cycle: Ash Away" in text
    assert await messages_to(env, "yas@somerset.example") == []  # nobody told yet

    first = await allocations(env)
    _check_fair(first)
    await press_button(
        env, QUINN, proposal, next(b.label for b in proposal.buttons if b.style == "primary")
    )
    evaluated = {a.assignee_id for a in first if a.role == "evaluator"}
    moderated = {a.assignee_id for a in first if a.role == "moderator"}

    (second_proposal,) = await say(
        env, QUINN, f"allocate cycle practice_evaluation\n{cohort(3000500)}"
    )
    assert second_proposal.name == "allocation_proposal"
    second = [a for a in await allocations(env) if a.cycle_id != first[0].cycle_id]
    _check_fair(second, balanced=False)  # balanced with the first cycle's load, not alone
    # Whoever evaluated last cycle moderates now, and the other way round.
    assert {a.assignee_id for a in second if a.role == "moderator"} == evaluated
    assert {a.assignee_id for a in second if a.role == "evaluator"} == moderated


def _check_fair(cycle: list, *, balanced: bool = True) -> None:  # type: ignore[type-arg]
    evaluations = [a for a in cycle if a.role == "evaluator"]
    moderations = {a.parent_id: a for a in cycle if a.role == "moderator"}
    assert Counter(a.service for a in evaluations) == {
        "Youth Justice": 8,
        "Children with Disabilities Early Support": 5,
    }
    roles: dict[int, set[str]] = defaultdict(set)
    for evaluation in evaluations:
        moderation = moderations[evaluation.id]
        assert evaluation.assignee.team.name != evaluation.team  # never their own team
        assert moderation.assignee.team.name != evaluation.team
        assert moderation.assignee_id != evaluation.assignee_id
        assert evaluation.assignee.email != "ash@somerset.example"  # away all cycle
        roles[evaluation.assignee_id].add("evaluator")
        roles[moderation.assignee_id].add("moderator")
    assert all(len(r) == 1 for r in roles.values())  # one role each in a cycle
    for role in ("evaluator", "moderator") if balanced else ():
        load = Counter(a.assignee_id for a in cycle if a.role == role)
        assert max(load.values()) - min(load.values()) <= 1


async def test_a_cohort_needs_an_activity_the_framework_knows(somerset: BotEnv) -> None:
    (card,) = await say(
        somerset, QUINN, "allocate cycle coffee mornings\ncase_ref,team\n3000001,CwD ES"
    )
    assert "I don't know the activity “coffee mornings”" in card_text(card)
    (card,) = await say(somerset, QUINN, "allocate cycle practice_evaluation")
    assert "Quotas: Children with Disabilities Early Support 5" in card_text(card)
    assert await allocations(somerset) == []


async def test_every_presets_activities_are_due_by_their_own_rule(qa: BotEnv) -> None:
    """Import one allocation of every activity of every preset and read the due dates back."""
    await settle(qa)  # nothing needs delivering here: keep dozens of cards off the fake Slack
    allocated_on = date(2026, 11, 23)
    for index, preset in enumerate(PRESETS):
        framework = load_framework(preset)
        qa.runtime.bot.framework = framework
        cal = calendar_of(framework)
        rows = []
        for number, activity in enumerate(framework.activities):
            example = framework.case_reference.example
            case_ref = f"{example[:-3]}{index}{number:02d}"
            target = "2027-02-17" if isinstance(activity.deadline, RelativeToTarget) else ""
            rows.append(f"{case_ref},Elsewhere,{activity.key},{FINN},,{preset},{target}")
        (proposal,) = await say(qa, QUINN, "\n".join(["allocate", f"{HEADER},target_on", *rows]))
        assert proposal.name == "allocation_proposal", f"{preset}: {proposal.fallback}"
        await press_button(
            qa,
            QUINN,
            proposal,
            next(b.label for b in proposal.buttons if b.style == "primary"),
        )
        mine = [a for a in await allocations(qa) if a.cycle_label == preset]
        assert len(mine) == len(framework.activities)
        for allocation in mine:
            activity = framework.activity(allocation.activity)
            assert activity is not None
            start = (
                date(2027, 2, 17)
                if isinstance(activity.deadline, RelativeToTarget)
                else allocated_on
            )
            assert allocation.due_on == due_date(activity, start, cal), (preset, activity.key)
    cards = await messages_to(qa, FINN, "allocation")
    assert len(cards) == sum(len(load_framework(p).activities) for p in PRESETS)
    somerset = load_framework("somerset")
    pe = somerset.activity("practice_evaluation")
    assert pe is not None
    due = day_label(due_date(pe, allocated_on, calendar_of(somerset)))
    assert any(f"Due: {due}" in row.payload["fallback"] for row in cards)


async def test_allocate_cycle_offers_the_kept_cohort_and_samples_it_at_once(
    somerset: BotEnv,
) -> None:
    env = somerset
    (kept,) = await say(env, QUINN, f"cohort practice_evaluation\n{cohort(3000100)}")
    assert kept.name == "cohort_kept", kept.fallback
    assert (
        "20 cases kept" in kept.fallback and "allocate cycle practice_evaluation" in kept.fallback
    )
    (choice,) = await say(env, QUINN, "allocate cycle practice_evaluation seed 7")
    assert choice.name == "allocation_kept_cohort", choice.fallback
    assert "20 cases" in choice.fallback and "by Quinn Improvement" in choice.fallback
    allocate, upload = [b.label for b in choice.buttons]
    assert allocate.startswith("Allocate from the kept cohort (20 cases, uploaded ")
    assert upload == "Upload a new cohort"
    # Someone outside the QA team who sees the card cannot use it.
    (refused,) = await press_button(env, "yas@somerset.example", choice, allocate)
    assert refused.name == "not_allowed" and await allocations(env) == []
    # Upload a new cohort: the CSV path, as without a kept cohort.
    (send,) = await press_button(env, QUINN, choice, upload)
    assert "Put the cohort for Practice Evaluation" in card_text(send)
    assert "Youth Justice 8" in card_text(send)
    # The kept cohort: the same checks and proposal as the CSV sent with the command.
    (proposal,) = await press_button(env, QUINN, choice, allocate)
    assert proposal.name == "allocation_proposal", proposal.fallback
    text = card_text(proposal)
    assert "Youth Justice:                            8 of 8" in text
    assert "line 21: team 'Nowhere Team' is not in the directory" in text
    assert "away during the cycle: Ash Away" in text
    assert await messages_to(env, "yas@somerset.example") == []  # nobody told before Confirm
    sampled = await allocations(env)
    _check_fair(sampled)
    # A card offering a cohort that a newer upload replaced proposes nothing.
    (newer,) = await say(env, QUINN, f"cohort practice_evaluation\n{cohort(3000500)}")
    assert newer.name == "cohort_kept"
    (stale,) = await press_button(env, QUINN, choice, allocate)
    assert "A newer cohort was kept" in card_text(stale)
    assert "allocate cycle practice_evaluation" in card_text(stale)
    assert len(await allocations(env)) == len(sampled)


async def test_a_cohort_is_kept_only_for_a_cycle_that_is_sampled_or_opens_itself(
    somerset: BotEnv,
) -> None:
    (card,) = await say(somerset, QUINN, "cohort stocktake\ncase_ref,team\n3000001,CwD ES")
    assert card.name == "cohort_which_activity"
    assert "practice_evaluation" in card.fallback and "stocktake" not in card.fallback
