"""Nomination use cases: open a vote round, record a vote and decide, close a round and
announce its outcome, add ratified practice to the library. Each coordinates the store, the
rules and the outbox and returns what happened; the dialogs choose what to answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from bot.cards.model import Card
from bot.dialogs.base import Context
from bot.dialogs.forms import calendar, deliver_from, strip_case_references
from bot.domain.roles import Role
from bot.nominations import rules as voting
from bot.nominations import store
from bot.nominations.cards import (
    NominationView,
    celebration,
    no_quorum_for_qa,
    outcome_for_nominator,
    practice_recognised,
    vote_card,
)
from bot.nominations.rules import Ballot, Choice, Outcome, Tally
from bot.nominations.store import LibraryEntry, Nomination, Vote, VoteRound
from bot.store import directory
from bot.store.models import Person
from bot.store.outbox import route_target

log = logging.getLogger("bot.nominations")


# --- how a nomination is shown ------------------------------------------------------------------


def close_moment(ctx: Context, closes_on: date) -> datetime:
    """A vote closes at the end of working hours on its closing day (local time)."""
    return datetime.combine(closes_on, ctx.framework.calendar.working_hours_end, tzinfo=ctx.tz)


def describe_nominees(nomination: Nomination) -> str:
    parts = [f"{p.name} ({p.team.name})" if p.team else p.name for p in nomination.named_nominees]
    if nomination.team is not None:
        parts.append(f"the {nomination.team.name} team")
    if not parts:
        return "(nobody named)"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def view_of(nomination: Nomination) -> NominationView:
    additions = tuple(
        (int(a.get("round", 0)), str(a.get("text", "")))
        for a in nomination.additions or []
        if isinstance(a, dict)
    )
    return NominationView(
        id=nomination.id,
        reference=nomination.reference,
        theme=nomination.theme,
        nominees=describe_nominees(nomination),
        what_happened=nomination.what_happened,
        difference_made=nomination.difference_made,
        evidence_source=nomination.evidence_source,
        evidence=nomination.evidence,
        family_voice=nomination.family_voice,
        consent_to_share=nomination.consent_to_share,
        case_reference=nomination.case_reference,
        nominator=nomination.nominator.name if nomination.nominator else "",
        status=nomination.status,
        submitted_on=nomination.submitted_at.date(),
        round=nomination.round,
        additions=additions,
    )


def round_closes(ctx: Context, vote_round: VoteRound) -> datetime:
    return close_moment(ctx, vote_round.closes_on)


def card_key(nomination_id: int, round_number: int) -> str:
    return f"vote:{nomination_id}:r{round_number}"


async def open_round(ctx: Context, nomination: Nomination, number: int) -> VoteRound:
    """Open round ``number``: fix who may vote, set the dates, post the vote card."""
    rules = ctx.framework.voting
    csws = await directory.people_with_role(ctx.session, Role.CSW)
    eligible = sorted(
        voting.eligible_voters(
            {p.id for p in csws}, nomination.nominator_id, nomination.nominee_ids
        )
    )
    cal = calendar(ctx)
    vote_round = VoteRound(
        nomination_id=nomination.id,
        number=number,
        opened_at=ctx.now,
        opened_on=ctx.today,
        closes_on=voting.closes_at(ctx.today, rules, cal.add_working_days),
        remind_on=voting.reminder_on(ctx.today, rules, cal.add_working_days),
        eligible=eligible,
        extended=False,
        tally_version=0,
    )
    ctx.session.add(vote_round)
    await ctx.session.flush()
    ctx.audit.record(
        "nomination.vote_opened",
        actor_id=ctx.person.id if ctx.person else None,
        subject=nomination.reference,
        details={
            "round": number,
            "eligible": len(eligible),
            "closes_on": str(vote_round.closes_on),
        },
    )
    if not eligible:
        await finish_round(
            ctx, nomination, vote_round, Outcome.NO_QUORUM, Tally(), "nobody eligible"
        )
        return vote_round
    card = vote_card_for(ctx, nomination, vote_round, Tally())
    await ctx.outbox.to_route(
        "csw_group",
        card,
        key=f"vote:{nomination.id}:round{number}",
        kind="vote",
        card_key=card_key(nomination.id, number),
    )
    return vote_round


def vote_card_for(
    ctx: Context,
    nomination: Nomination,
    vote_round: VoteRound,
    counted: Tally,
    outcome: str | None = None,
) -> Card:
    note = None
    if outcome == "ratified" and nomination.consent_to_share:
        note = "Added to the Good Practice Library."
    return vote_card(
        view_of(nomination),
        round_number=vote_round.number,
        tally=counted,
        eligible=len(vote_round.eligible),
        closes=round_closes(ctx, vote_round),
        case_label=ctx.framework.case_reference.label,
        outcome=outcome,
        extended=vote_round.extended,
        note=note,
    )


async def count_votes(
    ctx: Context, nomination: Nomination, vote_round: VoteRound
) -> tuple[list[Ballot], Tally]:
    ballots = await store.ballots(ctx.session, nomination.id, vote_round.number)
    return ballots, voting.tally(ballots, vote_round.eligible)


async def finish_round(
    ctx: Context,
    nomination: Nomination,
    vote_round: VoteRound,
    outcome: Outcome,
    counted: Tally,
    reason: str,
) -> Card:
    """Close the round with ``outcome`` (or extend it once if the quorum was not met)."""
    rules = ctx.framework.voting
    key = card_key(nomination.id, vote_round.number)
    if (
        outcome is Outcome.NO_QUORUM
        and vote_round.eligible
        and not vote_round.extended
        and rules.extend_without_quorum_working_days > 0
    ):
        return await _extend_round(ctx, nomination, vote_round, counted)
    if not await store.close_round(ctx.session, vote_round.id, outcome.value, ctx.now):
        return vote_card_for(ctx, nomination, vote_round, counted, vote_round.outcome)
    vote_round.closed_at, vote_round.outcome = ctx.now, outcome.value
    nomination.status = outcome.value
    nomination.decided_at = ctx.now
    nomination.updated_at = ctx.now
    ctx.audit.record(
        "nomination.vote_closed",
        actor_id=None,
        subject=nomination.reference,
        details={
            "round": vote_round.number,
            "reason": reason,
            "ratify": counted.ratify,
            "decline": counted.decline,
            "needs_more_information": counted.needs_more_information,
            "eligible": len(vote_round.eligible),
        },
    )
    ctx.audit.record(
        "nomination.outcome",
        actor_id=None,
        subject=nomination.reference,
        details={"outcome": outcome.value, "round": vote_round.number},
    )
    log.info(
        "vote on nomination %s round %s closed: %s", nomination.id, vote_round.number, outcome.value
    )
    card = vote_card_for(ctx, nomination, vote_round, counted, outcome.value)
    await ctx.outbox.update(key, card, key=f"vote-card:{nomination.id}:r{vote_round.number}:closed")
    await _announce(ctx, nomination, vote_round, outcome, counted)
    return card


async def _extend_round(
    ctx: Context, nomination: Nomination, vote_round: VoteRound, counted: Tally
) -> Card:
    """Too few votes: the round runs for the framework's extra working days, once."""
    rules = ctx.framework.voting
    cal = calendar(ctx)
    start = max(vote_round.closes_on, ctx.today)
    vote_round.closes_on = cal.add_working_days(start, rules.extend_without_quorum_working_days)
    vote_round.remind_on = cal.add_working_days(
        vote_round.closes_on, -rules.remind_before_working_days
    )
    vote_round.extended = True
    ctx.audit.record(
        "nomination.vote_extended",
        actor_id=None,
        subject=nomination.reference,
        details={
            "round": vote_round.number,
            "votes": counted.total,
            "closes_on": str(vote_round.closes_on),
        },
    )
    log.info("vote on nomination %s extended: too few votes", nomination.id)
    card = vote_card_for(ctx, nomination, vote_round, counted)
    await ctx.outbox.update(
        card_key(nomination.id, vote_round.number),
        card,
        key=f"vote-card:{nomination.id}:r{vote_round.number}:extended",
    )
    return card


