"""The dispatcher: claims due deliveries under a lease, sends them on a thread pool, records
each outcome (the attempt log, retries with backoff, disabling a subscription that keeps
failing), and queues the daily digests."""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from tenacity import RetryCallState, wait_fixed

from common.db import Database, utcnow
from common.retry import POLICY, Stopped, last_error
from services.notifications.delivery.digest import make_digests
from services.notifications.delivery.email import MailTransport, mail_transport
from services.notifications.delivery.outgoing import Outgoing
from services.notifications.delivery.sending import Job, Sender, SendResult, chunks
from services.notifications.delivery.webhooks import WebhookClient
from services.notifications.domain.enums import Channel, DeliveryStatus
from services.notifications.domain.retry import backoff_delay
from services.notifications.inbox import add_notice
from services.notifications.metrics import NotificationMetrics
from services.notifications.models import Delivery, DeliveryAttempt, Subscription, new_id
from services.notifications.notify import Lease, Leased
from services.notifications.preferences import recipient_language
from services.notifications.rendering import Renderer
from services.notifications.settings import NotificationsSettings
from services.notifications.subscriptions import disable_subscription

log = logging.getLogger(__name__)

# While sends are in flight, the loop goes round (records outcomes, starts more) this often.
RECORD_EVERY_S = 0.05

# Core table of deliveries, for UPDATEs executed with many parameter sets at once.
DELIVERIES: Table = Delivery.__table__  # type: ignore[attr-defined]

# Built once: the statements that record every batch of sends.
_SENT = sa_select(
    col(Delivery.id),
    col(Delivery.lease_token),
    col(Delivery.attempts),
    col(Delivery.channel),
    col(Delivery.event_type),
    col(Delivery.event_time),
    col(Delivery.subscription_id),
).where(col(Delivery.id).in_(bindparam("ids", expanding=True)))
_DELIVERED = (
    update(DELIVERIES)
    .where(DELIVERIES.c.id == bindparam("d_id"))
    .values(
        status=DeliveryStatus.DELIVERED.value,
        delivered_at=bindparam("now"),
        attempts=bindparam("attempts"),
        lease_until=None,
        lease_token=None,
        last_status_code=bindparam("status_code"),
        last_error=None,
    )
)
_ATTEMPTS = insert(DeliveryAttempt)
_RELEASED = (
    update(DELIVERIES)
    .where(DELIVERIES.c.id == bindparam("d_id"), DELIVERIES.c.lease_token == bindparam("token"))
    .values(lease_until=None, lease_token=None)
)


