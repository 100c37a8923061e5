"""The nominations' scheduled sweep: close vote rounds past their deadline, remind CSWs who
have not voted, and forget unsent drafts (level-triggered and idempotent, like every sweep)."""

from __future__ import annotations

from datetime import timedelta

from bot.dialogs.base import Context, Router
from bot.dialogs.forms import calendar
from bot.nominations import rules as voting
from bot.nominations import store
from bot.nominations.cards import vote_reminder
from bot.nominations.flows import count_votes, finish_round, round_closes, view_of
from bot.nominations.rules import Tally
from bot.nominations.store import Nomination, VoteRound
from bot.store import directory, drafts


def register(router: Router) -> None:
    router.sweep("nominations.votes")(sweep)


DRAFT_DAYS = 30
DRAFT_FLOWS = ("nominate", "team_nomination")


async def sweep(ctx: Context) -> None:
    """Close rounds past their deadline and remind CSWs who have not voted (idempotent)."""
    await forget_old_drafts(ctx)
    for vote_round in await store.rounds_to_sweep(ctx.session, ctx.today):
        nomination = await store.get_nomination(ctx.session, vote_round.nomination_id, lock=True)
        if nomination is None:
            continue
        if nomination.round != vote_round.number or nomination.status != store.VOTING:
            await store.close_round(ctx.session, vote_round.id, "superseded", ctx.now)
            continue
        _, counted = await count_votes(ctx, nomination, vote_round)
        if ctx.now >= round_closes(ctx, vote_round):
            outcome = voting.decide(
                counted, ctx.framework.voting, len(vote_round.eligible), closing=True
            )
            if outcome is not None:
                await finish_round(ctx, nomination, vote_round, outcome, counted, "deadline")
            continue
        if _reminder_due(ctx, vote_round):
            await _remind(ctx, nomination, vote_round, counted)


async def forget_old_drafts(ctx: Context) -> None:
    """Unsent nomination drafts are deleted after DRAFT_DAYS: free text is not kept for ever."""
    await drafts.forget_older_than(
        ctx.session, DRAFT_FLOWS, "more:", ctx.now - timedelta(days=DRAFT_DAYS)
    )


def _reminder_due(ctx: Context, vote_round: VoteRound) -> bool:
    if vote_round.remind_on is None or ctx.today < vote_round.remind_on:
        return False
    rules = ctx.framework.calendar
    local = ctx.now.astimezone(ctx.tz)
    return (
        calendar(ctx).is_working_day(local.date())
        and rules.morning_summary_at <= local.time() < rules.working_hours_end
    )


async def _remind(
    ctx: Context, nomination: Nomination, vote_round: VoteRound, counted: Tally
) -> None:
    card = vote_reminder(
        view_of(nomination), round_number=vote_round.number, closes=round_closes(ctx, vote_round)
    )
    suffix = f"round{vote_round.number}{':extended' if vote_round.extended else ''}"
    voters = sorted(voting.still_to_vote(vote_round.eligible, counted))
    keys = {v: f"vote-reminder:{nomination.id}:{v}:{suffix}" for v in voters}
    sent = await store.written_keys(ctx.session, list(keys.values()))
    away = await directory.away_until_each(ctx.session, voters, ctx.today)
    for voter_id in voters:
        if voter_id in away or keys[voter_id] in sent:
            continue
        await ctx.outbox.to_person(
            voter_id,
            card,
            key=keys[voter_id],
            kind="reminder",
            reason=f"vote on {nomination.reference} closes {vote_round.closes_on}",
        )
