"""Logging an item in chat (`log feedback`, `log dip review` ...), the privacy check of its
free text, and correcting or withdrawing it (`my logs`) by whoever logged it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from bot.cards.model import Card, Choice, ChoiceInput
from bot.cards.shared import simple
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import (
    PrivacyStep,
    as_int,
    as_list,
    as_text,
    delete_draft,
    form_problems,
    input_value,
    strip_case_references,
)
from bot.quotas import flows, store
from bot.quotas.cards import FormChoices, item_logged, item_withdrawn, label_of, log_form, log_menu
from bot.quotas.cards import my_logs as my_logs_card
from bot.quotas.rules import (
    FEEDBACK_KINDS,
    FEEDBACK_SOURCES,
    FORM_FIELDS,
    KIND_WORDS,
    NOTES_MAX,
    THEME_MAX,
    check_choice,
    check_date,
)
from bot.quotas.store import QuotaItem
from bot.store.models import Person, Team

log = logging.getLogger("bot.quotas.dialogs")

FLOW = "quota_log"
FIELDS = (
    "occurred_on",
    "subject",
    "team",
    "source",
    "feedback_kind",
    "case_ref",
    "themes",
    "theme",
    "notes",
)
PRIVACY = PrivacyStep(
    flow=FLOW, verb="quota.privacy", fields=(("theme", "Theme"), ("notes", "Notes"))
)


def register(router: Router) -> None:
    router.command(
        "log",
        summary="Log family feedback, a dip review, an observation or an audit",
        usage="log [feedback | dip review | observation | audit | multi-agency audit | call "
        "| conversation]",
        offered=lambda framework: bool(framework.quotas),
    )(log_command)
    router.command(
        "my logs",
        summary="What you logged: correct or withdraw it",
        offered=lambda framework: bool(framework.quotas),
    )(my_logs_command)
    router.action("quota.menu")(menu_action)
    router.action("quota.form")(form_action)
    router.action("quota.save")(save_action)
    router.action("quota.privacy")(privacy_action)
    router.action("quota.correct")(correct_action)
    router.action("quota.withdraw")(withdraw_action)


# --- opening a form ----------------------------------------------------------------------------


async def log_command(ctx: Context, args: str) -> list[Reply]:
    kinds = flows.loggable_kinds(ctx)
    if not args.strip():
        return [Reply(log_menu(kinds))]
    kind = KIND_WORDS.get(args.strip().lower())
    if kind is None:
        known = ", ".join(sorted({w for w, k in KIND_WORDS.items() if k in kinds})) or "nothing"
        return [
            Reply(
                simple(
                    "quota_unknown_kind",
                    "I can't log that",
                    f"I don't know how to log “{args.strip()[:60]}”. You can log: {known}.",
                    "warning",
                )
            )
        ]
    return await _open_form(ctx, kind)


async def menu_action(ctx: Context, _action: Action) -> list[Reply]:
    return [Reply(log_menu(flows.loggable_kinds(ctx)))]


async def form_action(ctx: Context, action: Action) -> list[Reply]:
    return await _open_form(ctx, as_text(action.data.get("kind")))


async def _open_form(ctx: Context, kind: str) -> list[Reply]:
    if kind not in FORM_FIELDS or not flows.may_log_kind(ctx, kind):
        return _refused(ctx, "quota.form", f"Your role cannot log {label_of(kind)} here.")
    card = await _form(ctx, kind, {})
    return _nothing_to_choose(ctx, kind, card, "Ask the QA team to log it") or [Reply(card)]


def _nothing_to_choose(ctx: Context, kind: str, card: Card, ask: str) -> list[Reply] | None:
    """A notice instead of a form with a required choice that has no choices: Slack refuses a
    select with no options and Teams a choice set with no choices, and a form that cannot be
    completed is no use to the person anyway."""
    empty = _empty_required_choice(card)
    if empty is None:
        return None
    person_id = ctx.person.id if ctx.person else None
    log.info("no %s to offer for %s to person %s", empty.id, kind, person_id)
    return [
        Reply(
            simple(
                "quota_nothing_to_choose",
                "Nothing to choose from",
                f"There is no {empty.label.lower()} you may choose in the {label_of(kind)} form "
                f"(you may log for your own team and your direct reports). {ask}, or to check "
                "your team and manager in the staff directory.",
                "warning",
            )
        )
    ]


def _empty_required_choice(card: Card) -> ChoiceInput | None:
    return next(
        (e for e in card.body if isinstance(e, ChoiceInput) and e.required and not e.choices),
        None,
    )


async def _form(
    ctx: Context, kind: str, values: dict[str, object], item_id: int | None = None
) -> Card:
    people = await flows.subject_choices(ctx) if _has(kind, "subject") else []
    teams = await flows.team_choices(ctx) if _has(kind, "team") else []
    choices = FormChoices(
        people=[
            Choice(title=f"{p.name} ({flows.person_group(p)})", value=str(p.id)) for p in people
        ],
        teams=[Choice(title=t.name, value=str(t.id)) for t in teams],
        themes=[Choice(title=t, value=t) for t in ctx.framework.nominations.themes],
    )
    case = ctx.framework.case_reference
    return log_form(
        kind, choices, values, case_label=case.label, case_example=case.example, item_id=item_id
    )


def _has(kind: str, field_id: str) -> bool:
    return any(f == field_id for f, _ in FORM_FIELDS[kind])


# --- checking and saving -----------------------------------------------------------------------


@dataclass
class Checked:
    values: flows.ItemValues | None
    raw: dict[str, object]
    errors: dict[str, str]


async def check(ctx: Context, kind: str, raw: dict[str, object]) -> Checked:
    """The form's values, each problem named beside its field."""
    errors: dict[str, str] = {}
    required = dict(FORM_FIELDS[kind])
    day = _date(as_text(raw.get("occurred_on")))
    problem = check_date(day, ctx.today)
    if problem:
        errors["occurred_on"] = problem
    subject: Person | None = None
    team: Team | None = None
    if "subject" in required:
        subject = await _subject(ctx, raw.get("subject"))
        if subject is None:
            errors["subject"] = "Choose a practitioner you may log this for."
    if "team" in required:
        team = await _team(ctx, raw.get("team"))
        if team is None:
            errors["team"] = "Choose one of your teams."
    for field_id, options in (("source", FEEDBACK_SOURCES), ("feedback_kind", FEEDBACK_KINDS)):
        if field_id in required:
            choice_problem = check_choice(as_text(raw.get(field_id)), options)
            if choice_problem:
                errors[field_id] = choice_problem
    themes = as_list(raw.get("themes")) if "themes" in required else []
    unknown = [t for t in themes if t not in ctx.framework.nominations.themes]
    if unknown:
        errors["themes"] = "Choose themes from the list."
    case_ref = as_text(raw.get("case_ref"))
    case_rule = ctx.framework.case_reference
    if "case_ref" in required:
        if required["case_ref"] and not case_ref:
            errors["case_ref"] = f"Give the {case_rule.label}."
        elif case_ref and not case_rule.matches(case_ref):
            errors["case_ref"] = f"A {case_rule.label} looks like {case_rule.example}."
    theme = as_text(raw.get("theme")) if "theme" in required else ""
    notes = as_text(raw.get("notes")) if "notes" in required else ""
    for field_id, text, limit in (("theme", theme, THEME_MAX), ("notes", notes, NOTES_MAX)):
        if field_id not in required:
            continue
        if required[field_id] and not text:
            errors[field_id] = "This is needed."
        elif len(text) > limit:
            errors[field_id] = f"Keep it under {limit} characters (it has {len(text)})."
    if errors or day is None:
        return Checked(None, raw, errors)
    values = flows.ItemValues(
        kind=kind,
        occurred_on=day,
        subject=subject,
        team=team,
        case_ref=case_ref.strip() or None,
        source=as_text(raw.get("source")) or None,
        feedback_kind=as_text(raw.get("feedback_kind")) or None,
        themes=themes,
        theme=theme or None,
        notes=notes or None,
    )
    return Checked(values, raw, {})


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


