"""The QA team's chat commands: ``allocate`` (a CSV pasted after the command or uploaded),
``allocate cycle ACTIVITY`` (a cohort to sample), ``allocation N``, and Confirm / Cancel on a
proposal."""

from __future__ import annotations

import logging
import re

from bot.allocations import cards, store
from bot.allocations.dialogs.propose import (
    Proposal,
    cancel_cycle,
    confirm_cycle,
    proposal_view,
    propose_from_cohort,
    propose_from_rows,
)
from bot.allocations.dialogs.support import int_of
from bot.allocations.imports import (
    ALLOCATION_COLUMNS,
    COHORT_COLUMNS,
    CohortRow,
    CsvFormatError,
    clean_pasted_text,
    csv_from_message,
    find_activity,
    parse_allocations_csv,
    parse_cohort_csv,
)
from bot.allocations.rules.sampling import service_quotas
from bot.cards.model import Card, TextBlock
from bot.dialogs import common
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.payload import as_int
from bot.domain.activities import ActivityType
from bot.domain.roles import Role
from bot.store import directory

log = logging.getLogger(__name__)

QA_ONLY = {Role.QA_TEAM}
_SEED = re.compile(r"\bseed\s+(\d{1,9})\b", re.IGNORECASE)


def register(router: Router) -> None:
    router.command(
        "allocate",
        "import allocations",
        "upload",
        summary="Allocate work from a CSV (paste it after the command, or upload the file)",
        roles=QA_ONLY,
        usage="allocate + CSV",
    )(allocate_command)
    router.command(
        "allocate cycle",
        "new cycle",
        summary="Sample a cohort fairly into a cycle (activity, then the cohort CSV)",
        roles=QA_ONLY,
        usage="allocate cycle ACTIVITY + cohort CSV",
    )(cycle_command)
    router.command(
        "allocation",
        summary="Show a proposed or confirmed allocation",
        roles=QA_ONLY,
        usage="allocation NUMBER",
    )(show_command)
    router.action("alloc.cycle.confirm")(confirm_action)
    router.action("alloc.cycle.cancel")(cancel_action)
    router.action("alloc.cycle.show")(show_action)
    router.action("alloc.howto")(how_to_action)
    router.action("alloc.cycle.kept")(kept_cohort_action)
    router.action("alloc.cycle.upload")(upload_cohort_action)


def how_to(ctx: Context) -> Card:
    activities = [(a.key, a.name) for a in ctx.framework.activities]
    return cards.how_to_card(activities, ctx.framework.case_reference.example)


def _csv_in_turn(ctx: Context, header_start: str) -> tuple[str | None, str | None]:
    """The CSV the person sent (an uploaded file first) and, if unreadable, why."""
    turn = ctx.turn
    if turn is not None and turn.attachment_text is not None:
        if not turn.attachment_text.strip():
            return None, (
                "I could not read the attached file. Upload a .csv file saved as text "
                "(UTF-8), under 1 MB, or paste the rows after the command."
            )
        return clean_pasted_text(turn.attachment_text), None
    return csv_from_message(turn.text or "" if turn else "", header_start), None


def _problem(title: str, text: str) -> list[Reply]:
    card = Card(
        name="allocation_problem",
        title=title,
        fallback=text,
        body=[TextBlock(text=text, style="warning")],
    )
    return [Reply(card)]


async def allocate_command(ctx: Context, args: str) -> list[Reply]:
    text, unreadable = _csv_in_turn(ctx, "case_ref")
    if unreadable:
        return _problem("Couldn't read the file", unreadable)
    if text is None:
        if args.strip():
            return _problem(
                "No CSV found",
                "I couldn't find the header row (case_ref,team,activity,assignee_email,"
                "moderator_email,cycle). Put the CSV on new lines after `allocate` in a direct "
                "message, or upload the .csv file.",
            )
        return [Reply(how_to(ctx))]
    try:
        parsed = parse_allocations_csv(text, ctx.framework)
    except CsvFormatError as exc:
        log.info("allocation CSV refused: %s", exc)
        return [
            Reply(cards.import_failed_card([str(exc)], header_hint=",".join(ALLOCATION_COLUMNS)))
        ]
    proposal = await propose_from_rows(ctx, parsed.rows, parsed.errors)
    return await _proposal_reply(ctx, proposal, ",".join(ALLOCATION_COLUMNS))


