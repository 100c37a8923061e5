"""Cards for good-practice nominations: the form, the privacy check, the CSW vote card, the
outcome messages. Pure functions of plain values, so the gallery can show every one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

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
    ToggleInput,
)
from bot.cards.shared import CHILD_REMINDER, clip
from bot.domain.framework import Framework
from bot.nominations.rules import Tally

CHOICE_LABELS = {
    "ratify": "Ratify",
    "decline": "Decline",
    "needs_more_information": "Needs more information",
}
OUTCOME_LABELS = {
    "ratified": "Ratified",
    "declined": "Declined",
    "needs_more_information": "More information needed",
    "no_quorum": "No decision: too few votes",
    "withdrawn": "Withdrawn",
}
STATUS_LABELS = {
    "voting": "With the CSW group",
    "needs_more_information": "Waiting for your extra information",
    "ratified": "Ratified",
    "declined": "Declined",
    "no_quorum": "With the QA team (too few votes)",
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True)
class NominationView:
    """What the cards show of a nomination."""

    id: int
    reference: str
    theme: str
    nominees: str
    what_happened: str
    difference_made: str
    evidence_source: str
    evidence: str = ""
    family_voice: bool = False
    consent_to_share: bool = False
    case_reference: str | None = None
    nominator: str = ""
    status: str = "voting"
    submitted_on: date | None = None
    round: int = 1
    additions: tuple[tuple[int, str], ...] = field(default_factory=tuple)


def day(d: date) -> str:
    """ "Mon 30 Nov 2026"."""
    return f"{d:%a} {d.day} {d:%b %Y}"


def moment(dt: datetime) -> str:
    """ "Mon 30 Nov 2026, 17:00" (dt already in local time)."""
    return f"{day(dt.date())}, {dt:%H:%M}"


# --- the nomination form ----------------------------------------------------------------------


@dataclass(frozen=True)
class FormChoices:
    people: list[Choice]
    teams: list[Choice]
    # More people in the directory than a select can hold: a text box for email addresses too.
    many_people: bool = False


def nomination_form(
    framework: Framework,
    choices: FormChoices,
    values: dict[str, object],
    *,
    form_key: str,
    note: str | None = None,
) -> Card:
    rules = framework.nominations
    case = framework.case_reference
    body: list[Element] = [
        TextBlock(
            text="Tell the Consultant Social Worker group about practice that made a difference. "
            "They verify it, you hear back, and ratified practice goes into the Good Practice "
            "Library.",
        ),
        TextBlock(text=CHILD_REMINDER, style="subtle"),
    ]
    if note:
        body.append(TextBlock(text=note, style="good"))
    body.append(
        ChoiceInput(
            id="nominees",
            label="Who are you nominating?",
            choices=choices.people,
            multi=True,
        )
    )
    if choices.many_people:
        body.append(
            TextInput(
                id="nominee_emails",
                label="Or type their email addresses",
                placeholder="name@example.gov.uk, another@example.gov.uk",
                max_length=1000,
            )
        )
    body += [
        ChoiceInput(id="team", label="Or a whole team", choices=choices.teams),
        TextInput(
            id="what_happened",
            label="What happened?",
            placeholder="What did they do, and how?",
            multiline=True,
            required=True,
            max_length=rules.what_happened_max,
        ),
        TextInput(
            id="difference_made",
            label="What difference did it make for the child or family?",
            multiline=True,
            required=True,
            max_length=rules.difference_made_max,
        ),
        ChoiceInput(
            id="evidence_source",
            label="Where did you see it?",
            choices=[Choice(title=s, value=s) for s in rules.evidence_sources],
            required=True,
        ),
        TextInput(
            id="evidence",
            label="Evidence (optional)",
            placeholder="For example what the family said, or what the audit found",
            multiline=True,
            max_length=rules.evidence_max,
        ),
        ChoiceInput(
            id="theme",
            label="Practice standard or theme",
            choices=[Choice(title=t, value=t) for t in rules.themes],
            required=True,
        ),
        TextInput(
            id="case_reference",
            label=f"{case.label[:1].upper()}{case.label[1:]} (optional)",
            placeholder=f"e.g. {case.example}: seen only by the CSW group",
            max_length=64,
        ),
        ToggleInput(id="family_voice", label="The child's or family's voice is part of this"),
        ToggleInput(
            id="consent",
            label="It may be shared in the Good Practice Library (case numbers never are)",
        ),
    ]
    card = Card(
        name="nomination_form",
        title="Nominate good practice",
        fallback="A form to nominate good practice for the CSW group to verify.",
        body=body,
        buttons=[
            Button(
                label="Submit nomination",
                verb="nominate.submit",
                data={"form": form_key},
                style="primary",
                submits=True,
            ),
            Button(label="Save draft", verb="nominate.save", data={"form": form_key}, submits=True),
            Button(label="Start again", verb="nominate.discard", data={"form": form_key}),
        ],
    )
    return card.with_errors({}, values) if values else card


def nomination_received(view: NominationView, closes: datetime | None) -> Card:
    if view.status == "no_quorum":
        text = (
            f"Thank you. Your nomination {view.reference} is saved. Nobody in the Consultant "
            "Social Worker group can vote on it (they are all the nominator or nominees), so it "
            "has gone to the QA team, who will let you know what happens next."
        )
    else:
        when = f" The vote closes by {moment(closes)}." if closes else ""
        text = (
            f"Thank you. Your nomination {view.reference} has gone to the Consultant Social "
            f"Worker group.{when} I'll tell you their decision and any comments."
        )
    return Card(
        name="nomination_received",
        title=f"Nomination received: {view.reference}",
        fallback=text,
        body=[
            TextBlock(text=text, style="good"),
            Facts(
                facts=[
                    ("Reference", view.reference),
                    ("Nominated", view.nominees),
                    ("Theme", view.theme),
                    ("Library", "May be shared" if view.consent_to_share else "Not to be shared"),
                ]
            ),
        ],
        buttons=[Button(label="My nominations", verb="nominations.mine")],
    )


def nomination_summary(view: NominationView, *, case_label: str | None) -> list[Element]:
    """The nomination as the CSW group reads it (``case_label`` None hides the case number)."""
    facts = [
        ("Nominated", view.nominees),
        ("Theme", view.theme),
        ("Seen in", view.evidence_source),
        ("Family's voice", "Yes" if view.family_voice else "No"),
    ]
    if view.nominator:
        facts.insert(1, ("Nominated by", view.nominator))
    if case_label and view.case_reference:
        facts.append((case_label[:1].upper() + case_label[1:], view.case_reference))
    body: list[Element] = [
        Facts(facts=facts),
        TextBlock(text="What happened", style="heading"),
        TextBlock(text=view.what_happened),
        TextBlock(text="The difference it made", style="heading"),
        TextBlock(text=view.difference_made),
    ]
    if view.evidence:
        body += [TextBlock(text="Evidence", style="heading"), TextBlock(text=view.evidence)]
    for number, text in view.additions:
        body += [
            TextBlock(text=f"More information (added for round {number})", style="heading"),
            TextBlock(text=text),
        ]
    return body


# --- the vote ---------------------------------------------------------------------------------


def vote_buttons(nomination_id: int, round_number: int) -> list[Button]:
    def data(choice: str) -> dict[str, str | int | bool | None]:
        return {"nomination": nomination_id, "round": round_number, "choice": choice}

    return [
        Button(label="Ratify", verb="vote.cast", data=data("ratify"), style="primary"),
        Button(label="Decline…", verb="vote.cast", data=data("decline")),
        Button(
            label="Needs more information…",
            verb="vote.cast",
            data=data("needs_more_information"),
        ),
    ]


def vote_card(
    view: NominationView,
    *,
    round_number: int,
    tally: Tally,
    eligible: int,
    closes: datetime,
    case_label: str,
    outcome: str | None = None,
    extended: bool = False,
    note: str | None = None,
) -> Card:
    """The CSW group's vote card: counts, never who voted what."""
    title = f"Vote: good practice nomination {view.reference}"
    if round_number > 1:
        title += f" (round {round_number})"
    counts = Facts(
        facts=[
            ("Ratify", str(tally.ratify)),
            ("Decline", str(tally.decline)),
            ("Needs more information", str(tally.needs_more_information)),
        ]
    )
    body: list[Element] = []
    if outcome is None:
        when = f"Open until {moment(closes)}" + (
            " (extended: too few votes so far)" if extended else ""
        )
        body += [
            TextBlock(text=when, style="warning" if extended else "subtle"),
            Progress(label="CSWs who have voted", value=tally.total, total=eligible),
            counts,
        ]
        fallback = (
            f"Vote on nomination {view.reference} ({view.theme}): {tally.total} of {eligible} "
            f"CSWs have voted; open until {moment(closes)}."
        )
    else:
        label = OUTCOME_LABELS.get(outcome, outcome)
        body += [
            TextBlock(
                text=f"Vote closed: {label}", style="good" if outcome == "ratified" else "warning"
            ),
            Progress(label="CSWs who voted", value=tally.total, total=eligible),
            counts,
        ]
        fallback = f"Vote on nomination {view.reference} closed: {label}."
    if note:
        body.append(TextBlock(text=note, style="good"))
    body.append(Divider())
    body += nomination_summary(view, case_label=case_label)
    if outcome is None:
        body.append(
            TextBlock(
                text="One vote each; you can change yours until the vote closes. Declining or "
                "asking for more information needs a comment: the nominator gets it without "
                "your name.",
                style="subtle",
            )
        )
    buttons = vote_buttons(view.id, round_number) if outcome is None else []
    return Card(name="vote", title=title, fallback=fallback, body=body, buttons=buttons)