async def _subject(ctx: Context, value: object) -> Person | None:
    person_id = as_int(as_text(value))
    if person_id is None:
        return None
    allowed = await flows.subject_choices(ctx)
    return next((p for p in allowed if p.id == person_id), None)


async def _team(ctx: Context, value: object) -> Team | None:
    team_id = as_int(as_text(value))
    if team_id is None:
        return None
    return next((t for t in await flows.team_choices(ctx) if t.id == team_id), None)


def _raw(action: Action) -> dict[str, object]:
    return {f: input_value(action.inputs, action.data, f) for f in FIELDS}


async def save_action(ctx: Context, action: Action) -> list[Reply]:
    kind = as_text(action.data.get("kind"))
    item_id = as_int(action.data.get("item"))
    if kind not in FORM_FIELDS or not flows.may_log_kind(ctx, kind):
        return _refused(ctx, "quota.save", f"Your role cannot log {label_of(kind)} here.")
    item = None
    if item_id is not None:
        item = await _own_item(ctx, item_id)
        if item is None or item.kind != kind:
            return _refused(ctx, "quota.save", "Only whoever logged an item can correct it.")
    checked = await check(ctx, kind, _raw(action))
    if checked.values is None:
        log.info(
            "quota form (%s) from person %s has %d problem(s)",
            kind,
            ctx.person.id if ctx.person else None,
            len(checked.errors),
        )
        card = await _form(ctx, kind, {}, item_id)
        return form_problems(card, checked.errors, checked.raw)
    form_key = f"{kind}:{item_id or 'new'}"
    held = await PRIVACY.hold(ctx, dict(checked.raw), form_key)
    if held is not None:
        return held
    return await _store(ctx, checked.values, item, privacy=None)


