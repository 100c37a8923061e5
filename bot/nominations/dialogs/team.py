"""Team nominations for Good Practice Conversations (North Somerset, seed 004).

Heads of service (and assistant directors and directors) nominate a team to share its good
practice in an Appreciative Inquiry conversation. These are not voted on: they are listed for
the QA team, who mark them arranged or withdraw them. Switched on by
``[nominations] team_conversations = true`` in the framework file.
"""

from __future__ import annotations

import secrets
from datetime import date

from bot.cards.model import Button, Card, Choice, ChoiceInput, Element, Facts, TextBlock, TextInput
from bot.cards.shared import CHILD_REMINDER, simple
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import (
    PrivacyStep,
    as_int,
    as_text,
    delete_draft,
    form_problems,
    input_value,
    load_draft,
    save_draft,
)
from bot.domain.framework import Framework
from bot.domain.roles import Role
from bot.domain.workdays import add_months
from bot.nominations import store
from bot.nominations.cards import day
from bot.nominations.dialogs.support import log, not_allowed, out_of_date, refuse
from bot.nominations.store import TeamNomination
from bot.store import directory
from bot.store.models import Team

FLOW = "team_nomination"
PRIVACY = PrivacyStep(
    flow=FLOW, verb="team_nomination.privacy", fields=(("reason", "What to draw out"),)
)
NOMINATORS = {Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR, Role.DIRECTOR}
VIEWERS = {Role.QA_TEAM, *NOMINATORS}


def register(router: Router) -> None:
    router.command(
        "nominate team",
        "nominate a team",
        summary="Nominate a team for a Good Practice Conversation",
        roles=NOMINATORS,
        offered=_team_conversations,
    )(lambda ctx, _args: open_form(ctx))
    router.command(
        "team nominations",
        summary="Teams nominated for Good Practice Conversations",
        roles=VIEWERS,
        offered=_team_conversations,
    )(lambda ctx, _args: list_nominations(ctx))
    router.action("team_nominations.list")(lambda ctx, _a: list_nominations(ctx))
    router.action("team_nomination.submit")(submit)
    router.action("team_nomination.privacy")(privacy_continue)
    router.action("team_nomination.arrange")(lambda ctx, a: set_status(ctx, a, store.GPC_ARRANGED))
    router.action("team_nomination.withdraw")(
        lambda ctx, a: set_status(ctx, a, store.GPC_WITHDRAWN)
    )
    router.tasks(tasks)
    router.gallery(_gallery)


def _team_conversations(framework: Framework) -> bool:
    return framework.nominations.team_conversations


def _switched_off(ctx: Context) -> list[Reply] | None:
    if ctx.framework.nominations.team_conversations:
        return None
    text = (
        f"Good Practice Conversations aren't part of {ctx.framework.authority.short_name}'s QA "
        "framework, so team nominations are switched off. To recognise a team's practice, type "
        "nominate and choose the whole team."
    )
    return [Reply(simple("team_nominations_off", "Team nominations are off", text))]


def month_choices(today: date, quiet_months: tuple[int, ...]) -> list[Choice]:
    choices = [Choice(title="No preference", value="any")]
    for offset in range(0, 7):
        month = add_months(today.replace(day=1), offset)
        if month.month not in quiet_months:
            choices.append(Choice(title=f"{month:%B %Y}", value=f"{month:%Y-%m}"))
    return choices


def team_form(teams: list[Choice], months: list[Choice], form_key: str, max_length: int) -> Card:
    return Card(
        name="team_nomination_form",
        title="Nominate a team",
        fallback="Nominate a team to share its good practice in a Good Practice Conversation.",
        body=[
            TextBlock(
                text="Nominate a team to share its good practice in a Good Practice "
                "Conversation (an Appreciative Inquiry interview). The QA team arranges them.",
            ),
            ChoiceInput(id="team", label="Team", choices=teams, required=True),
            TextInput(
                id="reason",
                label="What good practice should the conversation draw out?",
                multiline=True,
                required=True,
                max_length=max_length,
            ),
            ChoiceInput(id="month", label="Preferred month", choices=months),
            TextBlock(text=CHILD_REMINDER, style="subtle"),
        ],
        buttons=[
            Button(
                label="Nominate team",
                verb="team_nomination.submit",
                data={"form": form_key},
                style="primary",
                submits=True,
            )
        ],
    )


