"""The consumer base against the real broker: handled once, poison to the dead-letter topic,
and the consumer goes on."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from common.events.envelope import Event, encode
from common.events.types import DEAD_LETTER_TOPIC
from common.kafka import EventConsumer, ensure_topics
from common.settings import CommonSettings
from tests.helpers import deleted_event

pytestmark = pytest.mark.integration


class Recorder(EventConsumer):
    def __init__(self, settings: CommonSettings, topic: str) -> None:
        super().__init__(
            settings, group_id=f"test-{uuid.uuid4().hex[:8]}", topics=[topic], retry_backoff_s=0.01
        )
        self.seen: list[str] = []
        self.attempts: dict[str, int] = {}

    def handle(self, event: Event) -> None:
        self.attempts[event.subject or ""] = self.attempts.get(event.subject or "", 0) + 1
        if event.subject == "always-fails":
            raise RuntimeError("database said no")
        self.seen.append(event.subject or "")


def _dead_letters(settings: CommonSettings, topic: str) -> list[Any]:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        tp = TopicPartition(DEAD_LETTER_TOPIC, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        out: list[Any] = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                out += [
                    r
                    for r in records
                    if dict(r.headers).get("dlt_original_topic") == topic.encode()
                ]
        return out
    finally:
        consumer.close()


def test_poison_and_failing_events_are_dead_lettered_and_the_next_is_processed(broker: Any) -> None:
    settings = CommonSettings(kafka_bootstrap_servers=broker.bootstrap)
    ensure_topics(settings)
    topic = f"test.consumer.{uuid.uuid4().hex[:8]}"
    # One partition, so "the next event" is well defined.
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    for item in (
        deleted_event("first"),
        b"garbage",
        deleted_event("always-fails"),
        deleted_event("after"),
    ):
        if isinstance(item, Event):
            record = encode(item)
            producer.send(topic, key=record.key, value=record.value, headers=record.headers)
        else:
            producer.send(topic, key=b"poison", value=item, headers=[("ce_type", b"nonsense")])
    producer.flush()
    producer.close()

    consumer = Recorder(settings, topic)
    deadline = time.monotonic() + 30
    while len(consumer.seen) < 2 and time.monotonic() < deadline:
        consumer.poll_once(timeout_ms=200)
    consumer.close()

    assert consumer.seen == ["first", "after"]
    assert consumer.attempts["always-fails"] == consumer.max_attempts
    letters = _dead_letters(settings, topic)
    assert len(letters) == 2
    reasons = {dict(r.headers)["dlt_reason"].decode().split(":")[0] for r in letters}
    assert reasons == {"undecodable", "handler failed"}
    for letter in letters:
        headers = dict(letter.headers)
        assert headers["dlt_original_partition"].isdigit()
        assert headers["dlt_original_offset"].isdigit()
        assert headers["dlt_consumer_group"] == consumer.group_id.encode()

    # Offsets were committed: a new member of the same group sees nothing again.
    again = Recorder(settings, topic)
    again.group_id = consumer.group_id
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        again.poll_once(timeout_ms=200)
    again.close()
    assert again.seen == []


class DeletionsOnly(Recorder):
    handles = frozenset({"agreement.deleted"})

    def __init__(self, settings: CommonSettings, topic: str) -> None:
        super().__init__(settings, topic)
        self.passed: list[str] = []

    def passed_over_type(self, name: str) -> None:
        self.passed.append(name)


def test_a_consumer_passes_over_other_types_on_the_header_and_commits_them(broker: Any) -> None:
    settings = CommonSettings(kafka_bootstrap_servers=broker.bootstrap)
    topic = f"test.consumer.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    # An event of another type whose payload would fail its schema: passed over, not judged.
    other = encode(deleted_event("ignored"))
    other_headers = [
        (k, b"vn.gov.agreements.agreement.submitted.v1" if k == "ce_type" else v)
        for k, v in other.headers
    ]
    for key, value, headers in (
        (other.key, other.value, other_headers),
        (b"poison", b"garbage", [("ce_type", b"nonsense")]),
        *((r.key, r.value, r.headers) for r in [encode(deleted_event("kept"))]),
        (other.key, other.value, other_headers),
    ):
        producer.send(topic, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()

    consumer = DeletionsOnly(settings, topic)
    deadline = time.monotonic() + 30
    while consumer.passed_over < 2 and time.monotonic() < deadline:
        consumer.poll_once(timeout_ms=200)
    consumer.close()
    assert consumer.seen == ["kept"]
    assert consumer.passed == ["agreement.submitted", "agreement.submitted"]
    assert consumer.dead_lettered == 1  # a record that is no event of ours is still judged

    # The trailing passed-over record was committed too: the group starts after it.
    again = DeletionsOnly(settings, topic)
    again.group_id = consumer.group_id
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        again.poll_once(timeout_ms=200)
    again.close()
    assert again.seen == [] and again.passed == [] and again.dead_lettered == 0
