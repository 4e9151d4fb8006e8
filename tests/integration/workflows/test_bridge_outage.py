"""The Kafka-to-Temporal bridge against a real broker and a real Temporal dev server that is
killed for longer than the consumer's poll interval, then started again: the bridge waits in
its group, dead-letters nothing, and starts the workflow once Temporal is back."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from common.devservers import free_port, temporal_command, wait_for_port
from common.events.envelope import encode
from common.events.types import EVENTS_TOPIC, EventType
from common.kafka import CONSUMER_DEFAULTS, ensure_topics, make_producer
from common.retry import RetryPolicy
from common.temporal import connect
from tests.conftest import Broker
from tests.unit.notifications.samples import event
from workflows.bridge import WorkflowBridge
from workflows.lifecycle import contracts as c
from workflows.settings import WorkflowSettings

pytestmark = pytest.mark.integration


class DevServer:
    """A Temporal dev server of this test's own (in memory), killed and started again on the
    same port; the session's server is shared with other suites."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            temporal_command(self.port, None, None), stdout=log, stderr=subprocess.STDOUT
        )
        wait_for_port("127.0.0.1", self.port, 30)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[DevServer]:
    server = DevServer(tmp_path / "temporal.log")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker of this test's own: only its events reach the bridge's group."""
    broker = Broker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def event_loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    """The asyncio loop the Temporal client lives on, as in `python -m workflows bridge`."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s:.0f}s: {what}")
        time.sleep(0.1)


def workflow_status(loop: asyncio.AbstractEventLoop, client: Client, agreement_id: str) -> Any:
    async def describe() -> Any:
        try:
            handle = client.get_workflow_handle(c.workflow_id(agreement_id))
            return (await handle.describe()).status
        except RPCError:
            return None

    return asyncio.run_coroutine_threadsafe(describe(), loop).result(30)


def test_the_bridge_waits_for_temporal_inside_its_group_and_starts_the_workflow_once_back(
    dev_server: DevServer,
    own_broker: Broker,
    event_loop_thread: asyncio.AbstractEventLoop,
) -> None:
    loop = event_loop_thread
    settings = WorkflowSettings(
        env="test",
        kafka_bootstrap_servers=own_broker.bootstrap,
        temporal_address=dev_server.address,
    )
    ensure_topics(settings)
    client = asyncio.run_coroutine_threadsafe(connect(settings), loop).result(30)
    bridge = WorkflowBridge(settings, client, loop)
    # Tries a second apart at most, so the test sees Temporal come back at once.
    bridge.policy = RetryPolicy(initial_wait_s=0.2, max_wait_s=1.0, jitter_s=0.1)
    started_before = REGISTRY.get_sample_value(
        "workflow_bridge_events_total", {"outcome": "started"}
    )
    stop = threading.Event()
    thread = threading.Thread(target=bridge.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: bridge.assignments >= 1, 30, "the bridge joining its group")

        dev_server.kill()  # SIGKILL: Temporal is gone
        submitted = event(EventType.AGREEMENT_SUBMITTED)
        assert submitted.subject is not None
        record = encode(submitted)
        producer = make_producer(settings)
        producer.send(EVENTS_TOPIC, key=record.key, value=record.value, headers=record.headers)
        producer.flush()
        producer.close()

        # Away for longer than the poll interval: a bridge that stopped polling would have
        # been dropped from its group (and, before, dead-lettered the event).
        poll_interval_s = CONSUMER_DEFAULTS["max_poll_interval_ms"] / 1000
        wait_until(lambda: bridge.waiting_s() > poll_interval_s + 3, 60, "a long wait")
        waiting = REGISTRY.get_sample_value(
            "event_consumer_dependency_wait_seconds", {"group": bridge.group_id}
        )
        assert waiting is not None and waiting > poll_interval_s
        assert bridge.processed == 0 and bridge.dead_lettered == 0

        dev_server.start()  # back, empty (in memory), on the same address
        wait_until(lambda: bridge.processed == 1, 60, "the workflow started once Temporal is back")
    finally:
        stop.set()
        thread.join(20)

    assert workflow_status(loop, client, submitted.subject) == WorkflowExecutionStatus.RUNNING
    assert bridge.dead_lettered == 0
    assert bridge.assignments == 1, "the bridge was rebalanced out of its group"
    assert bridge.waiting_s() == 0
    started = REGISTRY.get_sample_value("workflow_bridge_events_total", {"outcome": "started"})
    assert started == (started_before or 0) + 1
    for reason in ("undecodable", "invalid", "failed"):
        assert REGISTRY.get_sample_value(
            "workflow_bridge_dead_lettered_total", {"reason": reason}
        ) in (None, 0.0)
