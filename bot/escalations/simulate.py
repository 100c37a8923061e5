"""The escalations' part of ``qabot simulate`` (``--dispute``, and ``qabot disputes simulate``):
one dispute raised at the start of the first day, which nobody then acts on."""

from __future__ import annotations

from bot.dialogs.base import Context, Seeded
from bot.domain.ladders import Ladder
from bot.domain.roles import Role
from bot.domain.simulation import DisputeRequest, SimulationError, SimulationInputs
from bot.escalations import flows
from bot.store import directory
from bot.store.models import Person


async def seed(ctx: Context, inputs: SimulationInputs) -> Seeded:
    request = inputs.dispute
    if request is None:
        return Seeded()
    ladder = _ladder(ctx, request)
    if request.start_stage not in ladder.start_choices:
        raise _bad(f"{ladder.name} cannot start at stage {request.start_stage + 1}")
    raiser = await _raiser(ctx, request)
    other = await _other(ctx, request, raiser)
    ctx.person = raiser
    dispute = await flows.open_dispute(
        ctx,
        flows.NewDispute(
            ladder=ladder,
            other_person=other,
            other_name=other.name if other else "The other professional",
            other_agency="Another agency",
            case_reference="",
            category=ctx.framework.escalations.categories[0],
            resolution_sought="(simulated)",
            start_index=request.start_stage,
        ),
    )
    stage = ladder.stages[request.start_stage].name
    with_whom = other.email if other else "another agency"
    return Seeded(
        done=[
            f"dispute {dispute.id} on the {ladder.name} ({stage}), {raiser.email} with {with_whom}"
        ]
    )


def _ladder(ctx: Context, request: DisputeRequest) -> Ladder:
    rules = ctx.framework.escalations
    key = request.ladder or rules.default_ladder or (rules.ladders[0].key if rules.ladders else "")
    ladder = rules.ladder(key)
    if ladder is None:
        known = ", ".join(lad.key for lad in rules.ladders) or "none"
        raise _bad(f"no ladder {key!r} (this framework has: {known})")
    return ladder


async def _other(ctx: Context, request: DisputeRequest, raiser: Person) -> Person | None:
    """The named other professional; for the sample, a practitioner of another team (or,
    when there is none, a professional from another agency)."""
    if request.other:
        other = await directory.person_by_email(ctx.session, request.other.lower())
        if other is None:
            raise _bad(f"{request.other} is not in the staff file")
        return other
    if request.raised_by:
        return None
    practitioners = await directory.people_with_role(ctx.session, Role.PRACTITIONER)
    others = sorted((p for p in practitioners if p.team_id != raiser.team_id), key=_email)
    return others[0] if others else None


def _email(person: Person) -> str:
    return person.email


async def _raiser(ctx: Context, request: DisputeRequest) -> Person:
    if request.raised_by:
        person = await directory.person_by_email(ctx.session, request.raised_by.lower())
        if person is None:
            raise _bad(f"{request.raised_by} is not in the staff file")
        return person
    practitioners = await directory.people_with_role(ctx.session, Role.PRACTITIONER)
    managed = sorted((p for p in practitioners if p.manager_id), key=_email)
    if not managed:
        raise _bad("the staff file has no practitioner with a line manager to raise it")
    person = await directory.person_by_email(ctx.session, managed[0].email)
    assert person is not None
    return person


def _bad(problem: str) -> SimulationError:
    return SimulationError(f"sample dispute: {problem}", [f"sample dispute: {problem}"])
