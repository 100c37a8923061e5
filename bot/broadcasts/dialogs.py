"""The broadcasts' commands and buttons: ``digest draft``, ``newsletter``, ``briefing``,
``broadcasts``; the review card's Edit / Approve / Schedule / Discard, the report's Retry
failed and Download CSV, and "Got it".

Every button that changes a broadcast checks the QA role from the directory, whatever its
payload says: a forged press from someone else gets a refusal and a log line.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from bot.broadcasts import cards as bcards
from bot.broadcasts import flows, rules, store
from bot.broadcasts.content import Content, ContentSection, Link
from bot.broadcasts.store import DRAFT, Broadcast
from bot.cards.model import Card, TextBlock
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import as_text, load_staff_names, screen_fields
from bot.domain.roles import Role

log = logging.getLogger("bot.broadcasts.dialogs")
QA = {Role.QA_TEAM}


def register(router: Router) -> None:
    router.command(
        "digest draft",
        "digest",
        summary="Draft the QA digest from the bot's data, for the QA team to review",
        roles=QA,
        usage="digest draft [Q2 2026-27] [for service NAME | for team NAME]",
    )(digest_command)
    router.command("newsletter", summary="Write a newsletter to team channels or people", roles=QA)(
        newsletter_command
    )
    router.command(
        "briefing",
        "7-minute briefing",
        summary="Write a 7-minute briefing under its usual headings",
        roles=QA,
    )(briefing_command)
    router.command("broadcasts", summary="Recent broadcasts and their delivery reports", roles=QA)(
        list_command
    )
    for verb, handler in {
        "bcast.approve": approve_action,
        "bcast.edit": edit_action,
        "bcast.save": save_action,
        "bcast.schedule": schedule_action,
        "bcast.schedule_save": schedule_save_action,
        "bcast.discard": discard_action,
        "bcast.send_now": send_now_action,
        "bcast.reschedule": reschedule_action,
        "bcast.reschedule_save": reschedule_save_action,
        "bcast.cancel": cancel_action,
        "bcast.preview": preview_action,
        "bcast.compose": compose_action,
        "bcast.refresh": refresh_action,
        "bcast.retry": retry_action,
        "bcast.csv": csv_action,
        "bcast.ack": ack_action,
    }.items():
        router.action(verb)(handler)


def _reply(card: Card, *, replace: bool = False) -> list[Reply]:
    return [Reply(card, replace=replace)]


async def digest_command(ctx: Context, args: str) -> list[Reply]:
    digest = ctx.framework.broadcasts.digest
    if digest is None:
        return _reply(bcards.note("No digest", "This framework drafts no QA digest."))
    words = args.strip()
    words = words[len("draft") :].strip() if words.lower().startswith("draft") else words
    asked = rules.parse_scope(words)
    if isinstance(asked, str):
        log.info("digest draft refused: unknown scope")
        return _reply(bcards.note("For whom?", asked, "warning"))
    period = rules.parse_period(asked.period, ctx.today, digest)
    if isinstance(period, str):
        log.info("digest draft refused: unknown period")
        return _reply(bcards.note("Which period?", period, "warning"))
    scope = await flows.resolve_scope(ctx, asked)
    if isinstance(scope, str):
        log.info("digest draft refused: unknown %s", asked.kind)
        return _reply(bcards.note("For whom?", scope, "warning"))
    content = await flows.compose_digest(ctx, period, scope)
    audience = flows.scoped_audience(ctx, scope)
    broadcast = await flows.new_draft(ctx, content, audience, period=period)
    return await _review_replies(ctx, broadcast)


async def _review_replies(ctx: Context, broadcast: Broadcast) -> list[Reply]:
    parts = flows.message_cards(ctx, broadcast)
    return [*(Reply(card) for card in parts), Reply(flows.review_card(ctx, broadcast, len(parts)))]


async def newsletter_command(ctx: Context, args: str) -> list[Reply]:
    return _reply(bcards.compose_form("newsletter", ()))


async def briefing_command(ctx: Context, args: str) -> list[Reply]:
    return _reply(bcards.compose_form("briefing", ctx.framework.broadcasts.briefing_headings))


async def list_command(ctx: Context, args: str) -> list[Reply]:
    found = await store.recent(ctx.session)
    if not found:
        return _reply(bcards.note("Broadcasts", "Nothing has been drafted or sent yet."))
    replies = []
    for broadcast in found[:5]:
        if broadcast.status == DRAFT:
            replies += await _review_replies(ctx, broadcast)
        else:
            replies.append(Reply(await flows.current_card(ctx, broadcast)))
    return replies


# --- the gate ---------------------------------------------------------------------------------


async def _qa_broadcast(ctx: Context, action: Action, what: str) -> Broadcast | list[Reply]:
    """The broadcast a QA-team button names, or the answer to give instead."""
    if not flows.is_qa(ctx):
        return _reply(flows.refuse(ctx, what))
    return await _broadcast(ctx, action)


async def _broadcast(ctx: Context, action: Action) -> Broadcast | list[Reply]:
    try:
        broadcast_id = int(str(action.data.get("b", "")))
    except ValueError:
        broadcast_id = 0
    found = await store.by_id(ctx.session, broadcast_id) if broadcast_id > 0 else None
    if found is None:
        log.info("broadcast button for an unknown broadcast")
        return _reply(bcards.note("Not found", "That broadcast no longer exists.", "warning"))
    return found


async def _not_draft(ctx: Context, broadcast: Broadcast) -> list[Reply] | None:
    """None for a draft; a review card pressed after the broadcast was scheduled becomes the
    scheduled card (out of date: nothing changed)."""
    if broadcast.status == DRAFT:
        return None
    if flows.is_scheduled(broadcast):
        return await _out_of_date(ctx, broadcast)
    return _reply(
        bcards.note(
            "Already decided",
            f"“{broadcast.title}” is {broadcast.status}: it cannot be changed now.",
            "warning",
        )
    )


async def approve_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "approve")
    if not isinstance(found, Broadcast):
        return found
    if (stop := await _not_draft(ctx, found)) is not None:
        return stop
    if (nobody := await _nobody(ctx, found)) is not None:
        return nobody
    # "Approve for the proposed time" accepts the time kept on the draft (never one the
    # button carries); "Approve and send" sends now.
    when = flows.proposed(ctx, found) if action.data.get("proposed") else None
    if when is not None and when > ctx.now:
        return _in_place(ctx, found, await flows.schedule(ctx, found, when))
    await flows.approve(ctx, found, when)
    return _reply(
        bcards.note(
            "Approved",
            f"“{found.title}” is on its way to {found.recipients} recipient(s). The delivery "
            "report in the QA team channel shows its progress.",
            "good",
        ),
        replace=True,
    )


async def edit_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "edit")
    if not isinstance(found, Broadcast):
        return found
    if (stop := await _not_draft(ctx, found)) is not None:
        return stop
    return _reply(bcards.edit_form(found, flows.content_of(found)))


async def save_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "edit")
    if not isinstance(found, Broadcast):
        return found
    if (stop := await _not_draft(ctx, found)) is not None:
        return stop
    content = flows.content_of(found)
    values = {k: as_text(v) for k, v in action.inputs.items()}
    title = values.get("title", "") or content.title
    sections = [
        s.model_copy(update={"body": values.get(f"s{i}", s.body)}) if i < 20 else s
        for i, s in enumerate(content.sections)
    ]
    edited = content.model_copy(
        update={
            "title": title[:200],
            "editor_note": values.get("editor_note", ""),
            "sections": sections,
        }
    )
    form = bcards.edit_form(found, content)
    if (problem := await _privacy(ctx, form, values)) is not None:
        return problem
    found.content = edited.model_dump(mode="json")
    found.title = edited.title
    found.updated_at = ctx.now
    ctx.audit.record(
        "broadcast.edited",
        actor_id=ctx.person.id if ctx.person else None,
        subject=f"broadcast:{found.id}",
    )
    return [Reply(bcards.note("Saved", "Your changes are saved.", "good"), close_form=True)] + (
        await _review_replies(ctx, found)
    )


async def _privacy(ctx: Context, form: Card, values: dict[str, str]) -> list[Reply] | None:
    """The form again with every flagged field marked, if free text may identify a child."""
    await load_staff_names(ctx)
    fields = [
        (i.id, i.label, values.get(i.id, ""))
        for i in form.inputs
        if i.id not in ("audience", "links")
    ]
    flagged = screen_fields(ctx, fields)
    if not flagged:
        return None
    log.info("broadcast held by the privacy screen: %d finding(s)", len(flagged))
    errors = {
        field_id: "This may identify a child: use the case record number only, or remove it."
        for field_id, _, _ in flagged
    }
    findings = [(label, f.excerpt) for _, label, f in flagged]
    return [
        Reply(form.with_errors(errors, dict(values)), errors=errors),
        Reply(bcards.privacy_problem(findings)),
    ]


async def schedule_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "schedule")
    if not isinstance(found, Broadcast):
        return found
    if (stop := await _not_draft(ctx, found)) is not None:
        return stop
    # Remembered so the card this was pressed on shows the schedule once the form is saved,
    # wherever the form opens (a Slack modal is not the card).
    flows.remember_message(ctx, found)
    when = flows.proposed(ctx, found)
    if when is not None and when > ctx.now:
        local = when.astimezone(ctx.tz)
        return _reply(bcards.schedule_form(found, local.date().isoformat(), f"{local:%H:%M}"))
    return _reply(bcards.schedule_form(found, ctx.today.isoformat(), "09:00"))


async def schedule_save_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "schedule")
    if not isinstance(found, Broadcast):
        return found
    if (stop := await _not_draft(ctx, found)) is not None:
        return stop
    day, at = as_text(action.inputs.get("day")), as_text(action.inputs.get("at"))
    when = parse_when(ctx, day, at)
    if isinstance(when, str):
        form = bcards.schedule_form(found, day, at)
        errors = {"at": when}
        return [Reply(form.with_errors(errors, {"day": day, "at": at}), errors=errors)]
    if (nobody := await _nobody(ctx, found)) is not None:
        return nobody
    return _in_place(ctx, found, await flows.schedule(ctx, found, when))


def _in_place(ctx: Context, broadcast: Broadcast, card: Card) -> list[Reply]:
    """The broadcast's new card in place of the one pressed; after a form with no card behind
    it (a Slack modal) the remembered cards show it, and a short note says so."""
    pressed_card = ctx.turn is not None and bool(ctx.turn.source_message)
    if pressed_card or not broadcast.status_messages:
        return [Reply(card, replace=True, close_form=True)]
    return [
        Reply(
            bcards.note(
                card.title,
                f"“{broadcast.title}”: the card you pressed Schedule on shows it now, with "
                "Send now, Change time and Cancel.",
                "good",
            ),
            close_form=True,
        )
    ]


async def _out_of_date(ctx: Context, broadcast: Broadcast) -> list[Reply]:
    who = ctx.person.email if ctx.person else "someone not in the directory"
    log.info("broadcast %s: an out-of-date card was pressed by %s", broadcast.id, who)
    current = await flows.current_card(ctx, broadcast)
    return _reply(bcards.out_of_date(current), replace=True)


async def _scheduled(ctx: Context, action: Action, what: str) -> Broadcast | list[Reply]:
    """The scheduled broadcast a button of its scheduled card names, when the card shows its
    current time; otherwise the answer to give instead (nothing is changed)."""
    found = await _qa_broadcast(ctx, action, what)
    if not isinstance(found, Broadcast):
        return found
    if not flows.is_scheduled(found) or str(action.data.get("at", "")) != flows.stamp(found):
        return await _out_of_date(ctx, found)
    return found


async def send_now_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _scheduled(ctx, action, "send")
    if not isinstance(found, Broadcast):
        return found
    if (nobody := await _nobody(ctx, found)) is not None:
        return nobody
    return _reply(await flows.send_now(ctx, found), replace=True)


async def reschedule_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _scheduled(ctx, action, "reschedule")
    if not isinstance(found, Broadcast):
        return found
    flows.remember_message(ctx, found)
    assert found.send_at is not None
    local = found.send_at.astimezone(ctx.tz)
    form = bcards.schedule_form(
        found, local.date().isoformat(), f"{local:%H:%M}", stamp=flows.stamp(found)
    )
    return _reply(form)


async def reschedule_save_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _scheduled(ctx, action, "reschedule")
    if not isinstance(found, Broadcast):
        return found
    day, at = as_text(action.inputs.get("day")), as_text(action.inputs.get("at"))
    when = parse_when(ctx, day, at)
    if isinstance(when, str):
        form = bcards.schedule_form(found, day, at, stamp=flows.stamp(found))
        errors = {"at": when}
        return [Reply(form.with_errors(errors, {"day": day, "at": at}), errors=errors)]
    return _in_place(ctx, found, await flows.reschedule(ctx, found, when))


async def cancel_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _scheduled(ctx, action, "cancel")
    if not isinstance(found, Broadcast):
        return found
    return _reply(await flows.cancel(ctx, found), replace=True)


async def _nobody(ctx: Context, broadcast: Broadcast) -> list[Reply] | None:
    """A warning instead of an approval that would reach no one."""
    found = await flows.recipients(ctx, rules.audience_from_tokens(broadcast.audience))
    if found.routes or found.people:
        return None
    log.info("broadcast %s not approved: its audience reaches no one", broadcast.id)
    return _reply(
        bcards.note(
            "No one to send it to",
            "Its audience has no channel this bot can post to and no one holding the role. "
            "Add the team channels to the framework's [channels.teams] (and, in local mode, "
            "add the Teams app to those teams), or choose another audience.",
            "warning",
        )
    )


def parse_when(ctx: Context, day: str, at: str) -> datetime | str:
    try:
        moment = datetime.combine(
            datetime.strptime(day, "%Y-%m-%d").date(), time.fromisoformat(at.strip())
        ).replace(tzinfo=ctx.tz)
    except ValueError:
        return "Give a day (YYYY-MM-DD) and a time like 09:00."
    if moment <= ctx.now:
        return "That time has passed: choose a later one, or press Approve and send."
    return moment


async def discard_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "discard")
    if not isinstance(found, Broadcast):
        return found
    if (stop := await _not_draft(ctx, found)) is not None:
        return stop
    flows.discard(ctx, found)
    return _reply(bcards.note("Discarded", f"“{found.title}” will not be sent."), replace=True)


async def preview_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "preview")
    if not isinstance(found, Broadcast):
        return found
    return [Reply(card) for card in flows.message_cards(ctx, found)]


async def compose_action(ctx: Context, action: Action) -> list[Reply]:
    if not flows.is_qa(ctx):
        return _reply(flows.refuse(ctx, "write"))
    kind = "briefing" if action.data.get("kind") == "briefing" else "newsletter"
    headings = ctx.framework.broadcasts.briefing_headings
    values = {k: as_text(v) for k, v in action.inputs.items()}
    form = bcards.compose_form(kind, headings, values.get("audience") or "all-teams")
    teams = list(ctx.framework.channels.teams)
    audience = rules.parse_audience(values.get("audience", ""), teams)
    errors: dict[str, str] = {}
    if isinstance(audience, str):
        errors["audience"] = audience
    if not values.get("title"):
        errors["title"] = "Give it a title."
    sections = _sections(kind, headings, values)
    if not sections:
        errors["b0"] = "Write at least one section."
    if errors:
        log.info("newsletter form refused: %s", ", ".join(sorted(errors)))
        return [Reply(form.with_errors(errors, dict(values)), errors=errors)]
    assert not isinstance(audience, str)
    content = Content(title=values["title"][:200], kind=kind, sections=sections)
    if (problem := await _privacy(ctx, form, values)) is not None:
        return problem
    broadcast = await flows.new_draft(ctx, content, audience)
    return [Reply(bcards.note("Drafted", "Check it below.", "good"), close_form=True)] + (
        await _review_replies(ctx, broadcast)
    )


def _sections(kind: str, headings: tuple[str, ...], values: dict[str, str]) -> list[ContentSection]:
    sections: list[ContentSection] = []
    if kind == "briefing":
        for index, heading in enumerate(headings):
            if values.get(f"b{index}"):
                sections.append(ContentSection(heading=heading, body=values[f"b{index}"]))
    else:
        for index in range(3):
            body, heading = values.get(f"b{index}", ""), values.get(f"h{index}", "")
            if body or heading:
                sections.append(ContentSection(heading=heading[:200] or "—", body=body))
    links = [_link(line) for line in values.get("links", "").splitlines() if line.strip()]
    if links:
        sections.append(ContentSection(heading="Links", links=[k for k in links if k]))
    return sections


def _link(line: str) -> Link | None:
    title, _, url = line.rpartition("|") if "|" in line else (line, "", line)
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        return None
    return Link(title=(title.strip() or url)[:200], url=url[:1000])


# --- the report -------------------------------------------------------------------------------


async def refresh_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "see the report of")
    if not isinstance(found, Broadcast):
        return found
    await flows.refresh_report(ctx, found)
    return _reply(await flows.report_card(ctx, found), replace=True)


async def retry_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "retry")
    if not isinstance(found, Broadcast):
        return found
    count = await flows.retry_failed(ctx, found)
    text = (
        f"{count} message(s) to failed recipients are being sent again."
        if count
        else "Nothing has failed, so nothing was sent again."
    )
    return [Reply(bcards.note("Retrying", text)), Reply(await flows.report_card(ctx, found))]


async def csv_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _qa_broadcast(ctx, action, "download the report of")
    if not isinstance(found, Broadcast):
        return found
    if not ctx.public_url:
        return _reply(
            bcards.note(
                "No download link",
                "The bot has no public address (QABOT_PUBLIC_URL). On the server, run "
                f"`qabot broadcast report {found.id} --out report.csv`.",
                "warning",
            )
        )
    url = flows.new_csv_link(ctx, found)
    return _reply(await flows.report_card(ctx, found, csv_url=url))


async def ack_action(ctx: Context, action: Action) -> list[Reply]:
    found = await _broadcast(ctx, action)
    if not isinstance(found, Broadcast):
        return found
    if ctx.person is None:
        return _reply(bcards.note("Thanks", "Only people in the directory are counted."))
    first = await flows.acknowledge(ctx, found)
    text = "Thanks: your team's read is counted." if first else "You already said you read it."
    if ctx.turn is not None and ctx.turn.answers_replace_card:
        # The answer takes the pressed card's place (Teams): keep what they were reading.
        last = flows.message_cards(ctx, found)[-1]
        thanked = last.model_copy(
            update={"body": [*last.body, TextBlock(text=f"✓ {text}", style="good")]}
        )
        return _reply(thanked)
    return _reply(bcards.note("Thanks", text, "good"))
