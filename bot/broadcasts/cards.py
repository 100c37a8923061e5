"""The broadcasts' cards: the broadcast itself (in numbered parts when long), the QA team's
review card, the edit, schedule and compose forms, and the live delivery report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.broadcasts import content as bcontent
from bot.broadcasts.content import Content
from bot.broadcasts.rules import FAILED, WAITING, Tally
from bot.cards.model import ActionData, Button, Card, DateInput, Facts, TextBlock, TextInput
from bot.cards.shared import clip, simple

if TYPE_CHECKING:
    from bot.broadcasts.store import Broadcast

ChartUrlFn = Callable[[int, int], str | None]
MAX_FAILED_SHOWN = 20


def broadcast_cards(broadcast_id: int, content: Content, chart_url: ChartUrlFn) -> list[Card]:
    """What each recipient gets, with "Got it" on the last part."""
    got_it = Button(label="Got it", verb="bcast.ack", data={"b": broadcast_id})
    return bcontent.cards(content, name="broadcast", chart_url=chart_url, buttons=[got_it])


def _in_sentence(label: str) -> str:
    """A kind's label inside a sentence: "newsletter", but "QA digest" keeps its acronym."""
    first, _, rest = label.partition(" ")
    return label if first.isupper() else f"{first.lower()} {rest}".strip()


def review(
    broadcast: Broadcast,
    audience: str,
    parts: int,
    proposed: str | None = None,
    *,
    charts_as_text: bool = False,
) -> Card:
    """The QA team's card for a draft: Edit, Approve, Schedule, Discard; with the time its
    author proposed (``qabot newsletter send --at``), which the approver can accept; and,
    when it has charts the bot cannot show as pictures, a note saying why."""
    data = {"b": broadcast.id}
    facts = [("Goes to", clip(audience, 500)), ("Sent as", split_text(parts))]
    accept = []
    if proposed:
        facts.append(("Proposed time", proposed))
        accept = [
            Button(
                label="Approve for the proposed time",
                verb="bcast.approve",
                data={**data, "proposed": True},
            )
        ]
    label = bcontent.KIND_LABELS.get(broadcast.kind, "Broadcast")
    return Card(
        name="broadcast_review",
        title=f"Draft {_in_sentence(label)}: {clip(broadcast.title, 120)}",
        fallback=f"A draft {_in_sentence(label)} is waiting for approval: {broadcast.title}",
        body=[
            TextBlock(
                text="Nothing is sent until someone in the QA team approves it.", style="subtle"
            ),
            Facts(facts=facts),
            *([pictures_note()] if charts_as_text else []),
        ],
        buttons=[
            Button(label="Approve and send", verb="bcast.approve", data=data, style="primary"),
            *accept,
            Button(label="Edit", verb="bcast.edit", data=data),
            Button(label="Schedule", verb="bcast.schedule", data=data),
            Button(label="Preview", verb="bcast.preview", data=data),
            Button(label="Discard", verb="bcast.discard", data=data, style="danger"),
        ],
    )


def scheduled(
    broadcast: Broadcast, when: str, by: str, audience: str, parts: int, stamp: str
) -> Card:
    """What a review card becomes once the broadcast is scheduled: when, who scheduled it, and
    Send now, Change time, Cancel. ``stamp`` names the time shown, so a press on a card
    showing an older time is recognised as out of date."""
    data = {"b": broadcast.id, "at": stamp}
    label = bcontent.KIND_LABELS.get(broadcast.kind, "Broadcast")
    return Card(
        name="broadcast_scheduled",
        title=f"Scheduled for {when}",
        fallback=f"{broadcast.title}: scheduled for {when} by {by}",
        body=[
            TextBlock(text=f"{label}: {clip(broadcast.title, 200)}", style="heading"),
            TextBlock(text=f"Scheduled by {clip(by, 200)}. Nothing is sent before then."),
            Facts(facts=[("Goes to", clip(audience, 500)), ("Sent as", split_text(parts))]),
        ],
        buttons=[
            Button(label="Send now", verb="bcast.send_now", data=data, style="primary"),
            Button(label="Change time", verb="bcast.reschedule", data=data),
            Button(label="Cancel", verb="bcast.cancel", data=data, style="danger"),
        ],
    )


