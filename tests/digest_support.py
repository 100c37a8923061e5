"""What the areas' digest tests share: a migrated database (SQLite and PostgreSQL), a small
directory in two services and three teams, and a Context to call a digest source with.

The digest period is Q2 2026-27 (1 July to 30 September 2026): work dated 30 June or 1 October
is just outside it, on purpose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import load_framework
from bot.dialogs.base import Context, DigestSource
from bot.domain.digest import DigestPart, DigestPeriod, DigestScope, Section
from bot.domain.framework import Framework
from bot.store.audit import AuditWriter
from bot.store.db import Database as Store
from bot.store.models import Person, PersonRole, Service, Team
from bot.store.outbox import OutboxWriter
from tests.conftest import Database

LONDON = ZoneInfo("Europe/London")
QUARTER = DigestPeriod(date(2026, 7, 1), date(2026, 10, 1), "Q2 2026-27")
BEFORE = date(2026, 6, 30)  # the day before the quarter
AFTER = date(2026, 10, 1)  # the day after it (the period is [start, end))
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
AUTHORITY = DigestScope()
SW = DigestScope("service", "Social Work")
TAUNTON = DigestScope("team", "Taunton CP")

# email -> (name, team, roles)
PEOPLE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "tess": ("Tess Manager", "Taunton CP", ("team_manager",)),
    "sam": ("Sam Social", "Taunton CP", ("practitioner",)),
    "tom": ("Tom Taylor", "Taunton CP", ("practitioner",)),
    "priya": ("Priya Patel", "Yeovil CiC", ("practitioner",)),
    "yan": ("Yan Young", "Yeovil CiC", ("team_manager",)),
    "eve": ("Eve Early", "Early Help North", ("practitioner",)),
    "chris": ("Chris Consultant", "CSW group", ("csw",)),
    "quinn": ("Quinn Improvement", "SIT", ("qa_team",)),
}
TEAMS = {
    "Taunton CP": "Social Work",
    "Yeovil CiC": "Social Work",
    "CSW group": "Social Work",
    "SIT": "Social Work",
    "Early Help North": "Early Help",
}


@dataclass
class DigestEnv:
    store: Store
    framework: Framework
    people: dict[str, int]
    teams: dict[str, int]

    def context(self, session: AsyncSession, framework: Framework | None = None) -> Context:
        chosen = framework or self.framework
        return Context(
            session=session,
            framework=chosen,
            tz=LONDON,
            now=NOW,
            person=None,
            outbox=OutboxWriter(session, chosen, NOW, ("slack",)),
            audit=AuditWriter(session, NOW),
        )

    async def parts(
        self,
        source: DigestSource,
        scope: DigestScope = AUTHORITY,
        period: DigestPeriod = QUARTER,
        framework: Framework | None = None,
    ) -> dict[Section, DigestPart]:
        async with self.store.session() as session:
            found = await source(self.context(session, framework), period, scope)
        return {part.section: part for part in found}


async def make_env(database: Database, framework: str = "somerset") -> AsyncIterator[DigestEnv]:
    store = Store(database.url, schema=database.schema)
    try:
        await store.upgrade()
        people, teams = await _directory(store)
        yield DigestEnv(store, load_framework(framework), people, teams)
    finally:
        await store.dispose()


async def _directory(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    async with store.session() as session:
        services = {name: Service(name=name) for name in sorted(set(TEAMS.values()))}
        session.add_all(services.values())
        teams = {name: Team(name=name, service=services[s]) for name, s in TEAMS.items()}
        session.add_all(teams.values())
        people: dict[str, Person] = {}
        for key, (name, team, roles) in PEOPLE.items():
            person = Person(email=f"{key}@example.gov.uk", name=name, team=teams[team])
            person.roles = [PersonRole(role=role) for role in roles]
            people[key] = person
        session.add_all(people.values())
        await session.flush()
        return {k: p.id for k, p in people.items()}, {k: t.id for k, t in teams.items()}


def figures(part: DigestPart) -> dict[str, tuple[int | None, int | None]]:
    """Figure label -> (value, of)."""
    return {f.label: (f.value, f.of) for f in part.figures}


def counts(part: DigestPart, title: str) -> dict[str, int]:
    dist = next(d for d in part.distributions if d.title == title)
    return dict(dist.counts)


def unavailable(part: DigestPart) -> Sequence[str]:
    return [u.what for u in part.unavailable]


@pytest.fixture
async def digest_env(database: Database) -> AsyncIterator[DigestEnv]:
    async for env in make_env(database):
        yield env
