"""The relay against a real broker that is killed (SIGKILL) and comes back empty, as the
embedded Tansu does: the relay publishes the outbox again, in order, with no operator step,
and consumer groups read what they had not read yet, processing nothing twice."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.partitioner.default import murmur2
from prometheus_client import REGISTRY
from sqlmodel import col, select

from common.db import Database
from common.devservers import free_port
from common.events.envelope import Event, decode
from common.events.payloads import AgreementDeletedV1
from common.events.types import EVENTS_TOPIC
from common.kafka import EventConsumer, ensure_topics
from common.retry import RetryPolicy
from services.agreements import outbox
from services.agreements.__main__ import migrate_database
from services.agreements.models import OutboxEvent, RelayState
from services.agreements.outbox import OutboxRelay, add_event, backlog
from services.agreements.settings import AgreementsSettings
from services.agreements.topic_log import TopicLog, lost_records, shortfall
from tests.conftest import Broker, fresh_database

pytestmark = pytest.mark.integration

FAST = RetryPolicy(initial_wait_s=0.2, max_wait_s=1.0, jitter_s=0.1)


@pytest.fixture(params=["sqlite", "postgresql"])
def outbox_url(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[str]:
    """An agreements database of its own: one relay per database."""
    with fresh_database(request.param, tmp_path_factory, "relay_loss") as url:
        migrate_database(url)
        yield url


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker this test may kill: the session's is shared with other suites."""
    broker = Broker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    yield broker
    broker.stop()


class Effects(EventConsumer):
    """Records what it applies by event id, as our consumers do with their processed ids:
    a redelivered event is seen and ignored. `applied` survives the consumer (a new instance
    of the same group shares it, as a restarted service shares its database)."""

    def __init__(self, settings: AgreementsSettings, group_id: str, applied: Counter[str]) -> None:
        super().__init__(settings, group_id=group_id, policy=FAST)
        self.applied = applied
        self.ignored = 0

    def handle(self, event: Event) -> None:
        if event.id in self.applied:
            self.ignored += 1
            return
        self.applied[event.id] += 1


class Running:
    """Threads started by the test (relay, consumers), each stopped and joined at the end."""

    def __init__(self) -> None:
        self.started: list[tuple[threading.Event, threading.Thread]] = []

    def start(self, loop: Callable[[threading.Event], None]) -> threading.Event:
        stop = threading.Event()
        thread = threading.Thread(target=loop, args=(stop,), daemon=True)
        thread.start()
        self.started.append((stop, thread))
        return stop

    def stop_all(self) -> None:
        for stop, _ in self.started:
            stop.set()
        for _, thread in self.started:
            thread.join(20)


def agreement_on(partition: int, partitions: int) -> str:
    """An agreement id that the producer's partitioner (murmur2 of the key) puts there."""
    while True:
        candidate = str(uuid.uuid4())
        if (murmur2(candidate.encode()) & 0x7FFFFFFF) % partitions == partition:
            return candidate


def queue_deletions(db: Database, settings: AgreementsSettings) -> list[str]:
    """One event in the outbox for each partition of the topic, as it is meant to be; returns
    their event ids."""
    partitions = settings.events_partitions
    with db.write_session() as session:
        ids = [
            add_event(
                session,
                AgreementDeletedV1(
                    agreement_id=agreement_on(p, partitions),
                    version=1,
                    province="hue",
                    deleted_by="officer@hue",
                    deleted_at=datetime.now(UTC),
                ),
            )
            for p in range(partitions)
        ]
        session.commit()
        return ids


def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s:.0f}s: {what}")
        time.sleep(0.1)


