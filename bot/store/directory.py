"""People, teams, roles, platform identities and away periods."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.domain.roles import Role
from bot.store.models import (
    AwayPeriod,
    ChannelLink,
    Person,
    PersonRole,
    PlatformIdentity,
    Service,
    Team,
)

# Who is asking is looked up on every turn: roles come in the same query (one round trip),
# not in the second one their relationship's default "selectin" loading would send.
WITH_ROLES = joinedload(Person.roles)


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    result = await session.execute(
        select(Person).options(WITH_ROLES).where(Person.email == email.strip().lower())
    )
    return result.unique().scalar_one_or_none()


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def people_by_ids(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Person]:
    """The people with these ids (a query per thousand), by id; unknown ids are left out."""
    wanted = sorted(set(person_ids))
    found: dict[int, Person] = {}
    for start in range(0, len(wanted), 1000):
        result = await session.execute(
            select(Person).options(WITH_ROLES).where(Person.id.in_(wanted[start : start + 1000]))
        )
        found.update({person.id: person for person in result.unique().scalars()})
    return found


async def person_by_identity(
    session: AsyncSession, platform: str, external_id: str
) -> Person | None:
    result = await session.execute(
        select(Person)
        .options(WITH_ROLES)
        .join(PlatformIdentity, PlatformIdentity.person_id == Person.id)
        .where(PlatformIdentity.platform == platform, PlatformIdentity.external_id == external_id)
    )
    return result.unique().scalar_one_or_none()


async def identity_of(
    session: AsyncSession, person_id: int, platform: str
) -> PlatformIdentity | None:
    result = await session.execute(
        select(PlatformIdentity)
        .where(PlatformIdentity.person_id == person_id, PlatformIdentity.platform == platform)
        .order_by(PlatformIdentity.updated_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def link_identity(
    session: AsyncSession,
    person: Person,
    platform: str,
    external_id: str,
    now: datetime,
    conversation: dict[str, Any] | None = None,
) -> PlatformIdentity:
    """Create or refresh a person's identity on a platform (and its conversation reference)."""
    result = await session.execute(
        select(PlatformIdentity).where(
            PlatformIdentity.platform == platform, PlatformIdentity.external_id == external_id
        )
    )
    identity = result.scalar_one_or_none()
    if identity is None:
        identity = PlatformIdentity(
            person_id=person.id, platform=platform, external_id=external_id, updated_at=now
        )
        session.add(identity)
    unchanged = identity.person_id == person.id and (
        conversation is None or identity.conversation == conversation
    )
    if identity.id is not None and unchanged:
        return identity  # nothing to write on this turn
    identity.person_id = person.id
    identity.updated_at = now
    if conversation is not None:
        identity.conversation = conversation
    await session.flush()
    return identity


async def people_with_role(session: AsyncSession, role: Role) -> Sequence[Person]:
    result = await session.execute(
        select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(PersonRole.role == role.value, Person.active.is_(True))
        .order_by(Person.name)
    )
    return result.unique().scalars().all()


async def active_people(session: AsyncSession) -> Sequence[Person]:
    result = await session.execute(
        select(Person).where(Person.active.is_(True)).order_by(Person.name)
    )
    return result.unique().scalars().all()


async def everyone(session: AsyncSession) -> Sequence[Person]:
    """The whole directory, leavers too, with their roles: for a sweep that looks up many."""
    result = await session.execute(select(Person).options(WITH_ROLES).order_by(Person.name))
    return result.unique().scalars().all()


async def active_names(session: AsyncSession) -> frozenset[str]:
    """Active people's full names and first names ("Megan Jones", "Megan"), for the privacy
    screen to tell colleagues from children."""
    result = await session.execute(select(Person.name).where(Person.active.is_(True)))
    names: set[str] = set()
    for name in result.scalars():
        full = " ".join(name.split())
        if full:
            names.update((full, full.split()[0]))
    return frozenset(names)


async def team_members(session: AsyncSession, team_id: int) -> Sequence[Person]:
    result = await session.execute(
        select(Person)
        .where(Person.team_id == team_id, Person.active.is_(True))
        .order_by(Person.name)
    )
    return result.unique().scalars().all()


async def direct_reports(session: AsyncSession, manager_id: int) -> Sequence[Person]:
    result = await session.execute(
        select(Person)
        .where(Person.manager_id == manager_id, Person.active.is_(True))
        .order_by(Person.name)
    )
    return result.unique().scalars().all()


