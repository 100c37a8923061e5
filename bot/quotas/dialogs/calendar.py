"""`calendar [month]`: what is on in a month, per the framework, with your own deadlines."""

from __future__ import annotations

from datetime import date

from bot.cards.model import Card
from bot.cards.shared import simple
from bot.dialogs.base import Context, Reply, Router
from bot.dialogs.forms import calendar as working_calendar
from bot.quotas import calendar_flows, feeds, flows
from bot.quotas.cards import calendar_card, feed_card
from bot.quotas.rules import parse_month, quota_deadlines


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
    return calendar_card(f"{first:%B %Y}", entries, deadlines, quiet=quiet)


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