async def cycle_command(ctx: Context, args: str) -> list[Reply]:
    lowered = args.lower()
    head = args[: lowered.find("case_ref")] if "case_ref" in lowered else args
    seed_match = _SEED.search(head)
    seed = int(seed_match.group(1)) if seed_match else None
    activity_text = _SEED.sub("", head).strip()
    activity = find_activity(ctx.framework, activity_text)
    if activity is None:
        sampled = sorted(
            {q.activity for q in ctx.framework.cycle_quotas if q.per == "cohort"}
            | {a.key for a in ctx.framework.activities if a.requires_moderation}
        )
        known = ", ".join(sampled or [a.key for a in ctx.framework.activities])
        what = (
            f"I don't know the activity “{activity_text[:60]}”."
            if activity_text
            else ("Which activity is the cycle for?")
        )
        return _problem(
            "Which activity?",
            f"{what} Send `allocate cycle ACTIVITY` with the cohort (case_ref,team) on the "
            f"lines after it. Activities: {known}.",
        )
    text, unreadable = _csv_in_turn(ctx, "case_ref")
    if unreadable:
        return _problem("Couldn't read the file", unreadable)
    if text is None:
        kept = await store.latest_cohort(ctx.session, activity.key)
        if kept is not None and kept.cases:
            return [Reply(cards.kept_cohort_choice(await _kept_view(ctx, activity, kept), seed))]
        return _send_the_cohort(ctx, activity)
    try:
        parsed = parse_cohort_csv(text, ctx.framework)
    except CsvFormatError as exc:
        return [Reply(cards.import_failed_card([str(exc)], header_hint=",".join(COHORT_COLUMNS)))]
    proposal = await propose_from_cohort(ctx, activity, parsed.rows, parsed.errors, seed=seed)
    return await _proposal_reply(ctx, proposal, ",".join(COHORT_COLUMNS))


def _send_the_cohort(ctx: Context, activity: ActivityType) -> list[Reply]:
    quotas = service_quotas(ctx.framework.cycle_quotas, activity.key)
    quota_text = (
        "Quotas: " + ", ".join(f"{s} {n}" for s, n in sorted(quotas.items())) + "."
        if quotas
        else "There is no quota per service for this activity, so every case is allocated."
    )
    return _problem(
        "Send the cohort",
        f"Put the cohort for {activity.name} on the lines after the command, with the "
        f"header case_ref,team (and optionally service), or upload it as a .csv file. "
        f"{quota_text}",
    )


async def _kept_view(ctx: Context, activity: ActivityType, kept: store.Cohort) -> cards.KeptCohort:
    uploader = kept.uploaded_by_id
    people = await directory.people_by_ids(ctx.session, [uploader] if uploader else [])
    return cards.KeptCohort(
        activity_key=activity.key,
        activity=activity.name,
        cohort_id=kept.id,
        cases=len(kept.cases),
        uploaded_on=kept.uploaded_at.astimezone(ctx.tz).date(),
        uploaded_by=people[uploader].name if uploader in people else "",
    )


async def _kept_activity(ctx: Context, action: Action) -> ActivityType | Reply:
    """The activity a kept-cohort button is for, pressed by the QA team."""
    if not ctx.has_role(Role.QA_TEAM):
        return Reply(common.not_allowed_card("allocate cycle", frozenset(QA_ONLY)))
    activity = ctx.framework.activity(str(action.data.get("a", "")))
    if activity is None:
        log.warning("%s pressed for unknown activity %r", action.verb, action.data.get("a"))
        return Reply(common.stale_card())
    return activity