def vote_comment_form(
    view: NominationView,
    *,
    round_number: int,
    choice: str,
    comment: str = "",
    back: bool = False,
) -> Card:
    label = CHOICE_LABELS[choice]
    prompt = (
        "Why are you declining? The nominator receives your comment, without your name."
        if choice == "decline"
        else "What more does the group need to know? The nominator receives this, without "
        "your name, and can add to the nomination."
    )
    buttons = [
        Button(
            label=label,
            verb="vote.cast",
            data={"nomination": view.id, "round": round_number, "choice": choice, "form": True},
            style="danger" if choice == "decline" else "primary",
            submits=True,
        )
    ]
    if back:
        buttons.append(
            Button(label="Back", verb="vote.show", data={"nomination": view.id, "in_place": True})
        )
    return Card(
        name="vote_comment",
        title=f"{label}: {view.reference}",
        fallback=f"{label} nomination {view.reference}: add your comment.",
        body=[
            TextBlock(text=f"{view.reference}: {view.theme}, {view.nominees}", style="subtle"),
            TextInput(
                id="comment",
                label="Your comment",
                placeholder=prompt,
                value=comment or None,
                multiline=True,
                required=True,
                max_length=1000,
            ),
        ],
        buttons=buttons,
    )


def vote_recorded(
    view: NominationView,
    choice: str,
    closes: datetime,
    *,
    changed: bool,
    repeated: bool = False,
    closed: str | None = None,
) -> Card:
    label = CHOICE_LABELS[choice]
    if repeated:
        text = f"Your vote on {view.reference} was already recorded: {label}. Nothing changed."
    elif changed:
        text = f"Your vote on {view.reference} is now: {label}."
    else:
        text = f"Thank you: your vote on {view.reference} is recorded: {label}."
    if closed:
        text += (
            f" Everyone has now voted, so the vote has closed: "
            f"{OUTCOME_LABELS.get(closed, closed)}. I'll tell the nominator."
        )
    else:
        text += f" You can change it until {moment(closes)}."
    return Card(
        name="vote_recorded",
        title="Vote recorded",
        fallback=text,
        body=[TextBlock(text=text, style="good")],
    )


