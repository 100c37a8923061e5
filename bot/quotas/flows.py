"""The quotas' use cases: who may log what for whom, saving, correcting and withdrawing an
item, counting a quota for a period, and who owns each gap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from bot.dialogs.base import Context
from bot.dialogs.forms import calendar
from bot.domain.quotas import Quota, QuotaPeriod
from bot.domain.roles import Role
from bot.quotas import store
from bot.quotas.imports import FeedbackRow, ParsedFeedback, parse_feedback_csv
from bot.quotas.rules import Counted, quotas_counting, tally
from bot.quotas.store import QuotaItem
from bot.store import directory
from bot.store.models import Person, Team

# Columns a quota counts by, per what it is counted for.
COUNT_COLUMN = {
    "practitioner": "subject_person_id",
    "role": "done_by_id",
    "team": "subject_team_id",
}


class ServiceView(Protocol):
    @property
    def name(self) -> str: ...


class TeamView(Protocol):
    """A team as counting reads it: the ORM ``Team`` or a sweep's plain ``StaffTeam``."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def service(self) -> ServiceView | None: ...


class PersonView(Protocol):
    """A person as counting and gap owners read them: the ORM ``Person`` or a sweep's plain
    ``Staff``."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def team_id(self) -> int | None: ...
    @property
    def manager_id(self) -> int | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def team(self) -> TeamView | None: ...
    @property
    def role_names(self) -> AbstractSet[str]: ...


def person_group(person: PersonView) -> str:
    return person.team.name if person.team else "No team"


def service_of(person: PersonView) -> str:
    team = person.team
    return team.service.name if team and team.service else "No service"


# --- who may log what --------------------------------------------------------------------------


def may_log_kind(ctx: Context, kind: str) -> bool:
    """The person holds a role some quota counting ``kind`` lets log it (or is the QA team)."""
    if ctx.has_role(Role.QA_TEAM):
        return bool(quotas_counting(ctx.framework.quotas, kind))
    return any(
        ctx.has_role(*quota.logged_by) for quota in quotas_counting(ctx.framework.quotas, kind)
    )


def loggable_kinds(ctx: Context) -> list[str]:
    kinds: list[str] = []
    for quota in ctx.framework.quotas:
        if quota.counts not in kinds and may_log_kind(ctx, quota.counts):
            kinds.append(quota.counts)
    return kinds


def may_log_for(ctx: Context, subject: Person) -> bool:
    """Yourself, your team and your reports; a head of service their service; the QA team
    anyone."""
    me = ctx.person
    assert me is not None
    if ctx.has_role(Role.QA_TEAM) or subject.id == me.id or subject.manager_id == me.id:
        return True
    if me.team_id is not None and subject.team_id == me.team_id:
        return True
    return ctx.has_role(Role.HEAD_OF_SERVICE) and service_of(subject) == service_of(me)


async def subject_choices(ctx: Context) -> list[Person]:
    """The practitioners this person may log feedback or an observation for."""
    me = ctx.person
    assert me is not None
    practitioners = await store.people_with_any_role(ctx.session, [Role.PRACTITIONER.value])
    allowed = [p for p in practitioners if may_log_for(ctx, p)]
    return allowed or ([me] if Role.PRACTITIONER.value in me.role_names else [])


async def team_choices(ctx: Context) -> list[Team]:
    me = ctx.person
    assert me is not None
    teams = await counted_teams(ctx)
    if ctx.has_role(Role.QA_TEAM):
        return teams
    if ctx.has_role(Role.HEAD_OF_SERVICE):
        mine = service_of(me)
        return [t for t in teams if (t.service.name if t.service else "No service") == mine]
    reports = await directory.direct_reports(ctx.session, me.id)
    ids = {me.team_id, *(p.team_id for p in reports)}
    return [t for t in teams if t.id in ids]


async def counted_teams(ctx: Context) -> list[Team]:
    """Teams with at least one practitioner: the ones dip reviews are counted for."""
    practitioners = await store.people_with_any_role(ctx.session, [Role.PRACTITIONER.value])
    ids = {p.team_id for p in practitioners}
    return [t for t in await store.all_teams(ctx.session) if t.id in ids]


# --- saving ------------------------------------------------------------------------------------


@dataclass
class ItemValues:
    """A checked form: what will be saved."""

    kind: str
    occurred_on: date
    subject: Person | None = None
    team: Team | None = None
    case_ref: str | None = None
    source: str | None = None
    feedback_kind: str | None = None
    themes: list[str] = field(default_factory=list)
    theme: str | None = None
    notes: str | None = None


def save_item(ctx: Context, values: ItemValues, *, via: str = "chat") -> QuotaItem:
    me = ctx.person
    item = QuotaItem(
        kind=values.kind,
        status=store.ACTIVE,
        logged_by_id=me.id if me else None,
        done_by_id=me.id if me else None,
        created_at=ctx.now,
        updated_at=ctx.now,
        via=via,
        themes=[],
    )
    _apply(item, values)
    store.add_item(ctx.session, item)
    return item


def _apply(item: QuotaItem, values: ItemValues) -> None:
    item.occurred_on = values.occurred_on
    item.subject_person_id = values.subject.id if values.subject else None
    item.subject_person = values.subject
    item.subject_team_id = (
        values.team.id if values.team else (values.subject.team_id if values.subject else None)
    )
    item.case_ref = values.case_ref or None
    item.source = values.source
    item.feedback_kind = values.feedback_kind
    item.themes = list(values.themes)
    item.theme = values.theme or None
    item.notes = values.notes or None


# --- feedback recorded elsewhere (`qabot import feedback`, `qabot simulate --feedback`) -------


async def read_feedback(
    ctx: Context, text: str, today: date
) -> tuple[ParsedFeedback, dict[int, Person]]:
    """The file's rows checked against the directory, and the active people by id; raises
    ``bot.quotas.imports.CsvFormatError`` when the file as a whole cannot be read."""
    people = {p.id: p for p in await directory.active_people(ctx.session)}
    practitioners = {p.id for p in people.values() if Role.PRACTITIONER.value in p.role_names}
    parsed = parse_feedback_csv(
        text,
        ctx.framework,
        {p.email.lower(): p.id for p in people.values()},
        practitioners.__contains__,
        today,
    )
    return parsed, people


def save_imported(ctx: Context, row: FeedbackRow, people: Mapping[int, Person]) -> QuotaItem:
    """One checked row saved as logged by its ``logged_by_email`` (or nobody)."""
    me = ctx.person
    ctx.person = people.get(row.logged_by_id) if row.logged_by_id else None
    try:
        item = save_item(
            ctx,
            ItemValues(
                kind="feedback",
                occurred_on=row.occurred_on,
                subject=people[row.practitioner_id],
                case_ref=row.case_ref,
                source=row.source,
                feedback_kind=row.kind,
                themes=row.themes,
            ),
            via="import",
        )
    finally:
        ctx.person = me
    item.done_by_id = row.logged_by_id
    return item


def correct_item(ctx: Context, item: QuotaItem, values: ItemValues) -> None:
    _apply(item, values)
    item.updated_at = ctx.now


def withdraw_item(ctx: Context, item: QuotaItem) -> None:
    item.status = store.WITHDRAWN
    item.updated_at = ctx.now


def audit_details(item: QuotaItem) -> dict[str, object]:
    """What the audit log keeps of an item: never its free text."""
    return {
        "kind": item.kind,
        "subject_person": item.subject_person_id,
        "subject_team": item.subject_team_id,
        "occurred_on": item.occurred_on.isoformat(),
        "source": item.source,
        "feedback_kind": item.feedback_kind,
        "themes": list(item.themes or []),
        "has_case_ref": bool(item.case_ref),
        "via": item.via,
    }


# --- counting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaCount:
    quota: Quota
    period: QuotaPeriod
    counted: list[Counted]
    # Subject key -> the person or team, for resolving who owns a gap.
    people: dict[int, PersonView]
    teams: dict[int, TeamView]

    @property
    def met(self) -> int:
        return sum(1 for c in self.counted if c.met)


def period_of(ctx: Context, quota: Quota, day: date | None = None) -> QuotaPeriod:
    return quota.period_of(day or ctx.today, calendar(ctx))


@dataclass(frozen=True)
class StaffService:
    name: str


@dataclass(frozen=True)
class StaffTeam:
    id: int
    name: str
    service: StaffService | None


@dataclass(frozen=True)
class Staff:
    """A person as a sweep reads them: a plain value, not an ORM object."""

    id: int
    name: str
    team_id: int | None
    manager_id: int | None
    active: bool
    team: StaffTeam | None
    role_names: frozenset[str]


@dataclass(frozen=True)
class Staffing:
    """The whole directory read once, as plain values, for a sweep that counts every quota
    and finds every gap's owner (three queries, whatever the number of quotas or gaps)."""

    everyone: list[Staff]  # by name, leavers too
    teams: list[StaffTeam]  # by name

    @classmethod
    async def read(cls, ctx: Context) -> Staffing:
        people, teams, roles = await store.directory_rows(ctx.session)
        team_of = {
            t: StaffTeam(t, name, StaffService(service) if service is not None else None)
            for t, name, service in teams
        }
        held: dict[int, set[str]] = {}
        for person_id, role in roles:
            held.setdefault(person_id, set()).add(role)
        staff = [
            Staff(
                i,
                name,
                team_id,
                manager_id,
                active,
                team_of.get(team_id) if team_id is not None else None,
                frozenset(held.get(i, ())),
            )
            for i, name, team_id, manager_id, active in people
        ]
        return cls(staff, list(team_of.values()))

    def with_any_role(self, roles: Sequence[str]) -> list[Staff]:
        """Active people holding any of ``roles``, by name (as ``people_with_any_role``)."""
        wanted = set(roles)
        return [p for p in self.everyone if p.active and not wanted.isdisjoint(p.role_names)]

    def counted_teams(self) -> list[StaffTeam]:
        """As ``counted_teams``: teams with at least one active practitioner."""
        ids = {p.team_id for p in self.with_any_role([Role.PRACTITIONER.value])}
        return [t for t in self.teams if t.id in ids]


