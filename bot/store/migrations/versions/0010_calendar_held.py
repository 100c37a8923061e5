"""calendar meetings and analyses marked as held

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_held",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=60), nullable=False),
        sa.Column("cycle_on", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["people.id"], name=op.f("fk_calendar_held_marked_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_held")),
        sa.UniqueConstraint("activity", "cycle_on", name="uq_calendar_held_activity_cycle_on"),
    )


def downgrade() -> None:
    op.drop_table("calendar_held")