def topic_contents(bootstrap: str) -> dict[int, list[str]]:
    """Event ids on each partition of the events topic, from its beginning."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(EVENTS_TOPIC, p)
            for p in consumer.partitions_for_topic(EVENTS_TOPIC) or ()
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found: dict[int, list[str]] = {tp.partition: [] for tp in partitions}
        deadline = time.monotonic() + 15
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            assert time.monotonic() < deadline, "the topic could not be read to its end"
            for tp, records in consumer.poll(timeout_ms=200).items():
                found[tp.partition] += [decode(r.key, r.value, r.headers).id for r in records]
        return found
    finally:
        consumer.close()


def relay_settings(outbox_url: str, broker: Broker, tmp_path: Path) -> AgreementsSettings:
    """The test's database and broker, with the events topic made as the relay expects it."""
    settings = AgreementsSettings(
        env="test",
        data_dir=tmp_path,
        agreements_database_url=outbox_url,
        kafka_bootstrap_servers=broker.bootstrap,
    )
    ensure_topics(settings)
    return settings


def restart_empty(broker: Broker) -> None:
    """SIGKILL, then start again: nothing is flushed, the memory store is gone."""
    assert broker.process is not None
    broker.process.kill()
    broker.process.wait()
    broker.process = None
    broker.start()


def republished_once(db: Database) -> bool:
    """The relay published the whole outbox again, once, and has nothing left to send."""
    with db.session() as session:
        state = session.get(RelayState, EVENTS_TOPIC)
        return state is not None and state.republications == 1 and not backlog(session)[0]


def assert_topic_holds_in_outbox_order(db: Database, bootstrap: str, expected: set[str]) -> None:
    """The topic holds each event once and each partition in the outbox's order, history
    first (the broker may have made it with its own partition count: consumers got there
    first)."""
    contents = topic_contents(bootstrap)
    on_topic = [event_id for ids in contents.values() for event_id in ids]
    assert sorted(on_topic) == sorted(expected)
    with db.session() as session:
        order = {
            r.event_id: r.id or 0
            for r in session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))
        }
    for ids in contents.values():
        assert [order[i] for i in ids] == sorted(order[i] for i in ids)


def test_a_broker_restarted_empty_gets_the_whole_outbox_again_and_consumers_catch_up(
    outbox_url: str, own_broker: Broker, tmp_path: Path
) -> None:
    settings = relay_settings(outbox_url, own_broker, tmp_path)
    db = Database(outbox_url, pool_size=2)
    running = Running()
    republished_before = REGISTRY.get_sample_value("agreements_relay_republications_total") or 0
    try:
        running.start(OutboxRelay(settings, db).run)
        steady_applied: Counter[str] = Counter()
        steady = Effects(settings, f"steady-{uuid.uuid4().hex[:6]}", steady_applied)
        running.start(steady.run)  # reads everything, before and after the restart

        first = queue_deletions(db, settings)
        wait_until(lambda: set(first) <= set(steady_applied), 60, "the steady group")

        # A group that read some events, then stopped before the rest were published.
        late_applied: Counter[str] = Counter()
        late = Effects(settings, f"late-{uuid.uuid4().hex[:6]}", late_applied)
        late_stop = running.start(late.run)
        wait_until(lambda: set(first) <= set(late_applied), 60, "the late group's first read")
        late_stop.set()
        wait_until(lambda: late.member.consumer is None, 20, "the late group to stop")

        unread = queue_deletions(db, settings)
        wait_until(lambda: set(unread) <= set(steady_applied), 60, "the steady group")
        with db.session() as session:
            assert backlog(session)[0] == 0

        restart_empty(own_broker)
        wait_until(lambda: republished_once(db), 60, "the outbox published again")
        after = queue_deletions(db, settings)  # new events, after the history, everywhere

        late_again = Effects(settings, late.group_id, late_applied)  # the group starts again
        running.start(late_again.run)
        everything = set(first + unread + after)
        wait_until(lambda: set(late_applied) == everything, 90, "the late group catching up")
        wait_until(lambda: set(steady_applied) == everything, 90, "the steady group catching up")
    finally:
        running.stop_all()

    # Each event was applied once per group; what was read before the restart came again
    # and was ignored.
    assert all(n == 1 for n in late_applied.values())
    assert all(n == 1 for n in steady_applied.values())
    assert late_again.ignored >= len(first)
    assert steady.dead_lettered == late.dead_lettered == late_again.dead_lettered == 0

    assert_topic_holds_in_outbox_order(db, own_broker.bootstrap, everything)

    republications = REGISTRY.get_sample_value("agreements_relay_republications_total")
    assert republications == republished_before + 1
    last = REGISTRY.get_sample_value("agreements_relay_last_republication_timestamp_seconds")
    assert last is not None and abs(last - time.time()) < 300
    db.dispose()


def test_between_whole_checks_a_batch_still_never_goes_ahead_of_the_lost_history(
    outbox_url: str, own_broker: Broker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole check of the topic runs every CHECK_EVERY_S; before the batches in between,
    the relay only looks at the ends of the partitions it wrote to. With the whole check
    pushed out of the test's reach, that look alone finds the broker restarted empty before
    the next batch goes out: the history is published first, in order."""
    monkeypatch.setattr(outbox, "CHECK_EVERY_S", 600.0)
    settings = relay_settings(outbox_url, own_broker, tmp_path)
    db = Database(outbox_url, pool_size=2)
    relay = OutboxRelay(settings, db)
    checks = 0
    whole_check = relay.check_log

    def counted() -> bool:
        nonlocal checks
        checks += 1
        return whole_check()

    relay.check_log = counted  # type: ignore[method-assign]

    history = queue_deletions(db, settings)
    assert relay.publish_once() == len(history)
    assert checks == 1
    second = queue_deletions(db, settings)
    assert relay.publish_once() == len(second)
    assert checks == 1  # the look alone
    history += second

    restart_empty(own_broker)
    after = queue_deletions(db, settings)

    def publish() -> bool:
        try:
            relay.publish_once()
        except Exception:  # the producer may fail on the new broker; the relay's loop retries
            relay._drop_producer()
        return republished_once(db)

    publish()
    assert checks == 2  # the look saw the loss and the whole check ran before the batch
    wait_until(publish, 60, "the outbox published again")
    assert_topic_holds_in_outbox_order(db, own_broker.bootstrap, set(history + after))
    relay._drop_producer()
    db.dispose()


def test_a_log_that_only_grew_was_not_lost() -> None:
    """What the production Kafka always shows: same topic id, ends at or above what the relay's
    acknowledgements imply (other producers only add)."""
    state = RelayState(topic=EVENTS_TOPIC, topic_id="t-1", min_ends={"0": 3, "1": 1})
    assert lost_records(state, TopicLog("t-1", {0: 3, 1: 9, 2: 0}), has_published=True) is None
    assert lost_records(state, TopicLog(None, {0: 4, 1: 1}), has_published=True) is None


def test_a_topic_made_again_or_a_log_ending_lower_was_lost() -> None:
    state = RelayState(topic=EVENTS_TOPIC, topic_id="t-1", min_ends={"0": 3, "1": 1})
    made_again = lost_records(state, TopicLog("t-2", {0: 5, 1: 5}), has_published=True)
    assert made_again is not None and "made again" in made_again
    shorter = lost_records(state, TopicLog(None, {0: 2, 1: 1}), has_published=True)
    assert shorter is not None and "partition 0" in shorter
    gone = lost_records(state, TopicLog("t-1", {0: 3}), has_published=True)  # fewer partitions
    assert gone is not None and "partition 1" in gone
    # The look before a batch between whole checks compares the ends alone, the same way.
    assert shortfall({"0": 3, "1": 1}, {0: 3, 1: 9}) is None
    assert shortfall({"0": 3, "1": 1}, {0: 2, 1: 1}) == "partition 0 ends at offset 2, below 3"


def test_with_nothing_recorded_only_an_empty_topic_under_a_published_outbox_was_lost() -> None:
    empty = TopicLog("t-1", {0: 0, 1: 0})
    assert lost_records(None, empty, has_published=True) is not None
    assert lost_records(None, empty, has_published=False) is None
    assert lost_records(None, TopicLog("t-1", {0: 4, 1: 0}), has_published=True) is None
    fresh = RelayState(topic=EVENTS_TOPIC, topic_id="t-1")
    assert lost_records(fresh, TopicLog("t-2", {0: 0}), has_published=False) is None