@dataclass
class Subjects:
    """The people counted by role, read once per sweep however many quotas count them; from
    ``staffing`` when the sweep has read the directory already."""

    staffing: Staffing | None = None
    by_roles: dict[tuple[str, ...], Sequence[PersonView]] = field(default_factory=dict)

    async def with_any_role(self, ctx: Context, roles: Sequence[str]) -> Sequence[PersonView]:
        wanted = tuple(sorted(roles))
        if wanted not in self.by_roles:
            self.by_roles[wanted] = (
                self.staffing.with_any_role(wanted)
                if self.staffing is not None
                else await store.people_with_any_role(ctx.session, wanted)
            )
        return self.by_roles[wanted]

    async def counted_teams(self, ctx: Context) -> Sequence[TeamView]:
        if self.staffing is not None:
            return self.staffing.counted_teams()
        return await counted_teams(ctx)


async def count_quota(
    ctx: Context, quota: Quota, period: QuotaPeriod, subjects_read: Subjects | None = None
) -> QuotaCount:
    """``subjects_read`` keeps the people read, for a sweep that counts several quotas."""
    people: dict[int, PersonView] = {}
    teams: dict[int, TeamView] = {}
    subjects: list[tuple[int | None, str, str]] = []
    read = subjects_read or Subjects()
    if quota.per in ("practitioner", "role"):
        roles = [Role.PRACTITIONER.value] if quota.per == "practitioner" else list(quota.roles)
        for person in await read.with_any_role(ctx, roles):
            people[person.id] = person
            subjects.append((person.id, person.name, person_group(person)))
        column = COUNT_COLUMN[quota.per]
    elif quota.per == "team":
        for team in await read.counted_teams(ctx):
            teams[team.id] = team
            subjects.append((team.id, team.name, team.service.name if team.service else ""))
        column = COUNT_COLUMN["team"]
    else:
        # The partnership (or a service): everything of the kind counts together.
        subjects.append((None, ctx.framework.authority.short_name, ""))
        column = "kind"
    counts = await store.counts_by(ctx.session, quota.counts, period.start, period.end, column)
    if column == "kind":
        counts = {None: sum(counts.values())}
    return QuotaCount(quota, period, tally(subjects, counts, quota.target), people, teams)


