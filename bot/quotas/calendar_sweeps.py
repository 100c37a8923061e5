"""The QA calendar's prompts and reminders.

- At the start of a month the QA team's channel is told once which cycles to start (or which
  open themselves), with the deadline, the cycle's quotas, the teams due and whose turn each
  rotation gives. The rotations move on only when a cycle is confirmed (``bot/quotas/work.py``).
- Each cycle's leads are reminded in their morning summary (``Router.summary``, not an extra
  message) on the first working days of its month and ``calendar.lead_reminder_working_days``
  working days before it opens. A rotation of role holders names the one lead whose turn it is.
"""

from __future__ import annotations

import hashlib
import logging

from bot.dialogs.base import Context, Router, SummaryItem
from bot.dialogs.forms import calendar
from bot.domain.activities import ActivityType
from bot.domain.roles import Role
from bot.domain.workdays import add_months
from bot.quotas import calendar_flows, flows, store
from bot.quotas.cards import cycles_to_start as cycles_card
from bot.quotas.cards import day, held_button
from bot.quotas.cards import unknown_team_names as unknown_teams_card
from bot.quotas.rules import CalendarEntry

log = logging.getLogger("bot.quotas.calendar_sweeps")
START_WINDOW_WORKING_DAYS = 4


def register(router: Router) -> None:
    router.sweep("quotas.cycles_to_start")(cycles_to_start)
    router.sweep("quotas.unknown_team_names")(warn_unknown_team_names)
    router.summary(lead_reminders)


def _in_working_morning(ctx: Context) -> bool:
    rules = ctx.framework.calendar
    local = ctx.now.astimezone(ctx.tz)
    return (
        calendar(ctx).is_working_day(local.date())
        and rules.morning_summary_at <= local.time() < rules.working_hours_end
    )


def _start_of_month(ctx: Context) -> bool:
    """The month's first five working days (so a missed morning only delays a prompt)."""
    cal = calendar(ctx)
    opens = cal.on_or_after(ctx.today.replace(day=1))
    return opens <= ctx.today <= cal.add_working_days(opens, START_WINDOW_WORKING_DAYS)


async def cycles_to_start(ctx: Context) -> None:
    """Tell the QA team once, at the start of a month, which cycles open this month: nothing in
    a quiet month. The turns it names are kept only when the cycle is confirmed."""
    if not _in_working_morning(ctx) or not _start_of_month(ctx):
        return
    first = ctx.today.replace(day=1)
    entries = await calendar_flows.month_entries(ctx, first)
    if not entries:
        return
    key = f"calendar:start:{first:%Y-%m}"
    await ctx.outbox.to_route(
        "qa_team", cycles_card(f"{first:%B %Y}", entries), key=key, kind="calendar"
    )
    log.info("calendar prompt for %s: %d cycles", first.isoformat(), len(entries))


async def lead_reminders(ctx: Context) -> list[SummaryItem]:
    """A line in each lead's morning summary: at the start of the month a cycle opens in, and
    ``lead_reminder_working_days`` before it opens."""
    if not any(a.leads for a in ctx.framework.activities):
        return []
    cal = calendar(ctx)
    before = ctx.framework.calendar.lead_reminder_working_days
    first = ctx.today.replace(day=1)
    found = await calendar_flows.directory_for(ctx)
    entries = [
        *await calendar_flows.month_entries(ctx, first, found),
        *await calendar_flows.month_entries(ctx, add_months(first, 1), found),
    ]
    items: list[SummaryItem] = []
    owners: flows.Owners | None = None  # who is away today, read once when a lead is due
    start_of_month = _start_of_month(ctx)
    held = await calendar_flows.held_for(ctx, entries)
    for entry in entries:
        activity = ctx.framework.activity(entry.key)
        if activity is None or not activity.leads or entry.opens_on < ctx.today:
            continue
        if (
            entry.cycle_on is not None
            and calendar_flows.held_key(entry.key, entry.cycle_on) in held
        ):
            continue  # marked as held: no more reminders of this occurrence
        stages: list[str] = []
        if start_of_month and entry.opens_on.replace(day=1) == first:
            stages.append("month")
        # The days-before line, unless the start-of-month line covers it (a cycle opening in
        # the month's first days): one line, not the same line twice.
        if not stages and cal.add_working_days(entry.opens_on, -before) <= ctx.today:
            stages.append(f"{before}wd")
        if not stages:
            continue
        for lead_id in await _leads_of(ctx, entry, activity):
            owners = owners or await flows.Owners.today(ctx)
            for person_id, away in _stand_ins(owners, lead_id):
                for_whom = f":for{lead_id}" if away else ""
                for stage in stages:
                    items.append(
                        SummaryItem(
                            person_id=person_id,
                            key=f"nudge:calendar:{entry.cycle_key}:p{person_id}{for_whom}:{stage}",
                            text=_lead_line(entry, away),
                            ident=f"calendar:{entry.cycle_key}",
                            button=held_button(entry.key, entry.name, entry.cycle_on)
                            if entry.cycle_on is not None
                            else None,
                        )
                    )
    return items


