"""The worker's threads are started again after a failure with the shared retry policy, and
stop when the service stops, also in the middle of a wait."""

from __future__ import annotations

import logging
import threading

import pytest

from common.retry import RetryPolicy
from services.notifications.worker import supervise
from tests.helpers import until

FAST = RetryPolicy(initial_wait_s=0.001, max_wait_s=0.01, jitter_s=0.0)
SLOW = RetryPolicy(initial_wait_s=30.0, max_wait_s=30.0, jitter_s=0.0)


def test_a_failed_loop_is_started_again_until_the_service_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = threading.Event()
    failures: list[BaseException] = [
        ConnectionRefusedError(111, "Connection refused"),
        KeyError("a bug"),
    ]
    runs: list[int] = []

    def loop(given: threading.Event) -> None:
        assert given is stop
        runs.append(len(runs))
        if failures:
            raise failures.pop(0)
        stop.set()  # ran until the service stopped

    with caplog.at_level(logging.WARNING, logger="services.notifications.worker"):
        supervise("consumer", loop, stop, policy=FAST)

    assert len(runs) == 3
    outage, bug = caplog.records
    assert outage.levelno == logging.WARNING and "dependency is away" in outage.getMessage()
    assert outage.exc_info is None
    assert bug.levelno == logging.ERROR and "consumer failed" in bug.getMessage()
    assert bug.exc_info is not None and isinstance(bug.exc_info[1], KeyError)


def test_stopping_ends_the_wait_before_the_next_start() -> None:
    stop = threading.Event()
    runs: list[int] = []

    def loop(_: threading.Event) -> None:
        runs.append(1)
        raise ConnectionRefusedError(111, "Connection refused")

    thread = threading.Thread(
        target=supervise, args=("dispatcher", loop, stop), kwargs={"policy": SLOW}
    )
    thread.start()
    until(lambda: runs, 5, "the first run")
    stop.set()  # during a 30 s wait
    thread.join(5)
    assert not thread.is_alive() and len(runs) == 1


def test_a_stopped_service_does_not_start_the_loop() -> None:
    stop = threading.Event()
    stop.set()
    runs: list[int] = []
    supervise("consumer", lambda _: runs.append(1), stop, policy=FAST)
    assert runs == []
