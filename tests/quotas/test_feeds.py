"""Private iCalendar feeds: they parse with icalendar, hold exactly the right events, and a
forged or rotated token gets a 404 that gives nothing away."""

from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar

from tests.allocations.support import QUINN, SAM, TESS, qa_env  # noqa: F401
from tests.conftest import BotEnv
from tests.quotas.support import at, audit_actions, say


async def _link(env: BotEnv, email: str, args: str = "") -> str:
    (card,) = await say(env, email, f"calendar feed {args}".strip())
    assert card.name == "quota_calendar_feed", card.fallback
    match = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", card.model_dump_json())
    assert match is not None
    return match.group(1)


async def _get(env: BotEnv, token: str) -> tuple[int, str]:
    async with env.http.get(f"{env.base_url}/calendar/{token}.ics") as response:
        return response.status, await response.text()


def _events(text: str) -> dict[tuple[date, str], str]:
    cal = Calendar.from_ical(text)
    return {
        (event.decoded("dtstart"), str(event.get("summary"))): str(event.get("uid"))
        for event in cal.walk("VEVENT")
    }


async def test_a_team_managers_feed_holds_the_calendar_and_quota_deadlines(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 16), 10))
    status, text = await _get(qa, await _link(qa, TESS))
    assert status == 200
    events = _events(text)
    december = {key for key in events if key[0].year == 2026 and key[0].month == 12}
    assert december == {
        (date(2026, 12, 1), "Multi-Agency Practice Evaluation (MAPE) opens"),
        # seed 000's calendar: "Update Team Action Plans" in December, led by team managers.
        (date(2026, 12, 1), "Update team action plans opens"),
        (date(2026, 12, 31), "Update team action plans due"),
        # seed 000's six-monthly endings analysis, in June and December (local-default months).
        (date(2026, 12, 1), "Learning from endings analysis (six-monthly) opens"),
        (date(2026, 12, 31), "Learning from endings analysis (six-monthly) due"),
        (date(2026, 12, 14), "Practice Evaluation final checks and analysis (SIT) due"),
        (date(2026, 12, 31), "Family feedback: Q3 2026-27 ends"),
        (date(2026, 12, 31), "Team dip review: Q3 2026-27 ends"),
        (date(2026, 12, 31), "Practice observation: Q3 2026-27 ends"),
    }
    assert len(set(events.values())) == len(events)  # every event has its own uid


async def test_a_practitioners_feed_leaves_out_what_does_not_count_them(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 16), 10))
    status, text = await _get(qa, await _link(qa, SAM))
    assert status == 200
    summaries = {summary for _, summary in _events(text)}
    assert "Family feedback: Q3 2026-27 ends" in summaries
    assert not any(s.startswith("Team dip review") for s in summaries)


async def test_a_rotated_or_forged_token_gets_404_with_no_hint(qa: BotEnv) -> None:
    qa.clock.set(at(date(2026, 11, 16), 10))
    first = await _link(qa, TESS)
    second = await _link(qa, TESS)
    assert first != second and len(second) >= 40
    assert (await _get(qa, second))[0] == 200
    rotated = await _get(qa, first)
    forged = await _get(qa, "x" * 43)
    assert rotated == forged == (404, "Not found")
    (refused,) = await say(qa, SAM, "calendar feed qa")
    assert refused.name == "not_allowed"
    assert (await _get(qa, await _link(qa, QUINN, "qa")))[0] == 200
    assert await audit_actions(qa, "calendar_feed.") == [
        "calendar_feed.issued",
        "calendar_feed.rotated",
        "calendar_feed.issued",
    ]
