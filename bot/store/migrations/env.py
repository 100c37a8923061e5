"""Alembic environment: runs on a connection handed over by bot.store.db (sync inside async)."""

from __future__ import annotations

from alembic import context

import bot.store.allocations
import bot.store.nominations  # noqa: F401
from bot.store.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `qabot db upgrade`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
