"""Command line of the notifications service: migrate, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from common.logs import configure_logging
from common.migrations import upgrade
from services.notifications.settings import NotificationsSettings, get_settings

cli = typer.Typer(help="Notifications service", no_args_is_help=True)


def migrate_database(url: str) -> None:
    """Bring the schema to the newest Alembic revision (the only way tables are made)."""
    upgrade(Path(__file__).parent / "migrations", url)


def seed_development_directory(settings: NotificationsSettings) -> int:
    """Outside production, make sure every login of the development directory can be told
    (existing rows and their preferences are kept)."""
    from common.db import Database, utcnow
    from common.directory import dev_users
    from services.notifications.recipients import seed_directory

    db = Database(settings.database_url, pool_size=1)
    try:
        with db.write_session() as session:
            added = seed_directory(
                session,
                people=dev_users().values(),
                email_domain=settings.dev_email_domain,
                now=utcnow(),
            )
            session.commit()
        return added
    finally:
        db.dispose()


@cli.command()
def migrate() -> None:
    """Apply database migrations (and, in development, seed the recipients directory)."""
    settings = get_settings()
    configure_logging("notifications-migrate", settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate_database(settings.database_url)
    typer.echo(f"database at head: {settings.database_url.split('@')[-1]}")
    if settings.is_development:
        added = seed_development_directory(settings)
        typer.echo(f"development directory: {added} recipient(s) added")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default NOTIFICATIONS_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default NOTIFICATIONS_PORT")] = None,
) -> None:
    """Run the HTTP API with the event consumer and the delivery dispatcher (one process)."""
    from common.serving import serve as serve_http

    settings = get_settings()
    configure_logging("notifications", settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    serve_http(
        "services.notifications.app:create_app",
        host=host or settings.notifications_host,
        port=port or settings.notifications_port,
    )


if __name__ == "__main__":
    cli()
