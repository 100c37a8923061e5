"""`calendar [month]`: what is on in a month, per the framework, with your own deadlines;
`calendar held ACTIVITY [date] [note]` and the reminders' "Mark as held": a meeting or analysis
took place."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.cards.model import Card
from bot.cards.shared import simple
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import calendar as working_calendar
from bot.dialogs.forms import load_staff_names, screen_fields
from bot.domain.roles import ROLE_LABELS
from bot.quotas import calendar_flows, feeds, flows
from bot.quotas.cards import calendar_card, day, feed_card, held_card, held_status
from bot.quotas.rules import CalendarEntry, parse_month, quota_deadlines

log = logging.getLogger(__name__)
NOTE_MAX = 300


def register(router: Router) -> None:
    router.command(
        "calendar",
        summary="What is on in a month: QA cycles, deadlines and your quotas",
        usage="calendar [month]",
    )(calendar_command)
    router.command(
        "calendar feed",
        summary="A private calendar link for Outlook: your deadlines and the QA calendar",
        usage="calendar feed [team | qa]",
    )(feed_command)
    router.command(
        "calendar held",
        summary="Record that a calendar meeting or analysis you lead took place",
        usage="calendar held ACTIVITY [yyyy-mm-dd] [short note]",
        offered=lambda framework: any(a.leads for a in framework.activities),
    )(held_command)
    router.action("calendar.held")(held_action)


async def calendar_command(ctx: Context, args: str) -> list[Reply]:
    first = parse_month(args, ctx.today)
    if first is None:
        text = (
            f"I can't read “{args.strip()[:40]}” as a month. "
            "Try `calendar march` or `calendar 2027-03`."
        )
        return [Reply(simple("calendar_unknown_month", "Which month?", text, "warning"))]
    return [Reply(await month_card(ctx, first))]


async def month_card(ctx: Context, first: date) -> Card:
    cal = working_calendar(ctx)
    entries = await calendar_flows.month_entries(ctx, first)
    deadlines: list[tuple[str, str]] = []
    for quota, period in quota_deadlines(ctx.framework.quotas, first, cal):
        ends = cal.on_or_before(period.end)
        line = f"ends {ends:%a} {ends.day} {ends:%b}: {quota.target} per {quota.per}"
        if ctx.person is not None and period.contains(ctx.today):
            result = await flows.count_quota(ctx, quota, period)
            mine = [c for c in result.counted if c.key == ctx.person.id and quota.per != "team"]
            if mine:
                line += f" (you: {mine[0].count} of {mine[0].target})"
        deadlines.append((f"{quota.name} ({period.label})", line))
    quiet = first.month in ctx.framework.calendar.quiet_months
    held = await _held_statuses(ctx, entries)
    return calendar_card(f"{first:%B %Y}", entries, deadlines, quiet=quiet, held=held)


async def _held_statuses(ctx: Context, entries: list[CalendarEntry]) -> dict[str, str]:
    """Held or missed, for the meetings and analyses their leads run (by ``cycle_key``)."""
    run_by_leads = [e for e in entries if calendar_flows.is_lead_run(ctx, e.key)]
    found = await calendar_flows.held_for(ctx, run_by_leads)
    statuses: dict[str, str] = {}
    for entry in run_by_leads:
        assert entry.cycle_on is not None
        held = found.get(calendar_flows.held_key(entry.key, entry.cycle_on))
        by = held.marked_by.name if held is not None and held.marked_by is not None else ""
        status = held_status(
            held.held_on if held else None, by, due_on=entry.due_on, today=ctx.today
        )
        if status:
            statuses[entry.cycle_key] = status
    return statuses


async def feed_command(ctx: Context, args: str) -> list[Reply]:
    """`calendar feed [team | qa]`: a new private link (the earlier one stops working)."""
    assert ctx.person is not None
    which = args.strip().lower()
    owned = await feeds.person_owns(ctx, ctx.person)
    wanted = {"": "person", "team": "team", "qa": "qa_team", "qa team": "qa_team"}.get(which)
    choice = next((o for o in owned if o[0] == wanted), None)
    if choice is None:
        text = (
            "You can have your own feed (`calendar feed`)"
            + (", your team's (`calendar feed team`)" if any(o[0] == "team" for o in owned) else "")
            + (
                ", the QA team's (`calendar feed qa`)"
                if any(o[0] == "qa_team" for o in owned)
                else ""
            )
        )
        return [Reply(simple("not_allowed", "That isn't available to you", text + ".", "warning"))]
    kind, owner_id, label = choice
    token = await feeds.issue(ctx, kind, owner_id)
    url = f"{ctx.public_url}/calendar/{token}.ics"
    return [Reply(feed_card(label, url))]


# --- meetings and analyses that took place --------------------------------------------------


def _problem(name: str, title: str, text: str) -> list[Reply]:
    return [Reply(simple(name, title, text, "warning"))]


def _held_date(word: str, today: date) -> date | None:
    """ "today", "yesterday" or yyyy-mm-dd; None when it is none of them."""
    lowered = word.lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(word) if len(word) == 10 else None
    except ValueError:
        return None


def _occurrence_label(entry: CalendarEntry) -> str:
    return f"{entry.name} ({entry.opens_on:%B %Y})"


async def held_command(ctx: Context, args: str) -> list[Reply]:
    """`calendar held ACTIVITY [date] [note]`: the activity's last occurrence on or before the
    date (today by default) took place that day."""
    words = args.split(maxsplit=1)
    led = [a.key for a in ctx.framework.activities if a.leads]
    key = words[0].lower() if words else ""
    if key not in led:
        what = f"“{key[:40]}” is not a meeting or analysis of the calendar. " if key else ""
        return _problem(
            "calendar_held_which",
            "Which meeting or analysis?",
            f"{what}Type `calendar held ACTIVITY [yyyy-mm-dd] [short note]`, e.g. "
            f"`calendar held {led[0] if led else 'stocktake'} {ctx.today.isoformat()}`. "
            f"Activities: {', '.join(led) or 'none in this framework'}.",
        )
    rest = words[1].strip() if len(words) > 1 else ""
    first, _, after = rest.partition(" ")
    held_on = _held_date(first, ctx.today) if first else ctx.today
    if held_on is None:
        held_on, note = ctx.today, rest
    else:
        note = after.strip() if first else ""
    if held_on > ctx.today:
        return _problem(
            "calendar_held_future",
            "That date is still to come",
            f"{day(held_on)} is in the future: mark it as held once it has taken place.",
        )
    if len(note) > NOTE_MAX:
        return _problem(
            "calendar_held_note",
            "The note is too long",
            f"Keep the note under {NOTE_MAX} characters (yours has {len(note)}); "
            "the details belong in the meeting's own record.",
        )
    refused = await _screen(ctx, note)
    if refused:
        return refused
    entry = await calendar_flows.latest_occurrence(ctx, key, held_on)
    if entry is None:
        activity = ctx.framework.activity(key)
        return _problem(
            "calendar_held_none",
            "No occurrence to mark",
            f"{activity.name if activity else key} had no cycle on or before {day(held_on)}.",
        )
    return await _mark(ctx, entry, held_on, note)


async def _screen(ctx: Context, note: str) -> list[Reply]:
    """A note that may identify a child is refused (nothing is kept), naming what was found."""
    if not note:
        return []
    await load_staff_names(ctx)
    flagged = screen_fields(ctx, [("note", "Note", note)])
    if not flagged:
        return []
    log.info("calendar held note refused: %d privacy findings", len(flagged))
    found = "; ".join(f"“{f.excerpt[:60]}”: {f.message.lower()}" for _, _, f in flagged[:3])
    return _problem(
        "calendar_held_privacy",
        "Nothing was recorded",
        f"The note may identify a child ({found}). Refer to a child only by their case "
        "number in its own record; send the command again without it, or without a note.",
    )


async def held_action(ctx: Context, action: Action) -> list[Reply]:
    """The reminder's "Mark as held": this occurrence took place today."""
    key = str(action.data.get("a", ""))
    try:
        cycle_on = date.fromisoformat(str(action.data.get("c", "")))
    except ValueError:
        cycle_on = None
    entry = await calendar_flows.occurrence(ctx, key, cycle_on) if cycle_on else None
    if entry is None or not calendar_flows.is_lead_run(ctx, key):
        log.warning("calendar.held pressed for an unknown occurrence %r %r", key, cycle_on)
        return [Reply(simple("stale_card", "This card is out of date", _STALE, "warning"))]
    return await _mark(ctx, entry, ctx.today, None)


_STALE = (
    "That meeting is no longer on the calendar, so nothing was recorded. "
    "Type `calendar` for this month's."
)


async def _mark(ctx: Context, entry: CalendarEntry, held_on: date, note: str | None) -> list[Reply]:
    if not calendar_flows.may_mark_held(ctx, entry.key):
        activity = ctx.framework.activity(entry.key)
        leads = ", ".join(ROLE_LABELS[r] for r in activity.leads) if activity else "its leads"
        log.info("calendar.held refused for %s: not a lead", entry.key)
        ctx.audit.record(
            "calendar.held_refused",
            actor_id=ctx.person.id if ctx.person else None,
            subject=f"calendar:{entry.key}",
        )
        return _problem(
            "not_allowed",
            "That isn't available to you",
            f"Only the leads of {entry.name} ({leads}) or the QA team can mark it as held.",
        )
    held, new = await calendar_flows.mark_held(ctx, entry, held_on, note)
    by = held.marked_by.name if held.marked_by is not None else ""
    marked_on = held.marked_at.astimezone(ctx.tz).date()
    card = held_card(
        _occurrence_label(entry), held.held_on, by, held.note, new=new, marked_on=marked_on
    )
    return [Reply(card)]
