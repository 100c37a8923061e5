"""Cards for allocations, reminders and escalations. Pure builders: values in, a Card out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.allocations.rules.nudges import day_label
from bot.cards.model import (
    ActionData,
    Button,
    Card,
    Choice,
    ChoiceInput,
    DateInput,
    Divider,
    Facts,
    TextBlock,
    TextInput,
)

PRIVACY_NOTE = (
    "Refer to the child only by the case record number: never a name, date of birth or address. "
    "Your findings belong on the case system, not here."
)
GRADE_CHOICES = [
    Choice(title="Outstanding", value="outstanding"),
    Choice(title="Good", value="good"),
    Choice(title="Requires improvement", value="requires_improvement"),
    Choice(title="Inadequate", value="inadequate"),
]
ACTION_SLOTS = 3
MAX_LINES = 20


@dataclass(frozen=True)
class WorkView:
    """One allocation as a card shows it."""

    id: int
    activity: str
    case_label: str
    case_ref: str | None
    team: str
    role: str
    status: str
    status_label: str
    allocated_on: date
    due_on: date | None
    earliest_on: date | None = None
    target_on: date | None = None
    cycle: str | None = None
    # The other person in the pair: the moderator of an evaluation, the evaluator of a
    # moderation.
    partner: str | None = None
    partner_label: str = "Moderator"
    grade: str | None = None
    assignee: str = ""
    gradable: bool = False
    stretch_target: bool = False
    returned_reason: str | None = None

    @property
    def subject(self) -> str:
        return f"case {self.case_ref}" if self.case_ref else (self.team or "—")

    @property
    def short(self) -> str:
        """Short enough for a button label."""
        return (self.case_ref or self.team or self.activity)[:40]


@dataclass(frozen=True)
class Line:
    """One line in a list card: the text, and optionally a button for it."""

    text: str
    button: Button | None = None
    urgent: bool = False
    # What the line is about (``a42`` an allocation, ``x7`` an action), to avoid repeats.
    ident: str = ""


@dataclass
class ProposalView:
    cycle_id: int
    title: str
    status: str
    cases: int
    people: int
    per_service: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    decided_by: str | None = None


# --- assignment -------------------------------------------------------------------------------


def allocation_card(view: WorkView, *, source: str = "card") -> Card:
    """The card a person gets for a piece of work, and the same card after they act on it."""
    data: ActionData = {"a": view.id, "src": source}
    intro, style = _intro(view)
    facts = _work_facts(view)
    buttons = _work_buttons(view, data)
    name = "moderation_waiting" if view.status == "waiting" else "allocation"
    title = f"{view.activity}: {view.subject}"
    fallback = f"{title}. {intro} Due: {_due(view)}."
    return Card(
        name=name,
        title=title,
        fallback=fallback,
        body=[
            TextBlock(text=intro, style=style),
            Facts(facts=facts),
            TextBlock(text=PRIVACY_NOTE, style="subtle"),
        ],
        buttons=buttons,
    )


def moderation_ready_card(view: WorkView) -> Card:
    """The moderator's clock has started: the evaluation they moderate is done."""
    data: ActionData = {"a": view.id, "src": "card"}
    done_by = f" by {view.partner}" if view.partner else ""
    intro = (
        f"The evaluation of {view.subject} has been completed{done_by}, so your moderation "
        f"starts today. Please complete it by {_due(view)}."
    )
    title = f"Ready to moderate: {view.subject}"
    return Card(
        name="moderation_ready",
        title=title,
        fallback=f"{title}. {intro}",
        body=[
            TextBlock(text=intro),
            Facts(facts=_work_facts(view)),
            TextBlock(text=PRIVACY_NOTE, style="subtle"),
        ],
        buttons=_work_buttons(view, data),
    )


def _intro(view: WorkView) -> tuple[str, str]:
    if view.status == "waiting":
        return (
            f"You will moderate this {view.activity.lower()} once the evaluation is done. "
            "I will tell you then, and your clock starts that day.",
            "body",
        )
    if view.status == "accepted":
        return "You have accepted this. Press Done when it is complete.", "good"
    if view.status == "done":
        grade = f" Grade recorded: {view.grade}." if view.grade else ""
        return f"Done: thank you.{grade}", "good"
    if view.status == "returned":
        reason = f" ({view.returned_reason})" if view.returned_reason else ""
        return f"Handed back to the QA team to reallocate{reason}.", "warning"
    if view.status == "cancelled":
        return "This allocation was cancelled by the QA team. Nothing more to do.", "subtle"
    return (
        f"You have been allocated a {view.activity.lower()}. Please accept it, or tell the QA "
        "team if you can't do it.",
        "body",
    )


