"""Which failures are a dependency being away (wait it out) and which are the record's fault
(dead-letter it), and the one retry policy, on tenacity, that consumers and the relay share."""

from __future__ import annotations

import errno
import smtplib
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import httpx
import kafka.errors
import pydantic
import sqlalchemy.exc
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_never,
    wait_exponential,
    wait_exponential_jitter,
)
from tenacity.wait import wait_base

from common.events.envelope import EnvelopeError
from common.events.schemas import UnknownEventError

T = TypeVar("T")


class Failure(StrEnum):
    """What a failure says about the record being handled."""

    # A dependency (database, Temporal, the broker, an SMTP or HTTP server) is away or busy:
    # the record is fine and will be handled once it is back; never dead-lettered.
    UNAVAILABLE = "unavailable"
    # The record can never be handled (its payload model refuses it, the handler rejects it):
    # dead-lettered at once.
    INVALID = "invalid"
    # Anything else, most likely a bug met by this record: a few quick attempts, then
    # dead-lettered, so that one record does not hold up every later one on its partition.
    FAILED = "failed"


class DependencyUnavailable(Exception):
    """Raised by code that knows the thing it needs is away (the classifier cannot guess)."""


class InvalidEvent(Exception):
    """Raised by a handler that refuses an event as it is: it goes to the dead-letter topic."""


class Stopped(BaseException):
    """The process is stopping while a wait was under way. A BaseException on purpose: it must
    pass through every `except Exception`, so the record in hand stays uncommitted (and is
    handled after the restart) instead of being dead-lettered for an outage."""


# gRPC statuses of a Temporal frontend that is down, overloaded or timing out.
_TEMPORAL_AWAY = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "ABORTED"})
_SQL_AWAY = (
    sqlalchemy.exc.OperationalError,  # refused, reset, "database is locked", server starting up
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,  # the pool had no connection to give
)
_NETWORK_ERRNOS = frozenset(
    {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.ECONNABORTED}
)
_SMTP_AWAY = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
_RECORD_REFUSED = (InvalidEvent, pydantic.ValidationError, EnvelopeError, UnknownEventError)


def _temporal_away(exc: BaseException) -> bool | None:
    """Whether the Temporal client's error `exc` says its server is away; None when `exc` is
    none of its errors. Only a process that imported the SDK can hold one, so the SDK is not
    imported here: the processes that never talk to Temporal (notifications, reporting) are
    spared it (0.4 s of start-up and about 15 MiB of PSS each)."""
    client = sys.modules.get("temporalio.client")
    if client is not None and isinstance(exc, client.RPCTimeoutOrCancelledError):
        return True
    service = sys.modules.get("temporalio.service")
    if service is not None and isinstance(exc, service.RPCError):
        return exc.status.name in _TEMPORAL_AWAY
    return None


def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, DependencyUnavailable | httpx.TransportError):
        return True
    if isinstance(exc, _SQL_AWAY):
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return bool(exc.connection_invalidated)
    if (temporal := _temporal_away(exc)) is not None:
        return temporal
    if isinstance(exc, kafka.errors.KafkaError):  # connection, timeout, leader moving...
        return bool(exc.retriable) or isinstance(exc, kafka.errors.BrokerNotAvailableError)
    # smtplib's errors are OSErrors: a refused recipient (5xx) is not an outage, 4xx is.
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500 or isinstance(exc, _SMTP_AWAY)
    if isinstance(exc, smtplib.SMTPException):
        return isinstance(exc, _SMTP_AWAY)
    # Refused, reset, timed out (concurrent.futures' and asyncio's TimeoutError are this one),
    # name not resolved, network unreachable; a missing file or a denied permission is no outage.
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    if isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS:
        return True
    # The Temporal client raises a bare RuntimeError when it cannot (re)connect at all.
    return isinstance(exc, RuntimeError) and str(exc).startswith("Failed client connect")


