"""Command line of the agreements service: migrate, serve, relay, worker, replay."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from common.law.labels import plural
from common.logs import configure_logging
from common.migrations import upgrade
from common.revocation import stop_waiting
from services.agreements.importer.cli import import_csv
from services.agreements.ops.cli import ops_cli
from services.agreements.settings import AgreementsSettings, get_settings

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

cli = typer.Typer(help="Agreements service", no_args_is_help=True)
cli.command(name="import")(import_csv)
cli.add_typer(ops_cli, name="ops")  # the operator console (services/agreements/ops/)


def migrate_database(url: str) -> None:
    """Bring the schema to the newest Alembic revision (the only way tables are made)."""
    upgrade(Path(__file__).parent / "migrations", url)


@cli.command()
def migrate() -> None:
    """Apply database migrations."""
    settings = get_settings()
    configure_logging("agreements-migrate", settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate_database(settings.database_url)
    typer.echo(f"database at head: {settings.database_url.split('@')[-1]}")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default AGREEMENTS_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default AGREEMENTS_PORT")] = None,
) -> None:
    """Run the HTTP API (one uvicorn worker)."""
    from common.serving import serve as serve_http

    settings = get_settings()
    configure_logging("agreements", settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    serve_http(
        "services.agreements.app:create_app",
        host=host or settings.agreements_host,
        port=port or settings.agreements_port,
        # Asked to stop, it first answers the other services' long polls of the revocation
        # feed, which would otherwise hold the graceful shutdown for up to their wait.
        before_exit=stop_waiting,
    )


@cli.command()
def relay() -> None:
    """Publish outbox events to Kafka until stopped."""
    settings = get_settings()
    configure_logging("agreements-relay", settings.log_level)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_relay(settings, stop)


def run_relay(
    settings: AgreementsSettings, stop: threading.Event, registry: CollectorRegistry | None = None
) -> None:
    """The relay until `stop` is set, its metrics (by default the process's) served on
    RELAY_METRICS_PORT."""
    from prometheus_client import REGISTRY, start_http_server

    from common.db import Database
    from services.agreements.outbox import OutboxRelay

    start_http_server(
        settings.relay_metrics_port, settings.relay_metrics_host, registry or REGISTRY
    )
    db = Database(settings.database_url, pool_size=2)
    try:
        OutboxRelay(settings, db).run(stop)
    finally:
        db.dispose()


@cli.command()
def worker(
    with_relay: Annotated[
        bool,
        typer.Option(
            "--relay",
            help="also run the relay (as `relay` does) in this process: the embedded stack's "
            "way, one process where the production stack runs two",
        ),
    ] = False,
    with_bridge: Annotated[
        bool,
        typer.Option(
            "--bridge",
            help="also run the workflow bridge (as `python -m workflows bridge` does) in this "
            "process, its metrics on BRIDGE_METRICS_PORT: the embedded stack's way",
        ),
    ] = False,
) -> None:
    """Run the lifecycle workflow (task queue agreement-workflows) with its steps, and the
    steps older runs ask for on task queue agreements, until stopped; the Temporal SDK's metrics
    are served on ACTIVITY_METRICS_PORT."""
    import asyncio
    from functools import partial

    from common.db import Database
    from common.temporal import connect
    from services.agreements import worker as activity_worker

    settings = get_settings()
    configure_logging("agreements-worker", settings.log_level)
    relay_metrics = None  # the process's own registry
    bridge_part = None
    if with_bridge:
        # Imported only here: the import registers the bridge's series in the process's
        # registry. Each part's series on its own port, once (common/exposition.py).
        from common import exposition
        from workflows import bridge
        from workflows.settings import get_settings as bridge_settings

        bridge_metrics, relay_metrics = exposition.split(bridge.METRIC_PREFIXES)
        bridge_part = partial(bridge.run_bridge, bridge_settings(), registry=bridge_metrics)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        relay_stop = threading.Event()

        def relay_until_stopped() -> None:
            try:
                run_relay(settings, relay_stop, relay_metrics)
            finally:  # ended by itself: end the process, as it would alone
                loop.call_soon_threadsafe(stop.set)

        relay_thread = threading.Thread(target=relay_until_stopped, name="outbox-relay")
        if with_relay:
            relay_thread.start()
        try:
            address = f"{settings.activity_metrics_host}:{settings.activity_metrics_port}"
            client = await connect(settings, metrics_address=address)
            db = Database(
                settings.database_url, pool_size=activity_worker.MAX_CONCURRENT_ACTIVITIES
            )
            parts = [activity_worker.run(client, db, stop)]
            if bridge_part is not None:
                parts.append(bridge_part(client, stop))
            try:
                await asyncio.gather(*parts)
            finally:
                stop.set()  # one part failing ends the others
                db.dispose()
        finally:
            relay_stop.set()
            if relay_thread.is_alive():
                await asyncio.to_thread(relay_thread.join, 15)

    asyncio.run(main())


@cli.command()
def replay(
    since: Annotated[
        str,
        typer.Option(
            help="re-publish events created at or after this ISO time (Vietnam time when no offset)"
        ),
    ],
) -> None:
    """After the broker lost its data: publish again every event since a moment."""
    from common.db import Database
    from common.moments import parse_moment
    from services.agreements.outbox import mark_for_replay

    settings = get_settings()
    try:
        moment = parse_moment(since)
    except ValueError as exc:
        raise typer.BadParameter(f"{since!r}: {exc}", param_hint="--since") from exc
    count = mark_for_replay(Database(settings.database_url, pool_size=1), moment)
    typer.echo(
        plural(
            count,
            "en",
            vi="",
            en_one="{n} event queued for publication again",
            en_other="{n} events queued for publication again",
        )
    )


if __name__ == "__main__":
    cli()
