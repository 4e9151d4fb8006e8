"""Command line of the reporting service: migrate, serve, consume, rebuild."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from common.logs import configure_logging
from common.migrations import upgrade
from services.reporting.settings import ReportingSettings, get_settings

cli = typer.Typer(help="Reporting service", no_args_is_help=True)


def migrate_database(url: str) -> None:
    """Bring the schema to the newest Alembic revision (the only way tables are made)."""
    upgrade(Path(__file__).parent / "migrations", url)


@cli.command()
def migrate() -> None:
    """Apply database migrations, then re-count if the conference dates changed."""
    from common.db import Database
    from services.reporting.projection import ensure_calendar

    settings = get_settings()
    configure_logging("reporting-migrate", settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate_database(settings.database_url)
    db = Database(settings.database_url, pool_size=1)
    recounted = ensure_calendar(db, settings.calendar)
    db.dispose()
    typer.echo(
        f"database at head: {settings.database_url.split('@')[-1]}"
        + ("; figures re-counted for the configured conferences" if recounted else "")
    )


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default REPORTING_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default REPORTING_PORT")] = None,
    consume: Annotated[
        bool,
        typer.Option(
            "--consume",
            help="also run the consumer (as `consume` does) in this process: the embedded "
            "stack's way, one process where the production stack runs two",
        ),
    ] = False,
) -> None:
    """Run the HTTP API (one uvicorn worker)."""
    from common.serving import serve as serve_http

    settings = get_settings()
    configure_logging("reporting", settings.log_level)
    stop = threading.Event()

    def consume_until_stopped() -> None:
        try:
            run_consumer(settings, stop)
        finally:
            if not stop.is_set():  # it ended by itself: end the process, as it would alone
                os.kill(os.getpid(), signal.SIGTERM)

    consumer = threading.Thread(target=consume_until_stopped, name="reporting-consumer")
    if consume:
        consumer.start()
    try:
        serve_http(
            "services.reporting.app:create_app",
            host=host or settings.reporting_host,
            port=port or settings.reporting_port,
        )
    finally:
        stop.set()
        if consumer.is_alive():
            consumer.join(15)


@cli.command()
def consume() -> None:
    """Apply agreements.events to the read model until stopped (consumer group `reporting`)."""
    settings = get_settings()
    configure_logging("reporting-consumer", settings.log_level)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_consumer(settings, stop)


def run_consumer(settings: ReportingSettings, stop: threading.Event) -> None:
    """The consumer until `stop` is set, once the broker has the topics."""
    from common.db import Database
    from common.kafka import wait_for_topics
    from common.retry import Stopped
    from services.reporting.consumer import ReportingConsumer
    from services.reporting.projection import Projection, ensure_calendar

    db = Database(settings.database_url, pool_size=2)
    ensure_calendar(db, settings.calendar)
    try:
        # The embedded broker forgets its topics on restart; subscribing needs them to exist.
        wait_for_topics(settings, stop)
    except Stopped:
        pass  # stopped before the broker was there
    else:
        ReportingConsumer(settings, db, Projection(db, settings.calendar)).run(stop)
    finally:
        db.dispose()


@cli.command()
def rebuild(
    agreements_url: Annotated[
        str | None, typer.Option(help="agreements service base URL (default AGREEMENTS_URL)")
    ] = None,
) -> None:
    """Reload the read model from the agreements service's export (after broker data loss)."""
    from rich.progress import Progress

    from common.db import Database
    from services.reporting.rebuild import rebuild as run_rebuild

    settings = get_settings()
    if agreements_url:
        settings = settings.model_copy(update={"agreements_url": agreements_url})
    configure_logging("reporting-rebuild", settings.log_level)
    db = Database(settings.database_url, pool_size=1)
    with Progress(transient=True) as bar:
        tasks: dict[str, object] = {}

        def progress(kind: str, n: int) -> None:
            if kind not in tasks:
                tasks[kind] = bar.add_task(f"reading {kind}", total=None)
            bar.advance(tasks[kind], n)  # type: ignore[arg-type]

        result = run_rebuild(settings, db, progress=progress)
    db.dispose()
    typer.echo(
        f"read model rebuilt: {result.agreements} agreement(s), {result.consultations} "
        f"consultation(s), {result.duties} duty(ies); {result.kept_newer} newer row(s) kept, "
        f"{result.removed} removed"
    )


if __name__ == "__main__":
    cli()
