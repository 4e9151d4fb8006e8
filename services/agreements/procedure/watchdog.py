"""Nothing waits forever unnoticed: a submitted agreement whose workflow never took it in
(its `agreement.submitted` lost with the broker's data, Temporal down when the bridge tried,
the bridge's retries given up) is found by a periodic check and its workflow started or
signalled again. Signal-with-start is idempotent: the workflow ignores a submission event id it
has already seen, and a finished workflow's id is never reused."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import func
from sqlmodel import Session, col, select

from common.db import Database, utcnow
from common.law.deadlines import Timing
from common.law.vocabulary import AgreementStatus
from services.agreements.models import Agreement, OutboxEvent
from services.agreements.outbox import to_event
from services.agreements.procedure.engine import Engine
from services.agreements.unit_of_work import read
from workflows.lifecycle.starter import signal_with_start, submission

log = logging.getLogger(__name__)

RESTARTED = Counter(
    "agreements_watchdog_started_total",
    "Submitted agreements whose workflow the watchdog started or signalled again",
    registry=None,  # registered on the application's registry (app.py)
)
WATCHDOG_FAILURES = Counter(
    "agreements_watchdog_failures_total",
    "Watchdog rounds that could not reach Temporal (retried at the next round)",
    registry=None,  # registered on the application's registry (app.py)
)


@dataclass(frozen=True)
class Stuck:
    agreement_id: str
    submitted: OutboxEvent  # its latest agreement.submitted event


def stuck_submissions(session: Session, *, submitted_before: datetime) -> list[Stuck]:
    """Agreements still SUBMITTED a while after their submission: a running workflow takes a
    submission in within seconds (the agreement goes to IN_CONSULTATION)."""
    waiting = select(Agreement.id).where(
        Agreement.status == AgreementStatus.SUBMITTED,
        col(Agreement.submitted_at) <= submitted_before,
    )
    latest = (
        select(OutboxEvent.agreement_id, func.max(OutboxEvent.id).label("last"))
        .where(
            OutboxEvent.event_type == "agreement.submitted",
            col(OutboxEvent.agreement_id).in_(waiting),
        )
        .group_by(col(OutboxEvent.agreement_id))
        .subquery()
    )
    rows = session.exec(
        select(OutboxEvent).join(latest, col(OutboxEvent.id) == latest.c.last)
    ).all()
    return [Stuck(r.agreement_id, r) for r in rows]


async def check_once(
    db: Database, engine: Engine, timing: Timing, *, source: str, after: timedelta
) -> int:
    """Start or signal the workflow of every agreement stuck in SUBMITTED; how many."""
    stuck = await asyncio.to_thread(read, db, stuck_submissions, submitted_before=utcnow() - after)
    if not stuck:
        return 0
    client = await engine.client()
    for s in stuck:
        event = to_event(s.submitted, source)
        await signal_with_start(
            client, submission(event), timing, correlation_id=s.submitted.correlation_id
        )
        RESTARTED.inc()
        log.warning("agreement %s was stuck in SUBMITTED: its workflow was started", s.agreement_id)
    return len(stuck)


async def run(
    db: Database,
    engine: Engine,
    timing: Timing,
    *,
    source: str,
    every: timedelta,
    after: timedelta,
    stop: asyncio.Event,
) -> None:
    """Check every `every` until stopped; an unreachable Temporal is tried again next round."""
    while not stop.is_set():
        try:
            await check_once(db, engine, timing, source=source, after=after)
        except Exception as exc:  # Temporal or the database away: next round
            WATCHDOG_FAILURES.inc()
            log.warning("watchdog round failed: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every.total_seconds())
