"""`qabot people forget EMAIL`: a leaver's personal data goes, their QA history stays."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import func, select

from bot.admin import forget_leaver
from bot.store.models import AuditEntry, OutboxMessage, Person, PlatformIdentity
from tests.conftest import STAFF_CSV, BotEnv
from tests.processes import QABOT, base_env

SAM = "sam.sw@example.gov.uk"


async def test_a_forgotten_leaver_is_unknown_but_still_counted(staffed: BotEnv) -> None:
    env = staffed
    await env.slack.dm("USAM", "help")  # links Sam's Slack account; a reply is queued to Sam
    await env.slack_api.wait_for("chat.postMessage")
    async with env.runtime.db.session() as session:
        sam_id = (await session.execute(select(Person.id).where(Person.email == SAM))).scalar()
        assert sam_id is not None
        people_before = (await session.execute(select(func.count(Person.id)))).scalar()

    done = await forget_leaver(env.runtime, SAM.upper())
    assert done is not None and done.person_id == sam_id and done.accounts >= 1

    async with env.runtime.db.session() as session:
        person = await session.get(Person, sam_id)
        assert person is not None  # kept, so allocations and votes still point somewhere
        assert (person.name, person.email, person.active) == (
            f"Former member of staff {sam_id}",
            f"forgotten-{sam_id}@invalid",
            False,
        )
        assert (await session.execute(select(func.count(Person.id)))).scalar() == people_before
        identities = await session.execute(
            select(PlatformIdentity).where(PlatformIdentity.person_id == sam_id)
        )
        assert identities.scalars().all() == []
        payloads = (await session.execute(select(OutboxMessage.payload))).scalars().all()
        assert not any("Sam Social" in json.dumps(p) or SAM in json.dumps(p) for p in payloads)
        audit = await session.execute(
            select(AuditEntry.subject).where(AuditEntry.action == "person.forgotten")
        )
        assert audit.scalars().all() == [f"person:{sam_id}"]

    # Sam's Slack account is no longer linked to anyone, and the email finds no one: the
    # bot treats a message from it as from a stranger.
    env.slack_api.calls.clear()
    await env.slack.dm("USAM", "my tasks")
    (reply,) = await env.slack_api.wait_for("chat.postMessage")
    assert "can't find you in the staff directory" in reply.params["text"]


async def test_forget_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'qabot.db'}"
    env = base_env(url, tmp_path)
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV)

    async def qabot(*args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            QABOT,
            *args,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        return proc.returncode or 0, " ".join(out.decode().split())

    assert (await qabot("import", "staff", str(staff)))[0] == 0
    code, out = await qabot("people", "forget", "nobody@example.gov.uk")
    assert code == 1 and "No one in the directory has the email nobody@example.gov.uk" in out
    assert "Traceback" not in out
    code, out = await qabot("people", "forget", SAM)
    assert code == 0 and f"Forgot {SAM}: now person" in out, out
    code, out = await qabot("people", "forget", SAM)
    assert code == 1  # already forgotten: the email finds no one
