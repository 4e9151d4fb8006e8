"""which duty a delivery or receipt task is for (copy, notice, report, plan), and the text a
consultation was asked about

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "duty",
                sa.Enum(
                    "COPY", "NOTICE", "REPORT", "PLAN", name="duty", native_enum=False, length=40
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("text_sha256", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("text_sha256")
        batch_op.drop_column("duty")
