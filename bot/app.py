"""The platform-neutral bot: turns in, replies out, everything committed before it answers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import common
from bot.dialogs.base import COMMAND_TEXT_MAX, RUN_COMMAND, Context, Reply, Router, Turn
from bot.domain.framework import Framework
from bot.people_cache import NOT_IN_DIRECTORY, Known, PeopleCache
from bot.store import directory
from bot.store.audit import AuditWriter
from bot.store.db import Database
from bot.store.models import InboundEvent, Person
from bot.store.outbox import Delivered, OutboxWriter
from bot.store.upserts import dialect_of, insert_or_ignore

log = logging.getLogger(__name__)


# Queues the replies a channel does not answer inline; returns those it does.
RouteReplies = Callable[[Context, list[Reply]], Awaitable[list[Reply]]]


def failure_reference() -> str:
    """A short id to quote in an apology and in the log line that explains it."""
    return uuid.uuid4().hex[:8]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class TurnResult:
    replies: list[Reply]
    person: Person | None = None
    duplicate: bool = False


_paused = 0


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector waits while a sweep tick runs. A morning tick holds
    tens of thousands of rows and lines alive at once, and the collector, set off by their
    allocation, traversed them again and again: about half the tick's CPU at council scale
    (bench/sweeps.py). Reference counting still frees almost everything as it goes; the
    collector resumes when the last tick running ends."""
    global _paused
    if _paused == 0 and not gc.isenabled():
        yield  # paused by someone else: leave it as it is
        return
    _paused += 1
    gc.disable()
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0:
            gc.enable()


