"""The escalations area's cards: pure functions of plain values."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards.model import (
    Button,
    Card,
    Choice,
    ChoiceInput,
    Divider,
    Element,
    Facts,
    Progress,
    TextBlock,
    TextInput,
)
from bot.cards.shared import CHILD_REMINDER, clip, simple
from bot.escalations.rules import OPEN, RESOLVED

TEXT_MAX = 1500


@dataclass(frozen=True)
class DisputeView:
    number: int
    version: int
    ladder: str
    stage: str
    stage_number: int
    stages: int
    guidance: str
    record: str
    ends_when: str
    clock: str
    status: str
    raised_by: str
    other: str
    case_reference: str
    category: str
    resolution_sought: str
    can_escalate: bool
    outcome: str = ""
    total_clock: str = ""


def risk_question(about: dict[str, str | int | bool | None] | None = None) -> Card:
    """``about`` travels on the buttons to the form: a case and a grade being disputed."""
    about = about or {}
    text = "Before anything else: is a child at immediate risk of harm?"
    return Card(
        name="dispute_risk",
        title="Raise a professional disagreement",
        fallback=text,
        body=[
            TextBlock(text=text, style="heading"),
            TextBlock(
                text="A disagreement process never stands in for a child protection referral.",
                style="subtle",
            ),
        ],
        buttons=[
            Button(
                label="Yes, a child is at risk now",
                verb="dispute.risk",
                data={**about, "risk": "yes"},
            ),
            Button(label="No", verb="dispute.risk", data={**about, "risk": "no"}, style="primary"),
        ],
    )


def child_protection_route(
    front_door: str,
    out_of_hours: str,
    told: list[str],
    mailbox: str,
    about: dict[str, str | int | bool | None] | None = None,
) -> Card:
    told_text = ", ".join(told) if told else "nobody: no one holds those roles in the directory"
    facts = [("Front door", front_door), ("Out of hours", out_of_hours), ("Told now", told_text)]
    if mailbox:
        facts.append(("Also email", mailbox))
    return Card(
        name="dispute_child_protection",
        title="A child at immediate risk: the child protection route",
        fallback=(
            f"Make a child protection referral now: {front_door}. Out of hours: {out_of_hours}. "
            "In an emergency call 999."
        ),
        body=[
            TextBlock(
                text="Make a child protection referral now. In an emergency call 999. "
                "Resolving a professional difference never stands in for this.",
                style="attention",
            ),
            Facts(facts=facts),
            TextBlock(
                text="Once the child is safe you can still raise the disagreement.",
                style="subtle",
            ),
        ],
        buttons=[
            Button(
                label="Raise the disagreement",
                verb="dispute.risk",
                data={**(about or {}), "risk": "later"},
            )
        ],
    )


def safety_alert(raiser: str, role: str) -> Card:
    text = (
        f"{raiser} ({role}) says a child is at immediate risk of harm and has been shown the "
        "child protection route. Please contact them now."
    )
    return simple("dispute_safety_alert", "A child at immediate risk of harm", text, "attention")


def start_form(
    ladders: list[tuple[str, str]],
    ladder_key: str,
    categories: list[str],
    starts: list[tuple[int, str]],
    case_label: str,
    multi_agency: bool,
) -> Card:
    body: list[Element] = [TextBlock(text=CHILD_REMINDER, style="subtle")]
    if len(ladders) > 1:
        body.append(
            ChoiceInput(
                id="ladder",
                label="Which process",
                choices=[Choice(title=name, value=key) for key, name in ladders],
                value=[ladder_key],
                required=True,
            )
        )
    body += [
        TextInput(
            id="other_email",
            label="The other professional's work email, if they are in the directory",
            max_length=254,
        ),
        TextInput(
            id="other_name",
            label="The other professional's name and role",
            required=True,
            max_length=200,
        ),
        TextInput(
            id="other_agency",
            label="Their agency" if multi_agency else "Their agency or team",
            required=multi_agency,
            max_length=200,
        ),
        TextInput(id="case_reference", label=f"The child's {case_label} (optional)", max_length=40),
        ChoiceInput(
            id="category",
            label="What the disagreement is about",
            choices=[Choice(title=c, value=c) for c in categories],
            required=True,
        ),
        TextInput(
            id="resolution_sought",
            label="The resolution you are seeking",
            multiline=True,
            required=True,
            max_length=TEXT_MAX,
        ),
    ]
    if len(starts) > 1:
        body.append(
            ChoiceInput(
                id="start_stage",
                label="Start at (a later stage only where the child's needs require it)",
                choices=[Choice(title=name, value=str(i)) for i, name in starts],
                value=[str(starts[0][0])],
                required=True,
            )
        )
    return Card(
        name="dispute_form",
        title="Raise a professional disagreement",
        fallback="Raise a professional disagreement: who with, what about, what you are seeking.",
        body=body,
        buttons=[
            Button(
                label="Raise it",
                verb="dispute.submit",
                data={"l": ladder_key},
                style="primary",
                submits=True,
            )
        ],
    )


def dispute_card(view: DisputeView, headline: str = "") -> Card:
    title = f"Dispute {view.number}: {view.ladder}"
    state = {OPEN: view.clock, RESOLVED: "Resolved"}.get(view.status, "Withdrawn")
    facts = [
        ("Stage", view.stage),
        ("Clock" if view.status == OPEN else "Status", state),
        ("Raised by", view.raised_by),
        ("With", view.other),
        ("Case", view.case_reference or "not given"),
        ("About", view.category),
        ("Seeking", clip(view.resolution_sought, 300)),
    ]
    if view.total_clock and view.status == OPEN:
        facts.append(("Whole process", view.total_clock))
    if view.outcome:
        facts.append(("Outcome" if view.status == RESOLVED else "Reason", clip(view.outcome, 300)))
    body: list[Element] = []
    if headline:
        body.append(TextBlock(text=headline, style="warning"))
    body += [
        Progress(label="Stage", value=view.stage_number, total=view.stages),
        Facts(facts=facts),
    ]
    data: dict[str, str | int | bool | None] = {"d": view.number, "v": view.version}
    buttons = [Button(label="Case note", verb="dispute.note_text", data={"d": view.number})]
    if view.status == OPEN:
        body += [
            Divider(),
            TextBlock(text=f"What to do: {view.guidance}"),
            TextBlock(text=f"Record: {view.record} Ends when: {view.ends_when}", style="subtle"),
        ]
        buttons = [
            Button(
                label="Resolved",
                verb="dispute.step",
                data={**data, "s": "resolve"},
                style="primary",
            ),
            *(
                [Button(label="Not resolved", verb="dispute.step", data={**data, "s": "escalate"})]
                if view.can_escalate
                else []
            ),
            Button(label="Add a note", verb="dispute.step", data={**data, "s": "note"}),
            Button(label="Withdraw", verb="dispute.step", data={**data, "s": "withdraw"}),
            *buttons,
        ]
    fallback = f"{title}. {view.stage}: {state}."
    if headline:
        fallback = f"{headline} {fallback}"
    return Card(name="dispute", title=title, fallback=fallback, body=body, buttons=buttons)


STEP_WORDS = {
    "resolve": ("The agreed outcome", "Record it resolved"),
    "escalate": ("Why it is not resolved", "Escalate to the next stage"),
    "note": ("Your note", "Add the note"),
    "withdraw": ("Why you are withdrawing it (optional)", "Withdraw it"),
}


def step_form(number: int, version: int, step: str, stage: str) -> Card:
    label, go = STEP_WORDS[step]
    return Card(
        name="dispute_step_form",
        title=f"Dispute {number}: {go.lower()}",
        fallback=f"Dispute {number} at {stage}: {label.lower()}.",
        body=[
            TextBlock(text=f"{stage}. {CHILD_REMINDER}", style="subtle"),
            TextInput(
                id="text",
                label=label,
                multiline=True,
                required=step != "withdraw",
                max_length=TEXT_MAX,
            ),
        ],
        buttons=[
            Button(
                label=go,
                verb="dispute.step_submit",
                data={"d": number, "v": version, "s": step},
                style="danger" if step == "withdraw" else "primary",
                submits=True,
            )
        ],
    )


def case_note_card(number: int, note_title: str, text: str, download_url: str | None) -> Card:
    buttons = [Button(label="Download", url=download_url)] if download_url else []
    return Card(
        name="dispute_case_note",
        title=f"{note_title} case note: dispute {number}",
        fallback=text,
        body=[
            TextBlock(
                text="Copy this into the child's record (LCS, Mosaic or EHM).", style="subtle"
            ),
            TextBlock(text=text),
        ],
        buttons=buttons,
    )


def not_found(number: str) -> Card:
    shown = clip(number, 12) or "?"
    return simple(
        "dispute_not_found",
        "Not found",
        f"I can't find dispute {shown}. Type `disputes mine` for the ones you are part of.",
        "warning",
    )


def disputes_list(lines: list[tuple[str, list[tuple[str, str]]]], empty: str) -> Card:
    body: list[Element] = []
    for ladder, facts in lines:
        body += [TextBlock(text=ladder, style="heading"), Facts(facts=facts)]
    if not body:
        body = [TextBlock(text=empty)]
    count = sum(len(f) for _, f in lines)
    return Card(
        name="disputes_list",
        title="Open disputes",
        fallback=f"{count} open dispute(s)." if count else empty,
        body=body,
    )


def my_disputes(lines: list[tuple[str, str]], buttons: list[tuple[int, str]]) -> Card:
    return Card(
        name="my_disputes",
        title="Your disputes",
        fallback=f"You are part of {len(lines)} open dispute(s).",
        body=[Facts(facts=lines)],
        buttons=[
            Button(label=label, verb="dispute.show", data={"d": number})
            for number, label in buttons[:5]
        ],
    )


def quarterly_report(
    quarter: str, sections: list[tuple[str, list[tuple[str, str]]]], csv_url: str | None
) -> Card:
    body: list[Element] = []
    for heading, facts in sections:
        body += [TextBlock(text=heading, style="heading"), Facts(facts=facts or [("None", "0")])]
    return Card(
        name="disputes_report",
        title=f"Disputes report: {quarter}",
        fallback=f"Disputes report for {quarter}.",
        body=body,
        buttons=[Button(label="Download CSV", url=csv_url)] if csv_url else [],
    )
