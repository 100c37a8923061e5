"""The QA calendar's prompts and reminders.

- At the start of a month the QA team's channel is told once which cycles to start (or which
  open themselves), with the deadline, the cycle's quotas, the teams due and whose turn each
  rotation gives; the rotations then move on (the turns are kept).
- Each cycle's leads are reminded in their morning summary (``Router.summary``, not an extra
  message) on the first working days of its month and ``calendar.lead_reminder_working_days``
  working days before it opens. A rotation of role holders names the one lead whose turn it is.
"""

from __future__ import annotations

import logging

from bot.dialogs.base import Context, Router, SummaryItem
from bot.dialogs.forms import calendar
from bot.domain.activities import ActivityType
from bot.domain.workdays import add_months
from bot.quotas import calendar_flows, store
from bot.quotas.cards import cycles_to_start as cycles_card
from bot.quotas.cards import day
from bot.quotas.rules import CalendarEntry

log = logging.getLogger("bot.quotas.calendar_sweeps")
START_WINDOW_WORKING_DAYS = 4


def register(router: Router) -> None:
    router.sweep("quotas.cycles_to_start")(cycles_to_start)
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
    a quiet month. The rotations' turns named in the prompt are kept, so the next cycle names
    the next team or lead."""
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
    # Once a cycle is announced its turns are kept (again on a later morning: the same turns).
    await calendar_flows.keep_turns(ctx, entries)
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
    start_of_month = _start_of_month(ctx)
    for entry in entries:
        activity = ctx.framework.activity(entry.key)
        if activity is None or not activity.leads or entry.opens_on < ctx.today:
            continue
        stages: list[str] = []
        if start_of_month and entry.opens_on.replace(day=1) == first:
            stages.append("month")
        if cal.add_working_days(entry.opens_on, -before) <= ctx.today:
            stages.append(f"{before}wd")
        if not stages:
            continue
        for person_id in await _leads_of(ctx, entry, activity):
            for stage in stages:
                items.append(
                    SummaryItem(
                        person_id=person_id,
                        key=f"nudge:calendar:{entry.cycle_key}:p{person_id}:{stage}",
                        text=_lead_line(entry),
                        ident=f"calendar:{entry.cycle_key}",
                    )
                )
    return items


async def _leads_of(ctx: Context, entry: CalendarEntry, activity: ActivityType) -> list[int]:
    """The lead whose turn a rotation of role holders gives, else every holder of the roles."""
    in_turn = {r.key for r in activity.rotations if r.of == "role"}
    for turn in entry.turns:
        if turn.rotation in in_turn and turn.member.key.isdigit():
            return [int(turn.member.key)]
    people = await store.people_with_any_role(ctx.session, [r.value for r in activity.leads])
    return [p.id for p in people]


def _lead_line(entry: CalendarEntry) -> str:
    turns = f" ({entry.turn_text()})" if entry.turn_text() else ""
    return (
        f"You lead {entry.name}{turns}: it opens {day(entry.opens_on)} and is due "
        f"{day(entry.due_on)}. Type `calendar {entry.opens_on:%Y-%m}` for the month."
    )
