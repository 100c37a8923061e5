"""The digest is composed from aggregate queries: every area's digest source sends the same
number of statements for a quarter three times as busy (no query per row, no loading of every
row)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event

from bot.areas import build_router
from tests import digest_support
from tests.allocations.test_digest import seed_quarter as seed_allocations
from tests.digest_support import TAUNTON, DigestEnv
from tests.escalations.test_digest import seed_quarter as seed_escalations
from tests.nominations.test_digest import seed_quarter as seed_nominations
from tests.quotas.test_digest import seed_quarter as seed_quotas

digest_env = digest_support.digest_env


@contextlib.contextmanager
def counting(env: DigestEnv) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = env.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def statements_per_source(env: DigestEnv) -> dict[str, int]:
    found: dict[str, int] = {}
    for source in build_router().digest_sources:
        for scope in (digest_support.AUTHORITY, TAUNTON):
            with counting(env) as statements:
                await env.parts(source, scope)
            found[f"{source.__module__} {scope.kind}"] = len(statements)
    return found


async def seed(env: DigestEnv) -> None:
    await seed_allocations(env)
    await seed_quotas(env)
    await seed_escalations(env)
    await seed_nominations(env)


async def test_the_statement_count_does_not_grow_with_the_rows(digest_env: DigestEnv) -> None:
    await seed(digest_env)
    once = await statements_per_source(digest_env)
    await seed(digest_env)
    await seed(digest_env)
    thrice = await statements_per_source(digest_env)

    assert thrice == once
    assert len(once) == 8
