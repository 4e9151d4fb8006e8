"""The write side of events (rows added in the caller's transaction) and the relay that
publishes them to Kafka in order, marking a row sent only after the broker acknowledged it."""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import datetime
from typing import Any

from kafka.errors import KafkaError
from prometheus_client import Counter, Gauge, Histogram
from pydantic import BaseModel
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from common.db import Database, utcnow
from common.events.envelope import Event, encode
from common.events.payloads import event_of
from common.events.types import EVENTS_TOPIC, EventType
from common.kafka import ensure_topics, make_producer
from common.logs import get_correlation_id
from services.agreements.models import OutboxEvent
from services.agreements.settings import AgreementsSettings

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
# Every type starts at 0, so that rate() sees the first event of a type after a restart.
for _type in EventType:
    PUBLISHED.labels(_type.value)


def add_event(session: Session, payload: BaseModel) -> OutboxEvent:
    """Queue the event a payload model describes in the caller's transaction. The model names
    its event type and version (its JSON schema is made from it), so a producer cannot send a
    payload its consumers would refuse."""
    event_type, version = event_of(payload)
    row = OutboxEvent(
        event_type=event_type,
        event_version=version,
        agreement_id=payload.agreement_id,  # type: ignore[attr-defined]
        data=payload.model_dump(mode="json"),
        correlation_id=get_correlation_id(),
    )
    session.add(row)
    return row


def to_event(row: OutboxEvent, source: str) -> Event:
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
        result = session.exec(
            update(OutboxEvent)
            .where(col(OutboxEvent.created_at) >= since)
            .values(published_at=None)
        )
        session.commit()
        return int(result.rowcount or 0)


class OutboxRelay:
    """Polls the outbox and publishes in id order. One relay per database: a second would
    break per-agreement ordering (the embedded stack and docker-compose run exactly one)."""

    def __init__(self, settings: AgreementsSettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._producer: Any = None

    def _connect(self) -> Any:
        if self._producer is None:
            ensure_topics(self.settings)
            self._producer = make_producer(self.settings)
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

    def publish_once(self) -> int:
        """Publish one batch; returns the number of rows marked sent."""
        with self.db.session() as session:
            rows = list(
                session.exec(
                    select(OutboxEvent)
                    .where(col(OutboxEvent.published_at).is_(None))
                    .order_by(col(OutboxEvent.id))
                    .limit(self.settings.relay_batch_size)
                )
            )
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
        sent: list[OutboxEvent] = []
        failure: Exception | None = None
        for row, future in zip(rows, futures, strict=True):
            try:
                future.get(timeout=0)
            except Exception as exc:
                failure = exc
                break  # keep order: nothing after a failed row counts as sent
            sent.append(row)
        if sent:
            now = utcnow()
            with self.db.write_session() as session:
                session.exec(
                    update(OutboxEvent)
                    .where(col(OutboxEvent.id).in_([r.id for r in sent]))
                    .values(published_at=now)
                )
                session.commit()
            for row in sent:
                PUBLISHED.labels(row.event_type).inc()
                RELAY_LAG.observe(max(0.0, (now - row.created_at).total_seconds()))
        if failure is not None:
            raise failure
        return len(sent)

    def run(self, stop: threading.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            try:
                published = self.publish_once()
                backoff = 0.2
                if published < self.settings.relay_batch_size:
                    stop.wait(self.settings.relay_poll_interval_s)
            except (KafkaError, OSError, TimeoutError) as exc:
                PUBLISH_FAILURES.inc()
                log.warning("relay cannot publish (%s); retrying in %.1fs", exc, backoff)
                self._drop_producer()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            except Exception:
                PUBLISH_FAILURES.inc()
                log.exception("relay round failed; retrying in %.1fs", backoff)
                self._drop_producer()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self._drop_producer()
