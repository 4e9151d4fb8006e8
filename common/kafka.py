"""The one Kafka producer configuration and the one consumer base every service uses."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition

from common.events.envelope import Event, decode
from common.events.types import DEAD_LETTER_TOPIC, EVENTS_TOPIC, parse_ce_type
from common.logs import set_correlation_id
from common.settings import CommonSettings

log = logging.getLogger(__name__)

# infra.md: group joins wait about half the session timeout, so keep these short. The broker
# answers a waiting fetch as soon as a record arrives, so the fetch wait mostly sets how often an
# idle consumer asks again: at 20 ms an idle consumer used 11% of a core, at 100 ms 3%, with the
# same produce-to-consume latency (p50 6 ms, p99 13 ms; bench/consumer_wait.py). 100 ms also
# bounds the delay should the broker not answer early.
CONSUMER_DEFAULTS: dict[str, Any] = {
    "session_timeout_ms": 6000,
    "heartbeat_interval_ms": 1000,
    "max_poll_interval_ms": 10000,
    # A poll's records are handled (and committed) one by one before the next poll: at the
    # default 500, a backlog on PostgreSQL took longer than max_poll_interval_ms, the group
    # dropped the consumer and the batch was handled again.
    "max_poll_records": 50,
    "fetch_max_wait_ms": 100,
    "enable_auto_commit": False,
    "auto_offset_reset": "earliest",
}


def make_producer(settings: CommonSettings, **overrides: Any) -> KafkaProducer:
    """Idempotent, acks=all (kafka-python 3 defaults, spelt out); bounded blocking when the
    broker is away so callers can back off instead of hanging."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 2,
        "max_block_ms": 5000,
        "request_timeout_ms": 10000,
        "retries": 5,
        "reconnect_backoff_max_ms": 2000,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def ensure_topics(settings: CommonSettings, timeout_s: float = 10.0) -> None:
    """Create the events topic (keyed by agreement, several partitions) and its dead-letter topic.

    The embedded broker keeps topics in memory, so this runs whenever a producer (re)connects.
    """
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        request_timeout_ms=int(timeout_s * 1000),
        client_id="topic-setup",
    )
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(EVENTS_TOPIC, num_partitions=settings.events_partitions, replication_factor=1),
            NewTopic(DEAD_LETTER_TOPIC, num_partitions=1, replication_factor=1),
        ]
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process won the race
                admin.create_topics(missing)
    finally:
        admin.close()


class EventConsumer:
    """Consume agreement events, hand each to `handle`, commit offsets only afterwards.

    `handle` must commit its own database transaction (recording the event id with its effect)
    before returning, so a crash between that commit and the offset commit only causes a
    redelivery that the handler ignores. A record that is not a valid event, or whose handling
    still fails after `max_attempts`, is dead-lettered with the reason and the consumer moves on.

    A consumer that cares about a few event types names them in `handles`: records of other
    types are passed over on their `ce_type` header alone, without decoding or schema checks
    (the groups that handle those types judge them), and their offsets are committed once per
    poll instead of one by one.
    """

    # Event names (e.g. "agreement.submitted") this consumer handles; None for every type.
    handles: frozenset[str] | None = None

    def __init__(
        self,
        settings: CommonSettings,
        *,
        group_id: str,
        topics: Iterable[str] = (EVENTS_TOPIC,),
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
        client_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.group_id = group_id
        self.topics = tuple(topics)
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self.client_id = client_id or group_id
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self.processed = 0
        self.dead_lettered = 0
        self.passed_over = 0

    def handle(self, event: Event) -> None:
        raise NotImplementedError

    def _connect(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = KafkaConsumer(
                *self.topics,
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                group_id=self.group_id,
                client_id=self.client_id,
                **CONSUMER_DEFAULTS,
            )
        return self._consumer

    def poll_once(self, timeout_ms: int = 200) -> int:
        """Process one poll's worth of records; returns how many were handled, dead-lettered or
        passed over."""
        consumer = self._connect()
        batches = consumer.poll(timeout_ms=timeout_ms)
        count = 0
        for tp, records in batches.items():
            uncommitted: int | None = None
            for record in records:
                count += 1
                if self._passes_over(record):
                    uncommitted = record.offset + 1
                    continue
                self._process(record)
                # Commit per handled record: a rebalance mid-batch must not replay its effect.
                consumer.commit({tp: OffsetAndMetadata(record.offset + 1, None, -1)})
                uncommitted = None
            if uncommitted is not None:  # only passed-over records since the last commit
                consumer.commit({tp: OffsetAndMetadata(uncommitted, None, -1)})
        return count

    def _passes_over(self, record: Any) -> bool:
        """A record of an event type this consumer does not handle, judged on its header."""
        if self.handles is None:
            return False
        ce_type_header = next((v for k, v in record.headers or [] if k == "ce_type"), None)
        if ce_type_header is None:
            return False  # not a CloudEvent: decoding dead-letters it
        try:
            name, _ = parse_ce_type(ce_type_header.decode())
        except (UnicodeDecodeError, ValueError):
            return False
        if name in self.handles:
            return False
        self.passed_over += 1
        self.passed_over_type(name)
        return True

    def passed_over_type(self, name: str) -> None:
        """Hook for metrics: a record of type `name` was passed over."""

    def _process(self, record: Any) -> None:
        try:
            event = decode(record.key, record.value, record.headers)
        except Exception as exc:  # any decoding or schema failure makes it poison
            self._dead_letter(record, f"undecodable: {exc}")
            return
        set_correlation_id(event.correlation_id)
        try:
            for attempt in range(1, self.max_attempts + 1):
                try:
                    self.handle(event)
                    self.processed += 1
                    return
                except Exception as exc:
                    log.warning(
                        "handling %s %s failed (attempt %d/%d): %s",
                        event.type,
                        event.id,
                        attempt,
                        self.max_attempts,
                        exc,
                    )
                    if attempt == self.max_attempts:
                        self._dead_letter(record, f"handler failed: {exc}")
                        return
                    time.sleep(self.retry_backoff_s * 2 ** (attempt - 1))
        finally:
            set_correlation_id(None)

    def lag(self) -> int:
        """Records on the assigned partitions past this consumer's position (known after a
        fetch; call it from the polling thread)."""
        consumer: Any = self._consumer
        if consumer is None:
            return 0
        total = 0
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            total += max(0, highwater - consumer.position(tp))
        return total

    def _dead_letter(self, record: Any, reason: str) -> None:
        if self._producer is None:
            self._producer = make_producer(self.settings)
        headers = [
            *(record.headers or []),
            ("dlt_reason", reason[:1000].encode()),
            ("dlt_original_topic", record.topic.encode()),
            ("dlt_original_partition", str(record.partition).encode()),
            ("dlt_original_offset", str(record.offset).encode()),
            ("dlt_consumer_group", self.group_id.encode()),
            ("dlt_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        self._producer.send(
            DEAD_LETTER_TOPIC, key=record.key, value=record.value or b"", headers=headers
        ).get(timeout=10)
        self.dead_lettered += 1
        log.error(
            "dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason
        )

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set, riding out broker outages with a backoff."""
        backoff = 0.5
        while not stop.is_set():
            try:
                self.poll_once()
                backoff = 0.5
            except KafkaError as exc:
                log.warning(
                    "consumer %s: broker error %s; retrying in %.1fs", self.group_id, exc, backoff
                )
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self.close()

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None


__all__ = ["CONSUMER_DEFAULTS", "EventConsumer", "TopicPartition", "ensure_topics", "make_producer"]