async def _form(ctx: Context, values: dict[str, object], form_key: str) -> Card:
    teams = await directory.teams_by_name(ctx.session)
    card = team_form(
        [Choice(title=t.name, value=str(t.id)) for t in teams[:100]],
        month_choices(ctx.today, ctx.framework.calendar.quiet_months),
        form_key,
        ctx.framework.nominations.what_happened_max,
    )
    return card.with_errors({}, values) if values else card


async def open_form(ctx: Context) -> list[Reply]:
    off = _switched_off(ctx)
    if off:
        return off
    draft = await load_draft(ctx, FLOW)
    values = dict(draft.state.get("values") or {}) if draft else {}
    form_key = str(draft.state.get("form")) if draft else secrets.token_hex(8)
    return [Reply(await _form(ctx, values, form_key))]


async def submit(ctx: Context, action: Action) -> list[Reply]:
    if not ctx.has_role(*NOMINATORS):
        refuse(ctx, "team_nomination.submit", "not a head of service or above")
        return not_allowed(
            "Only heads of service, assistant directors and directors nominate teams."
        )
    off = _switched_off(ctx)
    if off:
        return off
    form_key = as_text(action.data.get("form"))[:64] or secrets.token_hex(8)
    values: dict[str, object] = {
        "team": as_text(input_value(action.inputs, action.data, "team"))[:20],
        "reason": as_text(input_value(action.inputs, action.data, "reason")),
        "month": as_text(input_value(action.inputs, action.data, "month"))[:7],
    }
    return await _proceed(ctx, values, form_key, privacy_action=None)


async def _problems(ctx: Context, values: dict[str, object]) -> tuple[dict[str, str], Team | None]:
    """Field id -> problem for the team nomination form (a too-long reason is cut in
    ``values``), and the team chosen."""
    limit = ctx.framework.nominations.what_happened_max
    errors: dict[str, str] = {}
    reason = str(values.get("reason") or "")
    if not reason:
        errors["reason"] = "Please say what good practice the conversation should draw out."
    elif len(reason) > limit:
        errors["reason"] = f"This is {len(reason):,} characters; please keep it to {limit:,}."
        values["reason"] = reason[:limit]
    team_id = as_int(values.get("team"))
    team = await ctx.session.get(Team, team_id) if team_id else None
    if team is None:
        errors["team"] = "Please choose a team."
    else:
        existing = await store.open_team_nomination(ctx.session, team.id)
        if existing is not None:
            errors["team"] = (
                f"{team.name} is already nominated ({existing.reference}, {existing.status})."
            )
    month = str(values.get("month") or "")
    if month and month != "any" and month not in {c.value for c in month_choices(ctx.today, ())}:
        errors["month"] = "Please choose one of the months."
    return errors, team


