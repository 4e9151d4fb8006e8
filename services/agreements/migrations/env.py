"""Alembic environment of the agreements database."""

from __future__ import annotations

from sqlmodel import SQLModel

# Every module with a table registers it on SQLModel.metadata when imported: the entities, the
# console's audit log and the relay's state per topic.
import services.agreements.models
import services.agreements.ops.audit
import services.agreements.outbox  # noqa: F401
from common.migrations import run_environment

run_environment(SQLModel.metadata)