def cancelled(broadcast: Broadcast, by: str, when: str) -> Card:
    return simple(
        "broadcast_cancelled",
        f"Cancelled: {clip(broadcast.title, 120)}",
        f"Cancelled by {clip(by, 200)} on {when}. Nothing was sent.",
        "subtle",
    )


def out_of_date(current: Card) -> Card:
    """The broadcast's card as it stands now, in place of a card that was out of date."""
    note = TextBlock(text="That card was out of date, so nothing was changed.", style="warning")
    return current.model_copy(update={"body": [note, *current.body]})


def pictures_note() -> TextBlock:
    return TextBlock(
        text="Charts appear as pictures when the bot has an https public address; for now "
        "they are listed as text.",
        style="subtle",
    )


def split_text(parts: int) -> str:
    return f"{parts} numbered parts (too long for one message)" if parts > 1 else "one message"


def edit_form(broadcast: Broadcast, content: Content) -> Card:
    body: list[TextInput | TextBlock] = [
        TextInput(id="title", label="Title", value=content.title, required=True, max_length=200),
        TextInput(
            id="editor_note",
            label="Editor's note",
            value=content.editor_note or None,
            multiline=True,
            max_length=3000,
        ),
    ]
    for index, section in enumerate(content.sections[:20]):
        if len(section.body) > 3000:
            # Longer than a chat field holds: shown, not offered for editing (never cut).
            body.append(
                TextBlock(
                    text=f"{clip(section.heading, 150)}: too long to edit here. Export it "
                    "(qabot digest export --format md), edit the file and send it with "
                    "qabot newsletter send.",
                    style="subtle",
                )
            )
            continue
        body.append(
            TextInput(
                id=f"s{index}",
                label=clip(section.heading, 150),
                value=section.body or None,
                multiline=True,
                max_length=3000,
            )
        )
    return Card(
        name="broadcast_edit",
        title=f"Edit: {clip(broadcast.title, 120)}",
        fallback="Edit the text of the broadcast",
        body=list(body),
        buttons=[
            Button(
                label="Save",
                verb="bcast.save",
                data={"b": broadcast.id},
                style="primary",
                submits=True,
            )
        ],
    )


def schedule_form(broadcast: Broadcast, day: str, at: str, stamp: str | None = None) -> Card:
    """When to send a draft; with ``stamp`` (the time the scheduled card showed), a new time
    for a scheduled broadcast."""
    data: ActionData = {"b": broadcast.id}
    if stamp is not None:
        data["at"] = stamp
    return Card(
        name="broadcast_schedule" if stamp is None else "broadcast_reschedule",
        title=f"Schedule: {clip(broadcast.title, 120)}",
        fallback="When should it be sent?",
        body=[
            DateInput(id="day", label="Day", value=day, required=True),
            TextInput(id="at", label="Time (HH:MM, UK time)", value=at, required=True),
        ],
        buttons=[
            Button(
                label="Approve for then" if stamp is None else "Change the time",
                verb="bcast.schedule_save" if stamp is None else "bcast.reschedule_save",
                data=data,
                style="primary",
                submits=True,
            )
        ],
    )


def compose_form(kind: str, headings: Sequence[str], audience: str = "all-teams") -> Card:
    """A newsletter (title, three sections, links) or a briefing (its usual headings)."""
    body: list[TextInput] = [
        TextInput(id="title", label="Title", required=True, max_length=200),
        TextInput(
            id="audience",
            label="Audience: all-teams, team:NAME, service:NAME, role:ROLE (comma separated)",
            value=audience,
            required=True,
            max_length=500,
        ),
    ]
    if kind == "briefing":
        for index, heading in enumerate(headings):
            body.append(TextInput(id=f"b{index}", label=heading, multiline=True, max_length=3000))
    else:
        for index in range(3):
            body.append(
                TextInput(id=f"h{index}", label=f"Section {index + 1} heading", max_length=200)
            )
            body.append(
                TextInput(
                    id=f"b{index}",
                    label=f"Section {index + 1} text",
                    multiline=True,
                    max_length=3000,
                )
            )
    body.append(
        TextInput(
            id="links",
            label="Links, one a line: title | https://…",
            multiline=True,
            max_length=3000,
        )
    )
    label = bcontent.KIND_LABELS[kind]
    return Card(
        name=f"{kind}_compose",
        title=f"New {_in_sentence(label)}",
        fallback=f"Write a {_in_sentence(label)}",
        body=list(body),
        buttons=[
            Button(
                label="Preview",
                verb="bcast.compose",
                data={"kind": kind},
                style="primary",
                submits=True,
            )
        ],
    )


