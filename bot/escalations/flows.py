"""Escalation use cases: raise a dispute, walk it up its ladder, close it, and tell the right
people through the outbox. Every change bumps the dispute's version, so a card pressed at an
older version is recognised as stale and answered with the current state."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from bot.cards.model import Card
from bot.dialogs.base import Context
from bot.dialogs.forms import calendar, deliver_from
from bot.domain import ladder_engine
from bot.domain.ladders import Ladder
from bot.domain.roles import ROLE_LABELS, Role
from bot.escalations import cards, rules
from bot.escalations import store as s
from bot.escalations.store import Dispute, DisputeEvent
from bot.store import directory
from bot.store.models import Person

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewDispute:
    ladder: Ladder
    other_person: Person | None
    other_name: str
    other_agency: str
    case_reference: str
    category: str
    resolution_sought: str
    start_index: int


def card_key(dispute: Dispute) -> str:
    return f"dispute:{dispute.id}"


def ladder_of(ctx: Context, dispute: Dispute) -> Ladder:
    ladder = ctx.framework.escalations.ladder(dispute.ladder)
    if ladder is None:  # the framework file dropped a ladder that still has disputes
        raise LookupError(f"dispute {dispute.id}: ladder {dispute.ladder!r} is not configured")
    return ladder


def role_of(person: Person) -> str:
    for role in Role:
        if role.value in person.role_names:
            return ROLE_LABELS[role]
    return "Staff"


# --- who is involved --------------------------------------------------------------------------


# Roles held by a service-wide team: when nobody up the parties' lines holds one, everyone who
# does is involved. A line role (a manager, a practitioner) is only ever found up the line.
TEAM_ROLES = frozenset({Role.QA_TEAM, Role.PARTNER, Role.CSW})


async def _holder_of(ctx: Context, parties: list[Person], role: Role) -> list[Person]:
    """A party who holds the role, else the nearest up a party's line (else, for a team role,
    everyone who holds it)."""
    found = [p for p in parties if role.value in p.role_names]
    if found:
        return found
    for party in parties:
        manager = await directory.first_in_chain_with_role(ctx.session, party, role)
        if manager is not None:
            found.append(manager)
    if found or role not in TEAM_ROLES:
        return found
    return list(await directory.people_with_role(ctx.session, role))


async def parties_of(ctx: Context, dispute: Dispute) -> list[Person]:
    ids = [dispute.raised_by_id]
    if dispute.other_person_id is not None:
        ids.append(dispute.other_person_id)
    found = await s.people(ctx.session, ids)
    return [found[i] for i in ids if i in found]


async def stage_people(ctx: Context, dispute: Dispute, index: int) -> list[Person]:
    stage = ladder_of(ctx, dispute).stages[index]
    parties = await parties_of(ctx, dispute)
    people: dict[int, Person] = {}
    for role in stage.roles:
        for person in await _holder_of(ctx, parties, role):
            if person.active:
                people.setdefault(person.id, person)
    if not people:
        # Nobody holds the stage's roles up the line: the overseers take it, never nobody.
        overseers = await directory.people_with_role(
            ctx.session, ladder_of(ctx, dispute).overseen_by
        )
        log.warning("dispute %s: nobody holds the roles of stage %s", dispute.id, stage.key)
        people = {p.id: p for p in overseers if p.active}
    return list(people.values())


async def visible_to(ctx: Context, dispute: Dispute) -> bool:
    """Parties, people at the stages reached, and the ladder's overseers; nobody else."""
    if ctx.person is None:
        return False
    ladder = ctx.framework.escalations.ladder(dispute.ladder)
    if ladder is not None and ctx.has_role(ladder.overseen_by):
        return True
    return await s.is_member(ctx.session, dispute.id, ctx.person.id)


def oversees(ctx: Context, dispute: Dispute) -> bool:
    ladder = ctx.framework.escalations.ladder(dispute.ladder)
    return ladder is not None and ctx.has_role(ladder.overseen_by)


# --- the immediate-risk branch ----------------------------------------------------------------


