"""Prometheus metrics: counters the worker moves as it goes, and gauges read from the database
at scrape time (what is waiting to be sent, subscriptions switched off)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import func
from sqlmodel import col, select

from common.db import Database, utcnow
from services.notifications.domain.enums import DeliveryStatus
from services.notifications.models import Delivery, Subscription

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)


class NotificationMetrics:
    """One set per app: tests build several apps in one process, so nothing is registered in
    the global registry."""

    def __init__(self) -> None:
        self.events = Counter(
            "notifications_events_total",
            "Events consumed, by type and outcome (processed, duplicate)",
            ["event_type", "outcome"],
            registry=None,
        )
        self.created = Counter(
            "notifications_created_total",
            "Notifications created: inbox rows, e-mails and webhook calls queued",
            ["channel", "event_type"],
            registry=None,
        )
        self.delivered = Counter(
            "notifications_delivered_total",
            "Notifications delivered (inbox: committed; e-mail and webhook: accepted)",
            ["channel", "event_type"],
            registry=None,
        )
        self.failed = Counter(
            "notifications_failed_total",
            "Deliveries given up after their last attempt",
            ["channel", "event_type"],
            registry=None,
        )
        self.retries = Counter(
            "notifications_delivery_retries_total",
            "Failed attempts that will be tried again later",
            ["channel"],
            registry=None,
        )
        self.latency = Histogram(
            "notifications_delivery_latency_seconds",
            "From the event's time to its delivery, by channel",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=None,
        )
        self.dead_lettered = Counter(
            "notifications_dead_lettered_total",
            "Events sent to agreements.events.dlt after failing to be processed",
            registry=None,
        )
        self.consumer_lag = Gauge(
            "notifications_consumer_lag",
            "Records on agreements.events not yet processed, per partition",
            ["partition"],
            registry=None,
        )
        self.subscriptions_disabled = Counter(
            "notifications_subscriptions_disabled_total",
            "Webhook subscriptions switched off after repeated failure",
            registry=None,
        )

    def collectors(self) -> list[Collector]:
        return [
            self.events,
            self.created,
            self.delivered,
            self.failed,
            self.retries,
            self.latency,
            self.dead_lettered,
            self.consumer_lag,
            self.subscriptions_disabled,
        ]

    def register(self, registry: CollectorRegistry) -> None:
        for collector in self.collectors():
            registry.register(collector)


class BacklogCollector(Collector):
    """What waits to be sent, and how old the oldest due delivery is, per channel."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog = GaugeMetricFamily(
            "notifications_delivery_backlog",
            "Deliveries not yet sent (pending: due or waiting to retry; held: for a digest)",
            labels=["channel", "status"],
        )
        oldest = GaugeMetricFamily(
            "notifications_delivery_oldest_pending_seconds",
            "Age of the oldest pending delivery, per channel",
            labels=["channel"],
        )
        disabled = GaugeMetricFamily(
            "notifications_subscriptions_inactive",
            "Webhook subscriptions currently disabled (not deleted)",
        )
        with self.db.session() as session:
            rows = session.exec(
                select(
                    Delivery.channel, Delivery.status, func.count(), func.min(Delivery.created_at)
                )
                .where(
                    col(Delivery.status).in_(
                        [DeliveryStatus.PENDING.value, DeliveryStatus.HELD.value]
                    )
                )
                .group_by(Delivery.channel, Delivery.status)
            ).all()
            off = session.exec(
                select(func.count()).where(
                    col(Subscription.active).is_(False), col(Subscription.deleted_at).is_(None)
                )
            ).one()
        now = utcnow()
        for channel, status, count, first in rows:
            backlog.add_metric([channel, status], count)
            if status == DeliveryStatus.PENDING.value and first is not None:
                first = first if first.tzinfo else first.replace(tzinfo=now.tzinfo)
                oldest.add_metric([channel], max(0.0, (now - first).total_seconds()))
        disabled.add_metric([], int(off))
        yield backlog
        yield oldest
        yield disabled
