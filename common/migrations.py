"""Alembic, the one way each service's tables are made: the environment every service's
migrations/env.py runs, and the upgrade its `migrate` command calls."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, pool


def alembic_config(migrations: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(migrations: Path, url: str) -> None:
    """Bring the schema at `url` to the newest revision under `migrations`."""
    command.upgrade(alembic_config(migrations, url), "head")


def run_environment(target_metadata: MetaData) -> None:
    """The body of a service's env.py: offline (SQL script) or online against its database.
    SQLite alters tables in batch mode (copy and move), which it needs for most changes."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    assert url
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