@dataclass
class Owners:
    """Who owns gaps, found once per sweep from the directory read as plain values: who is
    away today, everyone by id, each team's active members and its team managers."""

    away: set[int]
    people: dict[int, PersonView] = field(default_factory=dict)
    members: dict[int, list[PersonView]] = field(default_factory=dict)
    roles: dict[Role, Sequence[PersonView]] = field(default_factory=dict)
    team_managers: dict[int, list[PersonView]] = field(default_factory=dict)

    @classmethod
    async def today(cls, ctx: Context, staffing: Staffing | None = None) -> Owners:
        absent = await directory.away_between(ctx.session, ctx.today, ctx.today)
        owners = cls({a.person_id for a in absent})
        everyone: Sequence[PersonView] = (
            staffing.everyone if staffing is not None else await directory.everyone(ctx.session)
        )
        for person in everyone:
            owners.people[person.id] = person
            if person.active and person.team_id is not None:
                owners.members.setdefault(person.team_id, []).append(person)
        for role in Role:
            value = role.value
            owners.roles[role] = [p for p in everyone if p.active and value in p.role_names]
        return owners

    async def person(self, ctx: Context, person_id: int) -> PersonView | None:
        return self.people.get(person_id)

    async def with_role(self, ctx: Context, role: Role) -> Sequence[PersonView]:
        return self.roles.get(role, [])

    async def team(self, ctx: Context, team_id: int) -> list[PersonView]:
        return self.members.get(team_id, [])

    def managers_of(self, team_id: int) -> list[PersonView]:
        """The team's members who are team managers."""
        if team_id not in self.team_managers:
            self.team_managers[team_id] = [
                m for m in self.members.get(team_id, []) if Role.TEAM_MANAGER.value in m.role_names
            ]
        return self.team_managers[team_id]


