"""Wake-ups (common/wakeups.py): the relay's leases, addresses read, what a wake-up announces and
how a consumer subscribes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

import pytest

from common import wakeups
from common.wakeups import (
    LEASE_S,
    PUBLISHED,
    RENEW_S,
    SUBSCRIBE,
    SUBSCRIBED,
    UNANSWERED_RENEW_S,
    Subscribers,
    Wakeup,
    announced,
    announcement,
    parse_address,
)


def test_addresses_are_read_as_numeric_ones_and_an_unusable_one_is_none() -> None:
    assert parse_address("127.0.0.1:9101") == ("127.0.0.1", 9101)
    assert parse_address("0.0.0.0:9101") == ("127.0.0.1", 9101)
    assert parse_address("localhost:9101") == ("127.0.0.1", 9101)
    for unusable in ("", "9101", "127.0.0.1:", "127.0.0.1:port", "no-such-host.invalid:9101"):
        assert parse_address(unusable) is None, unusable


def test_a_subscriber_is_woken_until_its_lease_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(wakeups.time, "monotonic", lambda: now[0])
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(2)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        subscribers = Subscribers()
        subscribers.heard(receiver.getsockname())
        subscribers.heard(receiver.getsockname())  # a renewal, not a second subscriber
        assert len(subscribers) == 1
        assert subscribers.notify(sender) == 1
        assert receiver.recv(64) == PUBLISHED
        now[0] += LEASE_S + 1
        assert subscribers.notify(sender) == 0
        assert len(subscribers) == 0
    finally:
        receiver.close()
        sender.close()


def test_a_wake_up_names_where_the_publication_ended_and_a_bare_one_names_nothing() -> None:
    ends = {"agreements.events": {0: 12, 3: 7}}
    assert announced(announcement(ends)) == ends
    assert announcement({}) == PUBLISHED
    for unreadable in (PUBLISHED, PUBLISHED + b" {", PUBLISHED + b" [1]", b"", b"x y"):
        assert announced(unreadable) == {}, unreadable


class _Partition(NamedTuple):
    topic: str
    partition: int


class _Positions:
    """What `Wakeup.polled` asks of a KafkaConsumer: its partitions and their positions."""

    def __init__(self, positions: dict[int, int]) -> None:
        self.positions = positions

    def assignment(self) -> set[_Partition]:
        return {_Partition("t", p) for p in self.positions}

    def position(self, tp: _Partition) -> int:
        return self.positions[tp.partition]


def _send(to: Wakeup, data: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(data, to._sock.getsockname())


def _until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_consumer_behind_what_a_wake_up_announced_has_more_to_take() -> None:
    """kafka-python can hand a woken poll what an earlier fetch brought: the consumer is not
    idle while its position is short of an announced end on one of its partitions."""
    relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    relay.bind(("127.0.0.1", 0))
    wakeup = Wakeup(relay.getsockname(), threading.Event())
    try:
        consumer = _Positions({0: 5, 1: 9})
        assert not wakeup.polled(consumer, taken=2, waited_ms=200)
        _send(wakeup, announcement({"t": {0: 7}, "other-topic": {1: 50}}))
        _until(wakeup.event.is_set)
        assert wakeup.polled(consumer, taken=2, waited_ms=200)
        consumer.positions[0] = 7
        assert not wakeup.polled(consumer, taken=2, waited_ms=200)
        # A poll that found nothing for its whole wait drops what was announced (a log the
        # broker lost would otherwise keep the consumer busy).
        _send(wakeup, announcement({"t": {1: 30}}))
        _until(lambda: wakeup.polled(consumer, taken=1, waited_ms=200))
        assert not wakeup.polled(consumer, taken=0, waited_ms=200)
        assert not wakeup.polled(consumer, taken=1, waited_ms=200)
    finally:
        wakeup.close()
        relay.close()


def test_a_consumer_asks_often_until_the_relay_answers_then_renews_slowly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A subscription sent before the relay listened is lost: it is asked again every
    UNANSWERED_RENEW_S until the relay answers (without waking the consumer), then every
    RENEW_S; a look of no time that finds records (nobody woke it for them) asks at once."""
    now = [1000.0]
    monkeypatch.setattr(wakeups.time, "monotonic", lambda: now[0])
    relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    relay.bind(("127.0.0.1", 0))
    relay.settimeout(2)
    wakeup = Wakeup(relay.getsockname(), threading.Event())
    try:
        wakeup.renew()
        assert relay.recvfrom(64)[0] == SUBSCRIBE
        now[0] += UNANSWERED_RENEW_S
        wakeup.renew()
        data, consumer_address = relay.recvfrom(64)
        assert data == SUBSCRIBE
        relay.sendto(SUBSCRIBED, consumer_address)
        _until(lambda: wakeup._answered)
        assert not wakeup.event.is_set()
        now[0] += UNANSWERED_RENEW_S
        wakeup.renew()
        relay.settimeout(0.2)
        with pytest.raises(TimeoutError):
            relay.recvfrom(64)
        now[0] += RENEW_S
        wakeup.renew()
        assert relay.recvfrom(64)[0] == SUBSCRIBE
        wakeup.polled(_Positions({0: 3}), taken=2, waited_ms=0)
        wakeup.renew()
        assert relay.recvfrom(64)[0] == SUBSCRIBE
    finally:
        wakeup.close()
        relay.close()


def test_an_idle_wait_keeps_asking_an_unanswering_relay_then_renews_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The idle look is longer than UNANSWERED_RENEW_S: a consumer that started before the
    relay still asks every UNANSWERED_RENEW_S within one wait; answered, a wait asks once."""
    monkeypatch.setattr(wakeups, "IDLE_POLL_S", 0.5)
    monkeypatch.setattr(wakeups, "UNANSWERED_RENEW_S", 0.1)
    relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    relay.bind(("127.0.0.1", 0))
    wakeup = Wakeup(relay.getsockname(), threading.Event())

    def asked() -> list[tuple[str, int]]:
        relay.settimeout(0.05)
        senders = []
        try:
            while True:
                data, sender = relay.recvfrom(64)
                assert data == SUBSCRIBE
                senders.append(sender)
        except TimeoutError:
            return senders

    try:
        started = time.monotonic()
        assert not wakeup.wait()
        assert time.monotonic() - started >= 0.5
        senders = asked()
        assert len(senders) >= 4
        relay.sendto(SUBSCRIBED, senders[-1])
        _until(lambda: wakeup._answered)
        assert not wakeup.wait()
        assert len(asked()) <= 1
    finally:
        wakeup.close()
        relay.close()