async def tell_child_protection_roles(ctx: Context) -> list[Person]:
    """The named roles are told at once, out of hours too (no working-hours delay)."""
    route = ctx.framework.escalations.child_protection
    assert ctx.person is not None
    if route is None:
        return []
    told: dict[int, Person] = {}
    for role in route.notify_roles:
        for person in await _holder_of(ctx, [ctx.person], role):
            if person.active and person.id != ctx.person.id:
                told.setdefault(person.id, person)
    alert = cards.safety_alert(ctx.person.name, role_of(ctx.person))
    stamp = ctx.now.strftime("%Y%m%dT%H%M")
    for person in told.values():
        await ctx.outbox.to_person(
            person.id,
            alert,
            key=f"dispute:risk:{ctx.person.id}:{stamp}:to:{person.id}",
            kind="safety_alert",
            reason="a child at immediate risk of harm",
        )
    ctx.audit.record(
        "dispute.immediate_risk",
        actor_id=ctx.person.id,
        details={"told": sorted(told)},
    )
    log.info("immediate risk reported by person %s; %d told", ctx.person.id, len(told))
    return list(told.values())


# --- raising and walking ----------------------------------------------------------------------


async def open_dispute(ctx: Context, new: NewDispute) -> Dispute:
    assert ctx.person is not None
    cal = calendar(ctx)
    today = ctx.today
    stage = new.ladder.stages[new.start_index]
    dispute = await s.create(
        ctx.session,
        Dispute(
            ladder=new.ladder.key,
            status=rules.OPEN,
            raised_by_id=ctx.person.id,
            other_person_id=new.other_person.id if new.other_person else None,
            other_name=new.other_name,
            other_agency=new.other_agency,
            case_reference=new.case_reference,
            category=new.category,
            resolution_sought=new.resolution_sought,
            stage_index=new.start_index,
            started_at_stage=new.start_index,
            stage_started_on=today,
            stage_due_on=ladder_engine.stage_due_on(cal, today, stage),
            opened_on=today,
            total_due_on=ladder_engine.total_due_on(cal, today, new.ladder),
            version=1,
            created_at=ctx.now,
        ),
    )
    await s.add_member(ctx.session, dispute.id, ctx.person.id, new.start_index, party=True)
    if new.other_person is not None:
        await s.add_member(
            ctx.session, dispute.id, new.other_person.id, new.start_index, party=True
        )
    await _event(ctx, dispute, "opened", ctx.person.id, "")
    await _bring_in_stage(ctx, dispute, "A disagreement has been raised with you.")
    ctx.audit.record(
        "dispute.opened",
        actor_id=ctx.person.id,
        subject=f"dispute:{dispute.id}",
        details={"ladder": new.ladder.key, "stage": stage.key},
    )
    return dispute


async def escalate(ctx: Context, dispute: Dispute, reason: str, *, auto: bool = False) -> bool:
    """Move to the next stage, restart the clock and tell the next stage's people."""
    ladder = ladder_of(ctx, dispute)
    nxt = ladder_engine.next_stage_index(ladder, dispute.stage_index)
    if nxt is None or dispute.status != rules.OPEN:
        return False
    actor = None if auto else _actor(ctx)
    await _event(ctx, dispute, "auto_escalated" if auto else "escalated", actor, reason)
    dispute.stage_index = nxt
    dispute.stage_started_on = ctx.today
    dispute.stage_due_on = ladder_engine.stage_due_on(calendar(ctx), ctx.today, ladder.stages[nxt])
    dispute.version += 1
    headline = (
        "The stage deadline passed, so this has been escalated to you."
        if auto
        else "This disagreement has been escalated to you."
    )
    # Copies already sent change in place first; the new stage's people then get their own.
    await refresh_cards(ctx, dispute)
    await _bring_in_stage(ctx, dispute, headline)
    ctx.audit.record(
        "dispute.escalated",
        actor_id=actor,
        subject=f"dispute:{dispute.id}",
        details={"stage": ladder.stages[nxt].key, "auto": auto},
    )
    return True