def classify(exc: BaseException) -> Failure:
    """The one classification every consumer and the relay use. An outage wrapped by the
    handler (`raise X from OperationalError(...)`) is still an outage."""
    if isinstance(exc, _RECORD_REFUSED):
        return Failure.INVALID
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:
        if _unavailable(cause):
            return Failure.UNAVAILABLE
        cause, seen = cause.__cause__, seen + 1
    return Failure.FAILED


def is_unavailable(exc: BaseException) -> bool:
    return classify(exc) is Failure.UNAVAILABLE


def _is_failed(exc: BaseException) -> bool:
    return classify(exc) is Failure.FAILED


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between tries. An unavailable dependency is waited out for as long as
    it lasts, backing off exponentially (with jitter, so consumers that lost the same database
    do not all come back in the same instant) up to `max_wait_s`; a record whose handling
    fails for another reason gets `quick_attempts` tries `quick_backoff_s` apart (doubling)."""

    initial_wait_s: float = 0.5
    max_wait_s: float = 10.0
    jitter_s: float = 0.25
    quick_attempts: int = 3
    quick_backoff_s: float = 0.2

    def wait(self) -> wait_base:
        return wait_exponential_jitter(
            multiplier=self.initial_wait_s, max=self.max_wait_s, jitter=self.jitter_s
        )

    def wait_out(
        self,
        work: Callable[[], T],
        *,
        sleep: Callable[[float], None],
        before_sleep: Callable[[RetryCallState], None] | None = None,
    ) -> T:
        """`work()` until it does not fail for an unavailable dependency; any other failure is
        raised at once. `sleep` is how the caller waits (a consumer keeps polling its paused
        partitions); it raises `Stopped` to give up when the process stops."""
        retrying = Retrying(
            retry=retry_if_exception(is_unavailable),
            wait=self.wait(),
            stop=stop_never,
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(work)

    def quickly(
        self,
        work: Callable[[], T],
        *,
        before_sleep: Callable[[RetryCallState], None] | None = None,
    ) -> T:
        """`work()` up to `quick_attempts` times while it fails for no known reason; an
        unavailable dependency or a refused record is raised at once (to `wait_out`, or to
        the dead-letter topic)."""
        retrying = Retrying(
            retry=retry_if_exception(_is_failed),
            wait=wait_exponential(multiplier=self.quick_backoff_s, max=self.max_wait_s),
            stop=stop_after_attempt(self.quick_attempts),
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(work)

    def until_done(
        self,
        work: Callable[[], T],
        stop: threading.Event,
        *,
        before_sleep: Callable[[RetryCallState], None] | None = None,
        wait: wait_base | None = None,
        retry_on: Callable[[BaseException], bool] = lambda exc: isinstance(exc, Exception),
    ) -> T:
        """`work()` until it succeeds or fails otherwise than `retry_on` says (by default:
        whatever the failure), or until `stop` is set (then `Stopped` is raised): for loops
        that cannot skip anything, such as the relay."""
        retrying = Retrying(
            retry=retry_if_exception(retry_on),
            wait=wait or self.wait(),
            stop=stop_never,
            sleep=stopping_sleep(stop),
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(work)


def stopping_sleep(stop: threading.Event) -> Callable[[float], None]:
    """A sleep that ends early, raising `Stopped`, when `stop` is set."""

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise Stopped

    return sleep


def last_error(state: RetryCallState) -> BaseException | None:
    """The exception of the attempt that just failed (for logs in `before_sleep`)."""
    outcome: Any = state.outcome
    return outcome.exception() if outcome is not None else None


# The policy every consumer and the relay use unless a test asks for shorter waits.
POLICY = RetryPolicy()

__all__ = [
    "POLICY",
    "DependencyUnavailable",
    "Failure",
    "InvalidEvent",
    "RetryPolicy",
    "Stopped",
    "classify",
    "is_unavailable",
    "last_error",
    "stopping_sleep",
]
