"""What the PostgreSQL benches share: a throwaway database, rows written with ``COPY``, and a
council's directory (teams with their managers, practitioners, and the senior roles).

    async with throwaway_database() as url:      # created and upgraded; dropped at the end
        async with connection(url) as conn:
            directory = await seed_directory(conn, teams=250, practitioners=4750, now=NOW)
            await copy_rows(conn, Allocation, rows)

Used by bench/sweeps.py, bench/quotas.py and bench/digest.py. Needs PostgreSQL
(``QABOT_BENCH_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``, for the
admin connection that creates and drops the database).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import JSON, Table

ADMIN_URL = os.environ.get("QABOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEAM_SIZE = 20
# Senior people, after the practitioners: how many of each role (each reports to the next).
SENIORS = {"director": 1, "assistant_director": 1, "head_of_service": 5, "qa_team": 4}
# Practitioners who are also Consultant Social Workers (they vote on nominations).
CSWS = 12


def dsn(url: str) -> str:
    """asyncpg's form of a SQLAlchemy or libpq URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


def sqlalchemy_url(url: str) -> str:
    return dsn(url).replace("postgresql://", "postgresql+asyncpg://")


@asynccontextmanager
async def throwaway_database(admin_url: str = ADMIN_URL) -> AsyncIterator[str]:
    """A new database at the newest migration (its SQLAlchemy URL), dropped at the end
    whatever happens."""
    from bot.store.db import Database

    name = f"qabot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"{sqlalchemy_url(admin_url).rsplit('/', 1)[0]}/{name}"
    try:
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        yield url
    finally:
        admin = await asyncpg.connect(dsn(admin_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def connection(url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(dsn(url))
    try:
        yield conn
    finally:
        await conn.close()


def _table(model: Any) -> Table:
    table = model if isinstance(model, Table) else model.__table__
    assert isinstance(table, Table)
    return table


async def copy_rows(
    conn: asyncpg.Connection, model: Any, rows: Sequence[Mapping[str, Any]]
) -> None:
    """``COPY`` the rows (dicts with the same keys) into the model's table. Columns they leave
    out get the model's Python-side default, as an ORM insert would; JSON values are encoded;
    an ``id`` sequence is moved past the largest id given."""
    if not rows:
        return
    table = _table(model)
    given = list(rows[0])
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:
            defaults[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            defaults[column.name] = default.arg(None)  # type: ignore[attr-defined]
    columns = [*given, *defaults]
    encoded = {c.name for c in table.columns if isinstance(c.type, JSON)}
    records = [
        tuple(
            json.dumps(value) if name in encoded else value
            for name, value in ((n, row[n] if n in row else defaults[n]) for n in columns)
        )
        for row in rows
    ]
    await conn.copy_records_to_table(table.name, records=records, columns=columns)
    if "id" in given:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT max(id) FROM {table.name}))"
        )


@dataclass(frozen=True)
class Directory:
    """Who was seeded: team ``t`` (1-based) is managed by person ``t``; practitioners follow,
    round the teams in turn; the senior people come last."""

    teams: int
    practitioners: range
    by_role: dict[str, list[int]] = field(default_factory=dict)

    @property
    def managers(self) -> range:
        return range(1, self.teams + 1)

    def team_of(self, person_id: int) -> int:
        return (person_id - 1) % self.teams + 1

    def team_name(self, team: int) -> str:
        return f"Team {team}"


async def seed_directory(
    conn: asyncpg.Connection, *, teams: int, practitioners: int, now: datetime
) -> Directory:
    """One service, ``teams`` teams each with a team manager (who reports to a head of
    service), ``practitioners`` practitioners (the first ``CSWS`` also CSWs), and the senior
    roles of ``SENIORS``, each reporting to the role above."""
    from bot.store.models import Person, PersonRole, Service, Team

    await copy_rows(conn, Service, [{"id": 1, "name": "Social Work"}])
    await copy_rows(
        conn, Team, [{"id": t, "name": f"Team {t}", "service_id": 1} for t in range(1, teams + 1)]
    )
    staff = range(teams + 1, teams + practitioners + 1)
    by_role: dict[str, list[int]] = {"team_manager": list(range(1, teams + 1))}
    by_role["practitioner"] = list(staff)
    next_id = staff.stop
    for role, count in SENIORS.items():
        by_role[role] = list(range(next_id, next_id + count))
        next_id += count
    by_role["csw"] = list(staff[:CSWS])
    heads, above_heads = by_role["head_of_service"], by_role["assistant_director"]
    manager_of: dict[int, int | None] = {}
    for t in range(1, teams + 1):
        manager_of[t] = heads[(t - 1) % len(heads)]
    for p in staff:
        manager_of[p] = (p - 1) % teams + 1
    for h in heads:
        manager_of[h] = above_heads[0]
    for a in above_heads:
        manager_of[a] = by_role["director"][0]
    for q in by_role["qa_team"]:
        manager_of[q] = heads[0]

    def person(p: int) -> dict[str, Any]:
        kind = "tm" if p <= teams else "sw" if p in staff else "lead"
        team = (p - 1) % teams + 1 if p < staff.stop else None
        return {
            "id": p,
            "email": f"{kind}{p}@bench.gov.uk",
            "name": f"{'Manager' if kind == 'tm' else 'Worker'} {p}",
            "team_id": team,
            "manager_id": manager_of.get(p),
            "active": True,
            "created_at": now,
            "updated_at": now,
        }

    await copy_rows(conn, Person, [person(p) for p in range(1, next_id)])
    await copy_rows(
        conn,
        PersonRole,
        [{"person_id": p, "role": role} for role, ids in by_role.items() for p in ids],
    )
    return Directory(teams, staff, by_role)


def sweep_context(session: Any, framework: Any, tz: Any, now: datetime) -> Any:
    """A ``Context`` as a scheduler tick builds it (nobody signed in; Slack only), for the
    benches that time one area's function outside the bot."""
    from bot.dialogs.base import Context
    from bot.store.audit import AuditWriter
    from bot.store.outbox import OutboxWriter

    return Context(
        session=session,
        framework=framework,
        tz=tz,
        now=now,
        person=None,
        outbox=OutboxWriter(session, framework, now, ["slack"]),
        audit=AuditWriter(session, now),
    )
