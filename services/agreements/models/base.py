"""What every table of the agreements service shares: ids and how enums are stored."""

from __future__ import annotations

import uuid
from enum import StrEnum

import sqlalchemy as sa


def new_id() -> str:
    return str(uuid.uuid4())


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    """Stored as VARCHAR, not a PostgreSQL enum type: a new member needs no migration."""
    return sa.Enum(
        enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )
