"""The one Kafka producer configuration and the one consumer base every service uses."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition
from prometheus_client import Counter, Gauge
from tenacity import RetryCallState

from common.events.envelope import Event, decode
from common.events.types import DEAD_LETTER_TOPIC, EVENTS_TOPIC, parse_ce_type
from common.group import ConsumerStopping, GroupMember
from common.logs import set_correlation_id
from common.retry import POLICY, Failure, RetryPolicy, Stopped, classify, is_unavailable, last_error
from common.settings import CommonSettings
from common.wakeups import WOKEN_BATCH_S, WOKEN_FETCH_WAIT_MS, WOKEN_POLL_MS, Wakeup

log = logging.getLogger(__name__)
T = TypeVar("T")

# infra.md: group joins wait about half the session timeout, so keep these short. The fetch
# wait sets how often a consumer without wake-ups (common/wakeups.py) asks again and, on the
# embedded broker, how late a record may come: Tansu 0.6 holds a waiting fetch for about half
# its wait even when a record arrives (bench/consumer_wait.py: 100 ms: 2.0% of a core idle,
# p99 50 ms; 500 ms: 0.7%, 251 ms; 1000 ms: 0.4%, 489 ms). Kafka answers early.
CONSUMER_DEFAULTS: dict[str, Any] = {
    "session_timeout_ms": 6000,
    "heartbeat_interval_ms": 1000,
    "max_poll_interval_ms": 10000,
    # A poll's records are handled (and committed) one by one before the next poll: at the
    # default 500, a backlog on PostgreSQL took longer than max_poll_interval_ms, the group
    # dropped the consumer and the batch was handled again.
    "max_poll_records": 50,
    "fetch_max_wait_ms": 500,
    # The embedded broker forgets its topics on restart and the relay makes them again: a
    # consumer learns of the new partitions at its next metadata refresh (by default after
    # five minutes, reading only the partitions it had meanwhile).
    "metadata_max_age_ms": 5000,
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
    """Create the events topic (keyed by agreement, several partitions) and its dead-letter
    topic; the embedded broker keeps topics in memory, so this runs at each (re)connect."""
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


def wait_for_topics(
    settings: CommonSettings, stop: threading.Event, *, policy: RetryPolicy = POLICY
) -> None:
    """`ensure_topics` until it succeeds: a broker that is still starting (or away) is waited
    out with the shared policy. Raises `Stopped` when `stop` is set first."""

    def waiting(state: RetryCallState) -> None:
        log.warning(
            "waiting for the broker (%s); retrying in %.1fs",
            last_error(state),
            state.upcoming_sleep,
        )

    policy.until_done(lambda: ensure_topics(settings), stop, before_sleep=waiting)


RUN_POLL_MS = 500  # how long `run` lets one poll wait (as long as the fetch may wait)

# Shared by every consumer in a process (labelled by group), in the default registry that the
# bridge's and the relay's metrics servers expose.
DEPENDENCY_WAIT = Gauge(
    "event_consumer_dependency_wait_seconds",
    "How long the consumer has been waiting for an unavailable dependency (0: it is not)",
    ["group"],
)
DEAD_LETTERED = Counter(
    "event_consumer_dead_lettered_total",
    "Records sent to agreements.events.dlt, by reason (undecodable, invalid, failed)",
    ["group", "reason"],
)
DEAD_LETTER_REASONS = ("undecodable", Failure.INVALID.value, Failure.FAILED.value)


class EventConsumer:
    """Consume agreement events, hand each to `handle`, commit offsets only afterwards.

    `handle` must commit its own database transaction (recording the event id with its effect)
    before returning, so a crash between that commit and the offset commit only causes a
    redelivery that the handler ignores.

    Failures are told apart by `common.retry.classify`, with the shared `RetryPolicy`:
    - a dependency that is unavailable (database, Temporal, broker, SMTP...) is waited out for
      as long as it lasts, backing off; meanwhile the partitions are paused and `poll` keeps
      being called, so the consumer stays in its group, and nothing is dead-lettered;
    - a record that is not a valid event, whose payload model refuses it, or that the handler
      rejects (`InvalidEvent`) is dead-lettered at once, with the reason in its headers;
    - any other failure is tried `max_attempts` times, then dead-lettered, so that a bug met by
      one record does not hold up every later record of its partition.

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
        max_attempts: int | None = None,
        retry_backoff_s: float | None = None,
        policy: RetryPolicy = POLICY,
        client_id: str | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.group_id = group_id
        self.topics = tuple(topics)
        self.policy = policy
        if max_attempts is not None:
            self.max_attempts = max_attempts
        if retry_backoff_s is not None:
            self.retry_backoff_s = retry_backoff_s
        self.client_id = client_id or group_id
        self.stop = stop or threading.Event()
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self.member = GroupMember(self.topics, group_id)
        self.processed = 0
        self.dead_lettered = 0
        self.passed_over = 0
        self._waiting_since: float | None = None
        # Whether the last poll left nothing to take at once (see `run`).
        self.quiet = False
        self._wakeup: Wakeup | None = None
        DEPENDENCY_WAIT.labels(group_id).set_function(self.waiting_s)
        for reason in DEAD_LETTER_REASONS:
            DEAD_LETTERED.labels(group_id, reason)

    # The policy's quick attempts, tunable per consumer (tests shorten them).
    @property
    def max_attempts(self) -> int:
        return self.policy.quick_attempts

    @max_attempts.setter
    def max_attempts(self, value: int) -> None:
        self.policy = replace(self.policy, quick_attempts=value)

    @property
    def retry_backoff_s(self) -> float:
        return self.policy.quick_backoff_s

    @retry_backoff_s.setter
    def retry_backoff_s(self, value: float) -> None:
        self.policy = replace(self.policy, quick_backoff_s=value)

    @property
    def assignments(self) -> int:
        """Times the group assigned partitions here (1 after the first join, more later)."""
        return self.member.assignments

    def handle(self, event: Event) -> None:
        raise NotImplementedError

    def _connect(self) -> KafkaConsumer:
        if self._consumer is None:
            # A group that subscribes before its topic exists may be given no partitions when
            # the topic comes (the embedded broker): the first events would wait for the next
            # rebalance. The topics are made first, as every producer does.
            ensure_topics(self.settings)
            woken = {"fetch_max_wait_ms": WOKEN_FETCH_WAIT_MS} if self._wakeup else {}
            consumer = KafkaConsumer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                group_id=self.group_id,
                client_id=self.client_id,
                **(CONSUMER_DEFAULTS | woken),
            )
            self.member.join(consumer)
            self._consumer = consumer
        return self._consumer

    def poll_once(self, timeout_ms: int = 200) -> int:
        """Process one poll's worth of records; returns how many were handled, dead-lettered or
        passed over."""
        consumer = self._connect()
        batches = self.fetch(timeout_ms)
        if batches is None:
            return 0
        self.member.begin_batch()
        count = 0
        next_offsets: dict[TopicPartition, int] = {}
        for tp, records in batches.items():
            uncommitted: int | None = None
            for record in records:
                if not self.owns(tp):  # given to another member while a dependency was away
                    break
                count += 1
                next_offsets[tp] = record.offset + 1
                if self._passes_over(record):
                    uncommitted = record.offset + 1
                    continue
                self._process(record)
                if not self.owns(tp):
                    break  # its new owner gets it again and ignores the processed id
                # Commit per handled record: a rebalance mid-batch must not replay its effect.
                consumer.commit({tp: OffsetAndMetadata(record.offset + 1, None, -1)})
                uncommitted = None
            if uncommitted is not None and self.owns(tp):  # only passed-over records since
                consumer.commit({tp: OffsetAndMetadata(uncommitted, None, -1)})
        self.realign(next_offsets)
        return count

    def fetch(
        self, timeout_ms: int, max_records: int | None = None
    ) -> dict[TopicPartition, list[Any]] | None:
        """One poll of the group's consumer, noting whether it left nothing to take at once
        (`quiet`, see `run`); None when it fetched from positions held before a rebalance (the
        caller drops it and polls again)."""
        consumer = self._connect()
        self.member.follow_partitions()
        batches: dict[TopicPartition, list[Any]] = consumer.poll(
            timeout_ms=timeout_ms, max_records=max_records
        )
        if self.member.rewind():
            self.quiet = False
            return None
        # Nothing, or fewer than it may take and nothing past them (last fetch, wake-ups).
        taken = sum(len(part) for part in batches.values())
        limit = max_records or CONSUMER_DEFAULTS["max_poll_records"]
        ahead = self._wakeup is not None and self._wakeup.polled(consumer, taken, timeout_ms)
        self.quiet = self.member.settled and (
            not taken or (taken < limit and self.lag() == 0 and not ahead)
        )
        return batches

    def owns(self, tp: TopicPartition) -> bool:
        return self.member.owns(tp)

    def realign(self, next_offsets: dict[TopicPartition, int]) -> None:
        self.member.realign(next_offsets)

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
            self._dead_letter(record, f"undecodable: {exc}", "undecodable")
            return
        set_correlation_id(event.correlation_id)
        try:
            self.call(lambda: self.handle(event), f"{event.type} {event.id}")
            self.processed += 1
        except Exception as exc:  # refused, or failing for no known reason after its attempts
            self._dead_letter(record, f"handler failed: {exc}", classify(exc).value)
        finally:
            set_correlation_id(None)

    def call(self, work: Callable[[], T], what: str, *, quick: bool = True) -> T:
        """`work()` under the shared policy: an unavailable dependency is waited out with the
        partitions paused; with `quick`, other failures get the policy's quick attempts.
        Raises what is not an outage, or `ConsumerStopping` when the process stops."""

        def attempts() -> T:
            if not quick:
                return work()

            def failed(state: RetryCallState) -> None:
                log.warning(
                    "handling %s failed (attempt %d/%d): %s",
                    what,
                    state.attempt_number,
                    self.max_attempts,
                    last_error(state),
                )

            return self.policy.quickly(work, before_sleep=failed)

        def waiting(state: RetryCallState) -> None:
            if self._waiting_since is None:
                self._waiting_since = time.monotonic()
            log.warning(
                "consumer %s: a dependency is unavailable while handling %s (%s); partitions "
                "paused, waiting %.1fs (%.0fs so far)",
                self.group_id,
                what,
                last_error(state),
                state.upcoming_sleep,
                self.waiting_s(),
            )

        try:
            return self.policy.wait_out(
                attempts, sleep=lambda s: self.member.idle(s, self.stop), before_sleep=waiting
            )
        finally:
            self._end_wait()

    def waiting_s(self) -> float:
        """Seconds this consumer has been waiting for an unavailable dependency (0: it is not)."""
        since = self._waiting_since
        return 0.0 if since is None else time.monotonic() - since

    def _end_wait(self) -> None:
        if self._waiting_since is not None:
            log.info(
                "consumer %s: dependency back after %.1fs; resuming",
                self.group_id,
                self.waiting_s(),
            )
            self._waiting_since = None
        self.member.resume()

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

    def _dead_letter(self, record: Any, reason: str, kind: str) -> None:
        if self._producer is None:
            self._producer = make_producer(self.settings)
        headers = [
            *(record.headers or []),
            ("dlt_reason", reason[:1000].encode()),
            ("dlt_reason_kind", kind.encode()),
            ("dlt_original_topic", record.topic.encode()),
            ("dlt_original_partition", str(record.partition).encode()),
            ("dlt_original_offset", str(record.offset).encode()),
            ("dlt_consumer_group", self.group_id.encode()),
            ("dlt_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        try:
            self._producer.send(
                DEAD_LETTER_TOPIC, key=record.key, value=record.value or b"", headers=headers
            ).get(timeout=10)
        except KafkaError:
            # The record stays uncommitted and comes again. An idempotent producer whose
            # broker restarted empty never sends again (unknown producer id): start afresh.
            with contextlib.suppress(Exception):
                self._producer.close(timeout=1)
            self._producer = None
            raise
        self.dead_lettered += 1
        DEAD_LETTERED.labels(self.group_id, kind).inc()
        self.dead_lettered_as(kind)
        log.error(
            "dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason
        )

    def dead_lettered_as(self, kind: str) -> None:
        """Hook for metrics: a record was dead-lettered (`kind`: undecodable, invalid, failed)."""

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set. The broker being away (or a commit refused after a
        rebalance) is waited out with the shared policy; the record in hand is redelivered.

        With EVENTS_WAKEUP_ADDRESS set, a consumer that has taken all there was waits for the
        relay's next wake-up (common/wakeups.py). Woken, it polls as usual; not woken
        (IDLE_POLL_S), it takes what its last fetch brought and sends the next."""
        self.stop = stop
        self._wakeup = wakeup = Wakeup.for_address(self.settings.events_wakeup_address, stop)
        timeout_ms = WOKEN_POLL_MS if wakeup else RUN_POLL_MS
        polled_at = 0.0

        def broker_trouble(state: RetryCallState) -> None:
            if self._waiting_since is None:
                self._waiting_since = time.monotonic()
            log.warning(
                "consumer %s: broker error %s; retrying in %.1fs",
                self.group_id,
                last_error(state),
                state.upcoming_sleep,
            )

        def poll() -> None:
            # A poll returns as soon as records come: its length sets how often an idle
            # consumer without wake-ups goes round (and how soon it sees `stop`).
            nonlocal polled_at
            if wakeup is not None and timeout_ms:  # not before a look of no time: its fetch
                wakeup.clear()  # comes back after it, so a wake-up now must end the next wait
            polled_at = time.monotonic()
            self.poll_once(timeout_ms)
            self._waiting_since = None

        try:
            while not stop.is_set():
                self.policy.until_done(
                    poll,
                    stop,
                    before_sleep=broker_trouble,
                    retry_on=lambda exc: isinstance(exc, KafkaError) or is_unavailable(exc),
                )
                if wakeup is not None:
                    woken = not self.quiet or wakeup.wait()  # more to take, or woken
                    if woken and self.quiet:  # at most a poll per window while woken
                        stop.wait(max(0.0, polled_at + WOKEN_BATCH_S - time.monotonic()))
                    timeout_ms = WOKEN_POLL_MS if woken else 0
        except Stopped:
            log.info("consumer %s stopped while waiting; the record in hand is kept", self.group_id)
        finally:
            self._waiting_since = None
            self.close()
            if wakeup is not None:
                wakeup.close()
                self._wakeup = None

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
            self.member.leave()
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None


__all__ = [
    "CONSUMER_DEFAULTS",
    "ConsumerStopping",
    "EventConsumer",
    "TopicPartition",
    "ensure_topics",
    "make_producer",
    "wait_for_topics",
]
