"""Good-practice nominations in the console channel (`qabot chat`), as a person types them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from tests.conftest import BotEnv
from tests.nominations.support import DIFFERENCE, SOURCE, THEME, WHAT, library, nominations

Answer = str | Callable[[str], str]


def option(title: str) -> Callable[[str], str]:
    """The number the console printed beside a choice, e.g. "  5. Priya Patel (Yeovil CiC)"."""

    def pick(output: str) -> str:
        found = re.findall(rf"^ *\*?(\d+)\. {re.escape(title)}", output, re.MULTILINE)
        assert found, f"{title!r} was not offered"
        return found[-1]

    return pick


def button(label: str) -> Callable[[str], str]:
    def pick(output: str) -> str:
        found = re.findall(rf"\[(\d+)\] {re.escape(label)}", output)
        assert found, f"no button {label!r}"
        return found[-1]

    return pick


async def chat(env: BotEnv, email: str, answers: list[Answer]) -> str:
    from bot.channels.console import ConsoleChannel

    out = io.StringIO()
    queue = list(answers)

    async def prompt(_label: str) -> str | None:
        if not queue:
            return None
        answer = queue.pop(0)
        return answer(out.getvalue()) if callable(answer) else answer

    await ConsoleChannel(env.runtime.bot, email, prompt=prompt, out=out).run()
    assert not queue, f"the conversation ended early: {out.getvalue()[-2000:]}"
    return out.getvalue()


async def test_a_nomination_from_the_console_to_the_library(staffed: BotEnv) -> None:
    env = staffed
    said = await chat(
        env,
        "sam.sw@example.gov.uk",
        [
            "nominate",
            button("Submit nomination"),
            option("Priya Patel (Yeovil CiC)"),  # who
            "",  # no whole team
            WHAT,
            DIFFERENCE,
            option(SOURCE),
            "",  # evidence
            option(THEME),
            "",  # case record number
            "y",  # family's voice
            "y",  # may be shared
            "quit",
        ],
    )
    assert "Nomination received: GP-2026-0001" in said
    for email in ("chris.csw@example.gov.uk", "bea.csw@example.gov.uk", "finn.csw@example.gov.uk"):
        said = await chat(
            env, email, ["my tasks", button("Vote on GP-2026-0001"), button("Ratify"), "quit"]
        )
        assert "Votes waiting for you" in said
        assert "recorded: Ratify" in said
    assert "vote has closed: Ratified" in said
    assert (await nominations(env))[0].status == "ratified"
    assert len(await library(env)) == 1
    said = await chat(env, "tess.tm@example.gov.uk", ["library", "quit"])
    assert "1 example, newest first" in said and "GP-2026-0001" in said
    said = await chat(env, "sam.sw@example.gov.uk", ["my nominations", "quit"])
    assert "Status:" in said and "Ratified" in said


async def test_a_decline_needs_a_comment_in_the_console(staffed: BotEnv) -> None:
    env = staffed
    await chat(
        env,
        "sam.sw@example.gov.uk",
        [
            "nominate",
            button("Submit nomination"),
            option("Priya Patel (Yeovil CiC)"),
            "",
            WHAT,
            DIFFERENCE,
            option(SOURCE),
            "",
            option(THEME),
            "",
            "n",
            "n",
            "quit",
        ],
    )
    said = await chat(
        env,
        "bea.csw@example.gov.uk",
        [
            "my tasks",
            button("Vote on GP-2026-0001"),
            button("Decline…"),
            button("Decline"),
            "",  # an empty comment is refused beside the field
            button("Decline"),
            "Not enough about the child's experience.",
            "quit",
        ],
    )
    assert "Please say why you are declining" in said
    assert "recorded: Decline" in said
