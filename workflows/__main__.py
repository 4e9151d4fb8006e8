"""Command line of the workflow side: the workflow worker and the Kafka-to-Temporal bridge."""

from __future__ import annotations

import asyncio
import signal
import threading

import typer

from common.logs import configure_logging
from common.temporal import connect
from workflows.settings import get_settings

cli = typer.Typer(help="Agreement lifecycle workflows", no_args_is_help=True)


def _stop_on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


@cli.command()
def worker() -> None:
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
        await workflow_worker.run(client, stop)

    asyncio.run(main())


@cli.command()
def bridge() -> None:
    """Turn agreement.submitted events into signal-with-start of the lifecycle workflow."""
    from prometheus_client import start_http_server

    from workflows.bridge import WorkflowBridge, run_in_thread

    settings = get_settings()
    configure_logging("workflow-bridge", settings.log_level)
    start_http_server(settings.bridge_metrics_port, addr=settings.bridge_metrics_host)

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(asyncio.get_running_loop(), stop)
        client = await connect(settings)
        consumer_stop = threading.Event()
        thread = run_in_thread(
            WorkflowBridge(settings, client, asyncio.get_running_loop()), consumer_stop
        )
        await stop.wait()
        consumer_stop.set()
        await asyncio.to_thread(thread.join, 15)

    asyncio.run(main())


if __name__ == "__main__":
    cli()
