"""The `reporting` consumer group on agreements.events: a thin translator from Kafka records to
the projection, which commits each event's effect with its id. common.kafka.EventConsumer
waits out a database outage (partitions paused, the group kept, nothing dead-lettered) and
dead-letters what the payload model or the projection refuses. It also records its lag for
the API's /metrics."""

from __future__ import annotations

import logging
import time

from common.db import Database, utcnow
from common.events.envelope import Event
from common.kafka import EventConsumer
from services.reporting.models import ConsumerState
from services.reporting.projection import Projection
from services.reporting.settings import ReportingSettings

log = logging.getLogger(__name__)

# Unchanged, the consumer's state is written again this often, so that a stopped consumer
# (its report growing old: an alert at 60 s, deploy/prometheus/rules/alerts.yml) is told from
# an idle one. Every second cost an idle stack a database write a second (bench/idle.py).
STATE_EVERY_S = 10.0


class ReportingConsumer(EventConsumer):
    def __init__(self, settings: ReportingSettings, db: Database, projection: Projection) -> None:
        super().__init__(settings, group_id=settings.consumer_group, client_id="reporting")
        self.db = db
        self.projection = projection
        self._state_written = 0.0
        self._last_state: tuple[int, int, int] | None = None

    def handle(self, event: Event) -> None:
        self.projection.apply(event)

    def poll_once(self, timeout_ms: int = 200) -> int:
        count = super().poll_once(timeout_ms)
        now = time.monotonic()
        if count or now - self._state_written >= STATE_EVERY_S:
            self._record_state(now)
        return count

    def _record_state(self, now: float) -> None:
        state = (self.lag(), self.processed, self.dead_lettered)
        # Written when it changed, and every STATE_EVERY_S even when unchanged, so the API can
        # tell a stopped consumer (stale `updated_at`) from an idle one.
        if state == self._last_state and now - self._state_written < STATE_EVERY_S:
            return
        try:
            with self.db.write_session() as session:
                row = session.get(ConsumerState, self.group_id) or ConsumerState(
                    group_id=self.group_id
                )
                row.lag, row.processed, row.dead_lettered = state
                row.updated_at = utcnow()
                session.add(row)
                session.commit()
        except Exception:  # metrics must never stop the consumer
            log.exception("could not record the consumer's state")
            return
        self._state_written, self._last_state = now, state
