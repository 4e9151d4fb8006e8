"""The consumer base against the real broker when things fail: a dependency that is away is
waited out inside the group (partitions paused, nothing dead-lettered), while a record that
cannot be decoded or is refused goes to the dead-letter topic at once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from common.events.envelope import Event, encode, parse_payload
from common.events.types import DEAD_LETTER_TOPIC
from common.kafka import CONSUMER_DEFAULTS, EventConsumer, ensure_topics
from common.retry import InvalidEvent, RetryPolicy
from common.settings import CommonSettings
from tests.helpers import deleted_event

pytestmark = pytest.mark.integration

# Short waits between tries, so the test sees the dependency come back within a second.
FAST = RetryPolicy(initial_wait_s=0.2, max_wait_s=1.0, jitter_s=0.1, quick_backoff_s=0.01)


def one_partition_topic(bootstrap: str) -> str:
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    return topic


def publish(bootstrap: str, topic: str, *items: Event | bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        for item in items:
            if isinstance(item, Event):
                record = encode(item)
                producer.send(topic, key=record.key, value=record.value, headers=record.headers)
            else:
                producer.send(topic, key=b"poison", value=item, headers=[("ce_type", b"nonsense")])
        producer.flush()
    finally:
        producer.close()


def dead_letters(bootstrap: str, topic: str) -> list[Any]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        tp = TopicPartition(DEAD_LETTER_TOPIC, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        found: list[Any] = []
        mine = topic.encode()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                found += [r for r in records if dict(r.headers)["dlt_original_topic"] == mine]
        return found
    finally:
        consumer.close()


class EffectsDatabase(EventConsumer):
    """Writes each event id into a real SQLite file, as our consumers record processed ids:
    while the file's folder is missing, SQLite cannot open it (an OperationalError, the
    database being away)."""

    def __init__(self, settings: CommonSettings, topic: str, engine: Engine) -> None:
        super().__init__(
            settings, group_id=f"test-{uuid.uuid4().hex[:8]}", topics=[topic], policy=FAST
        )
        self.engine = engine
        self.tries: dict[str, int] = {}

    def handle(self, event: Event) -> None:
        self.tries[event.subject or ""] = self.tries.get(event.subject or "", 0) + 1
        with self.engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS processed (id TEXT PRIMARY KEY)"))
            conn.execute(
                text("INSERT OR IGNORE INTO processed VALUES (:id)"), {"id": event.subject}
            )

    def processed_subjects(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT id FROM processed ORDER BY rowid"))]


@pytest.fixture
def running() -> Iterator[list[tuple[EventConsumer, threading.Event, threading.Thread]]]:
    """Consumers started by a test, stopped (and their threads joined) afterwards."""
    started: list[tuple[EventConsumer, threading.Event, threading.Thread]] = []
    yield started
    for _, stop, thread in started:
        stop.set()
        thread.join(20)


def start(
    consumer: EventConsumer, running: list[tuple[EventConsumer, threading.Event, threading.Thread]]
) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    running.append((consumer, stop, thread))


def wait_until(check: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s:.0f}s: {what}")
        time.sleep(0.05)


def test_a_database_away_longer_than_the_poll_interval_is_waited_out_inside_the_group(
    broker: Any, tmp_path: Path, running: Any
) -> None:
    settings = CommonSettings(kafka_bootstrap_servers=broker.bootstrap)
    ensure_topics(settings)
    topic = one_partition_topic(broker.bootstrap)
    folder = tmp_path / "not-yet"  # the database's folder is missing: SQLite cannot open it
    engine = create_engine(f"sqlite:///{folder / 'effects.db'}")
    consumer = EffectsDatabase(settings, topic, engine)
    start(consumer, running)
    wait_until(lambda: consumer.assignments >= 1, 30, "the group join")

    publish(broker.bootstrap, topic, deleted_event("first"), deleted_event("second"))
    wait_until(lambda: consumer.tries.get("first", 0) >= 2, 10, "the first tries")
    outage_s = CONSUMER_DEFAULTS["max_poll_interval_ms"] / 1000 + 4
    time.sleep(outage_s)
    gauge = REGISTRY.get_sample_value(
        "event_consumer_dependency_wait_seconds", {"group": consumer.group_id}
    )
    assert gauge is not None and gauge > CONSUMER_DEFAULTS["max_poll_interval_ms"] / 1000
    assert consumer.tries.get("second", 0) == 0  # the partition waits behind "first"

    folder.mkdir()  # the database is back
    wait_until(lambda: consumer.processed == 2, 15, "both events once the database is back")

    assert consumer.processed_subjects() == ["first", "second"]
    assert consumer.dead_lettered == 0
    assert consumer.assignments == 1, "the consumer was rebalanced out of its group"
    assert consumer.waiting_s() == 0
    assert dead_letters(broker.bootstrap, topic) == []


class Refusing(EventConsumer):
    """Parses each payload with its model, as the services' handlers do, and refuses an event
    its rules reject."""

    def __init__(self, settings: CommonSettings, topic: str) -> None:
        super().__init__(
            settings, group_id=f"test-{uuid.uuid4().hex[:8]}", topics=[topic], policy=FAST
        )
        self.tries: dict[str, int] = {}
        self.seen: list[str] = []

    def handle(self, event: Event) -> None:
        self.tries[event.subject or ""] = self.tries.get(event.subject or "", 0) + 1
        parse_payload(event)  # the payload model refuses what its JSON schema let through
        if event.subject == "rejected":
            raise InvalidEvent("no such agreement in this province")
        self.seen.append(event.subject or "")


def test_undecodable_refused_and_rejected_records_are_dead_lettered_at_once(
    broker: Any, running: Any
) -> None:
    settings = CommonSettings(kafka_bootstrap_servers=broker.bootstrap)
    ensure_topics(settings)
    topic = one_partition_topic(broker.bootstrap)
    publish(
        broker.bootstrap,
        topic,
        b"\x00not an event",
        deleted_event(
            "refused", deleted_at="next Tuesday"
        ),  # the schema leaves the format unchecked
        deleted_event("rejected"),
        deleted_event("after"),
    )
    consumer = Refusing(settings, topic)
    start(consumer, running)
    wait_until(lambda: consumer.seen == ["after"], 30, "the record after the poison")

    assert consumer.tries == {"refused": 1, "rejected": 1, "after": 1}  # no retries
    assert consumer.dead_lettered == 3
    letters = [dict(r.headers) for r in dead_letters(broker.bootstrap, topic)]
    assert [h["dlt_reason_kind"] for h in letters] == [b"undecodable", b"invalid", b"invalid"]
    assert letters[0]["dlt_reason"].startswith(b"undecodable")
    assert b"deleted_at" in letters[1]["dlt_reason"]
    assert b"no such agreement" in letters[2]["dlt_reason"]
    for kind in ("undecodable", "invalid"):
        counted = REGISTRY.get_sample_value(
            "event_consumer_dead_lettered_total", {"group": consumer.group_id, "reason": kind}
        )
        assert counted == {"undecodable": 1, "invalid": 2}[kind]
