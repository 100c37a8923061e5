"""Alembic environment: runs on a connection handed over by bot.store.db (sync inside async)."""

from __future__ import annotations

from alembic import context

# The areas' tables are declared by their store modules. Whoever autogenerates a revision
# (`qabot db revision`) hands over the full metadata; upgrades run the scripts and need none.
target_metadata = context.config.attributes.get("target_metadata")
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