async def is_away(session: AsyncSession, person_id: int, day: date) -> bool:
    result = await session.execute(
        select(func.count(AwayPeriod.id)).where(
            AwayPeriod.person_id == person_id,
            AwayPeriod.starts_on <= day,
            AwayPeriod.ends_on >= day,
        )
    )
    return bool(result.scalar_one())


async def away_until(session: AsyncSession, person_id: int, day: date) -> date | None:
    result = await session.execute(
        select(func.max(AwayPeriod.ends_on)).where(
            AwayPeriod.person_id == person_id,
            AwayPeriod.starts_on <= day,
            AwayPeriod.ends_on >= day,
        )
    )
    return result.scalar_one_or_none()


async def away_until_each(
    session: AsyncSession, person_ids: Iterable[int], day: date
) -> dict[int, date]:
    """``away_until`` for many people in one query: only those away on ``day`` are listed."""
    wanted = sorted(set(person_ids))
    found: dict[int, date] = {}
    for start in range(0, len(wanted), 1000):
        result = await session.execute(
            select(AwayPeriod.person_id, func.max(AwayPeriod.ends_on))
            .where(
                AwayPeriod.person_id.in_(wanted[start : start + 1000]),
                AwayPeriod.starts_on <= day,
                AwayPeriod.ends_on >= day,
            )
            .group_by(AwayPeriod.person_id)
        )
        found.update({person_id: until for person_id, until in result.tuples()})
    return found


async def manager_chain(session: AsyncSession, person: Person, depth: int = 6) -> list[Person]:
    """The person's line manager, their manager, and so on (no loops)."""
    chain: list[Person] = []
    seen = {person.id}
    current = person
    while current.manager_id and current.manager_id not in seen and len(chain) < depth:
        manager = await session.get(Person, current.manager_id)
        if manager is None:
            break
        chain.append(manager)
        seen.add(manager.id)
        current = manager
    return chain


async def manager_chains(
    session: AsyncSession, people: Iterable[Person], depth: int = 6
) -> dict[int, list[Person]]:
    """``manager_chain`` for many people: one query per level of management, not per person."""
    people = list(people)
    known: dict[int, Person] = {}
    frontier = {p.manager_id for p in people if p.manager_id}
    for _ in range(depth):
        frontier -= known.keys()
        if not frontier:
            break
        found = await people_by_ids(session, frontier)
        known.update(found)
        frontier = {p.manager_id for p in found.values() if p.manager_id}
    chains: dict[int, list[Person]] = {}
    for person in people:
        chain: list[Person] = []
        seen = {person.id}
        current = person
        while current.manager_id and current.manager_id not in seen and len(chain) < depth:
            manager = known.get(current.manager_id)
            if manager is None:
                break
            chain.append(manager)
            seen.add(manager.id)
            current = manager
        chains[person.id] = chain
    return chains


async def first_in_chain_with_role(
    session: AsyncSession, person: Person, role: Role
) -> Person | None:
    for manager in await manager_chain(session, person):
        if role.value in manager.role_names and manager.active:
            return manager
    return None


async def record_channel(
    session: AsyncSession,
    *,
    platform: str,
    conversation_id: str,
    name: str | None,
    team_external_id: str | None,
    reference: dict[str, Any] | None,
    now: datetime,
    active: bool = True,
) -> ChannelLink:
    result = await session.execute(
        select(ChannelLink).where(
            ChannelLink.platform == platform, ChannelLink.conversation_id == conversation_id
        )
    )
    link = result.scalar_one_or_none()
    if link is None:
        link = ChannelLink(platform=platform, conversation_id=conversation_id, updated_at=now)
        session.add(link)
    if name:
        link.name = name
    link.team_external_id = team_external_id or link.team_external_id
    link.reference = reference or link.reference
    link.active = active
    link.updated_at = now
    await session.flush()
    return link


# --- applying an imported staff list ------------------------------------------------------


@dataclass(frozen=True)
class StaffRecord:
    line: int
    email: str
    name: str
    roles: frozenset[Role]
    team: str
    service: str
    manager_email: str
    slack_user_id: str | None = None
    away_until: date | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Who changed, as "Name <email>", so an import can be shown before it is kept.
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    kept: bool = True
    # The file as a whole could not be read (no header, wrong delimiter).
    unreadable: bool = False