def vote_refused(title: str, text: str) -> Card:
    return Card(
        name="vote_refused",
        title=title,
        fallback=text,
        body=[TextBlock(text=text, style="warning")],
    )


def vote_reminder(view: NominationView, *, round_number: int, closes: datetime) -> Card:
    text = (
        f"The CSW group's vote on nomination {view.reference} ({view.theme}) closes by "
        f"{moment(closes)} and you haven't voted yet."
    )
    return Card(
        name="vote_reminder",
        title=f"Reminder: your vote on {view.reference}",
        fallback=text,
        body=[TextBlock(text=text), *nomination_summary(view, case_label=None)],
        buttons=vote_buttons(view.id, round_number),
    )


# --- outcomes ---------------------------------------------------------------------------------


def outcome_for_nominator(
    view: NominationView,
    outcome: str,
    comments: list[str],
    *,
    in_library: bool = False,
) -> Card:
    label = OUTCOME_LABELS.get(outcome, outcome)
    if outcome == "ratified":
        text = (
            f"Good news: the Consultant Social Worker group ratified your nomination "
            f"{view.reference} ({view.nominees}). I've let them know."
        )
        if in_library:
            text += " It is now in the Good Practice Library."
        elif not view.consent_to_share:
            text += " As you asked, it is not shared in the library."
    elif outcome == "declined":
        text = (
            f"The Consultant Social Worker group has not ratified your nomination "
            f"{view.reference} this time. Their comments are below: thank you for recognising "
            "your colleagues' work."
        )
    elif outcome == "needs_more_information":
        text = (
            f"The Consultant Social Worker group needs more information about nomination "
            f"{view.reference} before deciding. Their questions are below; add what you can and "
            "the group votes again."
        )
    else:
        text = (
            f"Too few of the Consultant Social Worker group voted on nomination "
            f"{view.reference} to reach a decision. The QA team will pick it up and let you "
            "know."
        )
    body: list[Element] = [TextBlock(text=text, style="good" if outcome == "ratified" else "body")]
    if comments:
        body += [TextBlock(text="Comments from the CSW group", style="heading")]
        body += [TextBlock(text=line) for line in comments]
    buttons = [Button(label="My nominations", verb="nominations.mine")]
    if outcome == "needs_more_information":
        buttons.insert(
            0,
            Button(
                label="Add information",
                verb="nomination.more",
                data={"nomination": view.id},
                style="primary",
            ),
        )
    return Card(
        name="nomination_outcome",
        title=f"{view.reference}: {label}",
        fallback=f"Nomination {view.reference}: {label}. " + " ".join(comments)[:1500],
        body=body,
        buttons=buttons,
    )


