"""Metrics of the reporting service: report latency (measured here), and the consumer's lag,
freshness and totals read from the database at scrape time (the consumer is another process)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select

from common.db import Database, utcnow
from services.reporting.domain.aggregation import ALL, SIGNED
from services.reporting.models import ConsumerState, CycleCount, ProcessedEvent

REPORT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ReportMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            "reporting_report_duration_seconds",
            "Time to compute and render one report",
            ["report"],
            buckets=REPORT_BUCKETS,
            registry=registry,
        )

    @contextmanager
    def timed(self, report: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.latency.labels(report).observe(time.perf_counter() - started)


class ConsumerCollector(Collector):
    def __init__(self, db: Database, group_id: str) -> None:
        self.db = db
        self.group_id = group_id

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = GaugeMetricFamily(
            "reporting_consumer_lag", "Events on the topic the consumer has not applied yet"
        )
        since = GaugeMetricFamily(
            "reporting_seconds_since_last_event",
            "Seconds since the consumer last applied an event (-1: none yet)",
        )
        processed = GaugeMetricFamily(
            "reporting_consumer_events_processed", "Events applied by the running consumer"
        )
        dead = GaugeMetricFamily(
            "reporting_consumer_events_dead_lettered",
            "Events the running consumer sent to the dead-letter topic",
        )
        report_age = GaugeMetricFamily(
            "reporting_consumer_report_age_seconds",
            "Seconds since the consumer last reported its lag (a stopped consumer grows this)",
        )
        signed = GaugeMetricFamily(
            "reporting_agreements_signed",
            "Agreements signed per conference cycle",
            labels=["cycle"],
        )
        now = utcnow()
        with self.db.session() as session:
            state = session.get(ConsumerState, self.group_id)
            # Newest first through the index; typed, unlike max() on SQLite.
            last = session.exec(
                select(ProcessedEvent.processed_at)
                .order_by(col(ProcessedEvent.processed_at).desc())
                .limit(1)
            ).first()
            per_cycle = session.exec(
                select(CycleCount.cycle, func.sum(CycleCount.n))
                .where(col(CycleCount.scope) == ALL, col(CycleCount.dimension) == SIGNED)
                .group_by(col(CycleCount.cycle))
            ).all()
        since.add_metric([], (now - last).total_seconds() if last else -1.0)
        if state is not None:
            lag.add_metric([], state.lag)
            processed.add_metric([], state.processed)
            dead.add_metric([], state.dead_lettered)
            report_age.add_metric([], (now - state.updated_at).total_seconds())
        for cycle, n in per_cycle:
            signed.add_metric([str(cycle)], int(n or 0))
        yield lag
        yield since
        yield processed
        yield dead
        yield report_age
        yield signed