async def kept_cohort_action(ctx: Context, action: Action) -> list[Reply]:
    """Allocate from the kept cohort: the same checks and proposal as a cohort CSV sent with
    ``allocate cycle``. A card naming a cohort that a newer one has replaced proposes nothing."""
    activity = await _kept_activity(ctx, action)
    if isinstance(activity, Reply):
        return [activity]
    kept = await store.latest_cohort(ctx.session, activity.key)
    if kept is None or kept.id != int_of(action.data, "k"):
        log.info("kept cohort pressed for %s after a newer upload", activity.key)
        latest = (
            f" The cohort kept now has {len(kept.cases)} cases: type `allocate cycle "
            f"{activity.key}` to use it."
            if kept is not None
            else ""
        )
        return _problem(
            "A newer cohort was kept",
            f"This card offered a cohort for {activity.name} that has since been replaced, so "
            f"nothing was allocated.{latest}",
        )
    rows = [
        CohortRow(
            line=number,
            case_ref=case.get("case_ref", ""),
            team=case.get("team", ""),
            service=case.get("service", ""),
        )
        # Line numbers as in the uploaded CSV, under its header (every line was good).
        for number, case in enumerate(kept.cases, 2)
    ]
    seed = int_of(action.data, "s")
    proposal = await propose_from_cohort(ctx, activity, rows, [], seed=seed)
    log.info("cycle proposed for %s from kept cohort %s", activity.key, kept.id)
    return await _proposal_reply(ctx, proposal, ",".join(COHORT_COLUMNS))


async def upload_cohort_action(ctx: Context, action: Action) -> list[Reply]:
    activity = await _kept_activity(ctx, action)
    if isinstance(activity, Reply):
        return [activity]
    return _send_the_cohort(ctx, activity)


async def _proposal_reply(ctx: Context, proposal: Proposal, header: str) -> list[Reply]:
    if proposal.cycle is None:
        return [Reply(cards.import_failed_card(proposal.errors or ["no rows"], header_hint=header))]
    view = await proposal_view(ctx, proposal.cycle, proposal.errors)
    return [Reply(cards.proposal_card(view))]


async def show_command(ctx: Context, args: str) -> list[Reply]:
    number = args.strip().lstrip("#")
    cycle_id = as_int(number)
    cycle = await store.cycle_by_id(ctx.session, cycle_id) if cycle_id else None
    if cycle is None:
        return _problem("No such allocation", "Give the allocation's number, e.g. `allocation 3`.")
    return [Reply(cards.proposal_card(await proposal_view(ctx, cycle)))]


async def _cycle_for(ctx: Context, action: Action) -> store.AllocationCycle | Reply:
    if not ctx.has_role(Role.QA_TEAM):
        return Reply(common.not_allowed_card("confirm allocations", frozenset(QA_ONLY)))
    cycle_id = int_of(action.data, "c")
    cycle = await store.cycle_by_id(ctx.session, cycle_id) if cycle_id else None
    if cycle is None:
        log.warning("%s pressed for unknown cycle %r", action.verb, action.data.get("c"))
        return Reply(common.stale_card())
    return cycle


async def confirm_action(ctx: Context, action: Action) -> list[Reply]:
    cycle = await _cycle_for(ctx, action)
    if isinstance(cycle, Reply):
        return [cycle]
    if cycle.status == store.PROPOSED:
        await confirm_cycle(ctx, cycle)
    return [Reply(cards.proposal_card(await proposal_view(ctx, cycle)), replace=True)]


async def cancel_action(ctx: Context, action: Action) -> list[Reply]:
    cycle = await _cycle_for(ctx, action)
    if isinstance(cycle, Reply):
        return [cycle]
    if cycle.status == store.PROPOSED:
        await cancel_cycle(ctx, cycle)
    return [Reply(cards.proposal_card(await proposal_view(ctx, cycle)), replace=True)]


async def show_action(ctx: Context, action: Action) -> list[Reply]:
    cycle = await _cycle_for(ctx, action)
    if isinstance(cycle, Reply):
        return [cycle]
    return [Reply(cards.proposal_card(await proposal_view(ctx, cycle)))]


async def how_to_action(ctx: Context, _action: Action) -> list[Reply]:
    return [Reply(how_to(ctx))]
