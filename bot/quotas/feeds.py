"""Private iCalendar feeds (``/calendar/<token>.ics``): a person's, a team's or the QA team's
deadlines and calendar activities, built with the ``icalendar`` package and read fresh on every
request, so a feed follows the work as it changes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from icalendar import Calendar, Event

from bot.dialogs.base import Context
from bot.dialogs.forms import calendar as working_calendar
from bot.domain.calendar_events import FeedScope
from bot.domain.quotas import Quota
from bot.domain.workdays import add_months
from bot.quotas import calendar_flows, store
from bot.quotas.store import CalendarFeed
from bot.store import directory
from bot.store.models import Person

MONTHS_AHEAD = 12
FEED_KINDS = ("person", "team", "qa_team")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def issue(ctx: Context, owner_kind: str, owner_id: int | None) -> str:
    """A new token for the owner's feed. Only its hash is stored, so it cannot be shown twice:
    asking again rotates it, and the earlier link stops working."""
    assert ctx.person is not None
    current = await store.live_feed(ctx.session, owner_kind, owner_id)
    if current is not None:
        current.revoked_at = ctx.now
    token = secrets.token_urlsafe(32)
    store.add_feed(
        ctx.session,
        CalendarFeed(
            token_hash=token_hash(token),
            owner_kind=owner_kind,
            owner_id=owner_id,
            created_by_id=ctx.person.id,
            created_at=ctx.now,
        ),
    )
    ctx.audit.record(
        "calendar_feed.rotated" if current else "calendar_feed.issued",
        actor_id=ctx.person.id,
        subject=f"{owner_kind}:{owner_id or ''}",
    )
    return token


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    day: date
    summary: str
    description: str = ""


async def events_for(ctx: Context, feed: CalendarFeed) -> list[FeedEvent]:
    """The calendar's cycles for the next months and the relevant quota periods' ends."""
    cal = working_calendar(ctx)
    first = ctx.today.replace(day=1)
    events: list[FeedEvent] = []
    found = await calendar_flows.directory_for(ctx)
    person = None
    if feed.owner_kind == "person" and feed.owner_id is not None:
        person = await directory.person_by_id(ctx.session, feed.owner_id)
    own_team = await _team_name(ctx, feed, person)
    for n in range(MONTHS_AHEAD):
        month = add_months(first, n)
        for entry in await calendar_flows.month_entries(ctx, month, found):
            # A per-team cycle (a Team Diagnostic) is in a team's or person's feed only in
            # their team's turn.
            if entry.teams and feed.owner_kind != "qa_team" and own_team not in entry.teams:
                continue
            sizes = f" Quota: {entry.quotas}." if entry.quotas else ""
            turns = f" {entry.turn_text()}." if entry.turn_text() else ""
            events.append(
                FeedEvent(
                    f"open-{entry.key}-{entry.opens_on}",
                    entry.opens_on,
                    f"{entry.name} opens",
                    f"Due {entry.due_on:%d %b %Y}.{sizes}{turns}",
                )
            )
            events.append(
                FeedEvent(f"due-{entry.key}-{entry.opens_on}", entry.due_on, f"{entry.name} due")
            )
    for quota in ctx.framework.quotas:
        if not _relevant(quota, feed, person):
            continue
        day = ctx.today
        last = add_months(first, MONTHS_AHEAD)
        while day < last and quota.period != "rolling":
            period = quota.period_of(day, cal)
            ends = cal.on_or_before(period.end)
            events.append(
                FeedEvent(
                    f"quota-{quota.key}-{period.key}",
                    ends,
                    f"{quota.name}: {period.label} ends",
                    f"{quota.target} per {quota.per}. Source: {quota.source}",
                )
            )
            day = period.end + timedelta(days=1)
    events += await _other_areas(ctx, feed, person, first, add_months(first, MONTHS_AHEAD))
    return sorted(events, key=lambda e: (e.day, e.uid))


async def _other_areas(
    ctx: Context, feed: CalendarFeed, person: Person | None, first: date, last: date
) -> list[FeedEvent]:
    """Other areas' deadlines (``Router.calendar_events``): a person's own open allocations,
    a team's members'."""
    if person is not None:
        people: tuple[int, ...] = (person.id,)
    elif feed.owner_kind == "team" and feed.owner_id is not None:
        people = tuple(p.id for p in await directory.team_members(ctx.session, feed.owner_id))
    else:
        people = ()
    kind: Literal["person", "team", "qa_team"] = (
        "team"
        if feed.owner_kind == "team"
        else "qa_team"
        if feed.owner_kind == "qa_team"
        else "person"
    )
    scope = FeedScope(kind, feed.owner_id, people, first, last)
    found: list[FeedEvent] = []
    for source in ctx.calendar_event_sources:
        for event in await source(ctx, scope):
            found.append(FeedEvent(event.uid, event.day, event.summary, event.description))
    return found


async def _team_name(ctx: Context, feed: CalendarFeed, person: Person | None) -> str | None:
    if person is not None:
        return person.team.name if person.team else None
    if feed.owner_kind == "team" and feed.owner_id is not None:
        teams = {t.id: t.name for t in await store.all_teams(ctx.session)}
        return teams.get(feed.owner_id)
    return None


def _relevant(quota: Quota, feed: CalendarFeed, person: Person | None) -> bool:
    if feed.owner_kind == "qa_team":
        return True
    if feed.owner_kind == "team":
        return quota.per in ("practitioner", "team")
    if person is None:
        return False
    names = person.role_names
    if quota.per == "practitioner":
        return "practitioner" in names or "team_manager" in names
    if quota.per == "role":
        return any(r.value in names for r in quota.roles)
    return quota.per == "team" and "team_manager" in names


def render(ctx: Context, name: str, events: list[FeedEvent]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//qabot//QA calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", f"{item.uid}@{ctx.framework.authority.short_name.lower()}.qabot")
        event.add("summary", item.summary)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("dtstamp", ctx.now)
        if item.description:
            event.add("description", item.description)
        cal.add_component(event)
    return bytes(cal.to_ical())


async def feed_name(ctx: Context, feed: CalendarFeed) -> str:
    if feed.owner_kind == "qa_team":
        return f"{ctx.framework.authority.short_name} QA team"
    if feed.owner_kind == "team" and feed.owner_id is not None:
        teams = {t.id: t.name for t in await store.all_teams(ctx.session)}
        return f"{teams.get(feed.owner_id, 'Team')} QA calendar"
    return f"{ctx.framework.authority.short_name} QA calendar"


async def person_owns(ctx: Context, person: Person) -> list[tuple[str, int | None, str]]:
    """The feeds this person may hold: their own, their team's (a manager), the QA team's."""
    owned: list[tuple[str, int | None, str]] = [("person", person.id, "your own")]
    names = person.role_names
    if person.team_id is not None and names & {"team_manager", "service_manager"}:
        owned.append(("team", person.team_id, "your team's"))
    if "qa_team" in names:
        owned.append(("qa_team", None, "the QA team's"))
    return owned
