"""Command line of the workflow side: the Kafka-to-Temporal bridge."""

from __future__ import annotations

import asyncio
import signal

import typer

from common.logs import configure_logging
from common.temporal import connect
from workflows.settings import get_settings

cli = typer.Typer(help="Agreement lifecycle workflows", no_args_is_help=True)


def _stop_on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


@cli.callback()
def commands() -> None:
    """The workflow definitions run in the agreements service's worker process
    (`python -m services.agreements worker`), which hosts their steps; this is the bridge."""


@cli.command()
def bridge() -> None:
    """Turn agreement.submitted events into signal-with-start of the lifecycle workflow; its
    metrics are served on BRIDGE_METRICS_PORT."""
    from workflows.bridge import run_bridge

    settings = get_settings()
    configure_logging("workflow-bridge", settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(asyncio.get_running_loop(), stop)
        await run_bridge(settings, await connect(settings), stop)

    asyncio.run(main())


if __name__ == "__main__":
    cli()
