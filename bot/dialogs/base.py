"""What every dialog works with: the Turn it is given, the Replies it returns, and its Context.

A dialog never imports a platform SDK. It reads and writes the store through ``ctx.session``
(committed by the dispatcher before the platform is acknowledged), queues proactive messages
with ``ctx.outbox`` and records what happened with ``ctx.audit``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from bot.cards.model import Button, Card
from bot.domain.calendar_events import CalendarEvent, FeedScope
from bot.domain.digest import DigestPart, DigestPeriod, DigestScope
from bot.domain.framework import Framework
from bot.domain.roles import Role
from bot.domain.simulation import SimulationInputs
from bot.domain.work_events import WorkEvent

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.store.audit import AuditWriter
    from bot.store.models import Person
    from bot.store.outbox import Delivered, OutboxWriter

Platform = Literal["slack", "teams", "console"]

# A button that runs a chat command exactly as if the person had typed it (the same role
# check, against the directory in the store): ``command_button("Propose a sample",
# "allocate cycle mape")``. An area's card can offer another area's command this way without
# importing it.
RUN_COMMAND = "command.run"
COMMAND_TEXT_MAX = 200


def command_button(label: str, text: str, *, style: str = "default") -> Button:
    return Button(
        label=label[:75],
        verb=RUN_COMMAND,
        data={"text": text[:COMMAND_TEXT_MAX]},
        style="primary" if style == "primary" else "default",
    )


@dataclass(frozen=True)
class Action:
    """A button press or form submission: the verb, the button's data and the inputs' values."""

    verb: str
    data: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    platform: Platform
    user_id: str  # the platform's id for the person (Slack user id, AAD object id, email)
    conversation_id: str
    text: str | None = None
    action: Action | None = None
    is_direct: bool = True
    # The platform's reference to the message the action came from, so it can be replaced.
    source_message: dict[str, Any] | None = None
    # A conversation address a reply can be sent to (Teams reference, Slack channel).
    address: dict[str, Any] | None = None
    # The text of a file the person uploaded with the message (a CSV): None when there was no
    # file, "" when there was one the channel could not read (too big, not text, unreachable).
    attachment_text: str | None = None
    # What the channel can do, declared by the channel (dialogs never test a platform's name):
    # the answer to a card action replaces the card that was pressed (a Teams invoke response).
    answers_replace_card: bool = False


@dataclass
class Reply:
    card: Card
    # Replace the card the action came from (Teams invoke response / Slack chat.update).
    replace: bool = False
    # Seen only by the person (Slack ephemeral, answered in the acknowledgement).
    private: bool = True
    # For form submissions: field id -> message; the form stays open with the errors shown.
    errors: dict[str, str] | None = None
    # For form submissions that succeeded: close the form (Slack modal).
    close_form: bool = False


Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SummaryItem:
    """One reminder for a person's morning summary, from any area. ``key`` names the reminder
    and its stage: each key is sent once (``nudge:quota:17:p4:week-6``)."""

    person_id: int
    key: str
    text: str
    button: Button | None = None
    urgent: bool = False
    # What the line is about, so two reminders about one thing share a line (``q17``).
    ident: str = ""


SummarySource = Callable[["Context"], Awaitable[list[SummaryItem]]]
# An area's dated events for a private calendar feed (``Router.calendar_events``).
CalendarEventSource = Callable[["Context", FeedScope], Awaitable[list[CalendarEvent]]]
# An area listening to what another area's work did (``Router.on_work``).
WorkListener = Callable[["Context", WorkEvent], Awaitable[None]]


@dataclass(frozen=True)
class GatedSummary:
    """A summary source that first names, without reading the store, the occasions it may
    remind about today (``gate``, e.g. "quota 17's week-6 nudge, today"). The morning summary
    asks ``source`` only while one of them is not yet marked, and marks them all once it has
    sent what ``source`` gave: later ticks of the day cost nothing. Register it with
    ``Router.summary`` like any source."""

    gate: Callable[[Context], list[str]]
    source: SummarySource

    async def __call__(self, ctx: Context) -> list[SummaryItem]:
        return await self.source(ctx)


# An area's part of a digest for a period and scope (``Router.digest``, bot/domain/digest.py).
DigestSource = Callable[["Context", DigestPeriod, DigestScope], Awaitable[list[DigestPart]]]
# An area's listener for what the delivery worker did with rows of its kinds
# (``Router.delivered``): called after a batch, at most every few seconds.
DeliveryListener = Callable[["Context", Sequence["Delivered"]], Awaitable[None]]


@dataclass(frozen=True)
class DeliveryWatch:
    kinds: frozenset[str]
    listener: DeliveryListener
    # The area tells people about these kinds' failures itself (a broadcast's delivery
    # report), so the delivery worker does not dead-letter them to the QA team one by one.
    reports_failures: bool = False


# Something an area does later in a simulation, on a given day (logging an item on its date).
Planned = tuple[date, Callable[["Context"], Awaitable[None]]]


@dataclass
class Seeded:
    """What an area set up for ``qabot simulate`` (``Router.simulation``)."""

    # What was set up, for the person running it ("2 allocations confirmed").
    done: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    later: list[Planned] = field(default_factory=list)


# An area's seeding of a simulation: raises bot.domain.simulation.SimulationError on bad input.
SimulationSeed = Callable[["Context", SimulationInputs], Awaitable[Seeded]]


@dataclass
class Context:
    session: AsyncSession
    framework: Framework
    tz: ZoneInfo
    now: datetime
    person: Person | None
    outbox: OutboxWriter
    audit: AuditWriter
    turn: Turn | None = None
    # Where the bot is reachable from a browser (QABOT_PUBLIC_URL), for links it serves.
    public_url: str = ""
    # Every area's reminders for the morning summary (``Router.summary``).
    summary_sources: tuple[SummarySource, ...] = ()
    # Every area's parts of a digest (``Router.digest``).
    digest_sources: tuple[DigestSource, ...] = ()
    # Every area's events for calendar feeds (``Router.calendar_events``).
    calendar_event_sources: tuple[CalendarEventSource, ...] = ()
    # Every area's listeners to work events (``Router.on_work``, ``tell_areas``).
    work_listeners: tuple[WorkListener, ...] = ()
    # The directory's names for the privacy screen, read at most once a turn
    # (``bot.dialogs.forms.load_staff_names``); None until read.
    staff_names: frozenset[str] | None = None

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def has_role(self, *roles: Role) -> bool:
        if self.person is None:
            return False
        names = self.person.role_names
        return any(r.value in names for r in roles)


Handler = Callable[[Context, str], Awaitable[list[Reply]]]
ActionHandler = Callable[[Context, Action], Awaitable[list[Reply]]]
SweepHandler = Callable[["Context"], Awaitable[None]]
GallerySource = Callable[[], list[Card]]
TaskSource = Callable[["Context"], Awaitable[list[Card]]]


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    summary: str
    roles: frozenset[Role] | None  # None: everyone in the directory
    handler: Handler
    usage: str = ""
    # Whether the authority's framework offers it at all (None: always).
    offered: Callable[[Framework], bool] | None = None

    def allowed(self, ctx: Context) -> bool:
        return self.roles is None or ctx.has_role(*self.roles)

    def listed(self, ctx: Context) -> bool:
        """Shown in help: this person may use it and the framework offers it."""
        return self.allowed(ctx) and (self.offered is None or self.offered(ctx.framework))


@dataclass
class Router:
    """The registry of commands, actions, scheduled sweeps, task sources and gallery cards."""

    commands: list[Command] = field(default_factory=list)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    sweeps: dict[str, SweepHandler] = field(default_factory=dict)
    gallery_sources: list[GallerySource] = field(default_factory=list)
    task_sources: list[TaskSource] = field(default_factory=list)
    summary_sources: list[SummarySource] = field(default_factory=list)
    digest_sources: list[DigestSource] = field(default_factory=list)
    simulation_seeds: list[SimulationSeed] = field(default_factory=list)
    calendar_event_sources: list[CalendarEventSource] = field(default_factory=list)
    delivery_watches: list[DeliveryWatch] = field(default_factory=list)
    work_listeners: list[WorkListener] = field(default_factory=list)

    def command(
        self,
        name: str,
        *aliases: str,
        summary: str,
        roles: set[Role] | None = None,
        usage: str = "",
        offered: Callable[[Framework], bool] | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            frozen = frozenset(roles) if roles is not None else None
            self.commands.append(
                Command(name, aliases, summary, frozen, fn, usage or name, offered)
            )
            return fn

        return register

    def action(self, verb: str) -> Callable[[ActionHandler], ActionHandler]:
        def register(fn: ActionHandler) -> ActionHandler:
            if verb in self.actions:
                raise ValueError(f"action {verb!r} registered twice")
            self.actions[verb] = fn
            return fn

        return register

    def sweep(self, name: str) -> Callable[[SweepHandler], SweepHandler]:
        def register(fn: SweepHandler) -> SweepHandler:
            self.sweeps[name] = fn
            return fn

        return register

    def gallery(self, fn: GallerySource) -> GallerySource:
        self.gallery_sources.append(fn)
        return fn

    def tasks(self, fn: TaskSource) -> TaskSource:
        self.task_sources.append(fn)
        return fn

    def summary(self, fn: SummarySource) -> SummarySource:
        """An area's reminders, sent inside the one morning summary a person gets rather than
        as separate messages."""
        self.summary_sources.append(fn)
        return fn

    def digest(self, fn: DigestSource) -> DigestSource:
        """An area's part of a QA digest: aggregate figures for a period and scope
        (``bot/domain/digest.py``), composed by the broadcasts area."""
        self.digest_sources.append(fn)
        return fn

    def delivered(
        self, *kinds: str, reports_failures: bool = False
    ) -> Callable[[DeliveryListener], DeliveryListener]:
        """An area's listener for outbox rows of ``kinds`` the delivery worker has just sent,
        retried or given up on (a live delivery report): called after a batch, throttled.
        ``reports_failures``: the area reports these kinds' failures itself, so they are not
        also dead-lettered to the QA team one by one."""

        def register(fn: DeliveryListener) -> DeliveryListener:
            self.delivery_watches.append(DeliveryWatch(frozenset(kinds), fn, reports_failures))
            return fn

        return register

    def simulation(self, fn: SimulationSeed) -> SimulationSeed:
        """An area's part of setting up ``qabot simulate``: what it seeds from the inputs."""
        self.simulation_seeds.append(fn)
        return fn

    def calendar_events(self, fn: CalendarEventSource) -> CalendarEventSource:
        """An area's dated events (deadlines) for a person's, team's or the QA team's private
        calendar feed (``bot/domain/calendar_events.py``)."""
        self.calendar_event_sources.append(fn)
        return fn

    def on_work(self, fn: WorkListener) -> WorkListener:
        """An area's listener to what other areas' work did (``bot/domain/work_events.py``),
        called in the same unit of work by ``tell_areas``."""
        self.work_listeners.append(fn)
        return fn

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command a message starts with (longest name first) and the rest of the text."""
        raw = strip_prefix(text)
        words = raw.lower()
        best: tuple[Command, str] | None = None
        best_len = 0
        for cmd in self.commands:
            for name in (cmd.name, *cmd.aliases):
                if (words == name or words.startswith(name + " ")) and len(name) > best_len:
                    # Keep the arguments' own casing (case references, search words).
                    best, best_len = (cmd, raw[len(name) :].strip()), len(name)
        return best


def strip_prefix(text: str) -> str:
    """Whitespace folded, and a leading ``/qa`` or ``qa`` removed; casing kept."""
    text = " ".join(text.replace("’", "'").split())
    for prefix in ("/qa ", "qa "):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    return text


async def tell_areas(ctx: Context, event: WorkEvent) -> None:
    """Tell every area listening (``Router.on_work``) what this work did."""
    for listener in ctx.work_listeners:
        await listener(ctx, event)