def report(
    broadcast: Broadcast,
    tally: Tally,
    reads: Sequence[tuple[str, int]],
    *,
    csv_url: str | None = None,
) -> Card:
    """The live delivery report: every recipient is delivered, waiting or failed."""
    data = {"b": broadcast.id}
    facts = [
        ("Recipients", str(tally.total)),
        ("Delivered", str(tally.delivered)),
        ("Waiting", f"{tally.waiting} (retrying {tally.retrying})"),
        ("Failed", str(tally.failed)),
        ("Read (Got it)", str(sum(n for _, n in reads))),
    ]
    body: list[TextBlock | Facts] = [Facts(facts=facts)]
    failed = [r for r in tally.recipients if r.state == FAILED]
    if failed:
        body.append(TextBlock(text="Failed", style="heading"))
        lines = [f"• {_who(r.recipient)}: {r.reason}" for r in failed[:MAX_FAILED_SHOWN]]
        if len(failed) > MAX_FAILED_SHOWN:
            lines.append(f"… and {len(failed) - MAX_FAILED_SHOWN} more in the CSV")
        body.append(TextBlock(text="\n".join(lines), style="attention"))
    retrying = [r for r in tally.recipients if r.state == WAITING and r.retrying]
    if retrying:
        lines = [f"• {_who(r.recipient)}: {r.reason}" for r in retrying[:5]]
        body.append(TextBlock(text="Retrying:\n" + "\n".join(lines), style="subtle"))
    if reads:
        body.append(Facts(facts=[(team, str(n)) for team, n in reads[:10]]))
    if csv_url:
        body.append(TextBlock(text=f"Download (works for 30 minutes): {csv_url}"))
    state = "still sending" if tally.waiting else "finished"
    buttons = [Button(label="Refresh", verb="bcast.refresh", data=data)]
    if failed:
        buttons.append(Button(label="Retry failed", verb="bcast.retry", data=data))
    buttons.append(Button(label="Download CSV", verb="bcast.csv", data=data))
    return Card(
        name="broadcast_report",
        title=f"Delivery: {clip(broadcast.title, 120)} ({state})",
        fallback=(
            f"{broadcast.title}: {tally.delivered} delivered, {tally.waiting} waiting, "
            f"{tally.failed} failed of {tally.total}"
        ),
        body=list(body),
        buttons=buttons,
    )


def _who(recipient: str) -> str:
    route, _, platform = recipient.partition("@")
    if route.startswith("p") and route[1:].isdigit():
        return f"person {route[1:]}"
    name = route.removeprefix("team:").replace("_", " ")
    return f"{name} ({platform.capitalize()})" if platform else name


def refusal(what: str) -> Card:
    return simple(
        "broadcast_refused",
        "Not allowed",
        f"Only the QA team can {what} a broadcast. Nothing was changed.",
        "attention",
    )


def note(title: str, text: str, style: str = "body") -> Card:
    return simple("broadcast_note", title, text, style)  # type: ignore[arg-type]


def privacy_problem(findings: Sequence[tuple[str, str]]) -> Card:
    lines = "\n".join(f"• {label}: “{clip(text, 80)}”" for label, text in findings[:20])
    return simple(
        "broadcast_privacy",
        "Check before sending",
        "This may identify a child, so nothing was sent. Use the case record number only, or "
        f"remove it, then try again:\n{lines}",
        "attention",
    )
