"""Alembic migrations build exactly the schema the models describe, on each backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import services.agreements.models  # noqa: F401  (registers the tables)

pytestmark = pytest.mark.integration


def test_migrated_schema_matches_the_models(stack: object, database_url: str) -> None:
    # `stack` migrated this database to head.
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"