async def privacy_action(ctx: Context, action: Action) -> list[Reply]:
    async def edit(values: dict[str, object], form_key: str) -> list[Reply]:
        kind, _, item = form_key.partition(":")
        card = await _form(ctx, kind, values, as_int(item))
        return [Reply(card)]

    answer = await PRIVACY.answer(ctx, action, lambda why: _stale(ctx, "quota.privacy", why), edit)
    if isinstance(answer, list):
        return answer
    kind, _, item_part = answer.form_key.partition(":")
    item_id = as_int(item_part)
    if kind not in FORM_FIELDS or not flows.may_log_kind(ctx, kind):
        return _refused(ctx, "quota.privacy", f"Your role cannot log {label_of(kind)} here.")
    item = await _own_item(ctx, item_id) if item_id is not None else None
    if item_id is not None and item is None:
        return _refused(ctx, "quota.privacy", "Only whoever logged an item can correct it.")
    checked = await check(ctx, kind, answer.values)
    if checked.values is None:
        card = await _form(ctx, kind, {}, item_id)
        return form_problems(card, checked.errors, checked.raw)
    await delete_draft(ctx, FLOW)
    return await _store(ctx, checked.values, item, privacy=(answer.action_taken, answer.kinds))


async def _store(
    ctx: Context,
    values: flows.ItemValues,
    item: QuotaItem | None,
    *,
    privacy: tuple[str, list[str]] | None,
) -> list[Reply]:
    assert ctx.person is not None
    if values.notes:
        # A case number belongs in its own field, never in the notes.
        values.notes = strip_case_references(ctx, values.notes)
    if item is None:
        item = flows.save_item(ctx, values)
        await ctx.session.flush()
        action, corrected = "quota.logged", False
    else:
        flows.correct_item(ctx, item, values)
        action, corrected = "quota.corrected", True
    details = flows.audit_details(item)
    if privacy is not None:
        details["privacy"] = {"action": privacy[0], "kinds": privacy[1]}
    ctx.audit.record(
        action, actor_id=ctx.person.id, subject=f"quota_item:{item.id}", details=details
    )
    log.info("%s item %s (%s) by person %s", action, item.id, item.kind, ctx.person.id)
    return [Reply(item_logged(item.id, describe(item), corrected=corrected), close_form=True)]