async def _announce(
    ctx: Context, nomination: Nomination, vote_round: VoteRound, outcome: Outcome, counted: Tally
) -> None:
    ballots = await store.ballots(ctx.session, nomination.id, vote_round.number)
    names: dict[int, str] = {}
    if ctx.framework.voting.name_commenters:
        for ballot in ballots:
            person = await ctx.session.get(Person, ballot.voter_id)
            names[ballot.voter_id] = person.name if person else "A CSW"
    comments = voting.summarise_comments(
        voting.latest_ballots(ballots, vote_round.eligible),
        names.__getitem__ if ctx.framework.voting.name_commenters else None,
    )
    when = deliver_from(ctx)
    view = view_of(nomination)
    ref, nid, number = nomination.reference, nomination.id, vote_round.number
    in_library = False
    if outcome is Outcome.RATIFIED:
        entry = await add_to_library(ctx, nomination) if nomination.consent_to_share else None
        in_library = entry is not None
        for nominee in nomination.nominees:
            if nominee.person_id == nomination.nominator_id:
                continue
            card = practice_recognised(view, nominator=view.nominator, shared=in_library)
            await ctx.outbox.to_person(
                nominee.person_id,
                card,
                key=f"recognised:{nid}:{nominee.person_id}",
                kind="recognition",
                not_before=when,
                reason=f"{ref} ratified",
            )
        if entry is not None:
            celebrate = celebration(
                view, what_happened=entry.what_happened, difference_made=entry.difference_made
            )
            await _celebrate(ctx, nomination, celebrate)
    # When nobody could vote, the acknowledgement already said it went to the QA team.
    if vote_round.eligible or outcome is not Outcome.NO_QUORUM:
        await ctx.outbox.to_person(
            nomination.nominator_id,
            outcome_for_nominator(view, outcome.value, comments, in_library=in_library),
            key=f"outcome:{nid}:r{number}",
            kind="outcome",
            not_before=when,
            reason=f"{ref} {outcome.value}",
        )
    if outcome is Outcome.NO_QUORUM:
        await ctx.outbox.to_route(
            "qa_team",
            no_quorum_for_qa(view, voted=counted.total, eligible=len(vote_round.eligible)),
            key=f"no-quorum:{nid}:r{number}",
            kind="escalation",
            not_before=when,
        )


