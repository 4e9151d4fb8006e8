"""Alembic environment of the reporting database."""

from __future__ import annotations

from common.migrations import run_environment
from services.reporting.models import METADATA

run_environment(METADATA)
