"""Nominating good practice: the form, drafts, the privacy check, submission, "my
nominations", and adding information when the CSW group asks for more.

Drafts live in ``dialog_state`` (flow ``nominate``, or ``more:<id>``), so a restart loses
nothing: typing ``nominate`` again reopens the form with what was saved.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.cards.model import Card, Choice
from bot.cards.shared import privacy_check_form
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import (
    PrivacyStep,
    as_bool,
    as_int,
    as_list,
    as_text,
    clipped_for_draft,
    delete_draft,
    form_problems,
    input_value,
    load_draft,
    load_staff_names,
    redact_fields,
    removal_preview,
    save_draft,
    screen_fields,
)
from bot.nominations import rules as voting
from bot.nominations import store
from bot.nominations.cards import (
    STATUS_LABELS,
    FormChoices,
    moment,
    more_information_form,
    my_nominations,
    nomination_form,
    nomination_received,
    resubmitted,
)
from bot.nominations.dialogs.support import log, out_of_date, refuse
from bot.nominations.flows import open_round, round_closes, view_of
from bot.nominations.store import Nomination, Nominee
from bot.store import directory
from bot.store.models import Person, Team

FLOW = "nominate"
MAX_PEOPLE_CHOICES = 100
MAX_TEAM_CHOICES = 99
NO_TEAM = "none"
TEXT_FIELDS = (
    ("what_happened", "What happened"),
    ("difference_made", "The difference it made"),
    ("evidence", "Evidence"),
)
PRIVACY = PrivacyStep(flow=FLOW, verb="nominate.privacy", fields=TEXT_FIELDS)
MORE_FIELD = (("more", "What you added"),)
FIELD_IDS = (
    "nominees",
    "nominee_emails",
    "team",
    "what_happened",
    "difference_made",
    "evidence_source",
    "evidence",
    "theme",
    "case_reference",
    "family_voice",
    "consent",
)
EMAIL = re.compile(r"[^\s,;<>]{1,200}@[^\s,;<>]{1,200}")


def register(router: Router) -> None:
    router.command(
        "nominate",
        "nominate good practice",
        summary="Nominate good practice for the CSW group to verify",
    )(lambda ctx, _args: open_form(ctx))
    router.command("my nominations", summary="Your nominations and where they are")(
        lambda ctx, _args: show_mine(ctx)
    )
    router.action("nominate.open")(lambda ctx, _a: open_form(ctx))
    router.action("nominations.mine")(lambda ctx, _a: show_mine(ctx))
    router.action("nominate.submit")(submit)
    router.action("nominate.save")(save)
    router.action("nominate.discard")(discard)
    router.action("nominate.privacy")(privacy_continue)
    router.action("nomination.more")(more_start)
    router.action("nomination.resubmit")(resubmit)
    router.action("nomination.more_privacy")(more_privacy_continue)
    router.tasks(tasks)


# --- the form -------------------------------------------------------------------------------------


async def form_choices(ctx: Context) -> FormChoices:
    assert ctx.person is not None
    rows = await directory.colleagues_nearest(ctx.session, ctx.person, MAX_PEOPLE_CHOICES + 1)
    many = len(rows) > MAX_PEOPLE_CHOICES
    people = sorted(rows[:MAX_PEOPLE_CHOICES], key=lambda row: row[1])
    teams = [(team.id, team.name) for team in await directory.teams_by_name(ctx.session)]
    return FormChoices(
        people=[
            Choice(title=f"{name} ({team})" if team else name, value=str(pid))
            for pid, name, team in people
        ],
        teams=[Choice(title="No: only the people chosen", value=NO_TEAM)]
        + [Choice(title=name, value=str(tid)) for tid, name in teams[:MAX_TEAM_CHOICES]],
        many_people=many,
    )


async def build_form(
    ctx: Context, values: dict[str, object], form_key: str, note: str | None = None
) -> Card:
    return nomination_form(
        ctx.framework, await form_choices(ctx), values, form_key=form_key, note=note
    )


async def open_form(ctx: Context) -> list[Reply]:
    draft = await load_draft(ctx, FLOW)
    if draft is None:
        return [Reply(await build_form(ctx, {}, secrets.token_hex(8)))]
    state = draft.state
    values = state.get("values") or {}
    note = f"I kept your draft from {moment(draft.updated_at.astimezone(ctx.tz))}."
    return [
        Reply(await build_form(ctx, values, str(state.get("form") or secrets.token_hex(8)), note))
    ]


# --- reading and checking what was submitted ------------------------------------------------------


@dataclass
class Checked:
    values: dict[str, object]
    errors: dict[str, str] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    team: Team | None = None


def _raw_values(action: Action) -> dict[str, object]:
    return {name: input_value(action.inputs, action.data, name) for name in FIELD_IDS}


def _length_problem(text: str, limit: int) -> str | None:
    if len(text) <= limit:
        return None
    return (
        f"This is {len(text):,} characters; please keep it to {limit:,}. "
        f"I've kept the first {limit:,} for you to shorten."
    )


async def check(ctx: Context, raw: dict[str, object]) -> Checked:
    """Validate a submission; values come back cleaned (and cut to length) for re-showing."""
    assert ctx.person is not None
    rules = ctx.framework.nominations
    case_rule = ctx.framework.case_reference
    limits = {
        "what_happened": rules.what_happened_max,
        "difference_made": rules.difference_made_max,
        "evidence": rules.evidence_max,
        "case_reference": 64,
        "nominee_emails": 1000,
    }
    values: dict[str, object] = {
        "nominees": as_list(raw.get("nominees"))[:MAX_PEOPLE_CHOICES],
        "team": as_text(raw.get("team"))[:20],
        "evidence_source": as_text(raw.get("evidence_source"))[:120],
        "theme": as_text(raw.get("theme"))[:120],
        "family_voice": as_bool(raw.get("family_voice")),
        "consent": as_bool(raw.get("consent")),
    }
    result = Checked(values)
    errors = result.errors
    for name, limit in limits.items():
        text = as_text(raw.get(name))
        problem = _length_problem(text, limit)
        if problem:
            errors[name] = problem
        values[name] = text[:limit]
    if not values["what_happened"]:
        errors.setdefault("what_happened", "Please say what happened.")
    if not values["difference_made"]:
        errors.setdefault(
            "difference_made", "Please say what difference it made for the child or family."
        )
    if values["evidence_source"] not in rules.evidence_sources:
        errors["evidence_source"] = "Please choose where you saw it."
    if values["theme"] not in rules.themes:
        errors["theme"] = "Please choose the practice standard or theme."
    case = str(values["case_reference"])
    if case and "case_reference" not in errors and not case_rule.matches(case):
        errors["case_reference"] = (
            f"That doesn't look like a {case_rule.label}: it should look like {case_rule.example}."
        )
    await _check_nominees(ctx, result)
    return result


async def _check_nominees(ctx: Context, result: Checked) -> None:
    assert ctx.person is not None
    values, errors = result.values, result.errors
    chosen: dict[int, Person] = {}
    for raw_id in as_list(values["nominees"]):
        person_id = as_int(raw_id)
        person = await directory.person_by_id(ctx.session, person_id) if person_id else None
        if person is None or not person.active:
            errors["nominees"] = (
                "Someone you chose is no longer in the directory; please choose again."
            )
            continue
        chosen[person.id] = person
    unknown: list[str] = []
    for email in EMAIL.findall(str(values.get("nominee_emails") or ""))[:20]:
        person = await directory.person_by_email(ctx.session, email)
        if person is None or not person.active:
            unknown.append(email)
        else:
            chosen[person.id] = person
    if unknown and "nominee_emails" not in errors:
        errors["nominee_emails"] = f"I can't find {', '.join(unknown[:3])} in the directory."
    team_value = str(values["team"])
    if team_value and team_value != NO_TEAM:
        team_id = as_int(team_value)
        result.team = await ctx.session.get(Team, team_id) if team_id else None
        if result.team is None:
            errors["team"] = "That team is no longer in the directory; please choose again."
    if ctx.person.id in chosen:
        errors["nominees"] = "You can't nominate yourself, but a colleague or your manager can."
    if (
        not chosen
        and result.team is None
        and not errors.keys() & {"nominees", "team", "nominee_emails"}
    ):
        errors["nominees"] = "Choose at least one person, or a whole team."
    result.people = sorted(chosen.values(), key=lambda p: p.name)


# --- submitting -----------------------------------------------------------------------------------


async def _already_submitted(ctx: Context, form_key: str) -> list[Reply] | None:
    """A second press of Submit (or a redelivery) finds the nomination the first one made."""
    if not form_key:
        return None
    nomination = await store.nomination_by_submission(ctx.session, form_key)
    if nomination is None or ctx.person is None or nomination.nominator_id != ctx.person.id:
        return None
    vote_round = await store.current_round(ctx.session, nomination)
    closes = round_closes(ctx, vote_round) if vote_round else None
    return [Reply(nomination_received(view_of(nomination), closes), replace=True, close_form=True)]


def _form_key(action: Action) -> str:
    return as_text(action.data.get("form"))[:64]


async def submit(ctx: Context, action: Action) -> list[Reply]:
    form_key = _form_key(action) or secrets.token_hex(8)
    done = await _already_submitted(ctx, form_key)
    if done is not None:
        return done
    checked = await check(ctx, _raw_values(action))
    if checked.errors:
        await save_draft(
            ctx,
            FLOW,
            {"stage": "form", "form": form_key, "values": clipped_for_draft(checked.values)},
        )
        log.info(
            "nomination form from person %s has %d problem(s)",
            ctx.person.id if ctx.person else None,
            len(checked.errors),
        )
        card = await build_form(ctx, checked.values, form_key)
        return form_problems(card, checked.errors, checked.values)
    held = await PRIVACY.hold(ctx, checked.values, form_key)
    if held is not None:
        log.info(
            "nomination from person %s held for a privacy check",
            ctx.person.id if ctx.person else None,
        )
        return held
    return await create(ctx, checked, form_key, privacy_action=None, kinds=[])


async def save(ctx: Context, action: Action) -> list[Reply]:
    form_key = _form_key(action) or secrets.token_hex(8)
    checked = await check(ctx, _raw_values(action))
    await save_draft(
        ctx, FLOW, {"stage": "form", "form": form_key, "values": clipped_for_draft(checked.values)}
    )
    note = (
        f"Draft saved {moment(ctx.now.astimezone(ctx.tz))}. You can close this and type "
        "nominate later to carry on."
    )
    return [Reply(await build_form(ctx, checked.values, form_key, note))]


async def discard(ctx: Context, _action: Action) -> list[Reply]:
    await delete_draft(ctx, FLOW)
    return [Reply(await build_form(ctx, {}, secrets.token_hex(8), "Your draft is cleared."))]


async def privacy_continue(ctx: Context, action: Action) -> list[Reply]:
    form_key = _form_key(action)
    done = await _already_submitted(ctx, form_key)
    if done is not None:
        return done

    async def edit(values: dict[str, object], form_key: str) -> list[Reply]:
        note = "Edit what was flagged, then submit again."
        return [Reply(await build_form(ctx, values, form_key, note))]

    answer = await PRIVACY.answer(
        ctx, action, lambda why: out_of_date(ctx, PRIVACY.verb, why), edit
    )
    if isinstance(answer, list):
        return answer
    checked = await check(ctx, answer.values)
    if checked.errors:
        await save_draft(
            ctx,
            FLOW,
            {"stage": "form", "form": form_key, "values": clipped_for_draft(checked.values)},
        )
        card = await build_form(ctx, checked.values, form_key)
        return form_problems(card, checked.errors, checked.values)
    return await create(
        ctx, checked, form_key, privacy_action=answer.action_taken, kinds=answer.kinds
    )


async def create(
    ctx: Context, checked: Checked, form_key: str, *, privacy_action: str | None, kinds: list[str]
) -> list[Reply]:
    assert ctx.person is not None
    values = checked.values
    nomination = Nomination(
        nominator=ctx.person,
        team=checked.team,
        what_happened=str(values["what_happened"]),
        difference_made=str(values["difference_made"]),
        evidence=str(values["evidence"]),
        evidence_source=str(values["evidence_source"]),
        theme=str(values["theme"]),
        case_reference=str(values["case_reference"]) or None,
        family_voice=bool(values["family_voice"]),
        consent_to_share=bool(values["consent"]),
        additions=[],
        privacy_confirmed=kinds if privacy_action == "confirmed" else [],
        status=store.VOTING,
        submission_key=form_key,
        round=1,
        submitted_at=ctx.now,
        updated_at=ctx.now,
    )
    nominees = [Nominee(person=p, via_team=False) for p in checked.people]
    if checked.team is not None:
        named = {p.id for p in checked.people}
        for member in await directory.team_members(ctx.session, checked.team.id):
            if member.id not in named and member.id != ctx.person.id:
                nominees.append(Nominee(person=member, via_team=True))
    nomination.nominees = nominees
    ctx.session.add(nomination)
    await ctx.session.flush()
    await delete_draft(ctx, FLOW)
    ctx.audit.record(
        "nomination.submitted",
        actor_id=ctx.person.id,
        subject=nomination.reference,
        details={
            "nominees": len(checked.people),
            "team": checked.team.name if checked.team else None,
            "theme": nomination.theme,
            "consent": nomination.consent_to_share,
            "privacy": {"action": privacy_action, "kinds": kinds} if privacy_action else None,
        },
    )
    log.info("nomination %s submitted by person %s", nomination.id, ctx.person.id)
    vote_round = await open_round(ctx, nomination, 1)
    closes = round_closes(ctx, vote_round) if nomination.status == store.VOTING else None
    return [Reply(nomination_received(view_of(nomination), closes), replace=True, close_form=True)]


# --- my nominations -------------------------------------------------------------------------------


async def show_mine(ctx: Context) -> list[Reply]:
    assert ctx.person is not None
    rows = []
    for nomination in await store.nominations_by(ctx.session, ctx.person.id):
        status = STATUS_LABELS.get(nomination.status, nomination.status)
        if nomination.status == store.VOTING:
            vote_round = await store.current_round(ctx.session, nomination)
            if vote_round is not None:
                status += f" until {moment(round_closes(ctx, vote_round))}"
        rows.append((view_of(nomination), status))
    draft = await load_draft(ctx, FLOW)
    saved = draft.updated_at.astimezone(ctx.tz) if draft is not None else None
    return [Reply(my_nominations(rows, draft_saved=saved))]


async def tasks(ctx: Context) -> list[Card]:
    if ctx.person is None:
        return []
    waiting = [
        n
        for n in await store.nominations_by(ctx.session, ctx.person.id)
        if n.status == store.NEEDS_MORE_INFORMATION
    ]
    if not waiting:
        return []
    rows = [(view_of(n), "The CSW group asked for more information") for n in waiting]
    card = my_nominations(rows, draft_saved=None)
    return [
        card.model_copy(
            update={
                "name": "tasks_more_information",
                "title": "Your nominations needing more information",
                "buttons": [b for b in card.buttons if b.verb == "nomination.more"],
            }
        )
    ]


# --- more information and resubmission ------------------------------------------------------------


def _more_flow(nomination_id: int) -> str:
    return f"more:{nomination_id}"


async def _own_waiting(ctx: Context, action: Action, verb: str) -> Nomination | list[Reply]:
    assert ctx.person is not None
    nomination_id = as_int(action.data.get("nomination"))
    nomination = await store.get_nomination(ctx.session, nomination_id or 0, lock=True)
    if nomination is None:
        return out_of_date(ctx, verb, f"no nomination {nomination_id}")
    if nomination.nominator_id != ctx.person.id:
        refuse(ctx, verb, "not the nominator", subject=nomination.reference)
        return out_of_date(
            ctx, verb, "not the nominator", "Only the person who made a nomination can add to it."
        )
    if nomination.status != store.NEEDS_MORE_INFORMATION:
        return out_of_date(
            ctx,
            verb,
            f"nomination {nomination.id} is {nomination.status}",
            f"{nomination.reference} isn't waiting for more information (it is "
            f"{STATUS_LABELS.get(nomination.status, nomination.status).lower()}), "
            "so nothing was changed.",
        )
    return nomination


async def _comments(ctx: Context, nomination: Nomination) -> list[str]:
    ballots = await store.ballots(ctx.session, nomination.id, nomination.round)
    return voting.summarise_comments(ballots)


async def _more_form(ctx: Context, nomination: Nomination, value: str = "") -> Card:
    return more_information_form(
        view_of(nomination),
        await _comments(ctx, nomination),
        value=value,
        max_length=ctx.framework.nominations.what_happened_max,
    )


async def more_start(ctx: Context, action: Action) -> list[Reply]:
    found = await _own_waiting(ctx, action, "nomination.more")
    if isinstance(found, list):
        return found
    draft = await load_draft(ctx, _more_flow(found.id))
    value = str((draft.state.get("values") or {}).get("more") or "") if draft else ""
    return [Reply(await _more_form(ctx, found, value))]


async def resubmit(ctx: Context, action: Action) -> list[Reply]:
    found = await _own_waiting(ctx, action, "nomination.resubmit")
    if isinstance(found, list):
        return found
    nomination = found
    if as_int(action.data.get("round")) != nomination.round:
        return out_of_date(ctx, "nomination.resubmit", "round mismatch")
    limit = ctx.framework.nominations.what_happened_max
    text = as_text(input_value(action.inputs, action.data, "more"))
    problem = (
        "Please add the information the group asked for."
        if not text
        else _length_problem(text, limit)
    )
    flow = _more_flow(nomination.id)
    if problem:
        await save_draft(ctx, flow, {"stage": "form", "values": {"more": text[:limit]}})
        card = await _more_form(ctx, nomination, text[:limit])
        return form_problems(card, {"more": problem})
    await load_staff_names(ctx)
    flagged = screen_fields(ctx, [("more", "What you added", text)])
    if flagged:
        await save_draft(ctx, flow, {"stage": "privacy", "values": {"more": text}})
        card = privacy_check_form(
            [(label, finding) for _, label, finding in flagged],
            verb="nomination.more_privacy",
            data={"nomination": nomination.id, "round": nomination.round},
            preview=removal_preview(ctx, {"more": text}, MORE_FIELD),
        )
        return [Reply(card)]
    return await _reopen_with(ctx, nomination, text, None)


async def more_privacy_continue(ctx: Context, action: Action) -> list[Reply]:
    found = await _own_waiting(ctx, action, "nomination.more_privacy")
    if isinstance(found, list):
        return found
    nomination = found
    flow = _more_flow(nomination.id)
    draft = await load_draft(ctx, flow)
    if (
        draft is None
        or draft.state.get("stage") != "privacy"
        or as_int(action.data.get("round")) != nomination.round
    ):
        return out_of_date(
            ctx, "nomination.more_privacy", "no addition waiting for a privacy check"
        )
    values: dict[str, Any] = dict(draft.state.get("values") or {})
    choice = as_text(input_value(action.inputs, action.data, "privacy_choice"))
    if choice == "edit":
        await save_draft(ctx, flow, {"stage": "form", "values": values})
        return [Reply(await _more_form(ctx, nomination, str(values.get("more") or "")))]
    if choice not in ("remove", "confirm"):
        problem = "Please choose what to do."
        await load_staff_names(ctx)
        flagged = screen_fields(ctx, [("more", "What you added", str(values.get("more") or ""))])
        card = privacy_check_form(
            [(label, f) for _, label, f in flagged],
            verb="nomination.more_privacy",
            data={"nomination": nomination.id, "round": nomination.round},
            preview=removal_preview(ctx, values, MORE_FIELD),
        )
        return form_problems(card, {"privacy_choice": problem})
    if choice == "remove":
        await load_staff_names(ctx)
        values = redact_fields(ctx, values, ["more"])
    return await _reopen_with(ctx, nomination, str(values.get("more") or ""), choice)


async def _reopen_with(
    ctx: Context, nomination: Nomination, text: str, privacy_action: str | None
) -> list[Reply]:
    assert ctx.person is not None
    number = nomination.round + 1
    nomination.additions = [
        *(nomination.additions or []),
        {"round": number, "text": text, "at": ctx.now.isoformat()},
    ]
    nomination.round = number
    nomination.status = store.VOTING
    nomination.decided_at = None
    nomination.updated_at = ctx.now
    await delete_draft(ctx, _more_flow(nomination.id))
    ctx.audit.record(
        "nomination.resubmitted",
        actor_id=ctx.person.id,
        subject=nomination.reference,
        details={"round": number, "privacy": privacy_action},
    )
    log.info("nomination %s resubmitted for round %s", nomination.id, number)
    vote_round = await open_round(ctx, nomination, number)
    closes = round_closes(ctx, vote_round) if nomination.status == store.VOTING else None
    return [Reply(resubmitted(view_of(nomination), closes), replace=True, close_form=True)]
