"""Use cases of broadcasts: compose a digest from the areas' data, draft, approve, queue one
outbox row per recipient (and part), report on delivery, retry what failed, count reads."""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from bot.broadcasts import cards as bcards
from bot.broadcasts import rules, store
from bot.broadcasts.content import Chart, Content, ContentSection, Link
from bot.broadcasts.store import (
    APPROVED,
    CANCELLED,
    DISCARDED,
    DONE,
    DRAFT,
    SENDING,
    Broadcast,
)
from bot.cards.model import Card
from bot.dialogs.base import Context
from bot.domain.digest import (
    DigestPart,
    DigestPeriod,
    DigestScope,
    Figure,
    Section,
)
from bot.domain.roles import Role
from bot.store.outbox import MESSAGING_PLATFORMS, PersonMessage, route_target

log = logging.getLogger("bot.broadcasts.flows")

KIND = "broadcast"
# "Got it" presses mark the report once per window; the delivery worker tells the area of the
# mark when the window ends, so 500 presses at once update the report once, within seconds.
READ_KIND = "broadcast_read"
READ_WINDOW_SECONDS = 5
MAX_STATUS_MESSAGES = 10
CSV_MINUTES = 30
SECTION_HEADINGS: dict[Section, str] = {
    Section.BREADTH: "How much did we do?",
    Section.DEPTH: "How well did we do it?",
    Section.IMPACT: "Is anyone better off?",
    Section.GOOD_PRACTICE: "Good practice",
    Section.THEMES: "Recurring themes",
}
NO_SOURCE = "Nothing in the bot holds these figures yet, so none are shown."
NOTHING_IN_PERIOD = "Nothing was recorded for this in the period."
TOP_THEMES = 10


def charts_module() -> ModuleType | None:
    """``bot.charts`` (matplotlib) when it is installed, else None: charts are text only."""
    try:
        return importlib.import_module("bot.charts")
    except ImportError:
        return None


# --- composing a digest ------------------------------------------------------------------------


async def compose_digest(ctx: Context, period: DigestPeriod, scope: DigestScope) -> Content:
    """Every digest source's parts for the period, merged by section. A section no source
    answers for says so; what a source cannot say is a sentence, never a number."""
    rules_ = ctx.framework.broadcasts.digest
    wanted = rules_.sections if rules_ is not None else tuple(Section)
    parts: list[DigestPart] = []
    for source in ctx.digest_sources:
        try:
            parts += await source(ctx, period, scope)
        except Exception:
            log.exception("a digest source failed; its sections say it could not answer")
    sections = [_section(section, [p for p in parts if p.section == section]) for section in wanted]
    resources = rules_.resources if rules_ is not None else ()
    if resources:
        sections.append(
            ContentSection(
                heading="Learning resources",
                links=[Link(title=r.title, url=r.url) for r in resources if r.url],
                highlights=[
                    f"{r.title}: {r.note}" if r.note else r.title for r in resources if not r.url
                ],
            )
        )
    name = rules_.name if rules_ is not None else "QA digest"
    return Content(
        title=f"{name}: {period.label}",
        kind="digest",
        period=f"{period.label} ({scope.label}), {_day(period.start)} to "
        f"{_day(period.end - timedelta(days=1))}",
        sections=sections,
    )


def _day(d: object) -> str:
    return f"{d:%-d %B %Y}"


def _section(section: Section, parts: list[DigestPart]) -> ContentSection:
    heading = SECTION_HEADINGS[section]
    if not parts:
        return ContentSection(heading=heading, body=NO_SOURCE)
    figures = [_figure(f) for p in parts for f in p.figures]
    charts = [
        Chart(title=d.title, counts=[(k, n) for k, n in d.counts], kind=d.kind, of=list(d.of))
        for p in parts
        for d in p.distributions
    ]
    highlights = [
        f"{h.title}{': ' + h.text if h.text else ''}{f' ({h.reference})' if h.reference else ''}"
        for p in parts
        for h in p.highlights
    ]
    unavailable = [f"{u.what}: {u.reason}" for p in parts for u in p.unavailable]
    themes: Counter[str] = Counter()
    for p in parts:
        for theme, count in p.themes:
            themes[theme] += count
    if themes:
        ranked = sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_THEMES]
        charts.append(Chart(title="Themes that came up most", counts=ranked))
    body = "\n\n".join(unavailable)
    if not (body or figures or charts or highlights):
        body = NOTHING_IN_PERIOD
    return ContentSection(
        heading=heading, body=body, figures=figures, charts=charts, highlights=highlights
    )


