"""reporting read model, per-cycle counts, processed events

Revision ID: 0001
Revises:
Create Date: 2026-11-23 23:41:58.131929
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "reporting_agreements",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("parent_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("historical_unit", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("signatory_level", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("partner_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("partner_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("partner_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("fields_index", sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False),
        sa.Column("occasion", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("imported", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("copy_due_on", sa.Date(), nullable=True),
        sa.Column("copy_delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("copy_on_time", sa.Boolean(), nullable=True),
        sa.Column("signed_cycle", sa.Integer(), nullable=True),
        sa.Column("pipeline_cycle", sa.Integer(), nullable=True),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reporting_agreements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reporting_agreements_copy_due",
            ["copy_due_on", "copy_delivered_at", "signed_cycle", "province"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reporting_agreements_country_cycle",
            ["partner_country", "signed_cycle"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reporting_agreements_expiry",
            ["signed_cycle", "status", "expires_on", "effective_from", "province"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reporting_agreements_pipeline_cycle", ["pipeline_cycle", "province"], unique=False
        )
        batch_op.create_index(
            "ix_reporting_agreements_province_cycle",
            [
                "province",
                "signed_cycle",
                "status",
                "expires_on",
                "effective_from",
                "copy_due_on",
                "copy_delivered_at",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_reporting_agreements_start",
            ["signed_cycle", "status", "effective_from", "expires_on", "province"],
            unique=False,
        )

    op.create_table(
        "reporting_consultations",
        sa.Column("task_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("agreement_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("working_days_taken", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=True),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
    )
    with op.batch_alter_table("reporting_consultations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reporting_consultations_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            "ix_reporting_consultations_cycle_province", ["cycle", "province"], unique=False
        )

    op.create_table(
        "reporting_consumer_state",
        sa.Column("group_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("lag", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("dead_lettered", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id"),
    )
    op.create_table(
        "reporting_cycle_counts",
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("dimension", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cycle", "scope", "province", "dimension", "key"),
    )
    op.create_table(
        "reporting_meta",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "reporting_processed_events",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("reporting_processed_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reporting_processed_events_processed_at"), ["processed_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("reporting_processed_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_processed_events_processed_at"))

    op.drop_table("reporting_processed_events")
    op.drop_table("reporting_meta")
    op.drop_table("reporting_cycle_counts")
    op.drop_table("reporting_consumer_state")
    with op.batch_alter_table("reporting_consultations", schema=None) as batch_op:
        batch_op.drop_index("ix_reporting_consultations_cycle_province")
        batch_op.drop_index(batch_op.f("ix_reporting_consultations_agreement_id"))

    op.drop_table("reporting_consultations")
    with op.batch_alter_table("reporting_agreements", schema=None) as batch_op:
        batch_op.drop_index("ix_reporting_agreements_start")
        batch_op.drop_index("ix_reporting_agreements_province_cycle")
        batch_op.drop_index("ix_reporting_agreements_pipeline_cycle")
        batch_op.drop_index("ix_reporting_agreements_expiry")
        batch_op.drop_index("ix_reporting_agreements_country_cycle")
        batch_op.drop_index("ix_reporting_agreements_copy_due")

    op.drop_table("reporting_agreements")