async def _celebrate(ctx: Context, nomination: Nomination, card: Card) -> None:
    """Post to each nominee team's channel if it has one, else to the celebrations channel."""
    framework = ctx.framework
    teams = (
        [nomination.team.name]
        if nomination.team is not None
        else sorted({p.team.name for p in nomination.named_nominees if p.team is not None})
    )
    posted = False
    for team in teams:
        if team in framework.channels.teams:
            await ctx.outbox.to_route(
                f"team:{team}",
                card,
                key=f"celebrate:{nomination.id}:{team}",
                kind="celebration",
                not_before=deliver_from(ctx),
            )
            posted = True
    configured = any(route_target(framework, "celebrations", p) for p in ("slack", "teams"))
    if not posted and configured:
        await ctx.outbox.to_route(
            "celebrations",
            card,
            key=f"celebrate:{nomination.id}",
            kind="celebration",
            not_before=deliver_from(ctx),
        )


def team_names(nomination: Nomination) -> str | None:
    """The team(s) the practice belongs to: the nominated team, else the nominees' teams."""
    if nomination.team is not None:
        return nomination.team.name
    names = sorted({p.team.name for p in nomination.named_nominees if p.team is not None})
    return "; ".join(names)[:120] or None


def _library_text(ctx: Context, nomination: Nomination, text: str) -> str:
    text = strip_case_references(ctx, text)
    if nomination.case_reference:
        text = text.replace(nomination.case_reference, "[removed]")
    return text


