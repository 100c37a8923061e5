"""The quotas' cards: the short logging forms, what was logged, progress and the end-of-period
summary. Pure functions of plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.cards.model import (
    Button,
    Card,
    Choice,
    ChoiceInput,
    DateInput,
    Element,
    Facts,
    Progress,
    TextBlock,
    TextInput,
)
from bot.cards.shared import clip
from bot.dialogs.base import command_button
from bot.domain.quotas import ITEM_LABELS
from bot.quotas.rules import (
    FEEDBACK_KINDS,
    FEEDBACK_SOURCES,
    FORM_FIELDS,
    NOTES_MAX,
    THEME_MAX,
    CalendarEntry,
    Counted,
    names_list,
)

MAX_CHOICES = 100
CHILD_NOTE = "Refer to a child only by their case number, never by name."
NOTES_LABEL = {
    "dip_review": "Findings summary",
    "multi_agency_audit": "Findings summary",
    "observation": "Notes (optional)",
    "manager_audit": "Notes (optional)",
    "follow_up_call": "Notes (optional)",
    "safeguarding_conversation": "What was learnt (optional)",
}
THEME_LABEL = {
    "dip_review": "Theme",
    "multi_agency_audit": "Theme or agencies",
    "observation": "What was observed (optional), e.g. a home visit",
    "safeguarding_conversation": "Agencies and theme",
}


def day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def label_of(kind: str) -> str:
    return ITEM_LABELS.get(kind, kind)


@dataclass(frozen=True)
class FormChoices:
    people: list[Choice]
    teams: list[Choice]
    themes: list[Choice]


def log_form(
    kind: str,
    choices: FormChoices,
    values: dict[str, object],
    *,
    case_label: str,
    case_example: str,
    item_id: int | None = None,
) -> Card:
    """The short form for one kind of item; with ``item_id`` it corrects that item."""
    what = label_of(kind)
    body: list[Element] = [TextBlock(text=CHILD_NOTE, style="subtle")]
    for field_id, required in FORM_FIELDS[kind]:
        body.append(_field(kind, field_id, required, choices, case_label, case_example))
    body.insert(1, DateInput(id="occurred_on", label="Date", required=True))
    data: dict[str, str | int | bool | None] = {"kind": kind}
    if item_id is not None:
        data["item"] = item_id
    card = Card(
        name=f"quota_log_{kind}",
        title=f"Correct this {what}" if item_id else f"Log {what}",
        fallback=f"A short form to log {what}.",
        body=body,
        buttons=[
            Button(
                label="Save correction" if item_id else "Log it",
                verb="quota.save",
                data=data,
                style="primary",
                submits=True,
            )
        ],
    )
    return card.with_errors({}, values) if values else card


def _field(
    kind: str,
    field_id: str,
    required: bool,
    choices: FormChoices,
    case_label: str,
    case_example: str,
) -> Element:
    if field_id == "subject":
        return ChoiceInput(
            id="subject", label="Practitioner", choices=choices.people[:MAX_CHOICES], required=True
        )
    if field_id == "team":
        return ChoiceInput(
            id="team", label="Team", choices=choices.teams[:MAX_CHOICES], required=True
        )
    if field_id == "source":
        return ChoiceInput(
            id="source",
            label="Who gave it",
            choices=[Choice(title=t, value=v) for v, t in FEEDBACK_SOURCES],
            required=True,
        )
    if field_id == "feedback_kind":
        return ChoiceInput(
            id="feedback_kind",
            label="What it was",
            choices=[Choice(title=t, value=v) for v, t in FEEDBACK_KINDS],
            required=True,
            expanded=True,
        )
    if field_id == "themes":
        return ChoiceInput(
            id="themes", label="Themes (optional)", choices=choices.themes, multi=True
        )
    if field_id == "case_ref":
        label = f"{case_label[:1].upper()}{case_label[1:]}"
        return TextInput(
            id="case_ref",
            label=label if required else f"{label} (optional)",
            placeholder=f"e.g. {case_example}",
            required=required,
            max_length=64,
        )
    if field_id == "theme":
        return TextInput(
            id="theme",
            label=THEME_LABEL.get(kind, "Theme"),
            required=required,
            max_length=THEME_MAX,
        )
    return TextInput(
        id="notes",
        label=NOTES_LABEL.get(kind, "Notes"),
        multiline=True,
        required=required,
        max_length=NOTES_MAX,
    )


def item_logged(item_id: int, what: str, corrected: bool = False) -> Card:
    verb = "Corrected" if corrected else "Logged"
    text = f"{verb}: {what}. You can correct or withdraw it from `my logs`."
    return Card(
        name="quota_logged",
        title=f"{verb} {what.split(' for ')[0]}",
        fallback=text,
        body=[TextBlock(text=text, style="good")],
        buttons=[
            Button(label="Correct", verb="quota.correct", data={"item": item_id}),
            Button(label="Withdraw", verb="quota.withdraw", data={"item": item_id}, style="danger"),
        ],
    )


def item_withdrawn(what: str) -> Card:
    text = f"Withdrawn: {what}. It no longer counts towards any quota."
    return Card(
        name="quota_withdrawn",
        title="Withdrawn",
        fallback=text,
        body=[TextBlock(text=text)],
    )


def my_logs(rows: Sequence[tuple[int, str]]) -> Card:
    """The person's recent items, each with Correct and Withdraw."""
    if not rows:
        text = "You have not logged anything yet. Type `log feedback` (or `log` for the list)."
        return Card(
            name="quota_my_logs",
            title="What you logged",
            fallback=text,
            body=[TextBlock(text=text)],
        )
    body: list[Element] = []
    buttons: list[Button] = []
    for n, (item_id, what) in enumerate(rows, 1):
        body.append(TextBlock(text=f"{n}. {what}"))
        buttons.append(Button(label=f"Correct {n}", verb="quota.correct", data={"item": item_id}))
        buttons.append(Button(label=f"Withdraw {n}", verb="quota.withdraw", data={"item": item_id}))
    return Card(
        name="quota_my_logs",
        title="What you logged",
        fallback=f"The {len(rows)} items you logged most recently.",
        body=body,
        buttons=buttons[:10],
    )