async def close(ctx: Context, dispute: Dispute, status: str, text: str) -> None:
    kind = "resolved" if status == rules.RESOLVED else "withdrawn"
    await _event(ctx, dispute, kind, _actor(ctx), text)
    dispute.status = status
    dispute.outcome = text
    dispute.closed_on = ctx.today
    dispute.version += 1
    await refresh_cards(ctx, dispute)
    ctx.audit.record(f"dispute.{kind}", actor_id=_actor(ctx), subject=f"dispute:{dispute.id}")


async def add_note(ctx: Context, dispute: Dispute, text: str) -> None:
    await _event(ctx, dispute, "note", _actor(ctx), text)
    dispute.version += 1
    await refresh_cards(ctx, dispute)


def _actor(ctx: Context) -> int | None:
    return ctx.person.id if ctx.person is not None else None


async def _event(
    ctx: Context, dispute: Dispute, kind: str, actor_id: int | None, text: str
) -> None:
    await s.add_event(
        ctx.session,
        DisputeEvent(
            dispute_id=dispute.id,
            at=ctx.now,
            on=ctx.today,
            kind=kind,
            stage_index=dispute.stage_index,
            actor_id=actor_id,
            text=text,
        ),
    )


async def _bring_in_stage(ctx: Context, dispute: Dispute, headline: str) -> None:
    """The current stage's people become members and are sent the dispute card (once each)."""
    card = await card_of(ctx, dispute, headline)
    for person in await stage_people(ctx, dispute, dispute.stage_index):
        if ctx.person is not None and person.id == ctx.person.id:
            await s.add_member(ctx.session, dispute.id, person.id, dispute.stage_index, party=False)
            continue
        if not await s.add_member(
            ctx.session, dispute.id, person.id, dispute.stage_index, party=False
        ):
            continue
        await ctx.outbox.to_person(
            person.id,
            card,
            key=f"dispute:{dispute.id}:s{dispute.stage_index}:to:{person.id}",
            kind="dispute",
            reason="a dispute reached your stage",
            not_before=deliver_from(ctx),
            card_key=card_key(dispute),
        )
    other = dispute.other_person_id
    if dispute.stage_index == dispute.started_at_stage and other is not None:
        if ctx.person is None or other != ctx.person.id:
            await ctx.outbox.to_person(
                other,
                card,
                key=f"dispute:{dispute.id}:opened:to:{other}",
                kind="dispute",
                reason="a dispute was raised with you",
                not_before=deliver_from(ctx),
                card_key=card_key(dispute),
            )


async def refresh_cards(ctx: Context, dispute: Dispute) -> None:
    card = await card_of(ctx, dispute)
    await ctx.outbox.update(card_key(dispute), card, key=f"{card_key(dispute)}:v{dispute.version}")


# --- what people see --------------------------------------------------------------------------


async def card_of(ctx: Context, dispute: Dispute, headline: str = "") -> Card:
    return cards.dispute_card(await view_of(ctx, dispute), headline)


async def view_of(ctx: Context, dispute: Dispute) -> cards.DisputeView:
    ladder = ladder_of(ctx, dispute)
    stage = ladder.stages[dispute.stage_index]
    cal = calendar(ctx)
    raiser, other = await _note_parties(ctx, dispute)
    return cards.DisputeView(
        number=dispute.id,
        version=dispute.version,
        ladder=ladder.name,
        stage=stage.name,
        stage_number=dispute.stage_index + 1,
        stages=len(ladder.stages),
        guidance=stage.guidance,
        record=stage.record,
        ends_when=stage.ends_when,
        clock=ladder_engine.clock_words(cal, dispute.stage_due_on, ctx.today),
        status=dispute.status,
        raised_by=raiser.words(),
        other=other.words(),
        case_reference=dispute.case_reference,
        category=dispute.category,
        resolution_sought=dispute.resolution_sought,
        can_escalate=ladder_engine.next_stage_index(ladder, dispute.stage_index) is not None,
        outcome=dispute.outcome,
        total_clock=ladder_engine.clock_words(cal, dispute.total_due_on, ctx.today)
        if dispute.total_due_on
        else "",
    )


