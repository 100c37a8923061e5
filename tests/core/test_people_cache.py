"""Who a platform user is, remembered for a minute (bot/people_cache.py), through /slack/events."""

from __future__ import annotations

import pytest

from bot.people_cache import KEEP_SECONDS
from tests.conftest import BotEnv

NEWCOMER_CSV = """email,name,roles,team,service,manager_email,slack_user_id
nina.new@example.gov.uk,Nina Newcomer,practitioner,Taunton CP,SW,tess.tm@example.gov.uk,
"""


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_someone_not_in_the_directory_is_looked_up_once_a_minute(staffed: BotEnv) -> None:
    ticks = Ticks()
    staffed.runtime.bot.people.clock = ticks
    staffed.slack_api.users["UVISITOR"] = "visitor@elsewhere.org"
    for _ in range(3):
        status, body = await staffed.slack.command("UVISITOR", "help")
        assert status == 200 and "directory" in body
    assert len(staffed.slack_api.calls_to("users.info")) == 1
    ticks.now += KEEP_SECONDS + 1
    await staffed.slack.command("UVISITOR", "help")
    assert len(staffed.slack_api.calls_to("users.info")) == 2


async def test_a_newcomer_imported_through_the_bot_is_recognised_at_once(staffed: BotEnv) -> None:
    staffed.slack_api.users["UNINA"] = "nina.new@example.gov.uk"
    status, body = await staffed.slack.command("UNINA", "help")
    assert status == 200 and "Hello Nina" not in body
    report = await staffed.import_staff(NEWCOMER_CSV)
    assert not report.errors  # type: ignore[attr-defined]
    status, body = await staffed.slack.command("UNINA", "help")
    assert status == 200 and "Hello Nina" in body


async def test_a_role_change_by_import_is_seen_at_once(staffed: BotEnv) -> None:
    status, body = await staffed.slack.command("USAM", "help")
    assert status == 200
    assert "Practitioner" in body and "Consultant Social Worker" not in body
    promoted = (
        "email,name,roles,team,service,manager_email,slack_user_id\n"
        "sam.sw@example.gov.uk,Sam Social,practitioner;csw,Taunton CP,SW,"
        "tess.tm@example.gov.uk,USAM\n"
    )
    report = await staffed.import_staff(promoted)
    assert not report.errors, report.errors  # type: ignore[attr-defined]
    status, body = await staffed.slack.command("USAM", "help")
    assert status == 200 and "Consultant Social Worker" in body


class Unreachable:
    """A database that cannot be reached: every unit of work fails."""

    def session(self) -> object:
        raise ConnectionError("database unreachable")


async def test_someone_known_not_to_be_in_the_directory_is_answered_without_the_database(
    staffed: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    staffed.slack_api.users["UVISITOR"] = "visitor@elsewhere.org"
    status, body = await staffed.slack.command("UVISITOR", "help")
    assert status == 200 and "directory" in body
    calls = len(staffed.slack_api.calls)
    monkeypatch.setattr(staffed.runtime.bot, "db", Unreachable())
    status, body = await staffed.slack.command("UVISITOR", "help")
    assert status == 200 and "directory" in body and "reference" not in body.lower()
    assert len(staffed.slack_api.calls) == calls  # nor any call to Slack
    # Someone in the directory does need it: they get an apology quoting a reference.
    status, body = await staffed.slack.command("USAM", "help")
    assert status == 200 and "quote reference" in body
