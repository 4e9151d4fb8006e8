"""the operator console's record of what was done (retries, discards, repairs, replays)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ops_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "retry",
                "discard",
                "repair",
                "replay",
                name="actionkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("stamp", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("agreement_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ops_actions_target", "ops_actions", ["target", "stamp"], unique=False)
    op.create_index(
        op.f("ix_ops_actions_agreement_id"), "ops_actions", ["agreement_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ops_actions_agreement_id"), table_name="ops_actions")
    op.drop_index("ix_ops_actions_target", table_name="ops_actions")
    op.drop_table("ops_actions")