async def _note_parties(ctx: Context, dispute: Dispute) -> tuple[rules.NoteParty, rules.NoteParty]:
    found = await s.people(ctx.session, [dispute.raised_by_id])
    raiser_person = found.get(dispute.raised_by_id)
    raiser = rules.NoteParty(
        role=role_of(raiser_person) if raiser_person else "Staff",
        name=raiser_person.name if raiser_person else "unknown",
        agency=ctx.framework.authority.short_name,
    )
    other_role = dispute.other_name
    if dispute.other_person_id is not None:
        other_person = (await s.people(ctx.session, [dispute.other_person_id])).get(
            dispute.other_person_id
        )
        if other_person is not None:
            return raiser, rules.NoteParty(
                role_of(other_person),
                other_person.name,
                dispute.other_agency or ctx.framework.authority.short_name,
            )
    return raiser, rules.NoteParty("Other professional", other_role, dispute.other_agency)


async def case_note(ctx: Context, dispute: Dispute) -> str:
    ladder = ladder_of(ctx, dispute)
    raiser, other = await _note_parties(ctx, dispute)
    events = await s.events_of(ctx.session, dispute.id)
    actors = await s.people(ctx.session, [e.actor_id for e in events if e.actor_id is not None])
    note_events = tuple(
        rules.NoteEvent(
            on=e.on,
            kind=e.kind,
            stage=ladder.stages[e.stage_index].name,
            by=rules.NoteParty(role_of(actors[e.actor_id]), actors[e.actor_id].name)
            if e.actor_id in actors and e.actor_id is not None
            else None,
            text=e.text,
        )
        for e in events
    )
    return rules.case_note_text(
        rules.CaseNoteFacts(
            number=dispute.id,
            ladder=ladder,
            case_reference=dispute.case_reference,
            category=dispute.category,
            resolution_sought=dispute.resolution_sought,
            raised_by=raiser,
            other=other,
            stage_index=dispute.stage_index,
            status=dispute.status,
            outcome=dispute.outcome,
            events=note_events,
        )
    )


# --- downloads and the report -----------------------------------------------------------------

LINK_MINUTES = 30


async def download_link(ctx: Context, file_name: str, content_type: str, content: str) -> str:
    """A link, valid for 30 minutes, to a file written now for the person who asked."""
    assert ctx.person is not None
    token = secrets.token_urlsafe(24)
    await s.add_download(
        ctx.session,
        s.DisputeDownload(
            token_hash=s.token_hash(token),
            person_id=ctx.person.id,
            file_name=file_name,
            content_type=content_type,
            content=content,
            expires_at=ctx.now + timedelta(minutes=LINK_MINUTES),
        ),
    )
    return f"{ctx.public_url}/disputes/download/{token}"


async def case_note_card(ctx: Context, dispute: Dispute) -> Card:
    ladder = ladder_of(ctx, dispute)
    text = await case_note(ctx, dispute)
    name = f"dispute-{dispute.id}-{ladder.note}-case-note.txt"
    url = await download_link(ctx, name, "text/plain", text)
    return cards.case_note_card(dispute.id, ladder.note_title, text, url)


async def report_rows(ctx: Context, first: date, last: date) -> list[rules.ReportRow]:
    """Disputes raised in the period on the ladders the person oversees."""
    found: list[rules.ReportRow] = []
    cal = calendar(ctx)
    for dispute in await s.disputes_opened_between(ctx.session, first, last):
        ladder = ctx.framework.escalations.ladder(dispute.ladder)
        if ladder is None or not ctx.has_role(ladder.overseen_by):
            continue
        found.append(
            rules.report_row(
                cal,
                dispute.id,
                ladder,
                dispute.stage_index,
                dispute.other_agency,
                dispute.category,
                dispute.status,
                dispute.opened_on,
                dispute.closed_on,
            )
        )
    return found