def log_menu(kinds: Sequence[str]) -> Card:
    if not kinds:
        text = "Your framework has nothing for you to log."
        return Card(name="quota_log_menu", title="Log", fallback=text, body=[TextBlock(text=text)])
    return Card(
        name="quota_log_menu",
        title="What would you like to log?",
        fallback="Choose what to log: " + ", ".join(label_of(k) for k in kinds),
        body=[TextBlock(text="Choose what to log.")],
        buttons=[
            Button(
                label=label_of(k)[:1].upper() + label_of(k)[1:], verb="quota.form", data={"kind": k}
            )
            for k in kinds
        ],
    )


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One quota in a progress card: a heading, bars and an optional grid."""

    heading: str
    bars: list[tuple[str, int, int]]
    grid: list[tuple[str, str]]
    missing: list[str]


def progress_card(title: str, sections: Sequence[Section], *, empty: str) -> Card:
    body: list[Element] = []
    for section in sections:
        body.append(TextBlock(text=section.heading, style="heading"))
        for label, value, total in section.bars:
            body.append(Progress(label=clip(label, 120), value=value, total=total))
        if section.grid:
            body.append(Facts(facts=section.grid))
        if section.missing:
            body.append(
                TextBlock(text=f"Still without: {names_list(section.missing)}", style="warning")
            )
    if not body:
        body.append(TextBlock(text=empty))
    fallback = "; ".join(
        f"{s.heading}: " + ", ".join(f"{label} {v} of {t}" for label, v, t in s.bars)
        for s in sections
    )
    return Card(name="quota_progress", title=title, fallback=fallback or empty, body=body)


def grid_rows(counted: Sequence[Counted]) -> list[tuple[str, str]]:
    return [
        (c.label, f"✓ {c.count}" if c.met else f"✗ {c.count} of {c.target}")
        for c in sorted(counted, key=lambda c: (c.met, c.label))
    ]


@dataclass(frozen=True)
class SummarySection:
    name: str
    period_label: str
    lines: list[tuple[str, int, int]]
    missing: list[str]


def period_summary(sections: Sequence[SummarySection]) -> Card:
    """Quota periods that have ended: how many met each quota, per service (or overall)."""
    body: list[Element] = []
    for section in sections:
        body.append(TextBlock(text=f"{section.name}, {section.period_label}", style="heading"))
        body += [
            Progress(label=clip(label, 120), value=met, total=total)
            for label, met, total in section.lines
        ]
        if section.missing:
            body.append(
                TextBlock(text=f"Without it: {names_list(section.missing, 20)}", style="subtle")
            )
    fallback = "; ".join(
        f"{s.name}, {s.period_label}: {sum(m for _, m, _ in s.lines)} of "
        f"{sum(t for _, _, t in s.lines)} met the quota"
        for s in sections
    )
    return Card(
        name="quota_period_summary",
        title="Quota periods that have ended",
        fallback=fallback or "Quota periods that have ended.",
        body=body,
    )


# --- the QA calendar ---------------------------------------------------------------------------


def calendar_card(
    month_label: str,
    entries: Sequence[CalendarEntry],
    deadlines: Sequence[tuple[str, str]],
    *,
    quiet: bool,
    held: Mapping[str, str] | None = None,
) -> Card:
    """What is on in a month: cycles that open, with their deadline and quotas, whether a
    meeting or analysis was held (``held``: by the entry's ``cycle_key``), and the quota
    periods that end (with the person's own progress)."""
    body: list[Element] = []
    if quiet:
        body.append(TextBlock(text="No core QA activity this month (the framework's quiet month)."))
    for entry in entries:
        quotas = f"; quota {entry.quotas}" if entry.quotas else ""
        turns = f"; {entry.turn_text()}" if entry.turn_text() else ""
        cadence = f" ({entry.cadence})" if entry.cadence else ""
        status = (held or {}).get(entry.cycle_key, "")
        body.append(
            TextBlock(
                text=f"{entry.name}{cadence}: opens {day(entry.opens_on)}, "
                f"due {day(entry.due_on)}{quotas}{turns}" + (f". {status}" if status else ""),
                style="warning" if status.startswith("Missed") else "body",
            )
        )
    if deadlines:
        body.append(TextBlock(text="Quota periods ending", style="heading"))
        body.append(Facts(facts=list(deadlines)))
    if not body:
        body.append(TextBlock(text="No QA cycle opens and no quota period ends this month."))
    fallback = f"QA calendar, {month_label}: " + (
        "; ".join(e.name for e in entries) or ("quiet month" if quiet else "nothing opens")
    )
    return Card(
        name="quota_calendar", title=f"QA calendar: {month_label}", fallback=fallback, body=body
    )


MAX_PROMPT_BUTTONS = 5


def cycles_to_start(month_label: str, entries: Sequence[CalendarEntry]) -> Card:
    """The QA team's prompt at the start of a month: what to start and by when."""
    body: list[Element] = []
    for entry in entries:
        quotas = f" Quota: {entry.quotas}." if entry.quotas else ""
        turns = (
            f" {entry.turn_text()[:1].upper()}{entry.turn_text()[1:]}."
            if entry.turns or entry.teams
            else ""
        )
        if entry.opens_itself:
            how = "It opens itself from the cohort you uploaded; you will be told what opened."
        elif entry.start == "leads":
            how = (
                "Its leads are reminded in their morning summary; allocate any work with "
                "`allocate` and a CSV."
            )
        elif entry.start == "allocate":
            how = "Allocate it with `allocate` and a CSV (with the day, where it has one)."
        else:
            how = (
                f"Type `allocate cycle {entry.key}` with the cohort list to propose a sample "
                f"(or without it, to sample the cohort kept with `cohort {entry.key}`)."
            )
        body.append(
            TextBlock(
                text=f"{entry.name}: opens {day(entry.opens_on)}, due {day(entry.due_on)}."
                f"{quotas}{turns} {how}"
            )
        )
    # One press runs `allocate cycle KEY`, as if typed (the role is checked as for typing).
    buttons = [
        command_button(f"Propose a sample: {entry.name}", f"allocate cycle {entry.key}")
        for entry in entries
        if entry.start == "sample" and not entry.opens_itself
    ]
    return Card(
        name="quota_cycles_to_start",
        title=f"To start in {month_label}",
        fallback=f"To start in {month_label}: " + ", ".join(e.name for e in entries),
        body=body,
        buttons=buttons[:MAX_PROMPT_BUTTONS],
    )


def feed_card(label: str, url: str) -> Card:
    text = (
        f"Here is {label} calendar feed. In Outlook choose Add calendar, Subscribe from web, and "
        "paste the link. Keep it private: anyone with the link can read the calendar. Asking "
        "again gives a new link and this one stops working."
    )
    return Card(
        name="quota_calendar_feed",
        title="Calendar feed",
        fallback=text,
        body=[TextBlock(text=text), TextBlock(text=url, style="subtle")],
    )


def unknown_team_names(missing: Sequence[tuple[str, str]], teams: Sequence[str]) -> Card:
    """To the QA team, once: team names the framework's calendar uses (an activity's rotation
    order) that match no team in the directory, so those turns name nobody the bot knows."""
    lines = [f"{activity}: {', '.join(names)}" for activity, names in _by_activity(missing)]
    known = ", ".join(teams[:20]) + (" ..." if len(teams) > 20 else "")
    text = (
        "The framework's calendar names teams the directory does not have, so their turns "
        "reach nobody. Rename the team in the staff CSV or the name in the framework file. "
        f"The directory's teams: {known}."
    )
    return Card(
        name="quota_unknown_team_names",
        title="Calendar teams not in the directory",
        fallback=text,
        body=[TextBlock(text=text), *(TextBlock(text=clip(line, 500)) for line in lines)],
    )


def _by_activity(missing: Sequence[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for activity, name in missing:
        grouped.setdefault(activity, []).append(name)
    return list(grouped.items())


# --- meetings and analyses that took place -----------------------------------------------------


def held_status(held_on: date | None, marked_by: str, *, due_on: date, today: date) -> str:
    """The calendar's word on a lead-run occurrence: held (when, by whom), missed (its due
    day passed unmarked), or nothing while it is still to come."""
    if held_on is not None:
        by = f", marked by {marked_by}" if marked_by else ""
        return f"Held {day(held_on)}{by}."
    if due_on < today:
        return "Missed: not marked as held by its due day."
    return ""


def held_button(key: str, name: str, cycle_on: date) -> Button:
    """A lead's reminder button; named, as one summary may carry several."""
    return Button(
        label=clip(f"Mark as held: {name}", 75),
        verb="calendar.held",
        data={"a": key, "c": cycle_on.isoformat()},
    )


def held_card(
    what: str, held_on: date, marked_by: str, note: str | None, *, new: bool, marked_on: date
) -> Card:
    """The answer to marking an occurrence held: recorded, or already marked by someone."""
    if new:
        text = f"Recorded: {what} was held on {day(held_on)}. Its leads get no more reminders."
        title = "Marked as held"
    else:
        by = marked_by or "someone who has since left"
        text = (
            f"{what} was already marked as held on {day(held_on)} by {by} "
            f"(on {day(marked_on)}), so nothing was changed."
        )
        title = "Already marked as held"
    body: list[Element] = [TextBlock(text=text, style="good" if new else "body")]
    if note:
        body.append(TextBlock(text=f"Note: {clip(note, 500)}", style="subtle"))
    name = "quota_calendar_held" if new else "quota_calendar_already_held"
    return Card(name=name, title=title, fallback=text, body=body)