def _due(view: WorkView) -> str:
    if view.status == "waiting":
        return "set when the evaluation is done"
    return day_label(view.due_on) if view.due_on else "no due date"


def _work_facts(view: WorkView) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    if view.case_ref:
        facts.append((view.case_label[:1].upper() + view.case_label[1:], view.case_ref))
    if view.team:
        facts.append(("Team", view.team))
    facts.append(("Your role", view.role.capitalize()))
    if view.target_on:
        facts.append(("Target day", day_label(view.target_on)))
    facts.append(("Due", _due(view)))
    if view.earliest_on:
        facts.append(("Meet on or after", day_label(view.earliest_on)))
    if view.partner:
        facts.append((view.partner_label, view.partner))
    if view.cycle:
        facts.append(("Cycle", view.cycle))
    facts.append(("Status", view.status_label))
    return facts


def _work_buttons(view: WorkView, data: ActionData) -> list[Button]:
    if view.status == "allocated":
        return [
            Button(label="Accept", verb="alloc.accept", data=data, style="primary"),
            Button(label="Done", verb="alloc.done", data=data),
            Button(label="Need help", verb="alloc.help", data=data),
            Button(label="Can't do", verb="alloc.cant", data=data, style="danger"),
        ]
    if view.status == "accepted":
        return [
            Button(label="Done", verb="alloc.done", data=data, style="primary"),
            Button(label="Need help", verb="alloc.help", data=data),
            Button(label="Can't do", verb="alloc.cant", data=data, style="danger"),
        ]
    if view.status == "waiting":
        return [
            Button(label="Need help", verb="alloc.help", data=data),
            Button(label="Can't do", verb="alloc.cant", data=data, style="danger"),
        ]
    return [Button(label="My tasks", verb="tasks.show")]


# --- forms ------------------------------------------------------------------------------------


def outcome_form(
    view: WorkView,
    *,
    today: date,
    action_due: date,
    values: dict[str, str] | None = None,
) -> Card:
    """Grade, stretch target and actions of an audit, evaluation or moderation."""
    values = values or {}
    moderation = view.role == "moderator"
    body: list[TextBlock | Facts | ChoiceInput | TextInput | DateInput] = [
        TextBlock(text=f"{view.activity}: {view.subject}", style="heading"),
        ChoiceInput(
            id="grade",
            label="Moderated grade" if moderation else "Grade",
            choices=GRADE_CHOICES,
            required=True,
            value=[values["grade"]] if values.get("grade") else [],
        ),
    ]
    if view.stretch_target:
        body.append(
            TextInput(
                id="stretch_target",
                label="Stretch target agreed with the practitioner",
                required=True,
                max_length=300,
                value=values.get("stretch_target"),
            )
        )
    body.append(
        TextBlock(
            text=f"Actions (optional): each needs an owner; due {day_label(action_due)} unless "
            "you give a date.",
            style="subtle",
        )
    )
    for slot in range(1, ACTION_SLOTS + 1):
        body += [
            TextInput(
                id=f"action_{slot}",
                label=f"Action {slot}",
                max_length=300,
                value=values.get(f"action_{slot}"),
            ),
            TextInput(
                id=f"action_{slot}_owner",
                label=f"Action {slot} owner's email",
                max_length=254,
                value=values.get(f"action_{slot}_owner"),
            ),
            DateInput(
                id=f"action_{slot}_due",
                label=f"Action {slot} due",
                value=values.get(f"action_{slot}_due"),
            ),
        ]
    body += [
        DateInput(
            id="completed_on",
            label="Completed on",
            value=values.get("completed_on") or today.isoformat(),
            required=True,
        ),
        TextBlock(text=PRIVACY_NOTE, style="subtle"),
    ]
    return Card(
        name="allocation_outcome_form",
        title="Record the outcome",
        fallback=f"Record the outcome of the {view.activity.lower()} of {view.subject}.",
        body=body,
        buttons=[
            Button(
                label="Save outcome",
                verb="alloc.outcome",
                data={"a": view.id},
                style="primary",
                submits=True,
            )
        ],
    )


