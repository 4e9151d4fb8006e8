"""Alembic environment of the notifications database."""

from __future__ import annotations

from common.migrations import run_environment
from services.notifications.models import NotificationsTable

# This service's own metadata: other services' tables never enter its migrations.
run_environment(NotificationsTable.metadata)