async def _proceed(
    ctx: Context, values: dict[str, object], form_key: str, privacy_action: str | None
) -> list[Reply]:
    assert ctx.person is not None
    errors, team = await _problems(ctx, values)
    if errors:
        await save_draft(ctx, FLOW, {"stage": "form", "form": form_key, "values": values})
        card = await _form(ctx, values, form_key)
        return form_problems(card, errors, values)
    if privacy_action is None:
        held = await PRIVACY.hold(ctx, values, form_key)
        if held is not None:
            return held
    assert team is not None
    reason, month = str(values.get("reason") or ""), str(values.get("month") or "")
    nomination = TeamNomination(
        team=team,
        nominated_by=ctx.person,
        reason=reason,
        preferred_month=month if month and month != "any" else None,
        status=store.GPC_LISTED,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(nomination)
    await ctx.session.flush()
    await delete_draft(ctx, FLOW)
    ctx.audit.record(
        "team_nomination.submitted",
        actor_id=ctx.person.id,
        subject=nomination.reference,
        details={"team": team.name, "privacy": privacy_action},
    )
    log.info("team nomination %s submitted by person %s", nomination.id, ctx.person.id)
    await ctx.outbox.to_route(
        "qa_team",
        qa_card(nomination),
        key=f"gpc:{nomination.id}",
        kind="team_nomination",
        card_key=f"gpc:{nomination.id}",
    )
    text = (
        f"Thank you. {team.name} is nominated for a Good Practice Conversation "
        f"({nomination.reference}). The QA team will arrange it and let you know."
    )
    return [
        Reply(
            simple("team_nomination_received", "Team nominated", text, "good"),
            replace=True,
            close_form=True,
        )
    ]


async def privacy_continue(ctx: Context, action: Action) -> list[Reply]:
    if not ctx.has_role(*NOMINATORS):
        refuse(ctx, "team_nomination.privacy", "not a head of service or above")
        return not_allowed(
            "Only heads of service, assistant directors and directors nominate teams."
        )

    async def edit(values: dict[str, object], form_key: str) -> list[Reply]:
        return [Reply(await _form(ctx, values, form_key))]

    answer = await PRIVACY.answer(
        ctx, action, lambda why: out_of_date(ctx, PRIVACY.verb, why), edit
    )
    if isinstance(answer, list):
        return answer
    return await _proceed(ctx, dict(answer.values), answer.form_key, answer.action_taken)


def _status_text(nomination: TeamNomination) -> str:
    month = nomination.preferred_month or "no preferred month"
    return f"{nomination.status}; nominated by {nomination.nominated_by.name}; {month}"


def qa_card(nomination: TeamNomination) -> Card:
    body: list[Element] = [
        Facts(
            facts=[
                ("Team", nomination.team.name),
                ("Nominated by", nomination.nominated_by.name),
                ("Preferred month", nomination.preferred_month or "No preference"),
                ("Status", nomination.status.capitalize()),
                ("Nominated on", day(nomination.created_at.date())),
            ]
        ),
        TextBlock(text="What the conversation should draw out", style="heading"),
        TextBlock(text=nomination.reason),
    ]
    buttons = []
    if nomination.status == store.GPC_LISTED:
        data = {"nomination": nomination.id}
        buttons = [
            Button(
                label="Mark arranged", verb="team_nomination.arrange", data=data, style="primary"
            ),
            Button(label="Withdraw", verb="team_nomination.withdraw", data=data),
        ]
    return Card(
        name="team_nomination",
        title=f"Good Practice Conversation nomination {nomination.reference}",
        fallback=f"{nomination.team.name} nominated for a Good Practice Conversation "
        f"({nomination.reference}): {nomination.status}.",
        body=body,
        buttons=buttons,
    )


async def list_nominations(ctx: Context) -> list[Reply]:
    if not ctx.has_role(*VIEWERS):
        refuse(ctx, "team_nominations.list", "not QA team or head of service")
        return not_allowed("Only the QA team and heads of service see team nominations.")
    rows = await store.team_nominations(ctx.session, (store.GPC_LISTED, store.GPC_ARRANGED))
    facts = [(f"{n.reference} {n.team.name}", _status_text(n)) for n in rows]
    buttons: list[Button] = []
    if ctx.has_role(Role.QA_TEAM):
        for n in rows:
            if n.status == store.GPC_LISTED and len(buttons) < 18:
                buttons += [
                    Button(
                        label=f"Arranged: {n.team.name}"[:75],
                        verb="team_nomination.arrange",
                        data={"nomination": n.id},
                    ),
                    Button(
                        label=f"Withdraw {n.reference}",
                        verb="team_nomination.withdraw",
                        data={"nomination": n.id},
                    ),
                ]
    body: list[Element] = (
        [Facts(facts=facts)]
        if facts
        else [
            TextBlock(text="No teams are nominated for a Good Practice Conversation at the moment.")
        ]
    )
    return [
        Reply(
            Card(
                name="team_nominations",
                title="Good Practice Conversation nominations",
                fallback=f"{len(rows)} team nomination(s).",
                body=body,
                buttons=buttons,
            )
        )
    ]


async def set_status(ctx: Context, action: Action, status: str) -> list[Reply]:
    verb = "team_nomination.arrange" if status == store.GPC_ARRANGED else "team_nomination.withdraw"
    nomination_id = as_int(action.data.get("nomination"))
    if not ctx.has_role(Role.QA_TEAM):
        refuse(ctx, verb, "not in the QA team", subject=f"team_nomination:{nomination_id}")
        return not_allowed("Only the QA team arranges or withdraws team nominations.")
    nomination = await ctx.session.get(TeamNomination, nomination_id or 0)
    if nomination is None:
        return out_of_date(ctx, verb, f"no team nomination {nomination_id}")
    if nomination.status != store.GPC_LISTED:
        return out_of_date(
            ctx,
            verb,
            f"team nomination {nomination.id} is {nomination.status}",
            f"{nomination.reference} is already {nomination.status}: nothing was changed.",
        )
    assert ctx.person is not None
    nomination.status = status
    nomination.handled_by_id = ctx.person.id
    nomination.updated_at = ctx.now
    ctx.audit.record(
        f"team_nomination.{status}", actor_id=ctx.person.id, subject=nomination.reference
    )
    card = qa_card(nomination)
    await ctx.outbox.update(f"gpc:{nomination.id}", card, key=f"gpc:{nomination.id}:{status}")
    what = (
        "is being arranged" if status == store.GPC_ARRANGED else "has been withdrawn by the QA team"
    )
    text = (
        f"The Good Practice Conversation for {nomination.team.name} ({nomination.reference}) "
        f"{what}."
    )
    await ctx.outbox.to_person(
        nomination.nominated_by_id,
        simple("team_nomination_update", nomination.reference, text),
        key=f"gpc:{nomination.id}:{status}:nominator",
        kind="outcome",
    )
    return [Reply(card, replace=True)]


async def tasks(ctx: Context) -> list[Card]:
    if not ctx.has_role(Role.QA_TEAM) or not ctx.framework.nominations.team_conversations:
        return []
    rows = await store.team_nominations(ctx.session, (store.GPC_LISTED,), limit=20)
    if not rows:
        return []
    return [
        Card(
            name="tasks_team_nominations",
            title="Teams nominated for a Good Practice Conversation",
            fallback=f"{len(rows)} team nomination(s) to arrange.",
            body=[Facts(facts=[(n.reference, f"{n.team.name}: {_status_text(n)}") for n in rows])],
            buttons=[Button(label="Team nominations", verb="team_nominations.list")],
        )
    ]


def _gallery() -> list[Card]:
    from datetime import UTC, datetime

    from bot.store.models import Person

    sample = TeamNomination(
        id=3,
        reason="How the team keeps children's voices at the centre of plans, seen in the "
        "Collaborative Practice Review.",
        preferred_month="2027-01",
        status=store.GPC_LISTED,
        created_at=datetime(2026, 11, 23, 10, tzinfo=UTC),
        updated_at=datetime(2026, 11, 23, 10, tzinfo=UTC),
    )
    sample.team = Team(id=1, name="Family Wellbeing")
    sample.nominated_by = Person(id=1, name="Helen Head", email="helen@example.gov.uk")
    months = month_choices(date(2026, 11, 23), (8, 12))
    return [
        team_form([Choice(title="Family Wellbeing", value="1")], months, "k", 2000),
        qa_card(sample),
    ]