def cant_do_form(view: WorkView, reason: str | None = None) -> Card:
    return Card(
        name="allocation_cant_do_form",
        title="Hand it back",
        fallback=f"Tell the QA team why you can't do the {view.activity.lower()} of "
        f"{view.subject}.",
        body=[
            TextBlock(
                text=f"{view.activity}: {view.subject}. The QA team will reallocate it.",
            ),
            TextInput(
                id="reason",
                label="Why can't you do it?",
                placeholder="e.g. I am on leave for three weeks; I know the family",
                multiline=True,
                required=True,
                max_length=500,
                value=reason,
            ),
            TextBlock(text=PRIVACY_NOTE, style="subtle"),
        ],
        buttons=[
            Button(
                label="Hand back",
                verb="alloc.cant",
                data={"a": view.id, "step": "save"},
                style="danger",
                submits=True,
            )
        ],
    )


def help_form(view: WorkView, message: str | None = None) -> Card:
    return Card(
        name="allocation_help_form",
        title="Ask for help",
        fallback=f"Ask the QA team for help with the {view.activity.lower()} of {view.subject}.",
        body=[
            TextBlock(text=f"{view.activity}: {view.subject}. I will tell the QA team."),
            TextInput(
                id="message",
                label="What do you need? (optional)",
                multiline=True,
                max_length=500,
                value=message,
            ),
            TextBlock(text=PRIVACY_NOTE, style="subtle"),
        ],
        buttons=[
            Button(
                label="Ask for help",
                verb="alloc.help",
                data={"a": view.id, "step": "save"},
                style="primary",
                submits=True,
            )
        ],
    )


def reassign_form(view: WorkView, values: dict[str, str] | None = None) -> Card:
    values = values or {}
    return Card(
        name="allocation_reassign_form",
        title="Reallocate",
        fallback=f"Reallocate the {view.activity.lower()} of {view.subject}.",
        body=[
            TextBlock(text=f"{view.activity}: {view.subject} ({view.team or 'no team'})"),
            TextInput(
                id="assignee_email",
                label="Allocate to (email)",
                required=True,
                max_length=254,
                value=values.get("assignee_email"),
            ),
            DateInput(
                id="due_on",
                label="Due (leave empty to start a fresh clock today)",
                value=values.get("due_on"),
            ),
        ],
        buttons=[
            Button(
                label="Allocate",
                verb="alloc.reassign",
                data={"a": view.id, "step": "save"},
                style="primary",
                submits=True,
            )
        ],
    )


# --- QA team notices --------------------------------------------------------------------------


def returned_card(view: WorkView, who: str, reason: str) -> Card:
    text = f"{who} can't do the {view.activity.lower()} of {view.subject}: {reason}"
    return _qa_card("allocation_returned", f"Handed back: {view.subject}", text, view, "Reallocate")


def unassigned_card(view: WorkView, why: str) -> Card:
    text = f"The {view.activity.lower()} of {view.subject} needs someone: {why}"
    return _qa_card(
        "allocation_unassigned", f"Needs allocating: {view.subject}", text, view, "Allocate"
    )


def help_requested_card(view: WorkView, who: str, message: str) -> Card:
    asked = f" They wrote: “{message}”" if message else ""
    text = f"{who} asked for help with the {view.activity.lower()} of {view.subject}.{asked}"
    return Card(
        name="allocation_help_requested",
        title=f"Help requested: {view.subject}",
        fallback=text,
        body=[TextBlock(text=text), Facts(facts=_work_facts(view)[:-1])],
    )


def _qa_card(name: str, title: str, text: str, view: WorkView, label: str) -> Card:
    return Card(
        name=name,
        title=title,
        fallback=text,
        body=[TextBlock(text=text, style="warning"), Facts(facts=_work_facts(view)[:-1])],
        buttons=[Button(label=label, verb="alloc.reassign", data={"a": view.id}, style="primary")],
    )


def notice_card(title: str, lines: Sequence[str], *, style: str = "body") -> Card:
    """A plain notice to the QA team (work created automatically, a grade dispute ...)."""
    body: list[TextBlock] = [
        TextBlock(text=line, style="warning" if style == "warning" else "body") for line in lines
    ]
    return Card(name="allocation_notice", title=title, fallback=" ".join(lines)[:2900], body=body)