def _stand_ins(owners: flows.Owners, lead_id: int) -> list[tuple[int, str | None]]:
    """Who gets a lead's line: the lead, or if they are away today their line manager (on up
    the chain while the manager is away too), else the QA team; with the away lead's name."""
    lead = owners.people.get(lead_id)
    if lead_id not in owners.away or lead is None:
        return [(lead_id, None)]
    current = lead
    seen = {lead_id}
    while current.manager_id and current.manager_id not in seen:
        manager = owners.people.get(current.manager_id)
        if manager is None or not manager.active:
            break
        if manager.id not in owners.away:
            return [(manager.id, lead.name)]
        seen.add(manager.id)
        current = manager
    qa_team = [p.id for p in owners.roles.get(Role.QA_TEAM, []) if p.id not in owners.away]
    return [(person_id, lead.name) for person_id in qa_team if person_id != lead_id]


async def _leads_of(ctx: Context, entry: CalendarEntry, activity: ActivityType) -> list[int]:
    """The lead whose turn a rotation of role holders gives, else every holder of the roles."""
    in_turn = {r.key for r in activity.rotations if r.of == "role"}
    for turn in entry.turns:
        if turn.rotation in in_turn and turn.member.key.isdigit():
            return [int(turn.member.key)]
    people = await store.named_with_any_role(ctx.session, [r.value for r in activity.leads])
    return [person_id for person_id, _, _ in people]


def _lead_line(entry: CalendarEntry, away: str | None = None) -> str:
    turns = f" ({entry.turn_text()})" if entry.turn_text() else ""
    who = f"{away} is away today, so you hear that they lead" if away else "You lead"
    return (
        f"{who} {entry.name}{turns}: it opens {day(entry.opens_on)} and is due "
        f"{day(entry.due_on)}. Type `calendar {entry.opens_on:%Y-%m}` for the month."
    )


def framework_team_names(ctx: Context) -> list[tuple[str, str]]:
    """(activity name, team name) for every team an activity's rotation order names (North
    Somerset's Team Spotlight teams from seed 004's Appendix 1)."""
    return [
        (activity.name, name)
        for activity in ctx.framework.activities
        for rotation in activity.rotations
        if rotation.of == "team"
        for name in rotation.order
    ]


async def warn_unknown_team_names(ctx: Context) -> None:
    """Tell the QA team once (per set of names) about rotation team names that match no team
    in the directory (ignoring case); nothing before the directory has any team."""
    named = framework_team_names(ctx)
    if not named or not _in_working_morning(ctx):
        return
    teams = [team.name for team in await store.all_teams(ctx.session)]
    if not teams:
        return
    known = {name.casefold() for name in teams}
    missing = [(activity, name) for activity, name in named if name.casefold() not in known]
    if not missing:
        return
    digest = hashlib.sha256(repr(missing).encode()).hexdigest()[:16]
    await ctx.outbox.to_route(
        "qa_team",
        unknown_teams_card(missing, teams),
        key=f"calendar:unknown-teams:{digest}",
        kind="notice",
    )
    log.info("calendar names %d team(s) the directory does not have", len(missing))
