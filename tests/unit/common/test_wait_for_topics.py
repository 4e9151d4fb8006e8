"""A consumer process waits for the broker to make its topics with the shared retry policy,
and gives up the wait when it is stopped."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from kafka.errors import KafkaConnectionError

import common.kafka
from common.kafka import wait_for_topics
from common.retry import RetryPolicy, Stopped
from common.settings import CommonSettings

FAST = RetryPolicy(initial_wait_s=0.001, max_wait_s=0.01, jitter_s=0.0)


def _broker_starting(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[Any]:
    calls: list[Any] = []

    def ensure_topics(settings: CommonSettings) -> None:
        calls.append(settings)
        if len(calls) <= failures:
            raise KafkaConnectionError("no broker")

    monkeypatch.setattr(common.kafka, "ensure_topics", ensure_topics)
    return calls


def test_a_broker_still_starting_is_waited_for(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls = _broker_starting(monkeypatch, failures=4)
    settings = CommonSettings()
    wait_for_topics(settings, threading.Event(), policy=FAST)
    assert calls == [settings] * 5
    assert caplog.text.count("waiting for the broker") == 4


def test_a_stopped_process_gives_up_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _broker_starting(monkeypatch, failures=1_000)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped):
        wait_for_topics(CommonSettings(), stop, policy=FAST)
    assert len(calls) == 1