class Dispatcher:
    """Claims due deliveries, sends them on a thread pool, records each outcome."""

    def __init__(
        self,
        settings: NotificationsSettings,
        db: Database,
        renderer: Renderer,
        metrics: NotificationMetrics,
        *,
        mail: MailTransport | None = None,
        webhooks: WebhookClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.db = db
        self.renderer = renderer
        self.metrics = metrics
        self.sender = Sender(
            mail or mail_transport(settings),
            webhooks
            or WebhookClient(
                settings.webhook_timeout_s, allow_private=settings.private_webhook_targets_allowed
            ),
            mail_from=settings.mail_from,
            clock=clock,
        )
        self.clock = clock
        self.rand = rand
        self.wake = threading.Event()
        self._pool = ThreadPoolExecutor(
            max_workers=settings.delivery_threads, thread_name_prefix="deliver"
        )
        # Sends under way, each future a chunk of jobs (send_many), with its number of jobs.
        self._inflight: dict[Future[list[SendResult]], int] = {}
        self._next_digest_check = 0.0
        # Deliveries this process created under its own lease (hand_over), waiting for a
        # thread; and when the table is next asked for due deliveries (retries, digests,
        # deliveries whose sender died).
        self._handed: deque[Job] = deque()
        self._next_claim = 0.0
        self._closed = False

    # -- the loop --

    def run(self, stop: threading.Event) -> None:
        def failed(state: RetryCallState) -> None:
            log.error("delivery round failed; retrying shortly", exc_info=last_error(state))

        try:
            while not stop.is_set():
                # A failed round is tried again a second later, whatever failed: deliveries
                # keep their own schedule in the database, this only restarts the loop.
                POLICY.until_done(self.step, stop, before_sleep=failed, wait=wait_fixed(1.0))
        except Stopped:
            pass
        self.close()

    def step(self) -> int:
        """Record what finished, take what this process handed over and claim what else is
        due, start sending it; wait a little when there was nothing to do. Returns how many
        deliveries were started."""
        started = time.monotonic()
        self._record_done()
        if time.monotonic() >= self._next_digest_check:
            self._next_digest_check = time.monotonic() + 30.0
            self.make_digests()
        # Claimed jobs may queue for a free thread: the lease covers the wait.
        capacity = self.settings.delivery_batch_size - sum(self._inflight.values())
        self.wake.clear()
        jobs = self._take_handed(capacity)
        capacity -= len(jobs)
        # The table is asked every poll interval, or at once when woken for it (digests made,
        # a claim that filled its batch): new deliveries come by hand_over, not by asking.
        if capacity > 0 and time.monotonic() >= self._next_claim:
            claimed = self.claim(capacity)
            more = len(claimed) >= capacity
            self._next_claim = time.monotonic() + (
                0.0 if more else self.settings.delivery_poll_interval_s
            )
            jobs += claimed
        for chunk in chunks(jobs, self.settings.delivery_threads):
            self._inflight[self._pool.submit(self.sender.send_many, chunk)] = len(chunk)
        if self._inflight:
            # While sends are in flight the loop goes round once per RECORD_EVERY_S, so that
            # one transaction records many: sends finish in a millisecond or two, and a
            # record per one or two of them cost more CPU than the sending (bench/notify.py).
            wait(self._inflight, timeout=RECORD_EVERY_S, return_when=ALL_COMPLETED)
            time.sleep(max(0.0, started + RECORD_EVERY_S - time.monotonic()))
        elif not jobs and not self._handed:
            self.wake.wait(max(0.0, self._next_claim - time.monotonic()))
        return len(jobs)

    # -- deliveries created in this process --

    def new_lease(self) -> Lease:
        """A lease for deliveries about to be created and handed over (notify.notify_all)."""
        return Lease(new_id(), self.clock() + timedelta(seconds=self.settings.delivery_lease_s))

    def hand_over(self, leased: list[Leased]) -> None:
        """Deliveries created (and committed) under `new_lease()`: sent without asking the
        table for them. Thread-safe; wakes the loop."""
        if leased:
            self._handed.extend(Job(Outgoing.of_row(d.row), d.secret) for d in leased)
            self.wake.set()
            if self._closed:  # handed over while the process stops: nobody will send them
                self._release_handed()

    def _take_handed(self, limit: int) -> list[Job]:
        """Up to `limit` handed-over jobs. One whose lease is half gone waited too long for a
        thread: it is left to the table, where it falls due when its lease runs out, so that
        a send can never outlive the lease it was made under."""
        jobs: list[Job] = []
        fresh_until = self.clock() + timedelta(seconds=self.settings.delivery_lease_s / 2)
        while len(jobs) < limit and self._handed:
            job = self._handed.popleft()
            until = job.delivery.lease_until
            if until is not None and until >= fresh_until:
                jobs.append(job)
        return jobs

    def drain(self, timeout_s: float = 10.0) -> None:
        """Wait for what is being sent and record it (used at shutdown and by tests)."""
        if self._inflight:
            wait(self._inflight, timeout=timeout_s)
        self._record_done()

    def _record_done(self) -> None:
        done = [f for f in self._inflight if f.done()]
        for f in done:
            del self._inflight[f]
        if done:
            self.record([r for f in done for r in f.result()])

    def close(self) -> None:
        self._closed = True
        try:
            self.drain()
            self._release_handed()
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self.sender.close()

    def _release_handed(self) -> None:
        """Handed-over deliveries not started when the process stops give up their lease, so
        that the next dispatcher sends them at once instead of when the lease runs out. If the
        database is away now, the lease running out does the same, later."""
        jobs: list[Job] = []
        with contextlib.suppress(IndexError):  # (another thread may empty it meanwhile)
            while True:
                jobs.append(self._handed.popleft())
        if not jobs:
            return
        try:
            with self.db.write_session() as session:
                session.execute(
                    _RELEASED,
                    [{"d_id": j.delivery.id, "token": j.delivery.lease_token} for j in jobs],
                )
                session.commit()
        except Exception as exc:  # stopping: the leases run out by themselves
            log.warning("could not release %d deliveries' leases (%s)", len(jobs), exc)

    # -- claiming --

    def claim(self, limit: int) -> list[Job]:
        if limit <= 0:
            return []
        now = self.clock()
        due = (
            col(Delivery.status) == DeliveryStatus.PENDING.value,
            col(Delivery.next_attempt_at) <= now,
            or_(col(Delivery.lease_until).is_(None), col(Delivery.lease_until) < now),
        )
        # A cheap read first: the write lock (SQLite) is taken only when something is due.
        with self.db.session() as session:
            ids = list(
                session.exec(
                    select(Delivery.id)
                    .where(*due)
                    .order_by(col(Delivery.next_attempt_at))
                    .limit(limit)
                ).all()
            )
        if not ids:
            return []
        token = new_id()
        until = now + timedelta(seconds=self.settings.delivery_lease_s)
        with self.db.write_session() as session:
            # The conditions again: another dispatcher may have claimed some in between.
            session.exec(
                update(Delivery)
                .where(col(Delivery.id).in_(ids), *due)
                .values(lease_until=until, lease_token=token)
            )
            session.commit()
            rows = list(session.exec(select(Delivery).where(Delivery.lease_token == token)).all())
            sub_ids = {r.subscription_id for r in rows if r.subscription_id}
            secrets = {
                s.id: s.secret
                for s in session.exec(
                    select(Subscription).where(col(Subscription.id).in_(sub_ids))
                ).all()
            }
        return [Job(Outgoing.of(r), secrets.get(r.subscription_id or "")) for r in rows]

    # -- recording --

    def _max_attempts(self, channel: str) -> int:
        if channel == Channel.WEBHOOK:
            return self.settings.webhook_max_attempts
        return self.settings.email_max_attempts

    def record(self, results: list[SendResult]) -> None:
        """Write the outcomes of finished sends in one transaction: the attempt log, each
        delivery's new state, the subscriptions' failure counts (and their disabling).
        Successes, nearly all of them, are a few bulk statements; failures go row by row."""
        now = self.clock()
        succeeded = [r for r in results if r.ok]
        failed = [r for r in results if not r.ok]
        outcomes: list[tuple[str, str, str, float]] = []  # (outcome, channel, type, latency)
        disabled = 0
        with self.db.write_session() as session:
            if succeeded:
                outcomes += self._record_successes(session, succeeded, now)
            for r in failed:
                result = self._record_failure(session, r, now)
                if result is not None:
                    outcomes.append(result)
                    disabled += result[0] == "disabled"
            session.commit()
        for outcome, channel, event_type, latency in outcomes:
            if outcome == "delivered":
                self.metrics.delivered.labels(channel, event_type).inc()
                self.metrics.latency.labels(channel).observe(latency)
            elif outcome in ("failed", "disabled"):
                self.metrics.failed.labels(channel, event_type).inc()
            else:
                self.metrics.retries.labels(channel).inc()
        if disabled:
            self.metrics.subscriptions_disabled.inc(disabled)

    def _record_successes(
        self, session: Session, results: list[SendResult], now: datetime
    ) -> list[tuple[str, str, str, float]]:
        ids = [r.delivery_id for r in results]
        # Only rows whose lease is still the one we sent under: another dispatcher (or a later
        # claim) owns the others now, and records them itself.
        rows = {
            d_id: (token, attempts, channel, event_type, event_time, sub_id)
            for d_id, token, attempts, channel, event_type, event_time, sub_id in session.execute(
                _SENT, {"ids": ids}
            ).all()
        }
        owned = {
            r.delivery_id: rows[r.delivery_id][1:]
            for r in results
            if r.delivery_id in rows and rows[r.delivery_id][0] == r.lease_token
        }
        mine = [r for r in results if r.delivery_id in owned]
        if not mine:
            return []
        # Delivered even if cancelled while in flight: the receiver has it.
        session.execute(
            _DELIVERED,
            [
                {
                    "d_id": r.delivery_id,
                    "attempts": owned[r.delivery_id][0] + 1,
                    "status_code": r.status_code,
                    "now": now,
                }
                for r in mine
            ],
        )
        session.execute(
            _ATTEMPTS,
            [
                {
                    "delivery_id": r.delivery_id,
                    "number": owned[r.delivery_id][0] + 1,
                    "at": r.started_at,
                    "duration_ms": round(r.duration_ms, 1),
                    "ok": True,
                    "status_code": r.status_code,
                    "error": None,
                }
                for r in mine
            ],
        )
        subs = {owned[r.delivery_id][4] for r in mine} - {None}
        if subs:
            session.execute(
                update(Subscription)
                .where(col(Subscription.id).in_(subs), col(Subscription.consecutive_failures) > 0)
                .values(consecutive_failures=0)
            )
        return [
            (
                "delivered",
                owned[r.delivery_id][1],
                owned[r.delivery_id][2],
                max(0.0, (now - owned[r.delivery_id][3]).total_seconds()),
            )
            for r in mine
        ]

    def _record_failure(
        self, session: Session, r: SendResult, now: datetime
    ) -> tuple[str, str, str, float] | None:
        d = session.get(Delivery, r.delivery_id)
        if d is None or d.lease_token != r.lease_token:
            return None  # our lease ran out and another dispatcher owns it now
        d.attempts += 1
        session.add(
            DeliveryAttempt(
                delivery_id=d.id,
                number=d.attempts,
                at=r.started_at,
                duration_ms=round(r.duration_ms, 1),
                ok=False,
                status_code=r.status_code,
                error=r.error,
            )
        )
        d.lease_until, d.lease_token = None, None
        d.last_status_code, d.last_error = r.status_code, r.error
        session.add(d)
        if d.status != DeliveryStatus.PENDING.value:
            return None  # cancelled meanwhile: the attempt is logged, nothing more to do
        if d.attempts < self._max_attempts(d.channel):
            delay = backoff_delay(
                d.attempts,
                base_s=self.settings.delivery_backoff_base_s,
                max_s=self.settings.delivery_backoff_max_s,
                spread=self.rand(),
            )
            d.next_attempt_at = now + timedelta(seconds=delay)
            return ("retry", d.channel, d.event_type, 0.0)
        d.status = DeliveryStatus.FAILED.value
        sub = session.get(Subscription, d.subscription_id) if d.subscription_id else None
        if sub is None or not sub.active:
            return ("failed", d.channel, d.event_type, 0.0)
        sub.consecutive_failures += 1
        session.add(sub)
        if sub.consecutive_failures < self.settings.webhook_disable_after_failures:
            return ("failed", d.channel, d.event_type, 0.0)
        session.flush()  # the cancelling UPDATE below must not override this row's state
        self._disable(session, sub, d, now)
        return ("disabled", d.channel, d.event_type, 0.0)

    def _disable(self, session: Session, sub: Subscription, last: Delivery, now: datetime) -> None:
        reason = (
            f"{sub.consecutive_failures} consecutive deliveries failed; last error: "
            f"{last.last_error or 'unknown'}"
        )
        disable_subscription(session, sub=sub, reason=reason, now=now)
        lang = recipient_language(session, sub.owner)
        message = self.renderer.render_system(
            "subscription_disabled",
            lang,
            url=sub.url,
            id=sub.id,
            failures=sub.consecutive_failures,
            attempts=self.settings.webhook_max_attempts,
            error=last.last_error or "?",
        )
        add_notice(
            session,
            recipient=sub.owner,
            notice_id=f"subscription-disabled|{sub.id}|{now.isoformat()}",
            kind="subscription.disabled",
            message=message,
            language=lang,
            now=now,
        )
        log.warning("webhook subscription %s (%s) disabled: %s", sub.id, sub.url, reason)

    # -- daily digests --

    def make_digests(self, limit: int = 500) -> int:
        """Queue the daily digests that are due (digest.py); wakes the loop when it made any."""
        made = make_digests(
            self.db,
            self.renderer,
            now=self.clock(),
            digest_hour=self.settings.digest_hour,
            limit=limit,
        )
        if made:
            self._next_claim = 0.0
            self.wake.set()
        return made
