"""The write side of events (rows added in the caller's transaction) and the relay that
publishes them to Kafka in order, marking a row sent only after the broker acknowledged it,
and publishing the whole outbox again when the broker lost what it had been given."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from prometheus_client import Counter, Gauge, Histogram
from pydantic import BaseModel
from sqlalchemy import Table, bindparam, func, insert, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select
from tenacity import RetryCallState

from common.db import Database, utcnow
from common.events.envelope import Event, encode
from common.events.payloads import event_of
from common.events.types import EVENTS_TOPIC, EventType
from common.kafka import ensure_topics, make_producer
from common.logs import get_correlation_id
from common.retry import POLICY, Stopped, is_unavailable, last_error
from services.agreements.models import OutboxEvent, RelayState, new_id
from services.agreements.relay_wakeup import Wakeups, note_outbox_written
from services.agreements.settings import AgreementsSettings
from services.agreements.topic_log import (
    TopicLog,
    lost_records,
    read_ends,
    read_topic_log,
    shortfall,
)

log = logging.getLogger(__name__)

PUBLISHED = Counter(
    "agreements_relay_events_published_total", "Outbox events acknowledged by the broker", ["type"]
)
PUBLISH_FAILURES = Counter(
    "agreements_relay_publish_failures_total", "Relay rounds that failed to publish"
)
RELAY_LAG = Histogram(
    "agreements_relay_publish_delay_seconds",
    "From the outbox row's commit to the broker's acknowledgement",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RELAY_UP = Gauge("agreements_relay_broker_connected", "1 while the relay reaches the broker")
REPUBLICATIONS = Counter(
    "agreements_relay_republications_total",
    "Times the relay found the broker had lost published events and published the outbox again",
)
LAST_REPUBLICATION = Gauge(
    "agreements_relay_last_republication_timestamp_seconds",
    "When the relay last published the outbox again (Unix time; 0: never)",
)
REPUBLISHED = Counter(
    "agreements_relay_events_republished_total",
    "Outbox events acknowledged again while the outbox is published again after a broker loss",
)
# Every type starts at 0, so that rate() sees the first event of a type after a restart.
for _type in EventType:
    PUBLISHED.labels(_type.value)


_OUTBOX: Table = OutboxEvent.__table__  # type: ignore[attr-defined]
_INSERT = insert(_OUTBOX)


def add_event(session: Session, payload: BaseModel) -> str:
    """Queue the event a payload model describes in the caller's transaction; returns its id.
    The model names its event type and version (its JSON schema is made from it), so a
    producer cannot send a payload its consumers would refuse."""
    return add_events(session, [payload])[0]


def add_events(session: Session, payloads: Sequence[BaseModel]) -> list[str]:
    """Queue events as `add_event` does, in one insert statement, in the order given; returns
    their ids. A row object per event cost more than writing it."""
    if not payloads:
        return []
    now, correlation_id = utcnow(), get_correlation_id()
    rows = []
    for payload in payloads:
        event_type, version = event_of(payload)
        rows.append(
            {
                "event_id": new_id(),
                "event_type": event_type,
                "event_version": version,
                "agreement_id": payload.agreement_id,  # type: ignore[attr-defined]
                "data": payload.model_dump(mode="json"),
                "correlation_id": correlation_id,
                "created_at": now,
                "published_at": None,
            }
        )
    session.execute(_INSERT, rows)
    note_outbox_written(session)
    return [row["event_id"] for row in rows]


class OutboxRow(Protocol):
    """What an event is made of: an `OutboxEvent`, or a row the relay read with Core."""

    @property
    def id(self) -> int | None: ...
    @property
    def event_id(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def event_version(self) -> int: ...
    @property
    def agreement_id(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def correlation_id(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


def to_event(row: OutboxRow, source: str) -> Event:
    return Event(
        id=row.event_id,
        name=row.event_type,
        version=row.event_version,
        source=source,
        subject=row.agreement_id,
        time=row.created_at,
        data=row.data,
        correlation_id=row.correlation_id,
    )


def backlog(session: Session) -> tuple[int, datetime | None]:
    """Unpublished rows and the creation time of the oldest of them."""
    count, oldest = session.exec(
        select(func.count(), func.min(OutboxEvent.created_at)).where(
            col(OutboxEvent.published_at).is_(None)
        )
    ).one()
    return int(count), oldest


def mark_for_replay(db: Database, since: datetime) -> int:
    """Operator recovery after the broker lost its data: publish again every event created
    since `since`. Consumers ignore ids they already processed."""
    with db.write_session() as session:
        count = _unpublish(session, since)
        session.commit()
        return count


def _unpublish(session: Session, since: datetime | None) -> int:
    note_outbox_written(session)
    statement = update(OutboxEvent).values(published_at=None)
    if since is not None:
        statement = statement.where(col(OutboxEvent.created_at) >= since)
    return int(session.exec(statement).rowcount or 0)


_RELAY_STATE: Table = RelayState.__table__  # type: ignore[attr-defined]
# The relay's own statements, built once and run without the ORM's unit of work. Reading a
# batch as objects and marking it sent through a loaded RelayState were about 40% of the
# relay's CPU in bench/lifecycle.py (py-spy); docs/performance.md has the figures since.
_UNPUBLISHED = (
    sql_select(
        _OUTBOX.c.id,
        _OUTBOX.c.event_id,
        _OUTBOX.c.event_type,
        _OUTBOX.c.event_version,
        _OUTBOX.c.agreement_id,
        _OUTBOX.c.data,
        _OUTBOX.c.correlation_id,
        _OUTBOX.c.created_at,
    )
    .where(_OUTBOX.c.published_at.is_(None))
    .order_by(_OUTBOX.c.id)
    .limit(bindparam("limit"))
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(published_at=bindparam("at"))
)
_MOVE_ENDS = (
    update(_RELAY_STATE)
    .where(_RELAY_STATE.c.topic == bindparam("of_topic"))
    .values(min_ends=bindparam("ends"), replay_through_id=bindparam("through"))
)


# How often the relay makes the whole check of the topic (its id, the ends of its partitions,
# against the state in the database). An idle relay wakes this often for nothing else (issue
# 17: every second cost it 0.5% of a core); a broker that lost its log while nothing happened
# is noticed within these seconds. In between, a relay with rows to publish looks at the ends
# of the partitions it wrote to before every batch (`OutboxRelay._log_lost`), so new events
# never go ahead of the history.
CHECK_EVERY_S = 5.0


class OutboxRelay:
    """Polls the outbox and publishes in id order. One relay per database: a second would
    break per-agreement ordering (the embedded stack and docker-compose run exactly one).

    The embedded broker keeps topics in memory: killed and restarted, it comes back empty. The
    relay notices (`lost_records`) and marks the whole outbox for publication again, so the
    topic is whole again, each agreement's events in order, and every consumer group catches
    up; consumers ignore the event ids they already processed. (A consumer that reaches the
    empty broker first has it make the topic with its default partition count; the relay
    leaves it so: deleting a topic while groups join it wedged them.)"""

    def __init__(self, settings: AgreementsSettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._producer: Any = None
        self._admin: KafkaAdminClient | None = None
        self._checked_at = 0.0
        self._replay_through: int | None = None
        self._state_loaded = False
        # RelayState.min_ends as last read or written by this relay (the only writer); empty
        # until the whole check has read it.
        self._floors: dict[str, int] = {}
        # Where the last batch ended on each partition of the topic.
        self.ends: dict[str, dict[int, int]] = {}

    def _load_state(self) -> None:
        """What a previous run left: a republication under way, when the last one was."""
        with self.db.session() as session:
            state = session.get(RelayState, EVENTS_TOPIC)
        if state is not None:
            self._replay_through = state.replay_through_id
            if state.last_republished_at is not None:
                LAST_REPUBLICATION.set(state.last_republished_at.timestamp())
        self._state_loaded = True

    def _connect(self) -> Any:
        if self._producer is None:
            ensure_topics(self.settings)
            self._admin = KafkaAdminClient(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                client_id="outbox-relay-check",
                request_timeout_ms=5000,
            )
            self._producer = make_producer(self.settings)
            self._checked_at = 0.0  # (re)connected: look at the topic before publishing
            RELAY_UP.set(1)
            log.info("relay connected to %s", self.settings.kafka_bootstrap_servers)
        return self._producer

    def _drop_producer(self) -> None:
        RELAY_UP.set(0)
        if self._producer is not None:
            # Closing a producer whose broker vanished times out: nothing to save there.
            with contextlib.suppress(Exception):
                self._producer.close(timeout=1)
            self._producer = None
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
            self._admin = None

    def _unpublished(self) -> Sequence[OutboxRow]:
        with self.db.engine.connect() as connection:
            rows = connection.execute(_UNPUBLISHED, {"limit": self.settings.relay_batch_size})
            return rows.all()

    def _log_lost(self) -> bool:
        """`check_log` before a batch, unless it ran within CHECK_EVERY_S on this connection
        and the partitions the relay wrote to still end at or above what it recorded: a
        broker that came back empty fails that look (its ends are lower, or the topic is
        gone), and the whole check follows. The look is one request fewer than the whole
        check and reads nothing from the database: a round of two rows took 10.7-11.9 ms of
        the relay's CPU with it, 13.5-15.0 ms with the whole check (in process, against
        Tansu; docs/performance.md)."""
        if time.monotonic() - self._checked_at < CHECK_EVERY_S and self._floors_held():
            return False
        return self.check_log()

    def _floors_held(self) -> bool:
        if not self._floors or self._admin is None:
            return False  # nothing recorded to compare with, or not connected: the whole check
        try:
            ends = read_ends(self._admin, EVENTS_TOPIC, [int(p) for p in self._floors])
        except KafkaError as exc:  # the topic is gone, for one: the whole check makes it again
            log.info("the topic's ends could not be read (%s): checking the topic", exc)
            return False
        return shortfall(self._floors, ends) is None

    def check_log(self) -> bool:
        """Whether the broker lost what the relay published; if so, the outbox is marked for
        publication again (True). Also records the topic's id the first time."""
        self._connect()
        assert self._admin is not None
        self._checked_at = time.monotonic()
        now = read_topic_log(self._admin, EVENTS_TOPIC)
        if now is None:  # gone, and no consumer asked for it yet (that would create it)
            ensure_topics(self.settings)
            now = read_topic_log(self._admin, EVENTS_TOPIC)
            if now is None:
                raise RuntimeError(f"{EVENTS_TOPIC} could not be created")
        with self.db.session() as session:
            state = session.get(RelayState, EVENTS_TOPIC)
            published = select(OutboxEvent.id).where(col(OutboxEvent.published_at).is_not(None))
            has_published = session.exec(published.limit(1)).first() is not None
        reason = lost_records(state, now, has_published)
        if reason is None:
            if state is None or state.topic_id != now.topic_id:
                self._save_state(topic_id=now.topic_id)  # with no least ends recorded
                self._floors = {}
            else:
                self._floors = dict(state.min_ends)
            return False
        self._republish(reason, now)
        return True

    def _save_state(self, *, topic_id: str | None) -> None:
        with self.db.write_session() as session:
            state = session.get(RelayState, EVENTS_TOPIC) or RelayState(topic=EVENTS_TOPIC)
            if state.topic_id != topic_id:
                state.min_ends = {}  # offsets of another topic tell nothing about this one
            state.topic_id = topic_id
            session.add(state)
            session.commit()

    def _republish(self, reason: str, now: TopicLog) -> None:
        """Mark every outbox row for publication again, in one transaction with the new
        state of the topic: the relay then publishes them in id order, as the first time."""
        moment = utcnow()
        with self.db.write_session() as session:
            through = session.exec(select(func.max(OutboxEvent.id))).one()
            count = _unpublish(session, None)
            state = session.get(RelayState, EVENTS_TOPIC) or RelayState(topic=EVENTS_TOPIC)
            state.topic_id = now.topic_id
            state.min_ends = {}
            state.republications += 1
            state.last_republished_at = moment
            state.replay_through_id = through
            session.add(state)
            session.commit()
        self._floors = {}
        self._replay_through = through
        REPUBLICATIONS.inc()
        LAST_REPUBLICATION.set(moment.timestamp())
        log.warning(
            "the broker lost published events (%s): publishing the %d events of the outbox "
            "again, in order",
            reason,
            count,
        )

    def publish_once(self) -> int:
        """Publish one batch; returns the number of rows marked sent."""
        if not self._state_loaded:
            self._load_state()
        rows = self._unpublished()
        due = bool(rows) or time.monotonic() - self._checked_at >= CHECK_EVERY_S
        if due and self._log_lost():
            rows = self._unpublished()
        if not rows:
            return 0
        producer = self._connect()
        futures = []
        for row in rows:
            record = encode(to_event(row, self.settings.source))
            futures.append(
                producer.send(
                    EVENTS_TOPIC, key=record.key, value=record.value, headers=record.headers
                )
            )
        producer.flush(timeout=5)
        sent: list[OutboxRow] = []
        acked: list[tuple[int, int]] = []  # (partition, offset)
        failure: Exception | None = None
        for row, future in zip(rows, futures, strict=True):
            try:
                metadata = future.get(timeout=0)
            except Exception as exc:
                failure = exc
                break  # keep order: nothing after a failed row counts as sent
            sent.append(row)
            acked.append((metadata.partition, metadata.offset))
        regressed = self._mark_sent(sent, acked) if sent else None
        # What the consumers' wake-up announces: a partition's offsets rise in send order.
        self.ends = {EVENTS_TOPIC: {partition: offset + 1 for partition, offset in acked}}
        if regressed is not None:
            # The broker restarted between the check and this batch: the batch went ahead of
            # the history on the new log. Publish everything again (it included).
            self._republish(
                regressed, read_topic_log(self._admin, EVENTS_TOPIC) or TopicLog(None, {})
            )
        if failure is not None:
            raise failure
        return len(sent)

    def _mark_sent(self, sent: Sequence[OutboxRow], acked: list[tuple[int, int]]) -> str | None:
        """Mark the rows sent and move the acknowledged ends, in one transaction; returns why
        the log went backwards when an acknowledgement came below an earlier one. The ends
        before the batch are `_floors` and the history being restored `_replay_through`: the
        check before every batch has just read or written them (`_log_lost`), and no other
        process writes them."""
        now = utcnow()
        regressed: str | None = None
        through = self._replay_through
        first: dict[int, int] = {}
        for partition, offset in acked:
            floor = self._floors.get(str(partition), 0)
            if offset < floor and regressed is None:
                regressed = f"partition {partition} acknowledged offset {offset}, below {floor}"
            first[partition] = min(first.get(partition, offset), offset)
        ends = self._floors | {str(p): offset + 1 for p, offset in first.items()}
        replayed = through is not None and max(r.id or 0 for r in sent) >= through
        still = None if replayed else through
        with self.db.write_session() as session:
            session.execute(_MARK_SENT, {"ids": [r.id for r in sent], "at": now})
            moved = session.execute(
                _MOVE_ENDS, {"of_topic": EVENTS_TOPIC, "ends": ends, "through": still}
            )
            if not moved.rowcount:  # type: ignore[attr-defined]
                session.add(RelayState(topic=EVENTS_TOPIC, min_ends=ends, replay_through_id=still))
            session.commit()
        self._floors = ends
        for row in sent:
            if through is not None and (row.id or 0) <= through:
                REPUBLISHED.inc()
                continue
            PUBLISHED.labels(row.event_type).inc()
            RELAY_LAG.observe(max(0.0, (now - row.created_at).total_seconds()))
        if replayed:
            self._replay_through = None
            log.info("the outbox is on the topic again, up to event %d", through)
        return regressed

    def run(self, stop: threading.Event) -> None:
        def failed(state: RetryCallState) -> None:
            PUBLISH_FAILURES.inc()
            exc = last_error(state)
            if isinstance(exc, KafkaError) or (exc is not None and is_unavailable(exc)):
                log.warning(
                    "relay cannot publish (%s); retrying in %.1fs", exc, state.upcoming_sleep
                )
            else:
                log.error(
                    "relay round failed; retrying in %.1fs", state.upcoming_sleep, exc_info=exc
                )
            self._drop_producer()

        wake = threading.Event()
        listeners = Wakeups(self.settings, self.db, wake, stop)
        last_round, published = float("-inf"), 0
        try:
            while not stop.is_set():
                # A round soon after one that emptied the outbox waits for the rest of the
                # interval, so that a burst of commits is published in one round (a backlog is
                # drained without a pause).
                gap = self.settings.relay_min_round_interval_s - (time.monotonic() - last_round)
                if published < self.settings.relay_batch_size and gap > 0 and stop.wait(gap):
                    break
                last_round = time.monotonic()
                # Cleared before the outbox is read: a commit from now on wakes the next wait.
                wake.clear()
                # Whatever failed (broker, database), the same rows are tried again: the relay
                # never skips one.
                published = POLICY.until_done(self.publish_once, stop, before_sleep=failed)
                if published:
                    listeners.published(self.ends)
                if published < self.settings.relay_batch_size:
                    # Until a writer wakes it; meanwhile the broker is still looked at as often
                    # as CHECK_EVERY_S says, and the outbox now and then on its own.
                    wake.wait(min(self.settings.relay_poll_interval_s, CHECK_EVERY_S))
        except Stopped:
            pass
        finally:
            listeners.close()
            self._drop_producer()