async def apply_staff(
    session: AsyncSession, records: Iterable[StaffRecord], now: datetime, report: ImportReport
) -> list[Person]:
    """Create or update everyone listed; people no longer listed become inactive, never deleted."""
    records = list(records)
    services = {s.name: s for s in (await session.execute(select(Service))).scalars()}
    teams = {t.name: t for t in (await session.execute(select(Team))).unique().scalars()}
    people = {p.email: p for p in (await session.execute(select(Person))).unique().scalars()}
    touched: list[Person] = []
    for rec in records:
        service = services.get(rec.service) if rec.service else None
        if rec.service and service is None:
            service = Service(name=rec.service)
            session.add(service)
            services[rec.service] = service
        team = teams.get(rec.team) if rec.team else None
        if rec.team and team is None:
            team = Team(name=rec.team, service=service)
            session.add(team)
            teams[rec.team] = team
        elif team is not None and service is not None and team.service is None:
            team.service = service
        person = people.get(rec.email)
        if person is None:
            person = Person(email=rec.email, name=rec.name, active=True, created_at=now)
            session.add(person)
            people[rec.email] = person
            report.created += 1
            report.new.append(f"{rec.name} <{rec.email}>")
            changed = True
        else:
            changed = (
                person.name != rec.name
                or not person.active
                or person.role_names != {r.value for r in rec.roles}
                or (person.team.name if person.team else "") != rec.team
            )
            report.updated += int(changed)
            report.unchanged += int(not changed)
            if changed:
                report.changed.append(f"{rec.name} <{rec.email}>")
        person.name = rec.name
        person.active = True
        person.team = team
        person.updated_at = now
        wanted = {r.value for r in rec.roles}
        person.roles[:] = [r for r in person.roles if r.role in wanted] + [
            PersonRole(role=name) for name in sorted(wanted - person.role_names)
        ]
        touched.append(person)
    await session.flush()
    # Managers are set once everyone exists, so order in the file does not matter.
    for rec in records:
        person = people[rec.email]
        manager = people.get(rec.manager_email) if rec.manager_email else None
        if rec.manager_email and manager is None:
            report.warnings.append(
                f"line {rec.line}: manager {rec.manager_email} is not in the file or directory"
            )
        if manager is not None and manager.id == person.id:
            report.warnings.append(f"line {rec.line}: {rec.email} cannot manage themselves")
            manager = None
        person.manager_id = manager.id if manager else None
        if rec.slack_user_id:
            await link_identity(session, person, "slack", rec.slack_user_id, now)
        if rec.away_until and rec.away_until >= now.date():
            session.add(
                AwayPeriod(
                    person_id=person.id,
                    starts_on=now.date(),
                    ends_on=rec.away_until,
                    reason="imported",
                )
            )
    listed = {rec.email for rec in records}
    for email, person in people.items():
        if email not in listed and person.active:
            person.active = False
            person.updated_at = now
            report.deactivated += 1
            report.left.append(f"{person.name} <{email}>")
    await session.flush()
    return touched


# --- lists for forms -------------------------------------------------------------------------


async def colleagues_nearest(
    session: AsyncSession, me: Person, limit: int
) -> list[tuple[int, str, str | None]]:
    """(id, name, team name) of active people other than ``me``, nearest first (their team,
    then their service, then by name): one narrow query, never the whole directory."""
    service = me.team.service_id if me.team else None
    nearness = (
        case((Person.team_id == me.team_id, 0), else_=1),
        case((Team.service_id == service, 0), else_=1),
        Person.name,
    )
    rows = await session.execute(
        select(Person.id, Person.name, Team.name)
        .outerjoin(Team, Team.id == Person.team_id)
        .where(Person.active.is_(True), Person.id != me.id)
        .order_by(*nearness)
        .limit(limit)
    )
    return [(pid, name, team) for pid, name, team in rows.all()]


async def teams_by_name(session: AsyncSession) -> list[Team]:
    result = await session.execute(select(Team).order_by(Team.name))
    return list(result.unique().scalars().all())


async def team_names(session: AsyncSession) -> list[str]:
    result = await session.execute(select(Team.name).order_by(Team.name))
    return list(result.scalars())


async def emails_by_id(session: AsyncSession) -> dict[int, str]:
    rows = await session.execute(select(Person.id, Person.email))
    return {pid: email for pid, email in rows.all()}


async def away_between(session: AsyncSession, start: date, end: date) -> list[AwayPeriod]:
    """Every recorded absence that overlaps the days from ``start`` to ``end``."""
    result = await session.execute(
        select(AwayPeriod).where(AwayPeriod.starts_on <= end, AwayPeriod.ends_on >= start)
    )
    return list(result.scalars())
