"""An idle consumer with wake-ups (common/wakeups.py) against the real broker: it subscribes
at the relay's address, a wake-up brings it to a new record long before its own look would,
a record published without one is still found on its own, and a stop ends its wait at once.
The relay's side here is the one the relay uses (`Subscribers` on a datagram socket)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from common import wakeups
from common.events.envelope import Event, encode
from common.kafka import EventConsumer, ensure_topics
from common.settings import CommonSettings
from common.wakeups import SUBSCRIBE, Subscribers, Wakeup
from tests.helpers import deleted_event, until

pytestmark = pytest.mark.integration


class Relay:
    """The relay's datagram socket: takes subscriptions, wakes the subscribers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.subscribers = Subscribers()
        threading.Thread(target=self._receive, daemon=True).start()

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()
        return f"{host}:{port}"

    def _receive(self) -> None:
        while True:
            try:
                data, sender = self.sock.recvfrom(64)
            except OSError:
                return
            if data == SUBSCRIBE:
                self.subscribers.heard(sender)


class Seen(EventConsumer):
    def __init__(self, settings: CommonSettings, topic: str) -> None:
        super().__init__(settings, group_id=f"test-wake-{uuid.uuid4().hex[:8]}", topics=[topic])
        self.seen: dict[str, float] = {}

    def handle(self, event: Event) -> None:
        self.seen[event.subject or ""] = time.monotonic()


class Topic:
    """A topic of one partition of this test's own, and a producer of deleted-agreement
    events on it."""

    def __init__(self, broker: Any) -> None:
        self.name = f"test.wakeups.{uuid.uuid4().hex[:8]}"
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
        admin.create_topics([NewTopic(self.name, 1, 1)])
        admin.close()
        self.producer = KafkaProducer(bootstrap_servers=broker.bootstrap)

    def publish(self, *subjects: str) -> float:
        for subject in subjects:
            record = encode(deleted_event(subject))
            self.producer.send(
                self.name, key=record.key, value=record.value, headers=record.headers
            )
        self.producer.flush()
        return time.monotonic()


def woken_settings(broker: Any, relay: Relay) -> CommonSettings:
    return CommonSettings(
        kafka_bootstrap_servers=broker.bootstrap, events_wakeup_address=relay.address
    )


@pytest.fixture
def relay() -> Iterator[Relay]:
    r = Relay()
    yield r
    r.sock.close()


def test_an_idle_consumer_is_woken_finds_a_missed_record_itself_and_stops_at_once(
    broker: Any, relay: Relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its own look comes so late at first that only a wake-up explains a prompt record.
    monkeypatch.setattr(wakeups, "IDLE_POLL_S", 30.0)
    settings = woken_settings(broker, relay)
    ensure_topics(settings)
    topic = Topic(broker)
    publish = topic.publish
    consumer = Seen(settings, topic.name)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        # Joined, found nothing, and asked to be woken.
        until(lambda: len(relay.subscribers) == 1, 30, "the consumer's subscription")

        # Woken: the record comes at once, not after the 30 s look. From then on its own look
        # comes every second.
        monkeypatch.setattr(wakeups, "IDLE_POLL_S", 1.0)
        sent = publish("woken")
        assert relay.subscribers.notify(relay.sock) == 1
        until(lambda: "woken" in consumer.seen, 10, "the woken record")
        assert consumer.seen["woken"] - sent < 10

        # No wake-up (a lost datagram, another publisher): found on its own.
        until(lambda: consumer.quiet, 10, "the consumer going idle")
        publish("missed")
        until(lambda: "missed" in consumer.seen, 15, "the record published without a wake-up")

        # A stop ends even a long wait at once.
        monkeypatch.setattr(wakeups, "IDLE_POLL_S", 30.0)
        time.sleep(2.5)  # into a 30 s wait
        stopped = time.monotonic()
        stop.set()
        thread.join(10)
        assert not thread.is_alive()
        assert time.monotonic() - stopped < 10
    finally:
        stop.set()
        topic.producer.close()
        thread.join(10)


def test_a_consumer_is_not_idle_while_short_of_what_a_wake_up_announced(
    broker: Any, relay: Relay
) -> None:
    """The relay's wake-up names where its publication ended. A woken poll that comes back
    with fewer records (kafka-python hands out what an earlier fetch brought first, and the
    end it knows is as old) leaves the consumer with more to take, not waiting for a wake-up
    that already came: without it an isolated submission waited for the consumer's own look,
    2-4 s (bench/lifecycle.py)."""
    topic = Topic(broker)
    publish = topic.publish
    consumer = Seen(woken_settings(broker, relay), topic.name)
    stop = threading.Event()
    wakeup = Wakeup.for_address(relay.address, stop)
    assert wakeup is not None
    consumer._wakeup = wakeup  # as `run` sets it

    def take(*subjects: str) -> None:
        until(
            lambda: consumer.poll_once(200) >= 0 and all(s in consumer.seen for s in subjects),
            30,
            f"records {subjects}",
        )

    try:
        publish("r0")
        take("r0")
        assert consumer.quiet
        wakeup.renew()
        until(lambda: len(relay.subscribers) == 1, 10, "the consumer's subscription")
        # Two records on the topic, the wake-up announcing a third (offset 3, end 4).
        publish("r1", "r2")
        assert relay.subscribers.notify(relay.sock, {topic.name: {0: 4}}) == 1
        until(wakeup.event.is_set, 10, "the wake-up")
        take("r1", "r2")
        assert not consumer.quiet  # short of the announced end: more to take at once
        publish("r3")
        take("r3")
        assert consumer.quiet
    finally:
        stop.set()
        topic.producer.close()
        consumer.close()
        wakeup.close()