async def gap_owners(
    ctx: Context, result: QuotaCount, gap: Counted, owners: Owners
) -> list[PersonView]:
    """Who is nudged about one gap. Someone away passes it to their line manager."""
    present: list[PersonView] = []
    for owner in await _owners(ctx, result, gap, owners):
        current: PersonView | None = owner
        seen: set[int] = set()
        while current is not None and current.id in owners.away:
            seen.add(current.id)
            manager_id = current.manager_id
            current = (
                await owners.person(ctx, manager_id)
                if manager_id and manager_id not in seen
                else None
            )
        if current is not None and current.active and current not in present:
            present.append(current)
    return present


async def _owners(
    ctx: Context, result: QuotaCount, gap: Counted, owners: Owners
) -> Sequence[PersonView]:
    owner = result.quota.gap_owner
    person = result.people.get(gap.key) if gap.key is not None else None
    team = result.teams.get(gap.key) if gap.key is not None else None
    if owner == "qa_team":
        return await owners.with_role(ctx, Role.QA_TEAM)
    if person is not None and owner == "self":
        return [person]
    if person is not None and owner == "line_manager":
        manager = await owners.person(ctx, person.manager_id) if person.manager_id else None
        return [manager] if manager else []
    team_id = team.id if team else (person.team_id if person else None)
    if owner == "team_manager" and team_id is not None:
        managers = owners.managers_of(team_id)
        if managers:
            return managers
        members = await owners.team(ctx, team_id)
        # A team whose manager sits elsewhere in the directory: its members' line managers.
        ids = {m.manager_id for m in members if m.manager_id and m.manager_id != m.id}
        found = [await owners.person(ctx, i) for i in sorted(ids)]
        return [p for p in found if p is not None]
    if owner == "head_of_service":
        service = (
            (team.service.name if team.service else None)
            if team
            else (service_of(person) if person else None)
        )
        heads = await owners.with_role(ctx, Role.HEAD_OF_SERVICE)
        return [h for h in heads if service is None or service_of(h) == service]
    return []
