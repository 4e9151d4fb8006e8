"""Business metrics read from the database at scrape time: outbox backlog, agreements by
state, open and overdue tasks by body and kind, and how long opinions take in working days.
Read at scrape time, they agree across the API, the worker and restarts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select

from common.db import Database, utcnow
from common.law.calendar import default_calendar
from common.law.vocabulary import AgreementStatus, TaskKind, TaskStatus
from services.agreements.models import Agreement, OutboxEvent, Task
from services.agreements.outbox import backlog

# Answer time of consultations, in working days (the legal deadline is 7, or 3 if reduced).
ANSWER_BUCKETS = (1, 2, 3, 5, 7, 10, 15, 20, 30)


class AgreementsCollector(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily | HistogramMetricFamily]:
        pending = GaugeMetricFamily(
            "agreements_outbox_backlog", "Outbox events not yet acknowledged by the broker"
        )
        age = GaugeMetricFamily(
            "agreements_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event"
        )
        published = GaugeMetricFamily(
            "agreements_events_published", "Outbox events the broker has acknowledged, ever"
        )
        by_status = GaugeMetricFamily(
            "agreements_by_status", "Agreements per lifecycle state", labels=["status"]
        )
        open_tasks = GaugeMetricFamily(
            "agreements_tasks_open",
            "Open tasks by assigned organisation (body, province, office) and kind",
            labels=["org", "kind"],
        )
        overdue_tasks = GaugeMetricFamily(
            "agreements_tasks_overdue",
            "Open tasks past their deadline by assigned organisation and kind",
            labels=["org", "kind"],
        )
        now = utcnow()
        with self.db.session() as session:
            count, oldest = backlog(session)
            sent = session.exec(
                select(func.count()).where(col(OutboxEvent.published_at).is_not(None))
            ).one()
            states = session.exec(
                select(Agreement.status, func.count()).group_by(Agreement.status)
            ).all()
            opened = session.exec(
                select(Task.assignee_org, Task.kind, func.count())
                .where(Task.status == TaskStatus.OPEN)
                .group_by(Task.assignee_org, Task.kind)
            ).all()
            late = session.exec(
                select(Task.assignee_org, Task.kind, func.count())
                .where(Task.status == TaskStatus.OPEN, col(Task.due_at) < now)
                .group_by(Task.assignee_org, Task.kind)
            ).all()
            stuck = session.exec(
                select(func.count()).where(
                    Agreement.status == AgreementStatus.SUBMITTED,
                    col(Agreement.submitted_at) < now - timedelta(minutes=1),
                )
            ).one()
            taken = session.exec(
                select(Task.working_days_taken, func.count())
                .where(
                    Task.kind == TaskKind.CONSULTATION,
                    col(Task.working_days_taken).is_not(None),
                )
                .group_by(col(Task.working_days_taken))
            ).all()
        pending.add_metric([], count)
        age.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        published.add_metric([], int(sent))
        for status, n in states:
            by_status.add_metric([str(getattr(status, "value", status))], n)
        for org, kind, n in opened:
            open_tasks.add_metric([org, str(getattr(kind, "value", kind))], n)
        for org, kind, n in late:
            overdue_tasks.add_metric([org, str(getattr(kind, "value", kind))], n)
        yield pending
        yield age
        yield published
        yield by_status
        yield open_tasks
        yield overdue_tasks
        yield _answer_time(taken)
        yield _calendar()
        waiting = GaugeMetricFamily(
            "agreements_submitted_waiting",
            "Agreements still SUBMITTED a minute after their submission: no workflow took "
            "them in (the watchdog starts it; lasting ones mean Temporal is unreachable)",
        )
        waiting.add_metric([], stuck)
        yield waiting


def _calendar() -> GaugeMetricFamily:
    """The last year whose working-day swaps the override file records: deadlines after it
    are provisional, and operators are told when the coming year is still missing."""
    announced = GaugeMetricFamily(
        "agreements_calendar_announced_through",
        "Last year whose announced working-day swaps the calendar knows (0: none recorded)",
    )
    announced.add_metric([], default_calendar().announced_through or 0)
    return announced


def _answer_time(counts: Sequence[tuple[int | None, int]]) -> HistogramMetricFamily:
    histogram = HistogramMetricFamily(
        "agreements_consultation_answer_working_days",
        "Working days consulted bodies took to give their opinion",
    )
    cumulative = []
    by_days = {int(d): n for d, n in counts if d is not None}
    for bound in ANSWER_BUCKETS:
        cumulative.append((str(bound), sum(n for d, n in by_days.items() if d <= bound)))
    total = sum(by_days.values())
    observed_sum = sum(d * n for d, n in by_days.items())
    cumulative.append(("+Inf", total))
    histogram.add_metric([], cumulative, observed_sum)
    return histogram