@dataclass
class QABot:
    db: Database
    framework: Framework
    tz: ZoneInfo
    router: Router
    clock: Callable[[], datetime] = system_clock
    platforms: set[str] = field(default_factory=set)
    # Set by the delivery worker so new outbox rows are sent at once rather than at the next poll.
    outbox_signal: asyncio.Event = field(default_factory=asyncio.Event)
    # Platform users already linked to the directory: no email lookup needed for them.
    _known_users: set[tuple[str, str]] = field(default_factory=set)
    # Who each platform user is (or that they are not in the directory), for a minute.
    people: PeopleCache = field(default_factory=PeopleCache)
    # Teams with no app id (local development): channel posts need the bot added there first.
    teams_local: bool = False
    # Where the bot is reachable from a browser, for links it serves (library export).
    public_url: str = ""

    def context(
        self, session: AsyncSession, person: Person | None, turn: Turn | None = None
    ) -> Context:
        now = self.clock()
        return Context(
            session=session,
            framework=self.framework,
            tz=self.tz,
            now=now,
            person=person,
            outbox=OutboxWriter(
                session,
                self.framework,
                now,
                self.platforms,
                teams_needs_linked_channel=self.teams_local,
            ),
            audit=AuditWriter(session, now),
            turn=turn,
            public_url=self.public_url.rstrip("/"),
            summary_sources=tuple(self.router.summary_sources),
            digest_sources=tuple(self.router.digest_sources),
            calendar_event_sources=tuple(self.router.calendar_event_sources),
            work_listeners=tuple(self.router.work_listeners),
        )

    async def handle(
        self,
        turn: Turn,
        *,
        event_id: str | None = None,
        resolve_email: Callable[[], Awaitable[str | None]] | None = None,
        route: RouteReplies | None = None,
        inline_first: bool = False,
    ) -> TurnResult:
        """Run one turn in one unit of work, committed before the platform is answered.

        ``resolve_email`` is asked only when the platform user is unknown, so they can be
        linked to the directory by email. ``route`` lets the channel queue the replies it will
        not answer inline, in the same unit of work: the event is never marked as handled
        without its replies being saved too. It returns the replies to answer inline.
        ``inline_first``: the channel answers the first reply itself (a slash command's
        acknowledgement), so ``route`` is called only when there are more; a lone reply (not
        in the directory, an apology) needs no routing.
        """
        try:
            cached = self.people.get(turn.platform, turn.user_id)
            if cached is NOT_IN_DIRECTORY and event_id is None and (route is None or inline_first):
                # Nothing to record, one reply, nothing to route: answered without the database.
                return TurnResult([Reply(common.not_in_directory_card(self.framework))])
            known, email = (
                (cached, None) if cached is not None else await self._look_up(turn, resolve_email)
            )
            async with self.db.session() as session:
                if event_id and not await self._first_delivery(session, turn.platform, event_id):
                    log.info("duplicate %s event %s ignored", turn.platform, event_id)
                    return TurnResult([], duplicate=True)
                person = await self._identify(session, turn, email, known)
                ctx = self.context(session, person, turn)
                if person is None:
                    replies = [Reply(common.not_in_directory_card(self.framework))]
                else:
                    replies = await self._dispatch(ctx, turn)
                if route is not None and (len(replies) > 1 or not inline_first):
                    replies = await route(ctx, replies)
            if ctx.outbox.written:
                self.outbox_signal.set()
            # "Not in the directory" is remembered only when the platform gave an email to
            # check: a lookup that failed (or gave none) is tried again on the next turn.
            if cached is None and turn.platform != "console" and (person or email):
                self.people.remember(turn.platform, turn.user_id, person)
            return TurnResult(replies, person)
        except Exception:
            reference = failure_reference()
            verb = turn.action.verb if turn.action else "message"
            log.exception("turn failed (%s on %s), reference %s", verb, turn.platform, reference)
            return TurnResult(
                await self._route_error(turn, reference, None if inline_first else route)
            )

    async def _route_error(
        self, turn: Turn, reference: str, route: RouteReplies | None
    ) -> list[Reply]:
        replies = [Reply(common.error_card(reference))]
        if route is None:
            return replies
        try:
            async with self.db.session() as session:
                ctx = self.context(session, None, turn)
                replies = await route(ctx, replies)
            self.outbox_signal.set()
        except Exception:
            log.exception("could not queue the error message (reference %s)", reference)
        return replies

    async def queue_apology(
        self, platform: str, address: dict[str, Any], reference: str, *, key: str
    ) -> None:
        """Tell someone a request of theirs failed outside a turn (in the channel's own code),
        quoting ``reference``; a failure to do so is logged, never raised."""
        try:
            async with self.db.session() as session:
                ctx = self.context(session, None)
                await ctx.outbox.reply(platform, address, common.error_card(reference), key=key)
            self.outbox_signal.set()
        except Exception:
            log.exception("could not queue the apology for reference %s", reference)

    async def _dispatch(self, ctx: Context, turn: Turn) -> list[Reply]:
        if turn.action is not None and turn.action.verb == RUN_COMMAND:
            # A button standing for a typed command: the same matching and role check.
            text = turn.action.data.get("text")
            if not isinstance(text, str) or not text.strip() or len(text) > COMMAND_TEXT_MAX:
                log.warning("command button without a command on %s", turn.platform)
                return [Reply(common.stale_card())]
            return await self._run_text(ctx, text)
        if turn.action is not None:
            handler = self.router.actions.get(turn.action.verb)
            if handler is None:
                log.warning("stale or unknown action %r on %s", turn.action.verb, turn.platform)
                return [Reply(common.stale_card())]
            return await handler(ctx, turn.action)
        return await self._run_text(ctx, (turn.text or "").strip())

    async def _run_text(self, ctx: Context, text: str) -> list[Reply]:
        if not text:
            return await common.show_help(ctx, self.router)
        matched = self.router.match(text)
        if matched is None:
            return [Reply(common.unknown_command_card(text, self.router, ctx))]
        command, args = matched
        if not command.allowed(ctx):
            log.warning(
                "person %s refused command %s", ctx.person.id if ctx.person else None, command.name
            )
            return [Reply(common.not_allowed_card(command.name, command.roles or frozenset()))]
        return await command.handler(ctx, args)

    async def _look_up(
        self, turn: Turn, resolve_email: Callable[[], Awaitable[str | None]] | None
    ) -> tuple[Person | None, str | None]:
        """For a user the cache does not know: the active person linked to them, found
        outside the turn's unit of work (the turn merges it without asking again), or else
        their email from the platform (a network call the store must not wait on)."""
        if resolve_email is None or turn.platform == "console":
            return None, None
        key = (turn.platform, turn.user_id)
        if key in self._known_users:
            return None, None
        async with self.db.session() as session:
            linked = await directory.person_by_identity(session, turn.platform, turn.user_id)
        if linked is not None:
            self._known_users.add(key)
            return (linked if linked.active else None), None
        return None, await resolve_email()

    async def _identify(
        self, session: AsyncSession, turn: Turn, email: str | None, known: Known | None = None
    ) -> Person | None:
        if known is NOT_IN_DIRECTORY:
            return None
        if isinstance(known, Person):
            # No I/O with load=False, so the synchronous merge (no greenlet hop) is enough.
            merged = session.sync_session.merge(known, load=False)
            if turn.platform == "teams" and turn.is_direct and turn.address:
                await directory.link_identity(
                    session, merged, "teams", turn.user_id, self.clock(), turn.address
                )
            return merged
        if turn.platform == "console":
            person = await directory.person_by_email(session, turn.user_id)
        else:
            person = await directory.person_by_identity(session, turn.platform, turn.user_id)
            if person is None and email:
                person = await directory.person_by_email(session, email)
                if person is not None:
                    conversation = (
                        turn.address if turn.platform == "teams" and turn.is_direct else None
                    )
                    await directory.link_identity(
                        session, person, turn.platform, turn.user_id, self.clock(), conversation
                    )
            elif (
                person is not None and turn.platform == "teams" and turn.is_direct and turn.address
            ):
                await directory.link_identity(
                    session, person, "teams", turn.user_id, self.clock(), turn.address
                )
        if person is not None and not person.active:
            return None
        return person

    async def _first_delivery(self, session: AsyncSession, platform: str, event_id: str) -> bool:
        stmt = insert_or_ignore(
            dialect_of(session), InboundEvent.__table__, ("platform", "event_id")
        )
        values = {"platform": platform, "event_id": event_id[:300], "received_at": self.clock()}
        result = await session.execute(stmt, values)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def delivery_kinds(self) -> frozenset[str]:
        """The kinds of outbox row some area listens for (``Router.delivered``)."""
        return frozenset(k for watch in self.router.delivery_watches for k in watch.kinds)

    def kinds_reporting_failures(self) -> frozenset[str]:
        """The kinds of outbox row whose failures an area reports itself."""
        return frozenset(
            k
            for watch in self.router.delivery_watches
            if watch.reports_failures
            for k in watch.kinds
        )

    async def after_delivery(self, rows: Sequence[Delivered]) -> None:
        """Tell each area's listener what the delivery worker did with rows of its kinds."""
        for watch in self.router.delivery_watches:
            mine = [row for row in rows if row.kind in watch.kinds]
            if not mine:
                continue
            try:
                async with self.db.session() as session:
                    ctx = self.context(session, None)
                    await watch.listener(ctx, mine)
                if ctx.outbox.written:
                    self.outbox_signal.set()
            except Exception:
                log.exception("a delivery listener failed; the sweep catches up later")

    async def run_sweeps(self, names: Iterable[str] | None = None) -> int:
        """Run the scheduled sweeps once; returns how many outbox rows they wrote."""
        written = 0
        with collector_paused():
            for name, sweep in self.router.sweeps.items():
                if names is not None and name not in names:
                    continue
                try:
                    async with self.db.session() as session:
                        ctx = self.context(session, None)
                        await sweep(ctx)
                    written += ctx.outbox.written
                except Exception:
                    log.exception("sweep %s failed; it will run again at the next tick", name)
        if written:
            self.outbox_signal.set()
        return written
