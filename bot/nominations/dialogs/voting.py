"""The CSW group's vote: opening a round, casting and changing votes, closing (when everyone
has voted or at the deadline), reminders, outcomes, and the QA team's withdraw and reopen.

A vote card is posted to the ``csw_group`` route with ``card_key`` ``vote:<id>:r<round>``;
every vote updates every posted copy in place (Slack ``chat.update``, Teams update activity).
Permissions come from the directory on every action, never from the card.
"""

from __future__ import annotations

from bot.cards.model import Button, Card, Facts, TextBlock
from bot.cards.shared import simple
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import (
    as_bool,
    as_int,
    as_text,
    form_problems,
    input_value,
    load_staff_names,
)
from bot.domain.roles import Role
from bot.nominations import rules as voting
from bot.nominations import store
from bot.nominations.cards import (
    moment,
    nomination_withdrawn,
    vote_comment_form,
    vote_recorded,
    vote_refused,
    withdraw_form,
)
from bot.nominations.dialogs.support import log, not_allowed, out_of_date, refuse
from bot.nominations.flows import (
    card_key,
    count_votes,
    open_round,
    record_vote,
    round_closes,
    view_of,
    vote_card_for,
)
from bot.nominations.rules import Choice
from bot.nominations.store import Nomination, VoteRound

VERB = "vote.cast"
# Drafts of nominations, added information and team nominations not sent within this are deleted.


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
    router.tasks(tasks)


# --- opening a round ------------------------------------------------------------------------------


# --- casting a vote -------------------------------------------------------------------------------


async def cast_vote(ctx: Context, action: Action) -> list[Reply]:
    """A CSW's vote from the vote card (or its comment form): checks who may vote, asks for a
    comment where the choice needs one, then records it (``flows.record_vote``)."""
    assert ctx.person is not None
    data = action.data
    nomination_id, round_number = as_int(data.get("nomination")), as_int(data.get("round"))
    raw_choice = as_text(data.get("choice"))
    if nomination_id is None or round_number is None or raw_choice not in Choice._value2member_map_:
        return out_of_date(ctx, VERB, "malformed vote payload")
    choice = Choice(raw_choice)
    if not ctx.has_role(Role.CSW):
        refuse(ctx, VERB, "not in the CSW group", subject=f"nomination:{nomination_id}")
        return [Reply(vote_refused("Only the CSW group votes", NOT_IN_GROUP))]
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
    comment = as_text(input_value(action.inputs, data, "comment"))
    existing = await store.vote_of(ctx.session, nomination.id, vote_round.number, ctx.person.id)
    in_place = ctx.turn is not None and ctx.turn.answers_replace_card
    if choice is not Choice.RATIFY and not comment and not as_bool(data.get("form")):
        earlier = existing.comment if existing and existing.choice == choice.value else ""
        form = vote_comment_form(
            view_of(nomination),
            round_number=vote_round.number,
            choice=choice.value,
            comment=earlier,
            back=in_place,
        )
        return [Reply(form)]
    await load_staff_names(ctx)
    problem = voting.validate_ballot(
        choice, comment, today=ctx.today, staff_names=ctx.staff_names or ()
    )
    if problem:
        form = vote_comment_form(
            view_of(nomination),
            round_number=vote_round.number,
            choice=choice.value,
            comment=comment[:1000],
        )
        return form_problems(form, {"comment": problem})
    recorded = await record_vote(ctx, nomination, vote_round, choice, comment, existing)
    if in_place:
        return [Reply(recorded.card, replace=True)]
    receipt = vote_recorded(
        view_of(nomination),
        choice.value,
        round_closes(ctx, vote_round),
        changed=recorded.changed,
        repeated=recorded.repeated,
        closed=recorded.closed,
    )
    return [Reply(receipt, close_form=not recorded.repeated)]


NOT_IN_GROUP = (
    "Only members of the Consultant Social Worker group vote on nominations, so nothing was "
    "recorded. If you should be in the group, ask your QA team."
)


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
    _, counted = await count_votes(ctx, nomination, vote_round)
    card = vote_card_for(ctx, nomination, vote_round, counted, vote_round.outcome)
    in_place = as_bool(action.data.get("in_place")) and ctx.turn is not None
    return [Reply(card, replace=in_place and ctx.turn.answers_replace_card)]  # type: ignore[union-attr]


# --- closing and outcomes -------------------------------------------------------------------------


# --- the scheduled sweep: reminders and deadlines -------------------------------------------------


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
            _, counted = await count_votes(ctx, nomination, vote_round)
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
        _, counted = await count_votes(ctx, nomination, vote_round)
        card = vote_card_for(ctx, nomination, vote_round, counted, store.WITHDRAWN)
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
