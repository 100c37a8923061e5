"""The quotas' use cases: who may log what for whom, saving, correcting and withdrawing an
item, counting a quota for a period, and who owns each gap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

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


def person_group(person: Person) -> str:
    return person.team.name if person.team else "No team"


def service_of(person: Person) -> str:
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
    people: dict[int, Person]
    teams: dict[int, Team]

    @property
    def met(self) -> int:
        return sum(1 for c in self.counted if c.met)


def period_of(ctx: Context, quota: Quota, day: date | None = None) -> QuotaPeriod:
    return quota.period_of(day or ctx.today, calendar(ctx))


@dataclass
class Subjects:
    """The people counted by role, read once per sweep however many quotas count them."""

    by_roles: dict[tuple[str, ...], Sequence[Person]] = field(default_factory=dict)

    async def with_any_role(self, ctx: Context, roles: Sequence[str]) -> Sequence[Person]:
        wanted = tuple(sorted(roles))
        if wanted not in self.by_roles:
            self.by_roles[wanted] = await store.people_with_any_role(ctx.session, wanted)
        return self.by_roles[wanted]


async def count_quota(
    ctx: Context, quota: Quota, period: QuotaPeriod, subjects_read: Subjects | None = None
) -> QuotaCount:
    """``subjects_read`` keeps the people read, for a sweep that counts several quotas."""
    people: dict[int, Person] = {}
    teams: dict[int, Team] = {}
    subjects: list[tuple[int | None, str, str]] = []
    read = subjects_read or Subjects()
    if quota.per in ("practitioner", "role"):
        roles = [Role.PRACTITIONER.value] if quota.per == "practitioner" else list(quota.roles)
        for person in await read.with_any_role(ctx, roles):
            people[person.id] = person
            subjects.append((person.id, person.name, person_group(person)))
        column = COUNT_COLUMN[quota.per]
    elif quota.per == "team":
        for team in await counted_teams(ctx):
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
    """Who owns gaps, found once per sweep: who is away today and the whole directory (held
    here, so the session's weak identity map cannot drop them), read in a few queries
    however many gaps there are."""

    away: set[int]
    people: dict[int, Person] = field(default_factory=dict)
    members: dict[int, list[Person]] = field(default_factory=dict)
    roles: dict[Role, Sequence[Person]] = field(default_factory=dict)

    @classmethod
    async def today(cls, ctx: Context) -> Owners:
        absent = await directory.away_between(ctx.session, ctx.today, ctx.today)
        owners = cls({a.person_id for a in absent})
        for person in await directory.everyone(ctx.session):
            owners.people[person.id] = person
            if person.active and person.team_id is not None:
                owners.members.setdefault(person.team_id, []).append(person)
        return owners

    async def person(self, ctx: Context, person_id: int) -> Person | None:
        return self.people.get(person_id)

    async def with_role(self, ctx: Context, role: Role) -> Sequence[Person]:
        if role not in self.roles:
            self.roles[role] = await directory.people_with_role(ctx.session, role)
        return self.roles[role]

    async def team(self, ctx: Context, team_id: int) -> list[Person]:
        return self.members.get(team_id, [])


async def gap_owners(
    ctx: Context, result: QuotaCount, gap: Counted, owners: Owners
) -> list[Person]:
    """Who is nudged about one gap. Someone away passes it to their line manager."""
    present: list[Person] = []
    for owner in await _owners(ctx, result, gap, owners):
        current: Person | None = owner
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
) -> Sequence[Person]:
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
        members = await owners.team(ctx, team_id)
        managers = [m for m in members if Role.TEAM_MANAGER.value in m.role_names]
        if managers:
            return managers
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
