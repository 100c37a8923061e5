"""Raising a dispute (`rpd`, `dispute`), walking it with its card, the case note and the
QA team's list. Who may see or act on a dispute comes from the store, never from the card:
anyone else gets "not found", the same answer as for a number that does not exist."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from bot.cards.model import Card
from bot.cards.shared import simple
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import (
    PrivacyAnswer,
    PrivacyStep,
    as_int,
    as_text,
    calendar,
    form_problems,
    input_value,
    save_draft,
)
from bot.domain import ladder_engine
from bot.domain.ladders import Ladder
from bot.escalations import cards, flows, rules
from bot.escalations import store as s
from bot.escalations.store import Dispute
from bot.store import directory

log = logging.getLogger(__name__)

START = PrivacyStep(
    flow="dispute",
    verb="dispute.privacy",
    fields=(("resolution_sought", "The resolution you are seeking"),),
)
STEP = PrivacyStep(
    flow="dispute_step", verb="dispute.step_privacy", fields=(("text", "Your text"),)
)
STEPS = ("resolve", "escalate", "note", "withdraw")


def register(router: Router) -> None:
    router.command(
        "rpd",
        "dispute",
        summary="raise a professional disagreement (or `dispute 12` to see one)",
        usage="rpd",
        offered=lambda f: bool(f.escalations.ladders),
    )(start_command)
    router.command(
        "disputes",
        summary="open disputes you can see, by ladder and stage; `disputes report` for the quarter",
        offered=lambda f: bool(f.escalations.ladders),
    )(list_command)
    router.action("dispute.risk")(risk_answer)
    router.action("dispute.about_grade")(about_grade)
    router.action("dispute.submit")(submit)
    router.action("dispute.privacy")(start_privacy)
    router.action("dispute.step")(step)
    router.action("dispute.step_submit")(step_submit)
    router.action("dispute.step_privacy")(step_privacy)
    router.action("dispute.note_text")(note_text)
    router.action("dispute.show")(show_pressed)
    router.tasks(tasks)


# --- raising ----------------------------------------------------------------------------------


async def start_command(ctx: Context, args: str) -> list[Reply]:
    if args:
        return await show(ctx, args)
    if not ctx.framework.escalations.ladders:
        return [Reply(simple("notice", "Not set up", "No escalation ladder is configured."))]
    return [Reply(cards.risk_question())]


async def show(ctx: Context, typed: str) -> list[Reply]:
    number = as_int(typed.lstrip("#").strip())
    dispute = await _visible(ctx, number)
    if dispute is None:
        log.info("dispute lookup refused or unknown for person %s", _pid(ctx))
        return [Reply(cards.not_found(typed))]
    return [Reply(await flows.card_of(ctx, dispute))]


GRADE_CATEGORY = "Audit or moderation grade"


async def about_grade(ctx: Context, action: Action) -> list[Reply]:
    """From an audit or moderation outcome card: the framework's audit dispute, about that case
    and grade (the risk question still comes first)."""
    ladder = next((lad for lad in ctx.framework.escalations.ladders if lad.note == "audit"), None)
    if ladder is None:
        text = "This framework has no audit dispute process: talk to the QA team."
        return [Reply(simple("notice", "No audit dispute process", text, "warning"))]
    case = as_text(action.data.get("case"))[:40]
    grade = as_text(action.data.get("grade"))[:40]
    return [Reply(cards.risk_question({"l": ladder.key, "case": case, "grade": grade}))]


def _prefill(ctx: Context, action: Action) -> dict[str, object]:
    """What a dispute about a grade starts with: the case, the category and the grade."""
    values: dict[str, object] = {}
    case = as_text(action.data.get("case"))[:40]
    if case and ctx.framework.case_reference.matches(case):
        values["case_reference"] = case
    grade = as_text(action.data.get("grade"))[:40].replace("_", " ").lower()
    if grade:
        if GRADE_CATEGORY in ctx.framework.escalations.categories:
            values["category"] = GRADE_CATEGORY
        values["resolution_sought"] = f"A review of the grade ({grade})."
    return values


def _about(action: Action) -> dict[str, str | int | bool | None]:
    return {
        k: as_text(action.data.get(k))[:40] for k in ("l", "case", "grade") if action.data.get(k)
    }


async def risk_answer(ctx: Context, action: Action) -> list[Reply]:
    answer = as_text(action.data.get("risk"))
    route = ctx.framework.escalations.child_protection
    if answer == "yes":
        told = await flows.tell_child_protection_roles(ctx)
        if route is None:
            text = (
                "Make a child protection referral now through your front door; "
                "call 999 in an emergency."
            )
            return [
                Reply(simple("dispute_child_protection", "Child protection", text, "attention"))
            ]
        names = [f"{p.name} ({flows.role_of(p)})" for p in told]
        card = cards.child_protection_route(
            route.front_door, route.out_of_hours, names, route.mailbox, _about(action)
        )
        return [Reply(card, replace=True)]
    esc = ctx.framework.escalations
    ladder = esc.ladder(as_text(action.data.get("l"))) or _default_ladder(ctx)
    form = _form(ctx, ladder).with_errors({}, _prefill(ctx, action))
    return [Reply(form, replace=answer == "no")]


def _default_ladder(ctx: Context) -> Ladder:
    rules_ = ctx.framework.escalations
    return rules_.ladder(rules_.default_ladder) or rules_.ladders[0]


def _form(ctx: Context, ladder: Ladder) -> Card:
    return cards.start_form(
        [(lad.key, lad.name) for lad in ctx.framework.escalations.ladders],
        ladder.key,
        list(ctx.framework.escalations.categories),
        [(i, ladder.stages[i].name) for i in ladder.start_choices],
        ctx.framework.case_reference.label,
        ladder.multi_agency,
    )


FIELDS = (
    "ladder",
    "other_email",
    "other_name",
    "other_agency",
    "case_reference",
    "category",
    "resolution_sought",
    "start_stage",
)


def _values(action: Action) -> dict[str, object]:
    values: dict[str, object] = {
        name: as_text(input_value(action.inputs, action.data, name)) for name in FIELDS
    }
    values["ladder"] = values["ladder"] or as_text(action.data.get("l"))
    return values


async def _check(
    ctx: Context, values: dict[str, object]
) -> tuple[flows.NewDispute | None, dict[str, str]]:
    esc = ctx.framework.escalations
    errors: dict[str, str] = {}
    ladder = esc.ladder(str(values.get("ladder") or "")) or _default_ladder(ctx)
    text = {k: str(values.get(k) or "") for k in FIELDS}
    other = None
    if text["other_email"]:
        other = await directory.person_by_email(ctx.session, text["other_email"].lower())
        if other is None or not other.active:
            errors["other_email"] = "Nobody in the directory has that email: leave it empty."
        elif ctx.person is not None and other.id == ctx.person.id:
            errors["other_email"] = "That is you: give the other professional's email."
    name = text["other_name"] or (other.name if other else "")
    if not name:
        errors["other_name"] = "Say who you disagree with."
    if ladder.multi_agency and not text["other_agency"]:
        errors["other_agency"] = "Say which agency they work for."
    case = text["case_reference"]
    if case and not ctx.framework.case_reference.matches(case):
        rule = ctx.framework.case_reference
        errors["case_reference"] = f"That isn't a {rule.label} (for example {rule.example})."
    if text["category"] not in esc.categories:
        errors["category"] = "Choose what the disagreement is about."
    if not text["resolution_sought"]:
        errors["resolution_sought"] = "Say what resolution you are seeking."
    start = as_int(text["start_stage"]) if text["start_stage"] else 0
    if start is None or not ladder_engine.may_start_at(ladder, start):
        errors["start_stage"] = "This process can't start at that stage."
    if errors:
        return None, errors
    return (
        flows.NewDispute(
            ladder=ladder,
            other_person=other,
            other_name=name[:200],
            other_agency=text["other_agency"][:200],
            case_reference=case.strip(),
            category=text["category"],
            resolution_sought=text["resolution_sought"][: cards.TEXT_MAX],
            start_index=start or 0,
        ),
        {},
    )


async def submit(ctx: Context, action: Action) -> list[Reply]:
    values = _values(action)
    new, errors = await _check(ctx, values)
    if new is None:
        ladder = ctx.framework.escalations.ladder(str(values["ladder"])) or _default_ladder(ctx)
        log.info("dispute form from person %s has %d problem(s)", _pid(ctx), len(errors))
        return form_problems(_form(ctx, ladder), errors, values)
    form_key = secrets.token_hex(8)
    held = await START.hold(ctx, values, form_key)
    if held is not None:
        return held
    return await _raise(ctx, new)


async def start_privacy(ctx: Context, action: Action) -> list[Reply]:
    async def edit(values: dict[str, object], _key: str) -> list[Reply]:
        ladder = ctx.framework.escalations.ladder(str(values.get("ladder"))) or _default_ladder(ctx)
        return [Reply(_form(ctx, ladder).with_errors({}, values))]

    answer = await START.answer(ctx, action, lambda why: _stale_form(ctx, why), edit)
    if not isinstance(answer, PrivacyAnswer):
        return answer
    new, errors = await _check(ctx, answer.values)
    if new is None:
        return form_problems(_form(ctx, _default_ladder(ctx)), errors, answer.values)
    await save_draft(ctx, START.flow, {"stage": "done"})
    return await _raise(ctx, new)


async def _raise(ctx: Context, new: flows.NewDispute) -> list[Reply]:
    dispute = await flows.open_dispute(ctx, new)
    log.info("dispute %s raised by person %s on %s", dispute.id, _pid(ctx), new.ladder.key)
    card = await flows.card_of(ctx, dispute, f"Dispute {dispute.id} is raised.")
    note = await flows.case_note_card(ctx, dispute)
    return [Reply(card, replace=True, close_form=True), Reply(note)]


def _stale_form(ctx: Context, why: str) -> list[Reply]:
    log.info("stale dispute form from person %s: %s", _pid(ctx), why)
    text = "That form has already been dealt with. Type rpd to raise another."
    return [Reply(simple("stale_card", "This card is out of date", text, "warning"))]


# --- walking ----------------------------------------------------------------------------------


async def _visible(ctx: Context, number: int | None) -> Dispute | None:
    if number is None:
        return None
    dispute = await s.by_id(ctx.session, number)
    if dispute is None or ctx.framework.escalations.ladder(dispute.ladder) is None:
        return None
    return dispute if await flows.visible_to(ctx, dispute) else None


async def _pressed(ctx: Context, action: Action) -> tuple[Dispute | None, list[Reply]]:
    """The dispute a card is about, or the answer to give instead (not found, or stale)."""
    number = as_int(action.data.get("d"))
    dispute = await _visible(ctx, number)
    if dispute is None:
        log.warning("dispute action %s refused for person %s", action.verb, _pid(ctx))
        ctx.audit.record(
            "dispute.refused",
            actor_id=_pid(ctx),
            details={"verb": action.verb, "dispute": number},
        )
        return None, [Reply(cards.not_found(str(action.data.get("d") or "")))]
    if as_int(action.data.get("v")) != dispute.version or dispute.status != rules.OPEN:
        log.info("stale dispute card %s from person %s", dispute.id, _pid(ctx))
        headline = "This dispute has moved on since that card: here is where it is now."
        return None, [Reply(await flows.card_of(ctx, dispute, headline), replace=True)]
    return dispute, []


async def step(ctx: Context, action: Action) -> list[Reply]:
    dispute, answer = await _pressed(ctx, action)
    if dispute is None:
        return answer
    which = as_text(action.data.get("s"))
    if which not in STEPS:
        return [Reply(cards.not_found(str(dispute.id)))]
    refusal = _refusal(ctx, dispute, which)
    if refusal:
        return [Reply(simple("not_allowed", "Not available to you", refusal, "warning"))]
    stage = flows.ladder_of(ctx, dispute).stages[dispute.stage_index].name
    return [Reply(cards.step_form(dispute.id, dispute.version, which, stage))]


def _refusal(ctx: Context, dispute: Dispute, which: str) -> str:
    if which == "withdraw" and not (
        _pid(ctx) == dispute.raised_by_id or flows.oversees(ctx, dispute)
    ):
        return "Only the person who raised it (or the QA team) can withdraw it."
    if which == "escalate":
        ladder = flows.ladder_of(ctx, dispute)
        if ladder_engine.next_stage_index(ladder, dispute.stage_index) is None:
            return "This is the last stage: it ends with a decision."
    return ""


async def step_submit(ctx: Context, action: Action) -> list[Reply]:
    dispute, answer = await _pressed(ctx, action)
    if dispute is None:
        return answer
    which = as_text(action.data.get("s"))
    text = as_text(input_value(action.inputs, action.data, "text"))[: cards.TEXT_MAX]
    if which not in STEPS:
        return [Reply(cards.not_found(str(dispute.id)))]
    refusal = _refusal(ctx, dispute, which)
    if refusal:
        return [Reply(simple("not_allowed", "Not available to you", refusal, "warning"))]
    stage = flows.ladder_of(ctx, dispute).stages[dispute.stage_index].name
    if not text and which != "withdraw":
        form = cards.step_form(dispute.id, dispute.version, which, stage)
        return form_problems(form, {"text": "Please write something here."}, {})
    values: dict[str, object] = {"text": text, "d": dispute.id, "v": dispute.version, "s": which}
    held = await STEP.hold(ctx, values, f"{dispute.id}-{dispute.version}-{which}")
    if held is not None:
        return held
    return await _apply(ctx, dispute, which, text)


async def step_privacy(ctx: Context, action: Action) -> list[Reply]:
    async def edit(values: dict[str, object], _key: str) -> list[Reply]:
        number = as_int(values.get("d")) or 0
        version = as_int(values.get("v")) or 0
        which = str(values.get("s") or "note")
        form = cards.step_form(number, version, which if which in STEPS else "note", "")
        return [Reply(form.with_errors({}, values))]

    answer = await STEP.answer(ctx, action, lambda why: _stale_form(ctx, why), edit)
    if not isinstance(answer, PrivacyAnswer):
        return answer
    await save_draft(ctx, STEP.flow, {"stage": "done"})
    values = answer.values
    pressed = Action(verb="dispute.step_submit", data={"d": values.get("d"), "v": values.get("v")})
    dispute, stale = await _pressed(ctx, pressed)
    which = str(values.get("s") or "")
    if dispute is None:
        return stale
    if which not in STEPS or _refusal(ctx, dispute, which):
        return [Reply(cards.not_found(str(dispute.id)))]
    return await _apply(ctx, dispute, which, str(values.get("text") or ""))


async def _apply(ctx: Context, dispute: Dispute, which: str, text: str) -> list[Reply]:
    headline = ""
    if which == "resolve":
        await flows.close(ctx, dispute, rules.RESOLVED, text)
        headline = "Resolved. Copy the case note into the child's record."
    elif which == "withdraw":
        await flows.close(ctx, dispute, rules.WITHDRAWN, text)
        headline = "Withdrawn."
    elif which == "escalate":
        await flows.escalate(ctx, dispute, text)
        stage = flows.ladder_of(ctx, dispute).stages[dispute.stage_index].name
        headline = f"Escalated to {stage}. The next stage's people have been told."
    else:
        await flows.add_note(ctx, dispute, text)
        headline = "Note added."
    log.info("dispute %s: %s by person %s", dispute.id, which, _pid(ctx))
    replies = [Reply(await flows.card_of(ctx, dispute, headline), replace=True, close_form=True)]
    if which != "note":
        replies.append(Reply(await flows.case_note_card(ctx, dispute)))
    return replies


async def show_pressed(ctx: Context, action: Action) -> list[Reply]:
    return await show(ctx, as_text(action.data.get("d")))


async def tasks(ctx: Context) -> list[Card]:
    """ "My tasks": the open disputes the person is part of, with their clocks."""
    if ctx.person is None:
        return []
    mine = await s.disputes_of_member(ctx.session, ctx.person.id)
    lines: list[tuple[str, str]] = []
    buttons: list[tuple[int, str]] = []
    for dispute in mine:
        ladder = ctx.framework.escalations.ladder(dispute.ladder)
        if ladder is None:
            continue
        stage = ladder.stages[dispute.stage_index]
        clock = ladder_engine.clock_words(calendar(ctx), dispute.stage_due_on, ctx.today)
        lines.append((f"Dispute {dispute.id}", f"{stage.name}: {clock}"))
        buttons.append((dispute.id, f"Dispute {dispute.id}"))
    if not lines:
        return []
    return [cards.my_disputes(lines, buttons)]


async def note_text(ctx: Context, action: Action) -> list[Reply]:
    dispute = await _visible(ctx, as_int(action.data.get("d")))
    if dispute is None:
        return [Reply(cards.not_found(str(action.data.get("d") or "")))]
    return [Reply(await flows.case_note_card(ctx, dispute))]


# --- the list ---------------------------------------------------------------------------------


async def list_command(ctx: Context, args: str) -> list[Reply]:
    if ctx.person is None:
        return []
    words = args.strip().lower().split()
    if words[:1] == ["report"]:
        return await report(ctx, " ".join(words[1:]))
    mine_only = words == ["mine"]
    found: list[Dispute] = []
    for dispute in await s.open_disputes(ctx.session):
        if ctx.framework.escalations.ladder(dispute.ladder) is None:
            continue
        if mine_only and not await s.is_member(ctx.session, dispute.id, ctx.person.id):
            continue
        if await flows.visible_to(ctx, dispute):
            found.append(dispute)
    by_ladder: dict[str, list[tuple[str, str]]] = {}
    cal_today = ctx.today
    for dispute in found:
        ladder = flows.ladder_of(ctx, dispute)
        stage = ladder.stages[dispute.stage_index]
        clock = ladder_engine.clock_words(calendar(ctx), dispute.stage_due_on, cal_today)
        label = f"Dispute {dispute.id} ({dispute.case_reference or 'no case ref'})"
        by_ladder.setdefault(ladder.name, []).append((label, f"{stage.name}: {clock}"))
    return [Reply(cards.disputes_list(list(by_ladder.items()), "No open disputes you can see."))]


async def report(ctx: Context, which: str) -> list[Reply]:
    """The quarterly report (this quarter, or ``last``) for the ladders the person oversees."""
    esc = ctx.framework.escalations
    if not any(ctx.has_role(ladder.overseen_by) for ladder in esc.ladders):
        text = "The disputes report is for the QA team (or the partnership business unit)."
        return [Reply(simple("not_allowed", "Not available to you", text, "warning"))]
    if which not in ("", "last"):
        text = "Type `disputes report` for this quarter or `disputes report last` for the last."
        return [Reply(simple("notice", "Which quarter?", text, "warning"))]
    cal = calendar(ctx)
    quarter = cal.quarter_of(ctx.today)
    if which == "last":
        quarter = cal.quarter_of(quarter.start - timedelta(days=1))
    found = await flows.report_rows(ctx, quarter.start, quarter.end)
    name = f"disputes-{quarter.start:%Y-%m}.csv"
    url = await flows.download_link(ctx, name, "text/csv", rules.report_csv(found))
    log.info("disputes report for %s made by person %s (%d)", quarter, _pid(ctx), len(found))
    card = cards.quarterly_report(str(quarter), rules.quarterly_counts(found), url)
    return [Reply(card)]


def _pid(ctx: Context) -> int | None:
    return ctx.person.id if ctx.person is not None else None
