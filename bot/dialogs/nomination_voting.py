"""The CSW group's vote: opening a round, casting and changing votes, closing (when everyone
has voted or at the deadline), reminders, outcomes, and the QA team's withdraw and reopen.

A vote card is posted to the ``csw_group`` route with ``card_key`` ``vote:<id>:r<round>``;
every vote updates every posted copy in place (Slack ``chat.update``, Teams update activity).
Permissions come from the directory on every action, never from the card.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from bot.cards.model import Button, Card, Facts, TextBlock
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.nomination_cards import (
    NominationView,
    celebration,
    moment,
    no_quorum_for_qa,
    nomination_withdrawn,
    outcome_for_nominator,
    practice_recognised,
    simple,
    vote_card,
    vote_comment_form,
    vote_recorded,
    vote_refused,
    vote_reminder,
    withdraw_form,
)
from bot.dialogs.nomination_common import (
    as_bool,
    as_int,
    as_text,
    calendar,
    deliver_from,
    form_problems,
    input_value,
    log,
    not_allowed,
    out_of_date,
    refuse,
    round_closes,
    view_of,
)
from bot.dialogs.nomination_library import add_to_library
from bot.domain import voting
from bot.domain.roles import Role
from bot.domain.voting import Ballot, Choice, Outcome, Tally
from bot.store import directory
from bot.store import nominations as store
from bot.store.models import DialogState, Person
from bot.store.nominations import Nomination, VoteRound
from bot.store.outbox import route_target

VERB = "vote.cast"
# Drafts of nominations, added information and team nominations not sent within this are deleted.
DRAFT_DAYS = 30
DRAFT_FLOWS = ("nominate", "team_nomination")


def card_key(nomination_id: int, round_number: int) -> str:
    return f"vote:{nomination_id}:r{round_number}"


def register(router: Router) -> None:
    router.action("vote.cast")(cast_vote)
    router.action("vote.show")(show_vote)
    router.action("nomination.withdraw")(withdraw_start)
    router.action("nomination.withdraw_confirm")(withdraw_confirm)
    router.action("nomination.reopen")(reopen)
    router.action("nominations.list")(lambda ctx, _a: list_open(ctx))
    router.command(
        "nominations",
        "open nominations",
        summary="Open good-practice nominations and their votes",
        roles={Role.QA_TEAM},
    )(lambda ctx, _args: list_open(ctx))
    router.sweep("nominations.votes")(sweep)
    router.tasks(tasks)


# --- opening a round ------------------------------------------------------------------------------


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
    card = _vote_card(ctx, nomination, vote_round, Tally())
    await ctx.outbox.to_route(
        "csw_group",
        card,
        key=f"vote:{nomination.id}:round{number}",
        kind="vote",
        card_key=card_key(nomination.id, number),
    )
    return vote_round


def _vote_card(
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


async def _tally(
    ctx: Context, nomination: Nomination, vote_round: VoteRound
) -> tuple[list[Ballot], Tally]:
    ballots = await store.ballots(ctx.session, nomination.id, vote_round.number)
    return ballots, voting.tally(ballots, vote_round.eligible)


# --- casting a vote -------------------------------------------------------------------------------


async def cast_vote(ctx: Context, action: Action) -> list[Reply]:
    assert ctx.person is not None
    data = action.data
    nomination_id, round_number = as_int(data.get("nomination")), as_int(data.get("round"))
    raw_choice = as_text(data.get("choice"))
    if nomination_id is None or round_number is None or raw_choice not in Choice._value2member_map_:
        return out_of_date(ctx, VERB, "malformed vote payload")
    choice = Choice(raw_choice)
    if not ctx.has_role(Role.CSW):
        refuse(ctx, VERB, "not in the CSW group", subject=f"nomination:{nomination_id}")
        return [
            Reply(
                vote_refused(
                    "Only the CSW group votes",
                    "Only members of the Consultant Social Worker group vote on nominations, so "
                    "nothing was recorded. If you should be in the group, ask your QA team.",
                )
            )
        ]
    nomination = await store.get_nomination(ctx.session, nomination_id, lock=True)
    vote_round = await store.current_round(ctx.session, nomination) if nomination else None
    if nomination is None or vote_round is None:
        return out_of_date(ctx, VERB, f"no nomination {nomination_id}")
    if vote_round.number != round_number or vote_round.closed_at is not None:
        return out_of_date(
            ctx,
            VERB,
            f"vote on nomination {nomination_id} round {round_number} is closed",
            f"The vote on {nomination.reference} has closed, so nothing was changed. "
            f"It is now: {nomination.status.replace('_', ' ')}.",
        )
    refused = _check_eligible(ctx, nomination, vote_round)
    if refused is not None:
        return refused
    view = view_of(nomination)
    comment = as_text(input_value(action.inputs, data, "comment"))
    from_form = as_bool(data.get("form"))
    existing = await store.vote_of(ctx.session, nomination.id, vote_round.number, ctx.person.id)
    in_place = ctx.turn is not None and ctx.turn.platform == "teams"
    if choice is not Choice.RATIFY and not comment and not from_form:
        earlier = existing.comment if existing and existing.choice == choice.value else ""
        form = vote_comment_form(
            view,
            round_number=vote_round.number,
            choice=choice.value,
            comment=earlier,
            back=in_place,
        )
        return [Reply(form)]
    problem = voting.validate_ballot(choice, comment)
    if problem:
        form = vote_comment_form(
            view, round_number=vote_round.number, choice=choice.value, comment=comment[:1000]
        )
        return form_problems(form, {"comment": problem})
    closes = round_closes(ctx, vote_round)
    if existing is not None and existing.choice == choice.value and existing.comment == comment:
        # A double click, or a Slack/Teams retry: counted once already.
        log.info(
            "repeated vote on nomination %s by person %s ignored", nomination.id, ctx.person.id
        )
        if in_place:
            _, counted = await _tally(ctx, nomination, vote_round)
            return [Reply(_vote_card(ctx, nomination, vote_round, counted), replace=True)]
        return [Reply(vote_recorded(view, choice.value, closes, changed=False, repeated=True))]
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
    _, counted = await _tally(ctx, nomination, vote_round)
    outcome = voting.decide(counted, ctx.framework.voting, len(vote_round.eligible), closing=False)
    if outcome is not None:
        card = await finish_round(ctx, nomination, vote_round, outcome, counted, "everyone voted")
    else:
        card = _vote_card(ctx, nomination, vote_round, counted)
        await ctx.outbox.update(
            card_key(nomination.id, vote_round.number),
            card,
            key=f"vote-card:{nomination.id}:r{vote_round.number}:v{version}",
        )
    if in_place:
        return [Reply(card, replace=True)]
    closed = nomination.status if vote_round.closed_at is not None else None
    receipt = vote_recorded(view, choice.value, closes, changed=existing is not None, closed=closed)
    return [Reply(receipt, close_form=True)]


def _check_eligible(
    ctx: Context, nomination: Nomination, vote_round: VoteRound
) -> list[Reply] | None:
    assert ctx.person is not None
    if ctx.person.id in vote_round.eligible:
        return None
    if ctx.person.id == nomination.nominator_id or ctx.person.id in nomination.nominee_ids:
        log.info("person %s is recused from nomination %s", ctx.person.id, nomination.id)
        return [
            Reply(
                vote_refused(
                    "You are recused from this vote",
                    f"You nominated this practice or are one of its nominees, so you don't vote "
                    f"on {nomination.reference}. Nothing was recorded; the rest of the group "
                    "decides.",
                )
            )
        ]
    refuse(ctx, VERB, "not eligible in this round", subject=nomination.reference)
    return [
        Reply(
            vote_refused(
                "You can't vote on this one",
                f"You weren't in the CSW group when the vote on {nomination.reference} opened, "
                "so nothing was recorded. You'll be able to vote on new nominations.",
            )
        )
    ]


async def show_vote(ctx: Context, action: Action) -> list[Reply]:
    if not ctx.has_role(Role.CSW, Role.QA_TEAM):
        refuse(ctx, "vote.show", "not in the CSW group or QA team")
        return not_allowed("Only the CSW group and the QA team can see vote cards.")
    nomination_id = as_int(action.data.get("nomination"))
    nomination = await store.get_nomination(ctx.session, nomination_id or 0)
    vote_round = await store.current_round(ctx.session, nomination) if nomination else None
    if nomination is None or vote_round is None:
        return out_of_date(ctx, "vote.show", f"no nomination {nomination_id}")
    _, counted = await _tally(ctx, nomination, vote_round)
    card = _vote_card(ctx, nomination, vote_round, counted, vote_round.outcome)
    in_place = as_bool(action.data.get("in_place")) and ctx.turn is not None
    return [Reply(card, replace=in_place and ctx.turn.platform == "teams")]  # type: ignore[union-attr]


# --- closing and outcomes -------------------------------------------------------------------------


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
        card = _vote_card(ctx, nomination, vote_round, counted)
        await ctx.outbox.update(
            key, card, key=f"vote-card:{nomination.id}:r{vote_round.number}:extended"
        )
        return card
    if not await store.close_round(ctx.session, vote_round.id, outcome.value, ctx.now):
        return _vote_card(ctx, nomination, vote_round, counted, vote_round.outcome)
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
    card = _vote_card(ctx, nomination, vote_round, counted, outcome.value)
    await ctx.outbox.update(key, card, key=f"vote-card:{nomination.id}:r{vote_round.number}:closed")
    await _announce(ctx, nomination, vote_round, outcome, counted)
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
                key=f"celebrate:{nomination.id}:{team}"[:300],
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


# --- the scheduled sweep: reminders and deadlines -------------------------------------------------


async def sweep(ctx: Context) -> None:
    """Close rounds past their deadline and remind CSWs who have not voted (idempotent)."""
    await forget_old_drafts(ctx)
    for vote_round in await store.open_rounds(ctx.session):
        nomination = await store.get_nomination(ctx.session, vote_round.nomination_id, lock=True)
        if nomination is None:
            continue
        if nomination.round != vote_round.number or nomination.status != store.VOTING:
            await store.close_round(ctx.session, vote_round.id, "superseded", ctx.now)
            continue
        _, counted = await _tally(ctx, nomination, vote_round)
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
    await ctx.session.execute(
        delete(DialogState).where(
            or_(DialogState.flow.in_(DRAFT_FLOWS), DialogState.flow.like("more:%")),
            DialogState.updated_at < ctx.now - timedelta(days=DRAFT_DAYS),
        )
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
    suffix = ":extended" if vote_round.extended else ""
    for voter_id in sorted(voting.still_to_vote(vote_round.eligible, counted)):
        if await directory.is_away(ctx.session, voter_id, ctx.today):
            continue
        await ctx.outbox.to_person(
            voter_id,
            card,
            key=f"vote-reminder:{nomination.id}:{voter_id}:round{vote_round.number}{suffix}",
            kind="reminder",
            reason=f"vote on {nomination.reference} closes {vote_round.closes_on}",
        )


# --- the QA team: open nominations, withdraw, reopen ----------------------------------------------


async def list_open(ctx: Context) -> list[Reply]:
    if not ctx.has_role(Role.QA_TEAM):
        refuse(ctx, "nominations.list", "not in the QA team")
        return not_allowed("Only the QA team can see every open nomination.")
    rows = await store.nominations_with_status(ctx.session, store.OPEN_STATUSES)
    body: list[Facts | TextBlock] = []
    buttons: list[Button] = []
    for nomination in rows:
        vote_round = await store.current_round(ctx.session, nomination)
        status = nomination.status.replace("_", " ")
        if nomination.status == store.VOTING and vote_round is not None:
            _, counted = await _tally(ctx, nomination, vote_round)
            status = (
                f"voting: {counted.total} of {len(vote_round.eligible)} voted, closes "
                f"{moment(round_closes(ctx, vote_round))}"
            )
        body.append(
            Facts(facts=[(nomination.reference, f"{view_of(nomination).nominees}: {status}")])
        )
        if nomination.status == store.NO_QUORUM and len(buttons) < 18:
            buttons.append(
                Button(
                    label=f"Reopen {nomination.reference}",
                    verb="nomination.reopen",
                    data={"nomination": nomination.id},
                )
            )
        if len(buttons) < 18:
            buttons.append(
                Button(
                    label=f"Withdraw {nomination.reference}",
                    verb="nomination.withdraw",
                    data={"nomination": nomination.id},
                )
            )
    if not body:
        body.append(TextBlock(text="There are no open nominations."))
    fallback = f"{len(rows)} open nomination(s)."
    return [
        Reply(
            Card(
                name="open_nominations",
                title="Open nominations",
                fallback=fallback,
                body=list(body),
                buttons=buttons,
            )
        )
    ]


async def _qa_nomination(ctx: Context, action: Action, verb: str) -> Nomination | list[Reply]:
    nomination_id = as_int(action.data.get("nomination"))
    if not ctx.has_role(Role.QA_TEAM):
        refuse(ctx, verb, "not in the QA team", subject=f"nomination:{nomination_id}")
        return not_allowed("Only the QA team can withdraw a nomination or reopen its vote.")
    nomination = await store.get_nomination(ctx.session, nomination_id or 0, lock=True)
    if nomination is None:
        return out_of_date(ctx, verb, f"no nomination {nomination_id}")
    if nomination.status not in store.OPEN_STATUSES:
        return out_of_date(
            ctx,
            verb,
            f"nomination {nomination.id} already {nomination.status}",
            f"{nomination.reference} is already {nomination.status.replace('_', ' ')}: nothing "
            "was changed.",
        )
    return nomination


async def withdraw_start(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_nomination(ctx, action, "nomination.withdraw")
    if isinstance(found, list):
        return found
    return [Reply(withdraw_form(view_of(found)))]


async def withdraw_confirm(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_nomination(ctx, action, "nomination.withdraw_confirm")
    if isinstance(found, list):
        return found
    nomination = found
    reason = as_text(input_value(action.inputs, action.data, "reason"))
    problem = (
        "Please say why, for the nominator."
        if not reason
        else f"Please keep it to 1,000 characters; it is {len(reason):,}."
        if len(reason) > 1000
        else None
    )
    if problem:
        return form_problems(
            withdraw_form(view_of(nomination)), {"reason": problem}, {"reason": reason[:1000]}
        )
    vote_round = await store.current_round(ctx.session, nomination)
    if vote_round is not None and vote_round.closed_at is None:
        await store.close_round(ctx.session, vote_round.id, store.WITHDRAWN, ctx.now)
        _, counted = await _tally(ctx, nomination, vote_round)
        card = _vote_card(ctx, nomination, vote_round, counted, store.WITHDRAWN)
        await ctx.outbox.update(
            card_key(nomination.id, vote_round.number),
            card,
            key=f"vote-card:{nomination.id}:r{vote_round.number}:withdrawn",
        )
    nomination.status = store.WITHDRAWN
    nomination.decided_at = nomination.updated_at = ctx.now
    assert ctx.person is not None
    ctx.audit.record(
        "nomination.withdrawn",
        actor_id=ctx.person.id,
        subject=nomination.reference,
        details={"round": nomination.round},
    )
    log.info("nomination %s withdrawn by person %s", nomination.id, ctx.person.id)
    await ctx.outbox.to_person(
        nomination.nominator_id,
        nomination_withdrawn(view_of(nomination), reason),
        key=f"withdrawn:{nomination.id}",
        kind="outcome",
    )
    text = f"{nomination.reference} is withdrawn and I've told the nominator."
    return [
        Reply(
            simple("nomination_withdrawn_done", "Withdrawn", text, "good"),
            replace=True,
            close_form=True,
        )
    ]


async def reopen(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_nomination(ctx, action, "nomination.reopen")
    if isinstance(found, list):
        return found
    nomination = found
    if nomination.status != store.NO_QUORUM:
        return out_of_date(
            ctx,
            "nomination.reopen",
            f"nomination {nomination.id} is {nomination.status}",
            f"{nomination.reference} is {nomination.status.replace('_', ' ')}, not waiting for "
            "the QA team: nothing was changed.",
        )
    nomination.round += 1
    nomination.status = store.VOTING
    nomination.decided_at = None
    nomination.updated_at = ctx.now
    assert ctx.person is not None
    ctx.audit.record(
        "nomination.reopened",
        actor_id=ctx.person.id,
        subject=nomination.reference,
        details={"round": nomination.round},
    )
    vote_round = await open_round(ctx, nomination, nomination.round)
    if nomination.status == store.VOTING:
        when = moment(round_closes(ctx, vote_round))
        text = (
            f"The vote on {nomination.reference} is open again until {when}: the CSW group "
            "has a new vote card."
        )
        await ctx.outbox.to_person(
            nomination.nominator_id,
            simple(
                "nomination_reopened",
                f"{nomination.reference}: voting again",
                f"The QA team has reopened the CSW group's vote on your nomination "
                f"{nomination.reference}. It closes by {when}.",
            ),
            key=f"reopened:{nomination.id}:r{nomination.round}",
            kind="outcome",
        )
    else:
        text = (
            f"Nobody in the CSW group can vote on {nomination.reference} yet, so it is still "
            "with you."
        )
    return [Reply(simple("nomination_reopened_done", "Vote reopened", text, "good"), replace=True)]


# --- my tasks -------------------------------------------------------------------------------------


async def tasks(ctx: Context) -> list[Card]:
    if ctx.person is None:
        return []
    sections: list[Card] = []
    if ctx.has_role(Role.CSW):
        waiting = await store.rounds_awaiting(ctx.session, ctx.person.id)
        facts: list[tuple[str, str]] = []
        buttons: list[Button] = []
        for vote_round in waiting[:10]:
            nomination = await store.get_nomination(ctx.session, vote_round.nomination_id)
            if nomination is None:
                continue
            facts.append(
                (
                    nomination.reference,
                    f"{nomination.theme}: closes {moment(round_closes(ctx, vote_round))}",
                )
            )
            buttons.append(
                Button(
                    label=f"Vote on {nomination.reference}",
                    verb="vote.show",
                    data={"nomination": nomination.id},
                )
            )
        if facts:
            sections.append(
                Card(
                    name="tasks_votes",
                    title="Votes waiting for you",
                    fallback=f"{len(facts)} vote(s) waiting for you.",
                    body=[Facts(facts=facts)],
                    buttons=buttons,
                )
            )
    if ctx.has_role(Role.QA_TEAM):
        stuck = await store.nominations_with_status(ctx.session, (store.NO_QUORUM,), limit=10)
        if stuck:
            sections.append(
                Card(
                    name="tasks_no_quorum",
                    title="Nominations waiting for the QA team",
                    fallback=f"{len(stuck)} nomination(s) need a decision from the QA team.",
                    body=[Facts(facts=[(n.reference, "too few CSW votes") for n in stuck])],
                    buttons=[Button(label="Open nominations", verb="nominations.list")],
                )
            )
    return sections


def sample_view() -> NominationView:
    return NominationView(
        id=42,
        reference="GP-2026-0042",
        theme="Child's voice and lived experience",
        nominees="Sam Social (Taunton CP)",
        what_happened="Sam used a three houses exercise over four visits so the child could say "
        "what worried them at home, and brought their words to the conference.",
        difference_made="The plan was rewritten around what the child said; school attendance "
        "has improved and the family feel listened to.",
        evidence_source="Family feedback",
        evidence="The family's feedback form.",
        family_voice=True,
        consent_to_share=True,
        case_reference="2045871",
        nominator="Tess Manager",
    )