def practice_recognised(view: NominationView, *, nominator: str, shared: bool) -> Card:
    text = (
        f"{nominator} nominated your practice ({view.theme}) and the Consultant Social Worker "
        "group has ratified it. Thank you for the difference you made."
    )
    if shared:
        text += f" It is in the Good Practice Library as {view.reference}."
    return Card(
        name="practice_recognised",
        title="Your practice has been recognised",
        fallback=text,
        body=[
            TextBlock(text=text, style="good"),
            TextBlock(text="What your colleague saw", style="heading"),
            TextBlock(text=view.what_happened),
            TextBlock(text="The difference it made", style="heading"),
            TextBlock(text=view.difference_made),
        ],
        buttons=[Button(label="Good Practice Library", verb="library.page", data={"page": 0})],
    )


def celebration(view: NominationView, *, what_happened: str, difference_made: str) -> Card:
    text = f"Good practice recognised: {view.nominees}, {view.theme}."
    return Card(
        name="celebration",
        title=f"Celebrating good practice: {view.nominees}",
        fallback=text,
        body=[
            TextBlock(
                text=f"The Consultant Social Worker group has ratified a nomination for "
                f"{view.nominees} ({view.theme}).",
                style="good",
            ),
            TextBlock(text=clip(what_happened, 1200)),
            TextBlock(text="The difference it made", style="heading"),
            TextBlock(text=clip(difference_made, 1200)),
        ],
        buttons=[
            Button(
                label="Read it in the library", verb="library.show", data={"ref": view.reference}
            )
        ],
    )


def no_quorum_for_qa(view: NominationView, *, voted: int, eligible: int) -> Card:
    text = (
        f"Only {voted} of {eligible} eligible CSWs voted on nomination {view.reference}, so the "
        "group reached no decision (the vote had already been extended once). Reopen the vote "
        "or withdraw it with a note to the nominator."
        if eligible
        else f"No CSW can vote on nomination {view.reference}: everyone in the group is the "
        "nominator or a nominee, or the group is empty. Reopen the vote once the group can "
        "vote, or withdraw it with a note to the nominator."
    )
    return Card(
        name="nomination_no_quorum",
        title=f"{view.reference} needs the QA team",
        fallback=text,
        body=[TextBlock(text=text, style="warning"), *nomination_summary(view, case_label=None)],
        buttons=[
            Button(label="Reopen the vote", verb="nomination.reopen", data={"nomination": view.id}),
            Button(label="Withdraw…", verb="nomination.withdraw", data={"nomination": view.id}),
        ],
    )


