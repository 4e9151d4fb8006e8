"""Alembic environment of the agreements database."""

from __future__ import annotations

from sqlmodel import SQLModel

import services.agreements.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from common.migrations import run_environment

run_environment(SQLModel.metadata)
