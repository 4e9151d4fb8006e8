"""Command line of the workflow side: the workflow worker and the Kafka-to-Temporal bridge."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import AsyncIterator
from typing import Annotated

import typer

from common.logs import configure_logging
from common.temporal import connect
from workflows.settings import WorkflowSettings, get_settings

cli = typer.Typer(help="Agreement lifecycle workflows", no_args_is_help=True)


def _stop_on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


@cli.command()
def worker(
    with_bridge: Annotated[
        bool,
        typer.Option(
            "--bridge",
            help="also run the bridge (as `bridge` does, its metrics on BRIDGE_METRICS_PORT) in "
            "this process: the embedded stack's way, one process where production runs two",
        ),
    ] = False,
) -> None:
    """Run AgreementLifecycleWorkflow (task queue agreement-workflows) until stopped; the
    Temporal SDK's metrics are served on WORKFLOW_METRICS_PORT."""
    from workflows import worker as workflow_worker

    settings = get_settings()
    configure_logging("workflow-worker", settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(asyncio.get_running_loop(), stop)
        address = f"{settings.workflow_metrics_host}:{settings.workflow_metrics_port}"
        client = await connect(settings, metrics_address=address)
        if not with_bridge:
            await workflow_worker.run(client, stop)
            return
        async with _bridge(settings, stop):
            await workflow_worker.run(client, stop)

    asyncio.run(main())


@cli.command()
def bridge() -> None:
    """Turn agreement.submitted events into signal-with-start of the lifecycle workflow."""
    settings = get_settings()
    configure_logging("workflow-bridge", settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(asyncio.get_running_loop(), stop)
        async with _bridge(settings, stop):
            await stop.wait()

    asyncio.run(main())


@contextlib.asynccontextmanager
async def _bridge(settings: WorkflowSettings, stop: asyncio.Event) -> AsyncIterator[None]:
    """The bridge's consumer in its thread (its metrics served on BRIDGE_METRICS_PORT) while
    the body runs; a bridge that ends by itself sets `stop`, ending the process as it would
    end a process of its own."""
    from prometheus_client import start_http_server

    from workflows.bridge import WorkflowBridge

    start_http_server(settings.bridge_metrics_port, addr=settings.bridge_metrics_host)
    client = await connect(settings)
    loop = asyncio.get_running_loop()
    consumer_stop = threading.Event()
    bridge = WorkflowBridge(settings, client, loop)

    def consume() -> None:
        try:
            bridge.run(consumer_stop)
        finally:
            loop.call_soon_threadsafe(stop.set)

    thread = threading.Thread(target=consume, name="workflow-bridge", daemon=True)
    thread.start()
    try:
        yield
    finally:
        consumer_stop.set()
        await asyncio.to_thread(thread.join, 15)


if __name__ == "__main__":
    cli()
