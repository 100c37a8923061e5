"""The try-out page over HTTP: on only where asked, local only, and a turn per form post."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html import unescape

import pytest

from bot.tryout.clock import DemoClock
from tests.conftest import DEFAULT_NOW, STAFF_CSV, BotEnv, Database, start_env, stop_env
from tests.harness import FakeClock

QUINN = "quinn.qa@example.gov.uk"
CHRIS = "chris.csw@example.gov.uk"
TESS = "tess.tm@example.gov.uk"
CSV = (
    "case_ref,team,activity,assignee_email,moderator_email,cycle\n"
    "2045871,Taunton CP,practice_evaluation,chris.csw@example.gov.uk,bea.csw@example.gov.uk,PE\n"
)


def without_slack(csv_text: str) -> str:
    return "\n".join(",".join(line.split(",")[:6]) for line in csv_text.splitlines()) + "\n"


@pytest.fixture
async def tryout(database: Database) -> AsyncIterator[BotEnv]:
    clock = DemoClock(base=FakeClock(DEFAULT_NOW))
    env = await start_env(database, clock, tryout=True)  # type: ignore[arg-type]
    await env.import_staff(without_slack(STAFF_CSV))
    try:
        yield env
    finally:
        await stop_env(env)


async def page(env: BotEnv, email: str) -> str:
    async with env.http.get(f"{env.base_url}/try", params={"as": email}) as response:
        assert response.status == 200
        return unescape(await response.text())


async def post(env: BotEnv, path: str, **fields: str) -> int:
    async with env.http.post(f"{env.base_url}{path}", data=fields) as response:
        return response.status


def text_of(html: str, section: str) -> str:
    start = html.index(f'id="{section}"')
    return re.sub(r"<[^>]+>", " ", html[start : start + 20000])


async def test_the_page_is_off_unless_switched_on(env: BotEnv) -> None:
    async with env.http.get(f"{env.base_url}/try") as response:
        assert response.status == 404


async def test_allocate_confirm_and_the_assignee_sees_the_card(tryout: BotEnv) -> None:
    env = tryout
    html = await page(env, QUINN)
    assert "You are" in html and "Quinn Improvement" in html
    assert "Three things to try" in html
    assert await post(env, "/try/say", **{"as": QUINN, "text": "allocate\n" + CSV}) == 200
    html = await page(env, QUINN)
    assert "Proposed allocation 1" in html
    confirm = re.search(r'<button[^>]*value="([^"]*)"[^>]*>Confirm and tell', await raw(env, QUINN))
    assert confirm is not None
    assert await post(env, "/try/press", **{"as": QUINN, "button": unescape(confirm[1])}) == 200
    mine = text_of(await page(env, CHRIS), "messages")
    assert "Practice Evaluation" in mine and "Accept" in mine


async def test_the_clock_moves_to_the_next_working_morning(tryout: BotEnv) -> None:
    env = tryout
    assert "Demo time Mon 23 Nov 2026 10:00" in await page(env, TESS)
    await post(env, "/try/clock", **{"as": TESS, "step": "morning"})
    assert "Demo time Tue 24 Nov 2026 09:31" in await page(env, TESS)
    await post(env, "/try/clock", **{"as": TESS, "step": "week"})
    assert "Demo time Tue 01 Dec 2026 09:31" in await page(env, TESS)


async def test_a_post_from_another_site_is_refused(tryout: BotEnv) -> None:
    env = tryout
    async with env.http.post(
        f"{env.base_url}/try/say",
        data={"as": QUINN, "text": "help"},
        headers={"Origin": "https://evil.example"},
    ) as response:
        assert response.status == 403
    assert "help" not in text_of(await page(env, QUINN), "conversation").split("Say")[0]


async def raw(env: BotEnv, email: str) -> str:
    async with env.http.get(f"{env.base_url}/try", params={"as": email}) as response:
        return await response.text()


def test_a_request_from_another_computer_is_refused() -> None:
    from unittest.mock import Mock

    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from bot.tryout.web import refuse_others

    transport = Mock()
    transport.get_extra_info.return_value = ("192.168.1.20", 50000)
    request = make_mocked_request("GET", "/try", transport=transport)
    with pytest.raises(web.HTTPForbidden):
        refuse_others(request)
    transport.get_extra_info.return_value = ("127.0.0.1", 50000)
    refuse_others(make_mocked_request("GET", "/try", transport=transport))
