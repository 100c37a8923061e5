"""Form tools every area's dialogs share: reading card inputs and button data (never
trusted: any type may arrive), drafts of multi-step forms, field problems, the working
calendar, and the privacy check a form's free text passes before anything is shared."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.cards.model import Card, TextBlock
from bot.cards.shared import privacy_check_form
from bot.dialogs.base import Action, Context, Reply
from bot.dialogs.payload import as_int as as_int  # read with the other inputs
from bot.domain import privacy
from bot.domain.workdays import WorkingCalendar
from bot.store import drafts
from bot.store.directory import active_names
from bot.store.models import DialogState

TRUE_STRINGS = frozenset({"true", "1", "yes", "on", "y"})


DRAFT_FIELD_MAX = 20_000


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


def input_value(inputs: dict[str, Any], data: dict[str, Any], name: str) -> object:
    """An input's value; Teams also merges inputs into the button's data."""
    return inputs[name] if name in inputs else data.get(name)


async def load_draft(ctx: Context, flow: str) -> DialogState | None:
    assert ctx.person is not None
    return await drafts.load(ctx.session, ctx.person.id, flow)


async def save_draft(ctx: Context, flow: str, state: dict[str, Any]) -> None:
    """Create or replace the person's draft for a flow (one row per person and flow)."""
    assert ctx.person is not None
    await drafts.save(ctx.session, ctx.person.id, flow, state, ctx.now)


async def delete_draft(ctx: Context, flow: str) -> None:
    assert ctx.person is not None
    await drafts.remove(ctx.session, ctx.person.id, flow)


def clipped_for_draft(values: dict[str, object]) -> dict[str, object]:
    return {
        k: v[:DRAFT_FIELD_MAX] if isinstance(v, str) else v
        for k, v in values.items()
        if isinstance(v, str | bool | list | int) or v is None
    }


def calendar(ctx: Context) -> WorkingCalendar:
    return WorkingCalendar.from_settings(ctx.framework.calendar)


def deliver_from(ctx: Context) -> datetime:
    """Now during working hours; else the start of the next working hours."""
    rules = ctx.framework.calendar
    return calendar(ctx).next_working_moment(
        ctx.now, rules.working_hours_start, rules.working_hours_end, ctx.tz
    )


async def load_staff_names(ctx: Context) -> None:
    """Read the directory's names for the screen, once a turn: a colleague's name is left
    alone. Until this is awaited the screen knows no colleagues (it warns more, never less)."""
    if ctx.staff_names is None:
        ctx.staff_names = await active_names(ctx.session)


def screen_text(ctx: Context, text: str) -> list[privacy.Finding]:
    """The privacy screen as all free text that may be shared gets it: judged by the bot's
    clock, with the directory's names once ``load_staff_names`` has run this turn."""
    return privacy.screen(text, today=ctx.today, staff_names=ctx.staff_names or ())


def screen_fields(
    ctx: Context, fields: list[tuple[str, str, str]]
) -> list[tuple[str, str, privacy.Finding]]:
    """(field id, label, finding) for everything in free text that may identify a child,
    including case numbers typed into free text (they belong in the case number field).
    Judged by the bot's clock, with the directory's names if ``load_staff_names`` has run."""
    flagged: list[tuple[str, str, privacy.Finding]] = []
    for field_id, label, text in fields:
        if not text:
            continue
        findings = screen_text(ctx, text)
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


# --- the privacy check of a form ----------------------------------------------------------------

PrivacyChoice = Literal["remove", "confirm", "edit"]


@dataclass(frozen=True)
class PrivacyAnswer:
    """What the person chose on the privacy check, with the draft's values (already cleaned
    when they chose to remove what was flagged)."""

    choice: PrivacyChoice
    values: dict[str, object]
    form_key: str
    kinds: list[str]

    @property
    def action_taken(self) -> str:
        return "removed" if self.choice == "remove" else "confirmed"


@dataclass(frozen=True)
class PrivacyStep:
    """The step between a form and what it shares: free text that may identify a child is
    shown back with Remove / Edit / Submit as written, and the form waits in its draft.

    ``flow`` names the draft, ``verb`` the check card's Continue button and ``fields`` the
    (field id, label) pairs that are screened.
    """

    flow: str
    verb: str
    fields: tuple[tuple[str, str], ...]

    def flagged(
        self, ctx: Context, values: dict[str, object]
    ) -> list[tuple[str, str, privacy.Finding]]:
        return screen_fields(
            ctx, [(f, label, str(values.get(f) or "")) for f, label in self.fields]
        )

    def card(
        self,
        ctx: Context,
        flagged: list[tuple[str, str, privacy.Finding]],
        values: dict[str, object],
        form_key: str,
    ) -> Card:
        return privacy_check_form(
            [(label, finding) for _, label, finding in flagged],
            verb=self.verb,
            data={"form": form_key},
            preview=removal_preview(ctx, values, self.fields),
        )

    async def hold(
        self, ctx: Context, values: dict[str, object], form_key: str
    ) -> list[Reply] | None:
        """None when nothing is flagged; else the check card, with the form kept as a draft."""
        await load_staff_names(ctx)
        flagged = self.flagged(ctx, values)
        if not flagged:
            return None
        state = {"stage": "privacy", "form": form_key, "values": clipped_for_draft(values)}
        await save_draft(ctx, self.flow, state)
        return [Reply(self.card(ctx, flagged, values, form_key))]

    async def answer(
        self,
        ctx: Context,
        action: Action,
        stale: Callable[[str], list[Reply]],
        reopen_form: Callable[[dict[str, object], str], Awaitable[list[Reply]]],
    ) -> PrivacyAnswer | list[Reply]:
        """Read the person's choice on the check card.

        A card whose draft has moved on gets ``stale(why)``; Edit puts the draft back to the
        form stage and gets ``reopen_form(values, form_key)``; no choice shows the card again
        with the problem beside it. Otherwise the choice and the values to carry on with.
        """
        form_key = as_text(action.data.get("form"))[:64]
        draft = await load_draft(ctx, self.flow)
        if (
            draft is None
            or draft.state.get("stage") != "privacy"
            or draft.state.get("form") != form_key
        ):
            return stale("no draft waiting for a privacy check")
        values: dict[str, object] = dict(draft.state.get("values") or {})
        choice = as_text(input_value(action.inputs, action.data, "privacy_choice"))
        if choice == "edit":
            await save_draft(ctx, self.flow, {"stage": "form", "form": form_key, "values": values})
            return await reopen_form(values, form_key)
        await load_staff_names(ctx)
        flagged = self.flagged(ctx, values)
        if choice not in ("remove", "confirm"):
            return form_problems(
                self.card(ctx, flagged, values, form_key),
                {"privacy_choice": "Please choose what to do."},
            )
        if choice == "remove":
            values = redact_fields(ctx, values, [f for f, _ in self.fields])
        kinds = sorted({finding.kind.value for _, _, finding in flagged})
        return PrivacyAnswer(
            choice="remove" if choice == "remove" else "confirm",
            values=values,
            form_key=form_key,
            kinds=kinds,
        )
