"""quotas: logged items and period results

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 20:34:01.258847
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("owner_kind", sa.String(length=12), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_calendar_feeds_created_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_feeds_owner", ["owner_kind", "owner_id"], unique=False)
    op.create_table(
        "quota_period_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quota_key", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_period_results")),
        sa.UniqueConstraint(
            "quota_key", "period_start", name=op.f("uq_quota_period_results_quota_key_period_start")
        ),
    )
    op.create_table(
        "quota_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("subject_person_id", sa.Integer(), nullable=True),
        sa.Column("subject_team_id", sa.Integer(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("case_ref", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=30), nullable=True),
        sa.Column("feedback_kind", sa.String(length=30), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["people.id"], name=op.f("fk_quota_items_done_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"], ["people.id"], name=op.f("fk_quota_items_logged_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["subject_person_id"],
            ["people.id"],
            name=op.f("fk_quota_items_subject_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_team_id"], ["teams.id"], name=op.f("fk_quota_items_subject_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_items")),
    )
    with op.batch_alter_table("quota_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quota_items_kind_day", ["kind", "occurred_on", "status"], unique=False
        )
        batch_op.create_index(
            "ix_quota_items_logged_by", ["logged_by_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quota_items", schema=None) as batch_op:
        batch_op.drop_index("ix_quota_items_logged_by")
        batch_op.drop_index("ix_quota_items_kind_day")

    op.drop_table("quota_items")
    op.drop_table("quota_period_results")
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_feeds_owner")
    op.drop_table("calendar_feeds")
