"""INSERT ... ON CONFLICT statements, built once per dialect and table and run with parameters.

Building one costs about a millisecond each time (most of it in SQLAlchemy's ``excluded``
collection), more than running it; built once, it is also compiled once.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def _insert(dialect: str, table: Table) -> Any:
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


@functools.cache
def insert_or_ignore(dialect: str, table: Table, conflict: tuple[str, ...]) -> Insert:
    """Insert a row unless one with the same ``conflict`` columns exists."""
    stmt: Insert = _insert(dialect, table).on_conflict_do_nothing(index_elements=list(conflict))
    return stmt


@functools.cache
def insert_or_replace(
    dialect: str,
    table: Table,
    conflict: tuple[str, ...],
    replace: tuple[str, ...],
    count_changes_in: str | None = None,
) -> Insert:
    """Insert a row, or replace the ``replace`` columns of the one with the same ``conflict``
    columns (adding one to ``count_changes_in`` when it is given)."""
    stmt = _insert(dialect, table)
    update: dict[str, Any] = {name: stmt.excluded[name] for name in replace}
    if count_changes_in is not None:
        update[count_changes_in] = table.c[count_changes_in] + 1
    upsert: Insert = stmt.on_conflict_do_update(index_elements=list(conflict), set_=update)
    return upsert


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name
