"""The QA calendar: each month's cycles from the activities' months, none in North Somerset's
quiet August and December, `calendar [month]` in chat and the QA team's start-of-month prompt."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date

import pytest
from icalendar import Calendar

from bot.config import load_framework
from bot.domain.workdays import WorkingCalendar
from bot.quotas.rules import month_schedule, parse_month
from tests.allocations.support import QUINN, TESS, messages_to, qa_env, rows, running  # noqa: F401
from tests.conftest import BotEnv, Database
from tests.harness import FakeClock
from tests.quotas.support import at, card_text, morning, say
from tests.quotas.test_feeds import _get, _link

CAL = WorkingCalendar(quarter_start_month=4)

# Seed 000's "Quality Assurance Calendar January - June" and "July - December", row by row:
# every activity the calendar names in a month (the monthly rows, nominations, feedback and dip
# reviews, are quotas; Team Diagnostics per team need the directory's teams, tested elsewhere),
# and the six-monthly report and analyses the seed names without months (local-default months:
# the summary report in April and October, endings in June and December, fathers in May and
# November).
QUARTERLY_SIT = ["sit_thematic_dip_review"]
SOMERSET = {
    1: [*QUARTERLY_SIT, "pe_review", "stocktake", "qprm", "repeat_cp_analysis", "closing_the_loop"],
    2: ["practice_evaluation", "pe_final_checks", "mape"],
    3: ["send_dip_review", "team_action_plan_update", "feedback_themes"],
    4: [
        "mape",
        *QUARTERLY_SIT,
        "supervision_audit",
        "stocktake",
        "qprm",
        "bla_analysis",
        "closing_the_loop",
        "qa_summary_report",
    ],
    5: ["practice_evaluation", "pe_final_checks", "fathers_audit_analysis"],
    6: ["mape", "team_action_plan_update", "endings_analysis"],
    7: [*QUARTERLY_SIT, "stocktake", "qprm", "repeat_cp_analysis", "closing_the_loop"],
    8: ["practice_evaluation", "pe_final_checks", "mape"],
    9: ["send_dip_review", "team_action_plan_update", "feedback_themes"],
    10: [
        "mape",
        *QUARTERLY_SIT,
        "stocktake",
        "qprm",
        "bla_analysis",
        "closing_the_loop",
        "qa_summary_report",
    ],
    11: ["practice_evaluation", "pe_final_checks", "fathers_audit_analysis"],
    12: ["mape", "team_action_plan_update", "endings_analysis"],
}
# Appendix 1 of seed 004: CPRs, thematic reviews, a Team Spotlight every month but January,
# August and December, Good Practice Conversations and QA&PM meetings in alternate months,
# CSLT action planning each quarter, Practice Week in November; team action plans reviewed
# every six weeks from Monday 7 September 2026 (a local default start); nothing in the quiet
# August and December.
GPC_QAPM = ["good_practice_conversation", "qapm_meeting"]
NORTH_SOMERSET = {
    1: [
        "collaborative_practice_review",
        "good_practice_conversation",
        "cslt_action_planning",
        "qapm_meeting",
        "team_action_plan_review",
    ],
    2: ["thematic_review", "team_spotlight", "team_action_plan_review"],
    3: ["collaborative_practice_review", "team_spotlight", *GPC_QAPM],
    4: ["thematic_review", "team_spotlight", "cslt_action_planning"],
    5: ["collaborative_practice_review", "team_spotlight", *GPC_QAPM],
    6: ["thematic_review", "team_spotlight"],
    7: [
        "collaborative_practice_review",
        "team_spotlight",
        "good_practice_conversation",
        "cslt_action_planning",
        "qapm_meeting",
    ],
    8: [],
    9: ["collaborative_practice_review", "team_spotlight", *GPC_QAPM, "team_action_plan_review"],
    10: ["thematic_review", "team_spotlight", "cslt_action_planning", "team_action_plan_review"],
    11: [
        "collaborative_practice_review",
        "team_spotlight",
        *GPC_QAPM,
        "practice_week",
        "team_action_plan_review",
    ],
    12: [],
}
# Who leads each of the calendar's meetings, analyses and newsletters (reminded in their
# morning summary), as the seeds name them.
LEADS = {
    "somerset": {
        "sit_thematic_dip_review": ("qa_team",),
        "send_dip_review": ("qa_team",),
        "pe_review": ("qa_team",),
        "team_action_plan_update": ("team_manager",),
        "supervision_audit": ("qa_team",),
        "stocktake": ("head_of_service",),
        "qprm": ("director", "assistant_director"),
        "repeat_cp_analysis": ("qa_team",),
        "bla_analysis": ("qa_team",),
        "feedback_themes": ("qa_team",),
        "closing_the_loop": ("qa_team",),
        "qa_summary_report": ("qa_team",),
        "endings_analysis": ("qa_team",),
        "fathers_audit_analysis": ("qa_team",),
    },
    "north-somerset": {
        "good_practice_conversation": ("head_of_service",),
        "cslt_action_planning": ("director", "assistant_director", "head_of_service"),
        "qapm_meeting": ("director",),
        "practice_week": ("director", "assistant_director", "head_of_service"),
        "team_action_plan_review": ("team_manager",),
    },
}


@pytest.mark.parametrize(
    ("preset", "expected"), [("somerset", SOMERSET), ("north-somerset", NORTH_SOMERSET)]
)
def test_each_month_opens_the_frameworks_cycles(
    preset: str, expected: dict[int, list[str]]
) -> None:
    framework = load_framework(preset)
    got = {
        month: [
            e.key
            for e in month_schedule(framework, date(2027 if month < 4 else 2026, month, 1), CAL)
        ]
        for month in range(1, 13)
    }
    assert got == expected


@pytest.mark.parametrize("preset", ["somerset", "north-somerset"])
def test_the_calendars_meetings_have_their_leads_and_cite_the_seed(preset: str) -> None:
    framework = load_framework(preset)
    for key, roles in LEADS[preset].items():
        activity = framework.activity(key)
        assert activity is not None, key
        assert tuple(r.value for r in activity.leads) == roles, key
        assert activity.source.startswith("seed 00"), key


def test_a_quiet_month_sends_nothing_even_for_an_activity_listed_in_it() -> None:
    framework = load_framework("north-somerset")
    activities = tuple(
        a.model_copy(update={"months": (8, 12)}) if a.key == "thematic_review" else a
        for a in framework.activities
    )
    changed = framework.model_copy(update={"activities": activities})
    assert month_schedule(changed, date(2026, 8, 1), CAL) == []
    assert month_schedule(changed, date(2026, 12, 1), CAL) == []


def test_cycles_carry_their_deadline_and_quotas() -> None:
    (pe, checks, mape) = month_schedule(load_framework("somerset"), date(2027, 2, 1), CAL)
    assert pe.opens_on == date(2027, 2, 1) and pe.due_on == date(2027, 2, 22)
    assert "60 in Social Work" in pe.quotas and "5 in Children with Disabilities" in pe.quotas
    assert checks.due_on == date(2027, 3, 15)
    assert mape.quotas == "1"


def test_months_are_read_the_way_people_type_them() -> None:
    today = date(2026, 11, 30)
    assert parse_month("", today) == date(2026, 11, 1)
    assert parse_month("december", today) == date(2026, 12, 1)
    assert parse_month("Feb", today) == date(2027, 2, 1)
    assert parse_month("3", today) == date(2027, 3, 1)
    assert parse_month("2027-08", today) == date(2027, 8, 1)
    assert parse_month("ju", today) is None  # June or July?
    assert parse_month("smarch", today) is None


async def test_calendar_in_chat_shows_the_month_and_your_own_deadlines(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 16), 10))
    (card,) = await say(qa, TESS, "calendar december")
    text = card_text(card)
    assert "QA calendar: December 2026" in text
    assert "Multi-Agency Practice Evaluation" in text
    assert "Family feedback (Q3 2026-27)" in text and "ends Thu 31 Dec" in text
    (card,) = await say(qa, "sam.sw@example.gov.uk", "calendar dec")
    assert "(you: 0 of 1)" in card_text(card)
    (bad,) = await say(qa, TESS, "calendar smarch")
    assert bad.name == "calendar_unknown_month"


@contextlib.asynccontextmanager
async def _north_somerset(database: Database, clock: FakeClock) -> AsyncIterator[BotEnv]:
    async with running(database, clock, framework="north-somerset") as env:
        yield env


async def test_the_qa_team_is_told_what_to_start_except_in_a_quiet_month(
    database: Database, clock: FakeClock
) -> None:
    async with _north_somerset(database, clock) as env:
        await morning(env, date(2026, 7, 1), 9, 0)  # before the morning summary time
        await morning(env, date(2026, 7, 1))
        await morning(env, date(2026, 7, 2))
        await morning(env, date(2026, 8, 3))  # August: quiet
        await morning(env, date(2026, 9, 2))  # missed the 1st: still told
        posts = [card_text(r.payload) for r in await rows(env, kind="calendar")]
        assert len(posts) == 2
        assert (
            "To start in July 2026" in posts[0]
            and "allocate cycle collaborative_practice_review" in posts[0]
        )
        assert "To start in September 2026" in posts[1]
        (card,) = await say(env, "quinn.qa@example.gov.uk", "calendar august")
        assert "No core QA activity" in card_text(card)


async def test_somersets_meetings_and_analyses_are_in_chat_the_feeds_and_the_leads_summaries(
    qa: BotEnv,
) -> None:
    qa.clock.set(at(date(2026, 11, 16), 10))
    (card,) = await say(qa, QUINN, "calendar january")
    text = card_text(card)
    for name in (
        "Thematic dip review (SIT led)",
        "Practice Evaluation review",
        "Stocktake",
        "Quality and Performance Review Meeting (QPRM)",
        "Repeat CP plan analysis (six-monthly)",
        "Closing the Loop newsletter",
    ):
        assert name in text, name
    assert "SEND dip review" not in text and "Update team action plans" not in text
    (card,) = await say(qa, QUINN, "calendar december")
    assert "Update team action plans" in card_text(card)

    def opening(text: str) -> set[str]:
        return {
            str(event.get("summary"))
            for event in Calendar.from_ical(text).walk("VEVENT")
            if event.decoded("dtstart") == date(2027, 1, 4)  # the first working day
        }

    _, everything = await _get(qa, await _link(qa, QUINN, "qa"))
    assert {"Closing the Loop newsletter opens", "Stocktake opens"} <= opening(everything)
    # Team managers lead the team action plans: a line in their morning summary in March.
    await morning(qa, date(2027, 3, 1))
    tess = [card_text(m.payload) for m in await messages_to(qa, TESS, "reminder")]
    assert any("You lead Update team action plans" in t for t in tess), tess
    quinn = [card_text(m.payload) for m in await messages_to(qa, QUINN, "reminder")]
    assert any("You lead SEND dip review (SIT led)" in t for t in quinn), quinn
    assert not any("Update team action plans" in t for t in quinn)
