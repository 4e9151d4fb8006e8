"""duties after a decision takes effect (copy, notice, report, plan), international
organisations counted as a group of their own

The duties the read model already knows (copies and notices on the agreements' rows) are copied
into the new table; forgetting the conference dates the counts were made with makes the next
start (`migrate`, `consume`) re-count every figure, the duties' and the new country group's
too. A rebuild (`python -m services.reporting rebuild`) brings the reports and plans owed so far.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporting_duties",
        sa.Column("agreement_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("duty", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=True),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "duty", "due_on"),
    )
    with op.batch_alter_table("reporting_duties", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reporting_duties_pending",
            ["delivered_at", "due_on", "province", "duty", "cycle", "agreement_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reporting_duties_cycle_province", ["cycle", "province"], unique=False
        )
    op.execute(
        """
        INSERT INTO reporting_duties
            (agreement_id, duty, due_on, province, delivered_at, on_time, received_at, cycle,
             state_at)
        SELECT id,
               CASE WHEN case_kind IN ('TERMINATION', 'WITHDRAWAL', 'SUSPENSION')
                    THEN 'NOTICE' ELSE 'COPY' END,
               copy_due_on, province, copy_delivered_at,
               CASE WHEN copy_delivered_at IS NULL THEN NULL ELSE copy_on_time END,
               NULL, NULL, state_at
        FROM reporting_agreements
        WHERE copy_due_on IS NOT NULL
        """
    )
    op.execute("DELETE FROM reporting_meta WHERE name = 'conferences'")


def downgrade() -> None:
    with op.batch_alter_table("reporting_duties", schema=None) as batch_op:
        batch_op.drop_index("ix_reporting_duties_cycle_province")
        batch_op.drop_index("ix_reporting_duties_pending")
    op.drop_table("reporting_duties")
    op.execute("DELETE FROM reporting_meta WHERE name = 'conferences'")
