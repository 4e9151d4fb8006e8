"""who took a claimed task over from whom, shown on the timeline

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "taken_over_from", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("taken_over_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("taken_over_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("taken_over_at")
        batch_op.drop_column("taken_over_by")
        batch_op.drop_column("taken_over_from")
