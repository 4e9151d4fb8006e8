"""The one classification of failures and the shared retry policy: what is an outage to wait
out, what is a record to dead-letter at once, and how often each is tried."""

from __future__ import annotations

import smtplib
import sqlite3
import threading
from typing import Any

import pytest
from kafka.errors import CommitFailedError, KafkaConnectionError, KafkaTimeoutError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from temporalio.client import RPCTimeoutOrCancelledError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from common.retry import (
    DependencyUnavailable,
    Failure,
    InvalidEvent,
    RetryPolicy,
    Stopped,
    classify,
    stopping_sleep,
)


class _Moment(BaseModel):
    at: int


def _refused_by_model() -> ValidationError:
    try:
        _Moment.model_validate({"at": "next Tuesday"})
    except ValidationError as exc:
        return exc
    raise AssertionError("the model accepted it")


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")),
        PoolTimeout("QueuePool limit reached"),
        RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b""),
        RPCError("deadline", RPCStatusCode.DEADLINE_EXCEEDED, b""),
        RPCTimeoutOrCancelledError(),
        WorkflowUpdateRPCTimeoutOrCancelledError(),
        RuntimeError("Failed client connect: Server connection error"),
        KafkaConnectionError("socket disconnected"),
        KafkaTimeoutError("no metadata"),
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPResponseException(421, b"try again later"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("no answer"),
        DependencyUnavailable("Temporal did not answer within 5s"),
    ],
)
def test_a_dependency_that_is_away_is_an_outage_to_wait_out(exc: BaseException) -> None:
    assert classify(exc) is Failure.UNAVAILABLE


def test_an_outage_wrapped_by_the_handler_is_still_an_outage() -> None:
    try:
        try:
            raise ConnectionResetError(104, "reset by peer")
        except ConnectionResetError as cause:
            raise ValueError("could not record the event") from cause
    except ValueError as exc:
        assert classify(exc) is Failure.UNAVAILABLE


@pytest.mark.parametrize(
    "exc", [InvalidEvent("no such agreement"), _refused_by_model()], ids=["rejected", "refused"]
)
def test_a_record_the_model_or_the_handler_refuses_is_invalid(exc: BaseException) -> None:
    assert classify(exc) is Failure.INVALID


@pytest.mark.parametrize(
    "exc",
    [
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
        KeyError("body"),
        ValueError("bad template"),
        RPCError("not found", RPCStatusCode.NOT_FOUND, b""),
        smtplib.SMTPResponseException(550, b"no such mailbox"),
        FileNotFoundError(2, "No such file"),
        CommitFailedError("rebalanced"),
        RuntimeError("something else"),
    ],
)
def test_a_duplicate_or_a_bug_is_neither_an_outage_nor_a_refusal(exc: BaseException) -> None:
    assert classify(exc) is Failure.FAILED


FAST = RetryPolicy(initial_wait_s=0.001, max_wait_s=0.01, jitter_s=0.0, quick_backoff_s=0.001)


class Flaky:
    """Fails with `errors` in turn, then answers."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_an_outage_is_waited_out_for_as_long_as_it_lasts() -> None:
    away = [ConnectionRefusedError(111, "refused") for _ in range(25)]
    work = Flaky(*away)
    slept: list[float] = []
    assert FAST.wait_out(work, sleep=slept.append) == "done"
    assert work.calls == 26 and len(slept) == 25
    assert max(slept) <= FAST.max_wait_s


def test_other_failures_get_the_quick_attempts_and_a_refusal_none() -> None:
    bug = Flaky(*[KeyError("x") for _ in range(5)])
    with pytest.raises(KeyError):
        FAST.quickly(bug)
    assert bug.calls == FAST.quick_attempts

    refused = Flaky(InvalidEvent("no"))
    with pytest.raises(InvalidEvent):
        FAST.quickly(refused)
    assert refused.calls == 1


def test_an_outage_inside_the_quick_attempts_goes_to_the_wait_and_gets_fresh_attempts() -> None:
    work = Flaky(
        KeyError("x"), KeyError("x"), ConnectionRefusedError(111, "refused"), KeyError("y")
    )
    slept: list[float] = []
    assert FAST.wait_out(lambda: FAST.quickly(work), sleep=slept.append) == "done"
    assert work.calls == 5 and len(slept) == 1


def test_a_wait_ends_when_the_process_stops() -> None:
    stop = threading.Event()
    stop.set()
    work = Flaky(*[ConnectionRefusedError(111, "refused") for _ in range(3)])
    with pytest.raises(Stopped):
        FAST.wait_out(work, sleep=stopping_sleep(stop))
    assert work.calls == 1


def test_until_done_retries_whatever_fails_until_stopped() -> None:
    stop = threading.Event()
    work = Flaky(KeyError("x"), ConnectionRefusedError(111, "refused"))
    assert FAST.until_done(work, stop) == "done"
    stop.set()
    with pytest.raises(Stopped):
        FAST.until_done(Flaky(KeyError("x")), stop)


def test_until_done_raises_what_it_is_not_told_to_retry() -> None:
    def only_outages(exc: BaseException) -> bool:
        return classify(exc) is Failure.UNAVAILABLE

    work: Any = Flaky(KeyError("x"))
    with pytest.raises(KeyError):
        FAST.until_done(work, threading.Event(), retry_on=only_outages)