def inadequate_alert_card(title: str, lines: Sequence[str]) -> Card:
    return Card(
        name="inadequate_alert",
        title=title,
        fallback=" ".join(lines)[:2900],
        body=[TextBlock(text=lines[0], style="attention")]
        + [TextBlock(text=line) for line in lines[1:]],
    )


def inadequate_escalation_card(
    case_label: str, case_ref: str, step_label: str, facts: list[tuple[str, str]]
) -> Card:
    text = (
        f"{case_label[:1].upper() + case_label[1:]} {case_ref} is still graded Inadequate at its "
        "further audit. Under the framework this is now escalated to you."
    )
    return Card(
        name="inadequate_escalation",
        title=f"Still Inadequate: case {case_ref}",
        fallback=f"{text} {step_label}",
        body=[
            TextBlock(text=text, style="attention"),
            TextBlock(text=step_label, style="subtle"),
            Facts(facts=facts),
        ],
        buttons=[Button(label="My tasks", verb="tasks.show")],
    )


# --- proposals --------------------------------------------------------------------------------


def proposal_card(view: ProposalView) -> Card:
    decided = view.status != "proposed"
    intro = (
        "Nobody has been told yet. Check the allocation, then confirm it to send everyone "
        "their cards."
        if not decided
        else f"This proposal was {view.status}"
        + (f" by {view.decided_by}." if view.decided_by else ".")
    )
    body: list[TextBlock | Facts | Divider] = [
        TextBlock(text=intro, style="good" if view.status == "confirmed" else "body"),
        Facts(facts=[("Cases", str(view.cases)), ("People", str(view.people)), *view.per_service]),
    ]
    if view.lines:
        shown = view.lines[:MAX_LINES]
        more = len(view.lines) - len(shown)
        text = "\n".join(f"• {line}" for line in shown)
        if more:
            text += f"\n…and {more} more (the full list is in `allocation {view.cycle_id}`)"
        body += [Divider(), TextBlock(text=text)]
    if view.errors:
        body += [
            Divider(),
            TextBlock(text=f"{len(view.errors)} line(s) left out:", style="attention"),
            TextBlock(text=_bullets(view.errors, 15)),
        ]
    if view.problems:
        body += [
            Divider(),
            TextBlock(text="Please check:", style="warning"),
            TextBlock(text=_bullets(view.problems, 15)),
        ]
    buttons: list[Button] = []
    if not decided:
        data = {"c": view.cycle_id}
        buttons = [
            Button(
                label=f"Confirm and tell {view.people} people"[:75],
                verb="alloc.cycle.confirm",
                data=data,
                style="primary",
            ),
            Button(label="Cancel", verb="alloc.cycle.cancel", data=data, style="danger"),
        ]
    fallback = f"{view.title}: {view.cases} cases for {view.people} people. {intro}"
    return Card(
        name="allocation_proposal",
        title=view.title,
        fallback=fallback[:2900],
        body=body,
        buttons=buttons,
    )


def import_failed_card(errors: Sequence[str], *, header_hint: str) -> Card:
    text = "Nothing was allocated: I could not use any line of that file."
    return Card(
        name="allocation_import_errors",
        title="The allocation could not be read",
        fallback=f"{text} {'; '.join(errors[:5])}"[:2900],
        body=[
            TextBlock(text=text, style="attention"),
            TextBlock(text=_bullets(errors, 20)),
            TextBlock(text=f"The first row must be: {header_hint}", style="subtle"),
        ],
        buttons=[Button(label="How to allocate", verb="alloc.howto")],
    )


def how_to_card(activities: Sequence[tuple[str, str]], example_ref: str) -> Card:
    keys = ", ".join(key for key, _ in activities) or "(none configured)"
    csv_example = (
        "case_ref,team,activity,assignee_email,moderator_email,cycle\n"
        f"{example_ref},Taunton CP,{activities[0][0] if activities else 'case_audit'},"
        "alex.tm@example.gov.uk,,Q3"
    )
    return Card(
        name="allocation_how_to",
        title="How to allocate work",
        fallback="Send allocate followed by a CSV, or upload the CSV with the message allocate.",
        body=[
            TextBlock(text="From a list of allocations", style="heading"),
            TextBlock(
                text="Send `allocate` with the CSV on the following lines (or upload the .csv "
                "file with the message `allocate`). Optional columns: allocated_on, due_on, "
                "target_on, service."
            ),
            TextBlock(text=csv_example),
            TextBlock(text="From a cohort, sampled fairly", style="heading"),
            TextBlock(
                text="Send `allocate cycle ACTIVITY` with the cohort (case_ref,team and "
                "optionally service) on the following lines. I sample each service's quota, "
                "never give anyone a case from their own team, alternate evaluators and "
                "moderators, balance the load and skip people who are away."
            ),
            TextBlock(text=f"Activities: {keys}", style="subtle"),
            TextBlock(
                text="Either way you see a proposal first: nobody is told until you confirm.",
                style="subtle",
            ),
        ],
    )


