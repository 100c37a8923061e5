"""calendar rotations' turns and the cohorts of cycles that open themselves

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rotation", sa.String(length=100), nullable=False),
        sa.Column("member", sa.String(length=120), nullable=False),
        sa.Column("cycle_on", sa.Date(), nullable=False),
        sa.Column("updated_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_turns")),
        sa.UniqueConstraint("rotation", name="uq_calendar_turns_rotation"),
    )
    op.create_table(
        "allocation_cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=60), nullable=False),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["people.id"],
            name=op.f("fk_allocation_cohorts_uploaded_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_cohorts")),
    )
    with op.batch_alter_table("allocation_cohorts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allocation_cohorts_activity"), ["activity"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("allocation_cohorts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_cohorts_activity"))
    op.drop_table("allocation_cohorts")
    op.drop_table("calendar_turns")
