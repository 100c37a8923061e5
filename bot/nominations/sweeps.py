"""The nominations' scheduled sweep: close vote rounds past their deadline, remind CSWs who
have not voted, and forget unsent drafts (level-triggered and idempotent, like every sweep)."""

from __future__ import annotations

from datetime import timedelta

from bot.dialogs.base import Context, Router
from bot.dialogs.forms import calendar
from bot.nominations import rules as voting
from bot.nominations import store
from bot.nominations.cards import vote_reminder
from bot.nominations.flows import finish_round, round_closes, view_of
from bot.nominations.rules import Tally
from bot.nominations.store import Nomination, VoteRound
from bot.store import directory, drafts
from bot.store.outbox import PersonMessage


def register(router: Router) -> None:
    router.sweep("nominations.votes")(sweep)


DRAFT_DAYS = 30
DRAFT_FLOWS = ("nominate", "team_nomination")


async def sweep(ctx: Context) -> None:
    """Close rounds past their deadline and remind CSWs who have not voted (idempotent).

    What the rounds need is read for all of them at once (their nominations, locked, and their
    ballots), so the reads do not grow with the number of rounds due."""
    await forget_old_drafts(ctx)
    rounds = await store.rounds_to_sweep(ctx.session, ctx.today)
    if not rounds:
        return
    nominations = await store.nominations_for_sweep(ctx.session, {r.nomination_id for r in rounds})
    ballots = await store.ballots_of_each(
        ctx.session, [(r.nomination_id, r.number) for r in rounds]
    )
    reminders: list[tuple[Nomination, VoteRound, Tally]] = []
    for vote_round in rounds:
        nomination = nominations.get(vote_round.nomination_id)
        if nomination is None:
            continue
        if nomination.round != vote_round.number or nomination.status != store.VOTING:
            await store.close_round(ctx.session, vote_round.id, "superseded", ctx.now)
            continue
        counted = voting.tally(ballots[(nomination.id, vote_round.number)], vote_round.eligible)
        if ctx.now >= round_closes(ctx, vote_round):
            outcome = voting.decide(
                counted, ctx.framework.voting, len(vote_round.eligible), closing=True
            )
            if outcome is not None:
                await finish_round(ctx, nomination, vote_round, outcome, counted, "deadline")
            continue
        if _reminder_due(ctx, vote_round):
            reminders.append((nomination, vote_round, counted))
    await _remind(ctx, reminders)


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


async def _remind(ctx: Context, due: list[tuple[Nomination, VoteRound, Tally]]) -> None:
    """Each round's reminder to the eligible CSWs who have not voted and are not away, unless
    an earlier tick wrote it: one query for every key, one for who is away, and the messages
    written together (``to_people``: the same rows ``to_person`` writes, a statement per few
    hundred)."""
    to_send: list[tuple[Nomination, VoteRound, dict[int, str]]] = []
    for nomination, vote_round, counted in due:
        suffix = f"round{vote_round.number}{':extended' if vote_round.extended else ''}"
        voters = sorted(voting.still_to_vote(vote_round.eligible, counted))
        keys = {v: f"vote-reminder:{nomination.id}:{v}:{suffix}" for v in voters}
        to_send.append((nomination, vote_round, keys))
    every_key = [key for _, _, keys in to_send for key in keys.values()]
    sent = await store.written_keys(ctx.session, every_key)
    away = await directory.away_until_each(
        ctx.session, {v for _, _, keys in to_send for v in keys}, ctx.today
    )
    messages: list[PersonMessage] = []
    for nomination, vote_round, keys in to_send:
        if all(voter in away or key in sent for voter, key in keys.items()):
            continue
        card = vote_reminder(
            view_of(nomination),
            round_number=vote_round.number,
            closes=round_closes(ctx, vote_round),
        )
        reason = f"vote on {nomination.reference} closes {vote_round.closes_on}"
        messages.extend(
            PersonMessage(voter_id, card, key=key, kind="reminder", reason=reason)
            for voter_id, key in keys.items()
            if voter_id not in away and key not in sent
        )
    await ctx.outbox.to_people(messages)
