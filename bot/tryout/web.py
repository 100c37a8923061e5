"""Routes of the try-out page: ``/try`` (the page), ``/try/say``, ``/try/press``, ``/try/clock``.

Added by ``add_routes`` when the runtime has a ``DemoClock`` and the try-out is switched on
(``qabot demo``, or ``QABOT_TRYOUT=1``). Only this computer may use it: a request from any
other address, or posted by another site, is refused.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.cards.html import INPUT_PREFIX
from bot.cards.model import Card
from bot.dialogs.base import Action, Turn
from bot.store import directory
from bot.tryout.clock import STEPS, DemoClock, next_moment
from bot.tryout.page import PageView, Someone, render_page
from bot.tryout.store import channel_posts, messages_to

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "::1"}
MAX_UPLOAD = 300_000
SUGGESTIONS = [
    "As a <b>CSW</b> (Bea, Finn, Gail or Chris Consultant), say <code>my tasks</code> and vote "
    "on the nomination waiting for the CSW group; or as a <b>practitioner</b> say "
    "<code>nominate</code> and follow your own. Once every CSW has voted, or a working week has "
    "passed (press <b>A week later</b>), a ratified practice is in the library: say "
    "<code>library</code>.",
    "As someone in the <b>QA team</b> (Quinn Improvement), say <code>allocate</code> and paste "
    "the CSV below on the next lines (or attach it), press <b>Confirm</b>, then switch to the "
    "assignee and open their allocation card.",
    "Priya Patel's Practice Evaluation is overdue. Press <b>Next working morning</b>: held "
    "messages arrive, morning summaries go out and overdue work is escalated. Switch to Priya, "
    "then to her manager Tess, to see them.",
]


class Conversations:
    """What each person said and was answered on this page (kept in memory, newest last)."""

    def __init__(self) -> None:
        self._by_person: dict[str, deque[str | Card]] = {}

    def of(self, email: str) -> deque[str | Card]:
        return self._by_person.setdefault(email, deque(maxlen=40))


def add_routes(app: web.Application, runtime: Runtime, clock: DemoClock) -> None:
    conversations = Conversations()

    async def page(request: web.Request) -> web.StreamResponse:
        refuse_others(request)
        return await show(request, request.query.get("as", ""))

    async def show(request: web.Request, email: str, notice: str = "") -> web.StreamResponse:
        view = await page_view(runtime, conversations, email, notice)
        if view is None:
            return web.Response(
                text="Nobody is in the directory yet: run `qabot demo` or `qabot import staff`.",
                status=404,
            )
        return web.Response(text=render_page(view), content_type="text/html")

    async def say(request: web.Request) -> web.StreamResponse:
        refuse_others(request)
        form = await request.post()
        email = str(form.get("as", ""))
        text = str(form.get("text", "")).strip()
        upload = form.get("file")
        attachment: str | None = None
        if isinstance(upload, web.FileField) and upload.filename:
            data = upload.file.read(MAX_UPLOAD + 1)
            attachment = "" if len(data) > MAX_UPLOAD else data.decode("utf-8-sig", "replace")
        if not text and attachment is None:
            return back(email)
        conversations.of(email).append(text or f"(attached {upload_name(upload)})")
        turn = Turn(
            platform="console",
            user_id=email,
            conversation_id="try",
            text=text or "allocate",
            attachment_text=attachment,
        )
        await handle(turn)
        return back(email)

    async def press(request: web.Request) -> web.StreamResponse:
        refuse_others(request)
        form = await request.post()
        email = str(form.get("as", ""))
        try:
            button = json.loads(str(form.get("button", "")))
            verb, data, submits = str(button["verb"]), dict(button["data"]), bool(button["submits"])
        except (ValueError, KeyError, TypeError):
            log.warning("try-out: a button press without a readable button")
            return await show(request, email, "That button could not be read; try again.")
        inputs: dict[str, Any] = {}
        if submits:
            for key in {k for k in form if k.startswith(INPUT_PREFIX)}:
                values = [str(v) for v in form.getall(key)]
                inputs[key.removeprefix(INPUT_PREFIX)] = ",".join(v for v in values if v)
        action = Action(verb=verb, data=data, inputs=inputs)
        await handle(Turn(platform="console", user_id=email, conversation_id="try", action=action))
        return back(email)

    async def handle(turn: Turn) -> None:
        result = await runtime.bot.handle(turn)
        conversations.of(turn.user_id).extend(reply.card for reply in result.replies)

    async def move_clock(request: web.Request) -> web.StreamResponse:
        refuse_others(request)
        form = await request.post()
        email, step = str(form.get("as", "")), str(form.get("step", ""))
        if step not in STEPS:
            return await show(request, email, f"Unknown clock step {step!r}.")
        bot = runtime.bot
        clock.move_to(next_moment(step, clock(), bot.framework.calendar, bot.tz))
        written = await bot.run_sweeps()
        bot.outbox_signal.set()
        log.info("try-out: demo time moved (%s); sweeps queued %d message(s)", step, written)
        return back(email)

    app.router.add_get("/try", page)
    app.router.add_post("/try/say", say)
    app.router.add_post("/try/press", press)
    app.router.add_post("/try/clock", move_clock)


def refuse_others(request: web.Request) -> None:
    """Only a browser on this computer, on this page, may use the try-out."""
    if request.remote not in LOOPBACK:
        log.warning("try-out: refused a request from %s", request.remote)
        raise web.HTTPForbidden(text="The try-out page only answers on this computer.")
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin and urlsplit(origin).netloc != request.host:
        log.warning("try-out: refused a request posted by another site")
        raise web.HTTPForbidden(text="The try-out page only takes requests from itself.")


def back(email: str) -> NoReturn:
    raise web.HTTPSeeOther(f"/try?as={quote(email)}#say")


def upload_name(upload: object) -> str:
    return upload.filename if isinstance(upload, web.FileField) else "a file"


async def page_view(
    runtime: Runtime, conversations: Conversations, email: str, notice: str
) -> PageView | None:
    bot = runtime.bot
    async with bot.db.session() as session:
        people = [
            Someone(p.email, p.name, ", ".join(sorted(p.role_names)), p.team.name if p.team else "")
            for p in sorted(await directory.active_people(session), key=lambda p: p.name)
        ]
        if not people:
            return None
        me = next((p for p in people if p.email == email.strip().lower()), people[0])
        person = await directory.person_by_email(session, me.email)
        mine = await messages_to(session, person.id) if person else []
        posts = await channel_posts(session)
    sample = sample_csv(people)
    return PageView(
        bot_name=bot.framework.authority.bot_name,
        authority=bot.framework.authority.name,
        now=bot.clock(),
        tz=bot.tz,
        calendar=bot.framework.calendar,
        people=people,
        me=me,
        conversation=list(conversations.of(me.email)),
        messages=mine,
        channel_posts=posts,
        suggestions=SUGGESTIONS,
        sample_csv=sample,
        notice=notice,
    )


def sample_csv(people: list[Someone]) -> str:
    """The demo's CSV of work to allocate (``bot/demo/allocations.csv``) when its people are in
    the directory; otherwise a header to fill in."""
    text = (Path(__file__).parent.parent / "demo" / "allocations.csv").read_text("utf-8")
    emails = {p.email for p in people}
    if all(row.split(",")[3] in emails for row in text.strip().splitlines()[1:]):
        return text.strip()
    return text.splitlines()[0]
