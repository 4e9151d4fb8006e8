"""Sending deliveries (on the dispatcher's pool threads): webhooks one by one, e-mails to the
transport a batch at a time; each outcome a SendResult for the dispatcher to record."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import Message

from services.notifications.delivery.email import MailTransport, build_email
from services.notifications.delivery.outgoing import Outgoing
from services.notifications.delivery.webhooks import WebhookClient
from services.notifications.domain.enums import Channel

# E-mails a pool task sends as one batch, when there are more than the threads.
EMAILS_PER_TASK = 8


@dataclass(frozen=True)
class Job:
    delivery: Outgoing
    secret: str | None  # the subscription's, for webhooks


@dataclass(frozen=True)
class SendResult:
    delivery_id: str
    lease_token: str | None
    ok: bool
    status_code: int | None
    error: str | None
    started_at: datetime
    duration_ms: float


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _result(
    job: Job, ok: bool, code: int | None, error: str | None, started: datetime, seconds: float
) -> SendResult:
    return SendResult(
        delivery_id=job.delivery.id,
        lease_token=job.delivery.lease_token,
        ok=ok,
        status_code=code,
        error=error,
        started_at=started,
        duration_ms=seconds * 1000,
    )


def chunks(jobs: list[Job], threads: int) -> list[list[Job]]:
    """Pool tasks: each webhook alone (a slow receiver holds up nothing else); e-mails a few
    to a task, spread over the threads, so that the transport takes them as a batch (the
    maildir flushes to disk once per batch, not once per message)."""
    webhooks = [[j] for j in jobs if j.delivery.channel != Channel.EMAIL]
    emails = [j for j in jobs if j.delivery.channel == Channel.EMAIL]
    tasks = max(1, min(threads, -(-len(emails) // EMAILS_PER_TASK)))
    return webhooks + [emails[i::tasks] for i in range(tasks) if emails[i::tasks]]


class Sender:
    def __init__(
        self,
        mail: MailTransport,
        webhooks: WebhookClient,
        *,
        mail_from: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.mail = mail
        self.webhooks = webhooks
        self.mail_from = mail_from
        self.clock = clock

    def send_many(self, jobs: list[Job]) -> list[SendResult]:
        """A pool task: its webhooks one by one, its e-mails to the transport together."""
        emails = [j for j in jobs if j.delivery.channel == Channel.EMAIL]
        results = [self._send_webhook(j) for j in jobs if j.delivery.channel != Channel.EMAIL]
        if emails:
            results += self._send_emails(emails)
        return results

    def _send_webhook(self, job: Job) -> SendResult:
        d = job.delivery
        started = self.clock()
        t0 = time.perf_counter()
        status_code: int | None = None
        try:
            if job.secret is None:
                raise RuntimeError("subscription is gone")
            ok, status_code, error = self.webhooks.send(d, job.secret, d.attempts + 1)
        except Exception as exc:  # every failure is recorded and retried, whatever its type
            ok, error = False, _describe(exc)
        return _result(job, ok, status_code, error, started, time.perf_counter() - t0)

    def _send_emails(self, jobs: list[Job]) -> list[SendResult]:
        """Each attempt's duration in the log is its share of the batch's time."""
        started = self.clock()
        t0 = time.perf_counter()
        errors: dict[int, str] = {}
        messages: list[tuple[int, Message]] = []
        for i, job in enumerate(jobs):
            try:
                messages.append((i, build_email(job.delivery, self.mail_from)))
            except Exception as exc:  # recorded and retried, as a failed send is
                errors[i] = _describe(exc)
        outcome = self.mail.send_all([m for _, m in messages]) if messages else []
        for (i, _), failure in zip(messages, outcome, strict=True):
            if failure is not None:
                errors[i] = _describe(failure)
        share = (time.perf_counter() - t0) / len(jobs)
        return [
            _result(job, i not in errors, None, errors.get(i), started, share)
            for i, job in enumerate(jobs)
        ]

    def close(self) -> None:
        self.webhooks.close()
