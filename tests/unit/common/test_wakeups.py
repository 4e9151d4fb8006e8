"""The relay's list of consumers to wake (common/wakeups.py): leases, and addresses read."""

from __future__ import annotations

import socket

import pytest

from common import wakeups
from common.wakeups import LEASE_S, PUBLISHED, Subscribers, parse_address


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
