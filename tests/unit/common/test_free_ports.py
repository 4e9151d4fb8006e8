"""Ports for the servers a test or a bench starts: a relay takes the same number over TCP
(metrics) and UDP (wake-ups), and one running inside a test process holds only the UDP one, so
a number is free only when both are."""

from __future__ import annotations

import contextlib
import socket

from common.devservers import free_port, free_ports


def test_a_number_held_for_udp_alone_is_never_given() -> None:
    held: list[socket.socket] = []
    try:
        for _ in range(2000):  # about a tenth of the ephemeral range: TCP picks some of them
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            held.append(s)
            s.bind(("127.0.0.1", 0))
        taken = {s.getsockname()[1] for s in held}
        given = free_ports(200) + [free_port() for _ in range(50)]
        assert not taken & set(given)
    finally:
        for s in held:
            s.close()


def test_each_number_given_binds_both_ways_and_they_differ() -> None:
    ports = free_ports(20)
    assert len(set(ports)) == 20
    for port in ports:
        with contextlib.ExitStack() as stack:
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = stack.enter_context(socket.socket(socket.AF_INET, kind))
                s.bind(("127.0.0.1", port))
