"""The QA team's quarterly disputes report (counts in chat and a CSV download) and the case
note as a download, through the bot's web endpoint."""

from __future__ import annotations

from datetime import date

from bot.cards.model import Card, Facts
from tests.allocations.support import (
    PRIYA,
    QUINN,
    SAM,
    TESS,
    at,
    card_text,
    press_button,
    qa_env,
    say,
)
from tests.conftest import BotEnv
from tests.escalations.test_console_walk import raise_dispute

__all__ = ["qa_env"]


async def fetch(env: BotEnv, url: str) -> tuple[int, str, str]:
    path = url.split("/disputes/download/", 1)[1]
    async with env.http.get(f"{env.base_url}/disputes/download/{path}") as response:
        return (
            response.status,
            response.headers.get("Content-Disposition", ""),
            await response.text(),
        )


def download_url(card: Card) -> str:
    (link,) = [b.url for b in card.buttons if b.url]
    assert link is not None
    return link


async def resolve(env: BotEnv, who: str, card: Card, text: str) -> None:
    (form,) = await press_button(env, who, card, "Resolved")
    await press_button(env, who, form, "Record it resolved", text=text)


async def escalate(env: BotEnv, who: str, card: Card) -> Card:
    (form,) = await press_button(env, who, card, "Not resolved")
    escalated, _note = await press_button(env, who, form, "Escalate to the next stage", text="No.")
    return escalated


async def test_the_quarterly_report_counts_seeded_disputes_and_offers_a_csv(qa: BotEnv) -> None:
    env = qa
    env.clock.set(at(date(2026, 10, 5), 10))  # Q3 2026-27 (October to December)
    first = await raise_dispute(env)
    second = await raise_dispute(
        env,
        other_email="",
        other_name="Dr Jo Bloggs, GP",
        other_agency="Health",
        category="Information sharing",
    )
    third = await raise_dispute(env, category="Information sharing")
    env.clock.set(at(date(2026, 10, 9), 10))  # Friday: 4 working days on
    await resolve(env, SAM, first, "Agreed a joint visit.")
    second = await escalate(env, SAM, second)
    env.clock.set(at(date(2026, 10, 16), 10))
    await resolve(env, SAM, second, "Managers agreed the plan.")  # 9 working days
    (form,) = await press_button(env, SAM, third, "Withdraw")
    await press_button(env, SAM, form, "Withdraw it", text="")

    env.clock.set(at(date(2026, 11, 2), 10))
    (report,) = await say(env, QUINN, "disputes report")
    assert report.title == "Disputes report: Q3 2026-27"
    sections = {}
    heading = ""
    for element in report.body:
        if isinstance(element, Facts):
            sections[heading] = dict(element.facts)
        else:
            heading = element.text  # type: ignore[union-attr]
    assert sections["By ladder"] == {"Resolving Professional Differences": "3"}
    assert sections["By stage reached"] == {
        "Stage 1: conversation between the practitioners": "2",
        "Stage 2: the managers": "1",
    }
    assert sections["By agency"] == {"Yeovil CiC": "2", "Health": "1"}
    assert sections["By category"] == {"Information sharing": "2", "Threshold decision": "1"}
    assert sections["By status"] == {"resolved": "2", "withdrawn": "1"}
    assert sections["Working days to resolution"] == {
        "Resolved": "2",
        "Fewest working days": "4",
        "Median working days": "9",
        "Most working days": "9",
    }
    status, disposition, text = await fetch(env, download_url(report))
    assert status == 200 and 'filename="disputes-2026-10.csv"' in disposition
    assert text.lstrip("\ufeff").splitlines() == [
        "dispute,ladder,stage_reached,agency,category,status,opened_on,closed_on,"
        "working_days_to_resolution",
        "1,Resolving Professional Differences,Stage 1: conversation between the practitioners,"
        "Yeovil CiC,Threshold decision,resolved,2026-10-05,2026-10-09,4",
        "2,Resolving Professional Differences,Stage 2: the managers,Health,Information sharing,"
        "resolved,2026-10-05,2026-10-16,9",
        "3,Resolving Professional Differences,Stage 1: conversation between the practitioners,"
        "Yeovil CiC,Information sharing,withdrawn,2026-10-05,2026-10-16,",
    ]
    # Last quarter had none; practitioners cannot run the report.
    (last,) = await say(env, QUINN, "disputes report last")
    assert "Disputes report: Q2 2026-27" in card_text(last)
    (refused,) = await say(env, PRIYA, "disputes report")
    assert refused.name == "not_allowed"
    assert TESS


async def test_the_case_note_downloads_until_the_link_expires(qa: BotEnv) -> None:
    env = qa
    env.clock.set(at(date(2026, 12, 1), 10))
    await raise_dispute(env)
    (note,) = await say(env, SAM, "dispute 1")
    (note,) = await press_button(env, SAM, note, "Case note")
    assert note.name == "dispute_case_note"
    status, disposition, text = await fetch(env, download_url(note))
    assert status == 200 and 'filename="dispute-1-rpd-case-note.txt"' in disposition
    assert text.lstrip("\ufeff") == note.body[1].text  # type: ignore[union-attr]
    env.clock.advance(minutes=31)
    status, _, text = await fetch(env, download_url(note))
    assert status == 404 and "expired" in text
    status, _, _ = await fetch(env, "x/disputes/download/forged-token")
    assert status == 404
