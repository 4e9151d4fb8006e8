"""The Kafka-to-Temporal bridge (consumer group `workflow-bridge`): each `agreement.submitted`
event becomes signal-with-start of the agreement's lifecycle workflow.

A redelivered event changes nothing: the workflow ignores a submission event id it has seen,
and the id of a finished workflow is never reused (REJECT_DUPLICATE), so a late duplicate
cannot start the procedure again. Temporal being away is waited out by the consumer base
(partitions paused, the group kept) and never dead-letters an event.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, TypeVar

from kafka.errors import KafkaError
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
)
from temporalio.client import Client

from common.events.envelope import Event
from common.events.types import EventType
from common.kafka import DEAD_LETTER_REASONS, EventConsumer
from common.retry import DependencyUnavailable
from workflows.lifecycle.starter import signal_with_start, submission
from workflows.settings import WorkflowSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

BRIDGED = Counter(
    "workflow_bridge_events_total",
    "Events the bridge handled, by what it did",
    ["outcome"],
)
BRIDGE_LATENCY = Histogram(
    "workflow_bridge_signal_seconds",
    "From the event's creation to the workflow's acknowledgement of the signal",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BRIDGE_LAG = Gauge("workflow_bridge_consumer_lag", "Records on agreements.events not yet handled")
BRIDGE_DEAD_LETTERED = Counter(
    "workflow_bridge_dead_lettered_total",
    "Events the bridge sent to agreements.events.dlt, by reason (undecodable, invalid, failed)",
    ["reason"],
)
for _reason in DEAD_LETTER_REASONS:
    BRIDGE_DEAD_LETTERED.labels(_reason)
# How often the lag gauge is refreshed while polling.
LAG_EVERY_S = 1.0
# One try at Temporal may last this long. The consumer is not polled meanwhile, so it must
# stay well inside max_poll_interval_ms (10 s); with Temporal down, the SDK's own retries
# took about 6 s to give up. A try cut short is waited out and made again: signal-with-start
# is idempotent.
ATTEMPT_TIMEOUT_S = 5.0


class WorkflowBridge(EventConsumer):
    handles = frozenset({EventType.AGREEMENT_SUBMITTED.value})

    def __init__(
        self, settings: WorkflowSettings, client: Client, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__(settings, group_id="workflow-bridge")
        self.client = client
        self.loop = loop
        self.timing = settings.timing()
        self._lag_checked = 0.0

    def poll_once(self, timeout_ms: int = 200) -> int:
        count = super().poll_once(timeout_ms)
        now = time.monotonic()
        if now - self._lag_checked >= LAG_EVERY_S:
            self._lag_checked = now
            with contextlib.suppress(KafkaError):  # the position is known after a fetch
                BRIDGE_LAG.set(self.lag())
        return count

    def dead_lettered_as(self, kind: str) -> None:
        BRIDGE_DEAD_LETTERED.labels(kind).inc()

    def passed_over_type(self, name: str) -> None:
        BRIDGED.labels("ignored").inc()

    def handle(self, event: Event) -> None:
        started = self._run(self._signal_with_start(event))
        BRIDGED.labels("started" if started else "already_finished").inc()
        if event.time is not None:
            BRIDGE_LATENCY.observe(
                max(0.0, (datetime.now(event.time.tzinfo) - event.time).total_seconds())
            )

    async def _signal_with_start(self, event: Event) -> bool:
        return await signal_with_start(
            self.client, submission(event), self.timing, correlation_id=event.correlation_id
        )

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout=ATTEMPT_TIMEOUT_S)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise DependencyUnavailable(
                f"Temporal did not answer within {ATTEMPT_TIMEOUT_S:.0f}s"
            ) from exc


# Its own series, and the consumer base's (one consumer group per process): what the bridge's
# metrics port serves when it shares a process with the relay (common/exposition.py).
METRIC_PREFIXES = ("workflow_bridge_", "event_consumer_")


async def run_bridge(
    settings: WorkflowSettings,
    client: Client,
    stop: asyncio.Event,
    registry: CollectorRegistry = REGISTRY,
) -> None:
    """The bridge until `stop` is set, its metrics (`registry`) served on BRIDGE_METRICS_PORT.
    A bridge that ends by itself sets `stop`: it ends its process, as it would alone."""
    loop = asyncio.get_running_loop()
    start_http_server(settings.bridge_metrics_port, settings.bridge_metrics_host, registry)
    bridge = WorkflowBridge(settings, client, loop)
    consumer_stop = threading.Event()

    def consume() -> None:
        try:
            bridge.run(consumer_stop)
        finally:
            loop.call_soon_threadsafe(stop.set)

    thread = threading.Thread(target=consume, name="workflow-bridge", daemon=True)
    thread.start()
    try:
        await stop.wait()
    finally:
        consumer_stop.set()
        await asyncio.to_thread(thread.join, 15)
