"""The Kafka side: consumer group `notifications` on agreements.events, one transaction per
event (its notifications plus its processed id), poison to the dead-letter topic, a database
outage waited out (common.kafka.EventConsumer)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy.exc import IntegrityError

from common.db import Database, utcnow
from common.events.envelope import Event, decode
from common.kafka import ConsumerStopping, EventConsumer
from common.retry import is_unavailable
from services.notifications import notify
from services.notifications.delivery.dispatcher import Dispatcher
from services.notifications.metrics import NotificationMetrics
from services.notifications.rendering import Renderer
from services.notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


# While events keep coming, the consumer polls at most this often (see poll_once).
BATCH_WINDOW_S = 0.04
# A poll that brought this many is enough to amortise its transaction: poll again at once.
BATCH_ENOUGH = 16

# The classification every consumer shares, under the name this service's tests know it by.
is_outage = is_unavailable


def _log_commit_failure(offsets: Any, result: Any) -> None:
    if isinstance(result, Exception):
        log.warning("offset commit failed (%s); those events may be handled again", result)


class NotificationConsumer(EventConsumer):
    def __init__(
        self,
        settings: NotificationsSettings,
        db: Database,
        renderer: Renderer,
        metrics: NotificationMetrics,
        *,
        stop: threading.Event,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        super().__init__(
            settings,
            group_id=settings.notifications_consumer_group,
            max_attempts=settings.notifications_handle_attempts,
            client_id="notifications",
            stop=stop,
        )
        self.db = db
        self.renderer = renderer
        self.metrics = metrics
        # The deliveries an event calls for are created leased to this process's dispatcher
        # and handed to it after the commit: it sends them without claiming them.
        self.dispatcher = dispatcher
        self.batch_size = 500
        self._lag_checked = 0.0

    def handle(self, event: Event) -> None:
        """One event (the base's path, used when a batch failed: a database outage is waited
        out, a refused event is dead-lettered, another failure retried, then dead-lettered)."""
        self._handle_once([event])

    def _handle_once(self, events: list[Event]) -> None:
        now = utcnow()
        lease = self.dispatcher.new_lease() if self.dispatcher else None
        try:
            with self.db.write_session() as session:
                results = notify.notify_all(
                    session, events=events, renderer=self.renderer, now=now, lease=lease
                )
                session.commit()
        except IntegrityError:
            # Another member processed one of them between our check and our commit (a
            # rebalance): handle them one by one, the duplicate is then seen as such.
            if len(events) > 1:
                for event in events:
                    self._handle_once([event])
                return
            with self.db.session() as session:
                if not notify.is_processed(session, events[0].id):
                    raise
            results = [notify.Created(duplicate=True)]
        committed = utcnow()
        for event, created in zip(events, results, strict=True):
            self._count(event, created, committed)
        if self.dispatcher:
            self.dispatcher.hand_over([d for created in results for d in created.leased])

    def _count(self, event: Event, created: notify.Created, committed: datetime) -> None:
        if created.duplicate:
            self.metrics.events.labels(event.name, "duplicate").inc()
            log.info("event %s %s already processed: nothing sent", event.name, event.id)
            return
        self.metrics.events.labels(event.name, "processed").inc()
        for channel, count in (
            ("inbox", created.inbox),
            ("email", created.email),
            ("webhook", created.webhook),
        ):
            if count:
                self.metrics.created.labels(channel, event.name).inc(count)
        if created.inbox:
            self.metrics.delivered.labels("inbox", event.name).inc(created.inbox)
            latency = max(0.0, (committed - (event.time or committed)).total_seconds())
            for _ in range(created.inbox):
                self.metrics.latency.labels("inbox").observe(latency)

    def dead_lettered_as(self, kind: str) -> None:
        self.metrics.dead_lettered.inc()

    def poll_once(self, timeout_ms: int = 200) -> int:
        """Everything one poll returned in one database transaction, then one offset commit:
        per-record transactions and commits capped throughput near 150 events/s. A database
        outage is waited out with the partitions paused (the consumer stays in its group).
        When the batch fails otherwise, its records go one by one through the base's
        handling, so one poison event cannot hold up the others."""
        started = time.monotonic()
        consumer = self._connect()
        batches = self.fetch(timeout_ms, max_records=self.batch_size)
        if batches is None:
            return 0  # fetched from positions held before the rebalance: fetch again
        self.member.begin_batch()
        records = [r for part in batches.values() for r in part]
        if records:
            decoded: list[tuple[Any, Event]] = []
            for record in records:
                try:
                    decoded.append((record, decode(record.key, record.value, record.headers)))
                except Exception as exc:  # as the base does: not an event of ours
                    self._dead_letter(record, f"undecodable: {exc}", "undecodable")
            if decoded:
                events = [e for _, e in decoded]
                try:
                    self.call(
                        lambda: self._handle_once(events), f"{len(events)} events", quick=False
                    )
                    self.processed += len(decoded)
                except Exception as exc:
                    log.warning("a batch of %d events failed (%s): one by one", len(decoded), exc)
                    for record, _ in decoded:
                        if self.owns(TopicPartition(record.topic, record.partition)):
                            self._process(record)
            # Asynchronous: waiting for the broker's answer here held up the next batch by
            # ~15% (bench/notify.py). A commit lost to a crash or a rebalance only means a
            # redelivery, which the processed-event ids absorb.
            offsets = {
                tp: OffsetAndMetadata(part[-1].offset + 1, None, -1)
                for tp, part in batches.items()
                if part and self.owns(tp)
            }
            if offsets:
                consumer.commit_async(offsets, callback=_log_commit_failure)
            self.realign({tp: part[-1].offset + 1 for tp, part in batches.items() if part})
        if time.monotonic() - self._lag_checked > 1.0:
            self._lag_checked = time.monotonic()
            self._update_lag()
        if 0 < len(records) < BATCH_ENOUGH:
            # Events trickling in: let a few gather before the next poll. A poll answers as
            # soon as one record is there, and a transaction per one or two events cost more
            # than twice the CPU per event of one per ten (bench/notify.py at 200/s).
            self.stop.wait(max(0.0, BATCH_WINDOW_S - (time.monotonic() - started)))
        return len(records)

    def _update_lag(self) -> None:
        """Highwater minus position per assigned partition (both known after a fetch)."""
        consumer = self._consumer
        if consumer is None:
            return
        for tp in consumer.assignment():
            assert isinstance(tp, TopicPartition)
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            try:
                position = consumer.position(tp, timeout_ms=100)
            except Exception:  # unknown yet; next time
                continue
            if position is not None:
                self.metrics.consumer_lag.labels(str(tp.partition)).set(
                    max(0, highwater - position)
                )


# ConsumerStopping is the base's, named here for the worker that supervises this consumer.
__all__ = ["ConsumerStopping", "NotificationConsumer", "is_outage"]
