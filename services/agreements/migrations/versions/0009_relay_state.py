"""what the outbox relay published on each topic, to tell when the broker lost it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "relay_state",
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=249), nullable=False),
        sa.Column("topic_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("min_ends", sa.JSON(), nullable=False),
        sa.Column("republications", sa.Integer(), nullable=False),
        sa.Column("last_republished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replay_through_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("topic"),
    )


def downgrade() -> None:
    op.drop_table("relay_state")