def more_information_form(
    view: NominationView, comments: list[str], *, value: str = "", max_length: int
) -> Card:
    body: list[Element] = [
        TextBlock(
            text=f"The CSW group asked for more about {view.reference} ({view.nominees}).",
        ),
    ]
    if comments:
        body += [TextBlock(text="Their questions", style="heading")]
        body += [TextBlock(text=line) for line in comments]
    body += [
        TextInput(
            id="more",
            label="What you'd like to add",
            value=value or None,
            multiline=True,
            required=True,
            max_length=max_length,
        ),
        TextBlock(text=CHILD_REMINDER, style="subtle"),
    ]
    return Card(
        name="more_information_form",
        title=f"Add information: {view.reference}",
        fallback=f"Add the information the CSW group asked for about {view.reference}.",
        body=body,
        buttons=[
            Button(
                label="Resubmit",
                verb="nomination.resubmit",
                data={"nomination": view.id, "round": view.round},
                style="primary",
                submits=True,
            )
        ],
    )


def resubmitted(view: NominationView, closes: datetime | None) -> Card:
    when = f" The vote closes by {moment(closes)}." if closes else ""
    text = f"Thank you. {view.reference} is back with the CSW group for round {view.round}.{when}"
    return Card(
        name="nomination_resubmitted",
        title=f"Resubmitted: {view.reference}",
        fallback=text,
        body=[TextBlock(text=text, style="good")],
        buttons=[Button(label="My nominations", verb="nominations.mine")],
    )


def withdraw_form(view: NominationView) -> Card:
    return Card(
        name="withdraw_nomination",
        title=f"Withdraw {view.reference}",
        fallback=f"Withdraw nomination {view.reference}: say why, for the nominator.",
        body=[
            TextBlock(text=f"{view.reference}: {view.theme}, {view.nominees}"),
            TextInput(
                id="reason",
                label="Why is it being withdrawn? (sent to the nominator)",
                multiline=True,
                required=True,
                max_length=1000,
            ),
        ],
        buttons=[
            Button(
                label="Withdraw",
                verb="nomination.withdraw_confirm",
                data={"nomination": view.id},
                style="danger",
                submits=True,
            )
        ],
    )


def nomination_withdrawn(view: NominationView, reason: str) -> Card:
    text = f"The QA team has withdrawn nomination {view.reference}."
    return Card(
        name="nomination_withdrawn",
        title=f"{view.reference} withdrawn",
        fallback=f"{text} {reason}"[:2000],
        body=[TextBlock(text=text), TextBlock(text=f"Their note: {reason}")],
    )


def my_nominations(rows: list[tuple[NominationView, str]], *, draft_saved: datetime | None) -> Card:
    """The person's nominations with their status; ``rows`` pairs each with a status line."""
    body: list[Element] = []
    buttons: list[Button] = []
    if draft_saved is not None:
        body.append(TextBlock(text=f"You have a draft nomination saved {moment(draft_saved)}."))
        buttons.append(Button(label="Continue my draft", verb="nominate.open", style="primary"))
    if not rows:
        body.append(
            TextBlock(
                text="You haven't nominated anyone yet. Seen practice that made a difference? "
                "Type nominate.",
            )
        )
    for view, status in rows:
        body.append(
            Facts(
                facts=[
                    (view.reference, f"{view.nominees}: {view.theme}"),
                    ("Status", status),
                ]
            )
        )
        if view.status == "needs_more_information" and len(buttons) < 10:
            buttons.append(
                Button(
                    label=f"Add information to {view.reference}",
                    verb="nomination.more",
                    data={"nomination": view.id},
                )
            )
    buttons.append(Button(label="Nominate", verb="nominate.open"))
    fallback = f"Your nominations: {len(rows)}." + " ".join(
        f"{v.reference}: {s}." for v, s in rows[:10]
    )
    return Card(
        name="my_nominations", title="My nominations", fallback=fallback, body=body, buttons=buttons
    )