# --- outcomes ---------------------------------------------------------------------------------


def work_done_card(view: WorkView, notes: Sequence[str], remaining: Sequence[Line]) -> Card:
    """What the person sees after pressing Done (or saving an outcome)."""
    body: list[TextBlock | Facts | Divider] = [
        TextBlock(text=f"Marked done: {view.activity.lower()} of {view.subject}.", style="good")
    ]
    body += [TextBlock(text=note) for note in notes]
    buttons: list[Button] = []
    if remaining:
        body += [Divider(), TextBlock(text="Still open for you:", style="heading")]
        body.append(TextBlock(text="\n".join(f"• {line.text}" for line in remaining[:10])))
        buttons = [line.button for line in remaining[:5] if line.button is not None]
    if view.grade and view.case_ref:
        # Handled by the escalations area, when the framework has an audit dispute ladder.
        buttons.append(
            Button(
                label="Dispute this grade",
                verb="dispute.about_grade",
                data={"case": view.case_ref, "grade": view.grade},
            )
        )
    return Card(
        name="allocation_done",
        title=f"Done: {view.subject}",
        fallback=f"Marked done: {view.activity} of {view.subject}. " + " ".join(notes),
        body=body,
        buttons=[*buttons, Button(label="My tasks", verb="tasks.show")],
    )


def action_done_card(description: str, remaining: Sequence[Line]) -> Card:
    body: list[TextBlock | Divider] = [TextBlock(text=f"Action done: {description}", style="good")]
    if remaining:
        body += [
            Divider(),
            TextBlock(text="Still open for you:", style="heading"),
            TextBlock(text="\n".join(f"• {line.text}" for line in remaining[:10])),
        ]
    return Card(
        name="action_done",
        title="Action done",
        fallback=f"Action done: {description}",
        body=body,
        buttons=[Button(label="My tasks", verb="tasks.show")],
    )


# --- reminders, escalations, digests ----------------------------------------------------------


def morning_summary_card(
    first_name: str, today: Sequence[Line], also: Sequence[Line], also_more: int = 0
) -> Card:
    """One message a morning with everything that needs the person's attention. ``also_more``
    counts open work left out of ``also`` (it is past what the list shows)."""
    body: list[TextBlock | Divider] = [
        TextBlock(text=f"Hello {first_name}. Here is what needs you today:"),
        TextBlock(text=_line_list(today), style="body"),
    ]
    if also:
        body += [
            Divider(),
            TextBlock(text="Also open", style="heading"),
            TextBlock(text=_line_list(also, more=also_more), style="subtle"),
        ]
    body.append(
        TextBlock(
            text="Reminders stop when you act: Accept stops the requests for a reply, Done "
            "stops the rest.",
            style="subtle",
        )
    )
    buttons = [line.button for line in today if line.button is not None][:8]
    fallback = "Your QA work today: " + "; ".join(line.text for line in today)
    return Card(
        name="morning_summary",
        title="Your QA work today",
        fallback=fallback[:2900],
        body=body,
        buttons=[*buttons, Button(label="My tasks", verb="tasks.show")],
    )


def escalation_card(first_name: str, lines: Sequence[Line], *, instead: bool = False) -> Card:
    """Overdue work escalated to ``first_name``; ``instead`` when some of it could not reach the
    person the framework names (each such line says who that was and why)."""
    intro = (
        f"{first_name}, this QA work is overdue. Some of it comes to you in place of the person "
        "the framework escalates it to: its line says why. "
        if instead
        else f"{first_name}, this QA work is overdue and the framework escalates it to you. "
    )
    body: list[TextBlock] = [
        TextBlock(
            text=intro + "Please follow it up with the person (or ask the QA team to reallocate "
            "it).",
        ),
        TextBlock(text=_line_list(lines)),
    ]
    fallback = "Overdue QA work escalated to you: " + "; ".join(line.text for line in lines)
    return Card(
        name="overdue_escalation",
        title="Overdue QA work escalated to you",
        fallback=fallback[:2900],
        body=body,
        buttons=[Button(label="My tasks", verb="tasks.show")],
    )


