"""procedure after submission: tasks, change cases, imported records, signing and duties

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 22:48:43.706615
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
        "activity_ops",
        sa.Column("op_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("op_id"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("agreement_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "CONSULTATION",
                "PM_OPINION",
                "DECISION",
                "COPY_RECEIPT",
                "SUPPLEMENT",
                "SIGNING",
                "COPY_DELIVERY",
                name="taskkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("assignee_role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("assignee_org", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "PAUSED",
                "DONE",
                "CANCELLED",
                name="taskstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("last_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("working_days_taken", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(
            "ix_tasks_assignee_status_due", ["assignee_org", "status", "due_at"], unique=False
        )
        batch_op.create_index("ix_tasks_status_due", ["status", "due_at"], unique=False)

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "case_kind",
                sa.Enum(
                    "CONCLUSION",
                    "AMENDMENT",
                    "SUPPLEMENT",
                    "EXTENSION",
                    "TERMINATION",
                    "WITHDRAWAL",
                    "SUSPENSION",
                    name="casekind",
                    native_enum=False,
                    length=40,
                ),
                nullable=False,
                server_default="CONCLUSION",
            )
        )
        batch_op.add_column(
            sa.Column("parent_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("historical_unit", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("consulted_text_sha256", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("approved_text_sha256", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("signed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("signing_place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch_op.add_column(
            sa.Column("signatories", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column(
                "signed_text_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(sa.Column("effective_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("copy_due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("copy_delivered_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("copy_received_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_agreements_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreements_signed_on"), ["signed_on"], unique=False)
        batch_op.create_unique_constraint("uq_agreements_reference", ["reference"])


def downgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint("uq_agreements_reference", type_="unique")
        batch_op.drop_index(batch_op.f("ix_agreements_signed_on"))
        batch_op.drop_index(batch_op.f("ix_agreements_parent_id"))
        batch_op.drop_column("copy_received_at")
        batch_op.drop_column("copy_delivered_at")
        batch_op.drop_column("copy_due_on")
        batch_op.drop_column("expires_on")
        batch_op.drop_column("effective_from")
        batch_op.drop_column("signed_text_sha256")
        batch_op.drop_column("signatories")
        batch_op.drop_column("signing_place")
        batch_op.drop_column("signed_on")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("approved_text_sha256")
        batch_op.drop_column("consulted_text_sha256")
        batch_op.drop_column("historical_unit")
        batch_op.drop_column("imported")
        batch_op.drop_column("reference")
        batch_op.drop_column("effective_on")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("case_kind")
        batch_op.drop_column("round")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_status_due")
        batch_op.drop_index("ix_tasks_assignee_status_due")
        batch_op.drop_index(batch_op.f("ix_tasks_agreement_id"))

    op.drop_table("tasks")
    op.drop_table("activity_ops")