def describe(item: QuotaItem) -> str:
    what = label_of(item.kind)
    whom = ""
    if item.subject_person is not None and item.kind in ("feedback", "observation"):
        whom = f" for {item.subject_person.name}"
    elif item.subject_team is not None and item.kind == "dip_review":
        whom = f" for {item.subject_team.name}"
    extra = [x for x in (item.source, item.feedback_kind) if x]
    extra_text = f"{', '.join(x.replace('_', ' ') for x in extra)}, " if extra else ""
    return f"{what}{whom} ({extra_text}{item.occurred_on:%-d %b %Y})"


# --- correcting and withdrawing ----------------------------------------------------------------


async def _own_item(ctx: Context, item_id: int) -> QuotaItem | None:
    item = await store.get_item(ctx.session, item_id)
    if item is None or ctx.person is None or item.logged_by_id != ctx.person.id:
        return None
    return item if item.status == store.ACTIVE else None


async def my_logs_command(ctx: Context, _args: str) -> list[Reply]:
    assert ctx.person is not None
    items = await store.items_logged_by(ctx.session, ctx.person.id, limit=5)
    return [Reply(my_logs_card([(item.id, describe(item)) for item in items]))]


async def correct_action(ctx: Context, action: Action) -> list[Reply]:
    item_id = as_int(action.data.get("item"))
    item = await _own_item(ctx, item_id) if item_id is not None else None
    if item is None:
        return _refused(
            ctx,
            "quota.correct",
            "Only whoever logged an item can correct it, while it is not withdrawn.",
        )
    values: dict[str, object] = {
        "occurred_on": item.occurred_on.isoformat(),
        "subject": str(item.subject_person_id or ""),
        "team": str(item.subject_team_id or ""),
        "source": item.source or "",
        "feedback_kind": item.feedback_kind or "",
        "case_ref": item.case_ref or "",
        "themes": list(item.themes or []),
        "theme": item.theme or "",
        "notes": item.notes or "",
    }
    card = await _form(ctx, item.kind, values, item.id)
    ask = "Withdraw it if it is wrong and ask the QA team to log it again"
    return _nothing_to_choose(ctx, item.kind, card, ask) or [Reply(card)]


async def withdraw_action(ctx: Context, action: Action) -> list[Reply]:
    item_id = as_int(action.data.get("item"))
    item = await _own_item(ctx, item_id) if item_id is not None else None
    if item is None:
        return _refused(
            ctx, "quota.withdraw", "Only whoever logged an item can withdraw it, and only once."
        )
    assert ctx.person is not None
    flows.withdraw_item(ctx, item)
    ctx.audit.record(
        "quota.withdrawn",
        actor_id=ctx.person.id,
        subject=f"quota_item:{item.id}",
        details=flows.audit_details(item),
    )
    log.info("quota item %s withdrawn by person %s", item.id, ctx.person.id)
    return [Reply(item_withdrawn(describe(item)))]


# --- refusals ----------------------------------------------------------------------------------


def _refused(ctx: Context, verb: str, text: str) -> list[Reply]:
    person_id = ctx.person.id if ctx.person else None
    log.warning("refused %s from person %s", verb, person_id)
    ctx.audit.record("quota.refused", actor_id=person_id, details={"verb": verb, "reason": text})
    return [Reply(simple("not_allowed", "That isn't available to you", text, "warning"))]


def _stale(ctx: Context, verb: str, why: str) -> list[Reply]:
    log.warning(
        "out-of-date %s from person %s: %s", verb, ctx.person.id if ctx.person else None, why
    )
    return [
        Reply(
            simple(
                "stale_card",
                "This card is out of date",
                "That card is out of date, so nothing was changed. Type `log` again.",
                "warning",
            )
        )
    ]