def digest_card(first_name: str, week_of: date, lines: Sequence[Line]) -> Card:
    count = len(lines)
    intro = (
        f"{first_name}, your team has {count} overdue QA item{'s' if count != 1 else ''} "
        f"(week of {day_label(week_of)}). Supervision is a good place to pick them up."
    )
    return Card(
        name="overdue_digest",
        title="Your team's overdue QA actions",
        fallback=f"{intro} " + "; ".join(line.text for line in lines[:20]),
        body=[TextBlock(text=intro), TextBlock(text=_line_list(lines))],
        buttons=[Button(label="My tasks", verb="tasks.show")],
    )


def tasks_section(title: str, lines: Sequence[Line], *, empty: str | None = None) -> Card:
    """A section of "my tasks" (see ``common.tasks_card``)."""
    text = _line_list(lines) if lines else (empty or "")
    buttons = [line.button for line in lines if line.button is not None][:6]
    name = "tasks_" + "".join(c if c.isalnum() else "_" for c in title.lower()).strip("_")
    return Card(
        name=name[:60] or "tasks_section",
        title=title,
        fallback=f"{title}: " + "; ".join(line.text for line in lines[:15]),
        body=[TextBlock(text=text or "—")],
        buttons=buttons,
    )


LINES_SHOWN = 25


def _line_list(lines: Sequence[Line], limit: int = LINES_SHOWN, more: int = 0) -> str:
    """The first ``limit`` lines; ``more`` counts lines left out before they were passed."""
    shown = [f"{'⚠ ' if line.urgent else '• '}{line.text}" for line in lines[:limit]]
    hidden = max(len(lines) - limit, 0) + more
    if hidden:
        shown.append(f"…and {hidden} more (type my tasks)")
    return "\n".join(shown) or "—"


def _bullets(items: Sequence[str], limit: int) -> str:
    shown = [f"• {item}" for item in items[:limit]]
    if len(items) > limit:
        shown.append(f"…and {len(items) - limit} more")
    return "\n".join(shown)


# --- a kept cohort ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptCohort:
    """A cohort the QA team kept with ``cohort ACTIVITY``, offered by ``allocate cycle``."""

    activity_key: str
    activity: str
    cohort_id: int
    cases: int
    uploaded_on: date
    uploaded_by: str  # the uploader's name, or "" when they have left the directory


def kept_cohort_label(kept: KeptCohort) -> str:
    """ "Allocate from the kept cohort (40 cases, uploaded 3 Feb by Quinn Improvement)", cut to
    the 75 characters a button allows by dropping the uploader, then the year."""
    when = f"{kept.uploaded_on.day} {kept.uploaded_on:%b %Y}"
    by = f" by {kept.uploaded_by}" if kept.uploaded_by else ""
    for details in (f"{when}{by}", f"{when[:-5]}{by}", when, when[:-5]):
        label = f"Allocate from the kept cohort ({kept.cases} cases, uploaded {details})"
        if len(label) <= 75:
            return label
    return "Allocate from the kept cohort"


def kept_cohort_choice(kept: KeptCohort, seed: int | None = None) -> Card:
    """``allocate cycle ACTIVITY`` with no CSV when a cohort was kept for the activity: sample
    from it at once, or send a new one."""
    by = f" by {kept.uploaded_by}" if kept.uploaded_by else ""
    text = (
        f"A cohort of {kept.cases} cases was kept for {kept.activity} on "
        f"{kept.uploaded_on:%a} {kept.uploaded_on.day} {kept.uploaded_on:%b %Y}{by}. "
        "Allocate from it (you see the proposal before anyone is told), or upload a new cohort."
    )
    data: dict[str, str | int | bool | None] = {"a": kept.activity_key, "k": kept.cohort_id}
    if seed is not None:
        data["s"] = seed
    return Card(
        name="allocation_kept_cohort",
        title=f"{kept.activity}: a cohort is kept",
        fallback=text,
        body=[TextBlock(text=text)],
        buttons=[
            Button(
                label=kept_cohort_label(kept),
                verb="alloc.cycle.kept",
                data=data,
                style="primary",
            ),
            Button(
                label="Upload a new cohort",
                verb="alloc.cycle.upload",
                data={"a": kept.activity_key},
            ),
        ],
    )