async def add_to_library(ctx: Context, nomination: Nomination) -> LibraryEntry:
    """The library entry for a ratified nomination (made once; never with a case number)."""
    existing = await store.library_entry_for(ctx.session, nomination.id)
    if existing is not None:
        return existing
    more = "\n\n".join(
        str(a.get("text", "")) for a in nomination.additions or [] if isinstance(a, dict)
    )
    entry = LibraryEntry(
        nomination_id=nomination.id,
        reference=nomination.reference,
        theme=nomination.theme,
        team_id=nomination.team_id,
        team_name=team_names(nomination),
        nominees=describe_nominees(nomination)[:1000],
        what_happened=_library_text(ctx, nomination, nomination.what_happened),
        difference_made=_library_text(ctx, nomination, nomination.difference_made),
        evidence=_library_text(ctx, nomination, nomination.evidence),
        evidence_source=nomination.evidence_source,
        more_information=_library_text(ctx, nomination, more),
        family_voice=nomination.family_voice,
        ratified_on=ctx.today,
        added_at=ctx.now,
        search_text="",
    )
    entry.search_text = " ".join(
        [
            entry.reference,
            entry.theme,
            entry.team_name or "",
            entry.nominees,
            entry.what_happened,
            entry.difference_made,
            entry.evidence,
            entry.evidence_source,
            entry.more_information,
        ]
    ).lower()
    ctx.session.add(entry)
    await ctx.session.flush()
    ctx.audit.record(
        "library.added",
        actor_id=None,
        subject=entry.reference,
        details={"nomination": nomination.id, "theme": entry.theme},
    )
    return entry


# --- recording a vote -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRecorded:
    """What recording a vote did: the vote card as it now stands, and whether the vote changed
    an earlier one, repeated it (a double click or a retry: nothing recorded), or closed the
    round (then ``closed`` is the nomination's new status)."""

    card: Card
    changed: bool
    repeated: bool
    closed: str | None


async def record_vote(
    ctx: Context,
    nomination: Nomination,
    vote_round: VoteRound,
    choice: Choice,
    comment: str,
    existing: Vote | None,
) -> VoteRecorded:
    """Record the person's vote, update every posted copy of the vote card, and close the round
    when the rules decide it (everyone has voted, or the outcome cannot change)."""
    assert ctx.person is not None
    if existing is not None and existing.choice == choice.value and existing.comment == comment:
        log.info(
            "repeated vote on nomination %s by person %s ignored", nomination.id, ctx.person.id
        )
        _, counted = await count_votes(ctx, nomination, vote_round)
        card = vote_card_for(ctx, nomination, vote_round, counted)
        return VoteRecorded(card, changed=False, repeated=True, closed=None)
    await store.upsert_vote(
        ctx.session,
        nomination_id=nomination.id,
        round_number=vote_round.number,
        voter_id=ctx.person.id,
        choice=choice,
        comment=comment,
        now=ctx.now,
    )
    ctx.audit.record(
        "nomination.vote_changed" if existing else "nomination.vote",
        actor_id=ctx.person.id,
        subject=nomination.reference,
        details={
            "round": vote_round.number,
            "choice": choice.value,
            "previous": existing.choice if existing else None,
            "comment": bool(comment),
        },
    )
    log.info(
        "vote %s on nomination %s round %s by person %s",
        "changed" if existing else "cast",
        nomination.id,
        vote_round.number,
        ctx.person.id,
    )
    version = await store.bump_tally_version(ctx.session, vote_round.id)
    _, counted = await count_votes(ctx, nomination, vote_round)
    outcome = voting.decide(counted, ctx.framework.voting, len(vote_round.eligible), closing=False)
    if outcome is not None:
        card = await finish_round(ctx, nomination, vote_round, outcome, counted, "everyone voted")
    else:
        card = vote_card_for(ctx, nomination, vote_round, counted)
        await ctx.outbox.update(
            card_key(nomination.id, vote_round.number),
            card,
            key=f"vote-card:{nomination.id}:r{vote_round.number}:v{version}",
        )
    closed = nomination.status if vote_round.closed_at is not None else None
    return VoteRecorded(card, changed=existing is not None, repeated=False, closed=closed)