def _figure(figure: Figure) -> tuple[str, str]:
    if figure.value is None:
        text = "no data"
    elif figure.of is not None:
        percent = f" ({figure.percent}%)" if figure.percent is not None else ""
        text = f"{figure.value} of {figure.of}{percent}"
    else:
        text = str(figure.value)
    return figure.label, f"{text}{' — ' + figure.note if figure.note else ''}"


# --- drafts, approval and the gate -------------------------------------------------------------


async def new_draft(
    ctx: Context,
    content: Content,
    audience: rules.Audience,
    *,
    dedupe_key: str | None = None,
    period: DigestPeriod | None = None,
) -> Broadcast:
    broadcast = Broadcast(
        kind=content.kind,
        title=content.title[:200],
        content=content.model_dump(mode="json"),
        audience=audience.tokens(),
        status=DRAFT,
        dedupe_key=dedupe_key,
        period_start=period.start.isoformat() if period else None,
        period_end=period.end.isoformat() if period else None,
        created_by_id=ctx.person.id if ctx.person else None,
        chart_token=secrets.token_urlsafe(18),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(broadcast)
    await ctx.session.flush()
    ctx.audit.record(
        "broadcast.drafted",
        actor_id=broadcast.created_by_id,
        subject=f"broadcast:{broadcast.id}",
        details={"kind": broadcast.kind, "title": broadcast.title},
    )
    return broadcast


async def resolve_scope(ctx: Context, asked: rules.ScopeAsked) -> DigestScope | str:
    """The scope asked for, with the directory's spelling of its name; a string is the
    problem to show (an unknown service or team, with the names there are)."""
    if asked.kind == "authority":
        return DigestScope()
    known = await store.scope_names(ctx.session, asked.kind)
    name = rules.match_name(asked.name, known)
    if name is None:
        return rules.unknown_name(asked.kind, asked.name, known)
    return DigestScope(kind="service" if asked.kind == "service" else "team", name=name)


def scoped_audience(ctx: Context, scope: DigestScope) -> rules.Audience:
    """A service's digest goes to that service's team channels, a team's to its channel (when
    it has one); the whole authority's to the framework's digest audience."""
    if scope.kind == "service" and scope.name:
        return rules.Audience(services=(scope.name,))
    if scope.kind == "team" and scope.name:
        channel = rules.match_name(scope.name, ctx.framework.channels.teams)
        if channel is not None:
            return rules.Audience(teams=(channel,))
    return default_audience(ctx)


def proposed(ctx: Context, broadcast: Broadcast) -> datetime | None:
    """The sending time a draft's author proposed (kept on the draft until it is approved)."""
    return broadcast.send_at if broadcast.status == DRAFT else None


def proposed_text(ctx: Context, broadcast: Broadcast) -> str | None:
    when = proposed(ctx, broadcast)
    if when is None:
        return None
    passed = " (already passed: approving sends it now)" if when <= ctx.now else ""
    return f"{when.astimezone(ctx.tz):%H:%M on %-d %B %Y} (UK time){passed}"


def default_audience(ctx: Context) -> rules.Audience:
    digest = ctx.framework.broadcasts.digest
    chosen = digest.audience if digest is not None else ("all_team_channels",)
    routes = tuple(a for a in chosen if a != "all_team_channels")
    return rules.Audience(all_teams="all_team_channels" in chosen, routes=routes)


def content_of(broadcast: Broadcast) -> Content:
    return Content.model_validate(broadcast.content)


def is_qa(ctx: Context) -> bool:
    """The QA role as the directory records it (never what a button's payload claims)."""
    return ctx.has_role(Role.QA_TEAM)


def refuse(ctx: Context, what: str) -> Card:
    who = ctx.person.email if ctx.person else "someone not in the directory"
    log.warning("broadcast %s refused: %s does not have the QA role", what, who)
    return bcards.refusal(what)


async def approve(ctx: Context, broadcast: Broadcast, send_at: datetime | None = None) -> None:
    """Approve (the caller has checked the QA role): sent now, or at ``send_at``."""
    assert ctx.person is not None
    broadcast.status = APPROVED
    broadcast.approved_by_id = ctx.person.id
    broadcast.approved_at = ctx.now
    broadcast.send_at = max(send_at or ctx.now, ctx.now)
    broadcast.updated_at = ctx.now
    ctx.audit.record(
        "broadcast.approved",
        actor_id=ctx.person.id,
        subject=f"broadcast:{broadcast.id}",
        details={"send_at": broadcast.send_at.isoformat(), "audience": broadcast.audience},
    )
    if broadcast.send_at <= ctx.now:
        await queue(ctx, broadcast)


# --- a scheduled broadcast: its card, sending it now, a new time, cancelling it ---------------


def stamp(broadcast: Broadcast) -> str:
    """Names the time a scheduled card shows (a press on an older card is out of date)."""
    return str(int(broadcast.send_at.timestamp())) if broadcast.send_at else ""


def is_scheduled(broadcast: Broadcast) -> bool:
    return broadcast.status == APPROVED and broadcast.queued_at is None


def london_time(ctx: Context, when: datetime) -> str:
    return f"{when.astimezone(ctx.tz):%A %-d %B %Y at %H:%M} (London time)"


async def scheduled_card(ctx: Context, broadcast: Broadcast) -> Card:
    assert broadcast.send_at is not None
    audience = rules.audience_from_tokens(broadcast.audience).describe()
    return bcards.scheduled(
        broadcast,
        london_time(ctx, broadcast.send_at),
        await store.person_name(ctx.session, broadcast.approved_by_id),
        audience,
        broadcast.parts if broadcast.queued_at else len(message_cards(ctx, broadcast)),
        stamp(broadcast),
    )


async def current_card(ctx: Context, broadcast: Broadcast) -> Card:
    """The card that shows where the broadcast stands: its review card's successors."""
    if is_scheduled(broadcast):
        return await scheduled_card(ctx, broadcast)
    if broadcast.status == CANCELLED:
        return await cancelled_card(ctx, broadcast)
    return await report_card(ctx, broadcast)


async def cancelled_card(ctx: Context, broadcast: Broadcast) -> Card:
    who = await store.last_actor(ctx.session, broadcast.id, "broadcast.cancelled")
    by = await store.person_name(ctx.session, who)
    return bcards.cancelled(broadcast, by, f"{broadcast.updated_at.astimezone(ctx.tz):%-d %B %Y}")


def remember_message(ctx: Context, broadcast: Broadcast) -> None:
    """Keep the chat message the button was pressed on, to show the broadcast's later state
    in place (the platform names it; nothing a button carries)."""
    source = ctx.turn.source_message if ctx.turn is not None else None
    if ctx.turn is None or not source:
        return
    known = list(broadcast.status_messages or [])
    if any(_same_message(m["address"], source) for m in known):
        return
    entry = {"platform": ctx.turn.platform, "address": dict(source)}
    broadcast.status_messages = [*known, entry][-MAX_STATUS_MESSAGES:]


def _same_message(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # A Slack message is its channel and ts; a Teams card is its activity id in the
    # conversation (the rest of a Teams reference changes from one press to the next).
    def ident(address: dict[str, Any]) -> tuple[object, ...]:
        conversation = (address.get("reference") or {}).get("conversation") or {}
        return (
            address.get("channel"),
            address.get("ts"),
            conversation.get("id"),
            address.get("activity_id"),
        )

    return ident(a) == ident(b)


async def show_in_place(ctx: Context, broadcast: Broadcast, card: Card, version: str) -> None:
    """Show ``card`` in place of every remembered message, except the one just pressed (the
    answer to the press replaces that one)."""
    source = ctx.turn.source_message if ctx.turn is not None else None
    for index, entry in enumerate(broadcast.status_messages or []):
        if source and _same_message(entry["address"], source):
            continue
        await ctx.outbox.replace(
            entry["platform"],
            entry["address"],
            card,
            key=f"bcast-card:{broadcast.id}:{index}:{version}",
        )


async def schedule(ctx: Context, broadcast: Broadcast, when: datetime) -> Card:
    """Approve a draft for ``when`` (the caller has checked the QA role and the time): its
    review card becomes the scheduled card."""
    remember_message(ctx, broadcast)
    await approve(ctx, broadcast, when)
    ctx.audit.record(
        "broadcast.scheduled",
        actor_id=broadcast.approved_by_id,
        subject=f"broadcast:{broadcast.id}",
        details={"send_at": broadcast.send_at.isoformat() if broadcast.send_at else None},
    )
    card = await scheduled_card(ctx, broadcast)
    await show_in_place(ctx, broadcast, card, f"s{stamp(broadcast)}")
    return card


async def reschedule(ctx: Context, broadcast: Broadcast, when: datetime) -> Card:
    assert ctx.person is not None
    before = broadcast.send_at
    remember_message(ctx, broadcast)
    broadcast.send_at = when
    broadcast.approved_by_id = ctx.person.id
    broadcast.approved_at = ctx.now
    broadcast.updated_at = ctx.now
    ctx.audit.record(
        "broadcast.rescheduled",
        actor_id=ctx.person.id,
        subject=f"broadcast:{broadcast.id}",
        details={"from": before.isoformat() if before else None, "to": when.isoformat()},
    )
    card = await scheduled_card(ctx, broadcast)
    await show_in_place(ctx, broadcast, card, f"s{stamp(broadcast)}")
    return card


async def send_now(ctx: Context, broadcast: Broadcast) -> Card:
    """Send a scheduled broadcast at once: its card becomes the live report."""
    assert ctx.person is not None
    remember_message(ctx, broadcast)
    ctx.audit.record(
        "broadcast.sent_now",
        actor_id=ctx.person.id,
        subject=f"broadcast:{broadcast.id}",
        details={"was_for": broadcast.send_at.isoformat() if broadcast.send_at else None},
    )
    broadcast.send_at = ctx.now
    await queue(ctx, broadcast)
    return await report_card(ctx, broadcast)


async def cancel(ctx: Context, broadcast: Broadcast) -> Card:
    assert ctx.person is not None
    remember_message(ctx, broadcast)
    broadcast.status = CANCELLED
    broadcast.updated_at = ctx.now
    ctx.audit.record(
        "broadcast.cancelled",
        actor_id=ctx.person.id,
        subject=f"broadcast:{broadcast.id}",
        details={"was_for": broadcast.send_at.isoformat() if broadcast.send_at else None},
    )
    card = await cancelled_card(ctx, broadcast)
    await show_in_place(ctx, broadcast, card, "cancelled")
    return card


def discard(ctx: Context, broadcast: Broadcast) -> None:
    broadcast.status = DISCARDED
    broadcast.updated_at = ctx.now
    ctx.audit.record(
        "broadcast.discarded",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"broadcast:{broadcast.id}",
    )


# --- queueing: one outbox row per recipient and part --------------------------------------------


@dataclass(frozen=True)
class Recipients:
    routes: list[tuple[str, str]]  # (route, platform)
    people: list[int]


async def recipients(ctx: Context, audience: rules.Audience) -> Recipients:
    teams = list(ctx.framework.channels.teams) if audience.all_teams else list(audience.teams)
    if audience.services:
        teams += await _teams_in_services(ctx, audience.services)
    routes = [f"team:{t}" for t in dict.fromkeys(teams)] + list(audience.routes)
    platforms = ctx.outbox.platforms
    pairs: list[tuple[str, str]] = []
    for route in routes:
        reached = [p for p in platforms if await ctx.outbox.reaches(route, p)]
        if reached:
            pairs += [(route, p) for p in reached]
        elif not any(route_target(ctx.framework, route, p) for p in MESSAGING_PLATFORMS):
            # A channel configured nowhere is still a recipient: it fails with the reason, so
            # the report never leaves anyone out.
            pairs.append((route, platforms[0] if platforms else "console"))
        else:
            # Configured only where this bot cannot post (Slack off; a Teams channel the app
            # has not been added to, in local mode): no copy there, as for every channel post.
            _left_out_once(route)
    people = await store.people_with_roles(ctx.session, audience.roles) if audience.roles else []
    return Recipients(pairs, people)


_told_left_out = False


def _left_out_once(route: str) -> None:
    """One INFO line per process, not one per channel and broadcast."""
    global _told_left_out
    if not _told_left_out:
        _told_left_out = True
        log.info(
            "broadcast channels configured only on a platform this bot cannot post to here "
            "(first: %s) get no copy there; the report leaves them out",
            route,
        )


async def _teams_in_services(ctx: Context, services: tuple[str, ...]) -> list[str]:
    wanted = {s.lower() for s in services}
    services_of = await store.team_services(ctx.session)
    return [t for t in ctx.framework.channels.teams if services_of.get(t.lower()) in wanted]


def chart_url(ctx: Context, broadcast: Broadcast) -> bcards.ChartUrlFn:
    # Slack fetches a picture itself and refuses the whole message if it cannot: pictures
    # only from a public https address; the figures are always listed as text anyway.
    if not ctx.public_url.startswith("https://") or charts_module() is None:
        return lambda s, c: None
    base = f"{ctx.public_url}/charts/{broadcast.chart_token}"
    return lambda s, c: f"{base}-{s}-{c}.png"


def charts_as_text(ctx: Context, broadcast: Broadcast) -> bool:
    """Whether the broadcast has charts the bot can list only as text here."""
    has_charts = any(s.charts for s in content_of(broadcast).sections)
    return has_charts and chart_url(ctx, broadcast)(0, 0) is None


def review_card(ctx: Context, broadcast: Broadcast, parts: int) -> Card:
    audience = rules.audience_from_tokens(broadcast.audience).describe()
    return bcards.review(
        broadcast,
        audience,
        parts,
        proposed_text(ctx, broadcast),
        charts_as_text=charts_as_text(ctx, broadcast),
    )


def message_cards(ctx: Context, broadcast: Broadcast) -> list[Card]:
    return bcards.broadcast_cards(broadcast.id, content_of(broadcast), chart_url(ctx, broadcast))


async def queue(ctx: Context, broadcast: Broadcast) -> int:
    """Write the broadcast to the outbox, once per recipient and part, and post its live
    report to the QA team. Keys name the broadcast and recipient, so running this twice (a
    retried sweep, a second replica) writes nothing more."""
    parts = message_cards(ctx, broadcast)
    found = await recipients(ctx, rules.audience_from_tokens(broadcast.audience))
    prefix = store.key_prefix(broadcast.id)
    for route, platform in found.routes:
        for index, card in enumerate(parts, start=1):
            suffix = "" if index == 1 else f"#{index}"
            await ctx.outbox.to_route_on(
                route, platform, card, key=f"{prefix}{route}@{platform}{suffix}", kind=KIND
            )
    messages = [
        PersonMessage(
            person_id=pid,
            card=card,
            key=f"{prefix}p{pid}{'' if index == 1 else f'#{index}'}",
            kind=KIND,
        )
        for pid in found.people
        for index, card in enumerate(parts, start=1)
    ]
    for start in range(0, len(messages), 1000):
        await ctx.outbox.to_people(messages[start : start + 1000])
    broadcast.status = SENDING
    broadcast.queued_at = ctx.now
    broadcast.parts = len(parts)
    broadcast.recipients = len(found.routes) + len(found.people)
    broadcast.updated_at = ctx.now
    tally = rules.tally(await store.row_states(ctx.session, broadcast.id))
    await ctx.outbox.to_route(
        "qa_team",
        bcards.report(broadcast, tally, []),
        key=f"bcast-report:{broadcast.id}",
        kind="broadcast_report",
        card_key=f"bcast-report:{broadcast.id}",
    )
    broadcast.report_key = f"0|{tally.key()}|0"
    await show_in_place(ctx, broadcast, bcards.report(broadcast, tally, []), "report:v0")
    log.info(
        "broadcast %s queued: %d recipient(s), %d part(s)",
        broadcast.id,
        broadcast.recipients,
        len(parts),
    )
    return broadcast.recipients


# --- the delivery report ----------------------------------------------------------------------


async def report_card(ctx: Context, broadcast: Broadcast, csv_url: str | None = None) -> Card:
    tally = rules.tally(await store.row_states(ctx.session, broadcast.id))
    reads = await store.reads_by_team(ctx.session, broadcast.id)
    return bcards.report(broadcast, tally, reads, csv_url=csv_url)


async def refresh_report(ctx: Context, broadcast: Broadcast) -> bool:
    """Show the current totals on the report, in place, when they changed; a broadcast with
    nobody left waiting is done. True when the report was updated. The delivery listener,
    the sweep and Refresh may run at once: the broadcast's row is locked first, so each sees
    the version the last one wrote."""
    await store.lock(ctx.session, broadcast)
    tally = rules.tally(await store.row_states(ctx.session, broadcast.id))
    reads = await store.reads_by_team(ctx.session, broadcast.id)
    version, _, shown = (broadcast.report_key or "0|").partition("|")
    now_shown = f"{tally.key()}|{sum(n for _, n in reads)}"
    if tally.waiting == 0 and broadcast.status == SENDING:
        broadcast.status = DONE
        broadcast.updated_at = ctx.now
    if now_shown == shown:
        return False
    next_version = int(version or 0) + 1
    card = bcards.report(broadcast, tally, reads)
    await ctx.outbox.update(
        f"bcast-report:{broadcast.id}", card, key=f"bcast-report:{broadcast.id}:v{next_version}"
    )
    await show_in_place(ctx, broadcast, card, f"report:v{next_version}")
    broadcast.report_key = f"{next_version}|{now_shown}"
    return True


async def retry_failed(ctx: Context, broadcast: Broadcast) -> int:
    count = await store.requeue_failed(ctx.session, broadcast.id, ctx.now)
    if count:
        broadcast.status = SENDING
        broadcast.updated_at = ctx.now
    ctx.audit.record(
        "broadcast.retried",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"broadcast:{broadcast.id}",
        details={"rows": count},
    )
    return count


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_csv_link(ctx: Context, broadcast: Broadcast) -> str:
    token = secrets.token_urlsafe(24)
    broadcast.csv_token_hash = token_hash(token)
    broadcast.csv_expires_at = ctx.now + timedelta(minutes=CSV_MINUTES)
    ctx.audit.record(
        "broadcast.report_link",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"broadcast:{broadcast.id}",
    )
    return f"{ctx.public_url}/broadcasts/report/{token}.csv"


async def report_csv(ctx: Context, broadcast: Broadcast) -> str:
    tally = rules.tally(await store.row_states(ctx.session, broadcast.id))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("Recipient", "State", "Retrying", "Reason"))
    for r in tally.recipients:
        writer.writerow((r.recipient, r.state, "yes" if r.retrying else "", r.reason))
    return out.getvalue()


async def acknowledge(ctx: Context, broadcast: Broadcast) -> bool:
    """Count the person's read once; a first read marks the live report to be updated."""
    assert ctx.person is not None
    team = ctx.person.team.name if ctx.person.team is not None else ""
    first = await store.record_read(ctx.session, broadcast.id, ctx.person.id, team, ctx.now)
    if first:
        window = int(ctx.now.timestamp() // READ_WINDOW_SECONDS)
        due = datetime.fromtimestamp((window + 1) * READ_WINDOW_SECONDS, tz=ctx.now.tzinfo)
        await store.mark_read(ctx.session, broadcast.id, READ_KIND, window, due, ctx.now)
    return first
