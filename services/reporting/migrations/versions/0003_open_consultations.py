"""an index of the consultations still open, for those past their deadline

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reporting_consultations_open",
        "reporting_consultations",
        ["answered_at", "due_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_reporting_consultations_open", table_name="reporting_consultations")
