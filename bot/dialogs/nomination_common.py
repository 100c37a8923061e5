"""Helpers shared by the nomination dialogs: reading card inputs, drafts, refusals, the
working calendar and how a nomination is shown."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from bot.cards.model import Card, TextBlock
from bot.dialogs.base import Context, Reply
from bot.dialogs.nomination_cards import NominationView, simple
from bot.domain import privacy
from bot.domain.workdays import WorkingCalendar
from bot.store.models import DialogState
from bot.store.nominations import Nomination, VoteRound
from bot.store.upserts import dialect_of, insert_or_replace

log = logging.getLogger("bot.dialogs.nominations")

TRUE_STRINGS = frozenset({"true", "1", "yes", "on", "y"})
# A draft keeps at most this much of one field (a pasted 300 KB text is cut, not stored).
DRAFT_FIELD_MAX = 20_000


# --- reading inputs and button data (never trusted: any type may arrive) ----------------------


def as_text(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None)
    return str(value).replace("\r\n", "\n").strip()


def as_list(value: object) -> list[str]:
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return bool(value) and all(as_bool(v) or v == "qabot.toggle.on" for v in value)
    return str(value).strip().lower() in TRUE_STRINGS


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


def input_value(inputs: dict[str, Any], data: dict[str, Any], name: str) -> object:
    """An input's value; Teams also merges inputs into the button's data."""
    return inputs[name] if name in inputs else data.get(name)


# --- drafts -------------------------------------------------------------------------------------


async def load_draft(ctx: Context, flow: str) -> DialogState | None:
    assert ctx.person is not None
    result = await ctx.session.execute(
        select(DialogState).where(DialogState.person_id == ctx.person.id, DialogState.flow == flow)
    )
    return result.scalar_one_or_none()


async def save_draft(ctx: Context, flow: str, state: dict[str, Any]) -> None:
    """Create or replace the person's draft for a flow (one row per person and flow)."""
    assert ctx.person is not None
    stmt = insert_or_replace(
        dialect_of(ctx.session),
        DialogState.__table__,
        ("person_id", "flow"),
        ("state", "updated_at"),
    )
    values = {"person_id": ctx.person.id, "flow": flow, "state": state, "updated_at": ctx.now}
    await ctx.session.execute(stmt, values)


async def delete_draft(ctx: Context, flow: str) -> None:
    assert ctx.person is not None
    await ctx.session.execute(
        delete(DialogState).where(DialogState.person_id == ctx.person.id, DialogState.flow == flow)
    )


def clipped_for_draft(values: dict[str, object]) -> dict[str, object]:
    return {
        k: v[:DRAFT_FIELD_MAX] if isinstance(v, str) else v
        for k, v in values.items()
        if isinstance(v, str | bool | list | int) or v is None
    }


# --- refusals and stale cards ------------------------------------------------------------------


def refuse(ctx: Context, verb: str, reason: str, subject: str | None = None) -> None:
    """Log (never message text) and audit an action refused for want of permission."""
    person_id = ctx.person.id if ctx.person else None
    log.warning("refused %s from person %s: %s", verb, person_id, reason)
    ctx.audit.record(
        "nomination.refused",
        actor_id=person_id,
        subject=subject,
        details={"verb": verb, "reason": reason},
    )


def not_allowed(text: str) -> list[Reply]:
    return [Reply(simple("not_allowed", "That isn't available to you", text, "warning"))]


def out_of_date(ctx: Context, verb: str, why: str, text: str | None = None) -> list[Reply]:
    log.warning(
        "out-of-date %s from person %s: %s", verb, ctx.person.id if ctx.person else None, why
    )
    message = text or (
        "That card is out of date or no longer available, so nothing was changed. "
        "Type my nominations or my tasks for a fresh one."
    )
    return [Reply(simple("stale_card", "This card is out of date", message, "warning"))]


# --- the calendar -------------------------------------------------------------------------------


def calendar(ctx: Context) -> WorkingCalendar:
    return WorkingCalendar.from_settings(ctx.framework.calendar)


def close_moment(ctx: Context, closes_on: date) -> datetime:
    """A vote closes at the end of working hours on its closing day (local time)."""
    return datetime.combine(closes_on, ctx.framework.calendar.working_hours_end, tzinfo=ctx.tz)


def deliver_from(ctx: Context) -> datetime:
    """Now during working hours; else the start of the next working hours."""
    rules = ctx.framework.calendar
    return calendar(ctx).next_working_moment(
        ctx.now, rules.working_hours_start, rules.working_hours_end, ctx.tz
    )


# --- how a nomination is shown ------------------------------------------------------------------


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


# --- the privacy screen -------------------------------------------------------------------------


def screen_fields(
    ctx: Context, fields: list[tuple[str, str, str]]
) -> list[tuple[str, str, privacy.Finding]]:
    """(field id, label, finding) for everything in free text that may identify a child,
    including case numbers typed into free text (they belong in the case number field)."""
    flagged: list[tuple[str, str, privacy.Finding]] = []
    for field_id, label, text in fields:
        if not text:
            continue
        findings = privacy.screen(text)
        cases = privacy.find_case_references(text, ctx.framework.case_reference)
        taken = [(f.start, f.end) for f in findings]
        for case in cases:
            if not any(start < case.end and case.start < end for start, end in taken):
                findings.append(case)
        for finding in sorted(findings, key=lambda f: f.start):
            flagged.append((field_id, label, finding))
    return flagged


def redact_fields(
    ctx: Context, values: dict[str, object], field_ids: list[str]
) -> dict[str, object]:
    """The values with everything the screen flags replaced by "[removed]"."""
    cleaned = dict(values)
    for field_id in field_ids:
        text = values.get(field_id)
        if not isinstance(text, str) or not text:
            continue
        flagged = screen_fields(ctx, [(field_id, field_id, text)])
        cleaned[field_id] = privacy.redact(text, [f for _, _, f in flagged])
    return cleaned


def removal_preview(
    ctx: Context, values: dict[str, object], fields: tuple[tuple[str, str], ...]
) -> list[tuple[str, str]]:
    """(label, text as it would be shared) for each field the screen flags: exactly what
    "Remove these for me" will keep."""
    cleaned = redact_fields(ctx, values, [field_id for field_id, _ in fields])
    return [
        (label, str(cleaned[field_id]))
        for field_id, label in fields
        if cleaned.get(field_id) != values.get(field_id)
    ]


def strip_case_references(ctx: Context, text: str) -> str:
    found = privacy.find_case_references(text, ctx.framework.case_reference)
    return privacy.redact(text, found) if found else text


def form_problems(
    card: Card, errors: dict[str, str], values: dict[str, object] | None = None
) -> list[Reply]:
    """The form again with each problem beside its field, the person's values kept, and a
    summary at the top (a form sent in a Slack message reopens as a modal, which can only show
    field errors through the summary)."""
    shown = card.with_errors(errors, values or {})
    labels = {element.id: element.label for element in card.inputs}
    what = "One thing needs" if len(errors) == 1 else f"{len(errors)} things need"
    fields = "; ".join(labels.get(name, name) for name in errors)
    summary = TextBlock(text=f"{what} fixing before this can go: {fields}.", style="attention")
    return [Reply(shown.model_copy(update={"body": [summary, *shown.body]}), errors=errors)]
