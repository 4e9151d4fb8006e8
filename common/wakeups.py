"""Waking idle event consumers instead of letting them ask the broker again and again.

The embedded broker (Tansu) holds a fetch that finds nothing for about half its wait and does
not answer when a record comes (common/kafka.py), so a consumer that waits for records by
fetching asks several times a second, and each ask costs it and the broker. With
EVENTS_WAKEUP_ADDRESS set (the relay's datagram address: its metrics host and port, over UDP,
as in the embedded stack), a consumer with nothing to do waits for a datagram instead: the
relay sends one to each subscriber once it has published. The consumer still polls on its own
every `IDLE_POLL_S`, so a lost datagram, a restarted relay or another publisher (an operator
publishing a dead letter again) costs that much time and nothing more.

A consumer subscribes by sending SUBSCRIBE from its own socket to the relay and renews while
idle; the relay wakes every subscriber heard from within LEASE_S, so one that went away is
soon forgotten. Datagrams never block and never fail the sender."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from typing import Final

log = logging.getLogger(__name__)

SUBSCRIBE: Final = b"subscribe"
PUBLISHED: Final = b"published"
# A subscription lasts this long unless renewed; an idle subscriber renews every RENEW_S.
LEASE_S: Final = 15.0
RENEW_S: Final = 5.0
# How often an idle consumer that was not woken looks on its own.
IDLE_POLL_S: Final = 2.0
# A woken consumer's poll and fetch waits. It fetches only when woken or every IDLE_POLL_S,
# so a short fetch wait costs little, and it bounds how long a fetch the broker still holds
# delays the one a wake-up asks for.
WOKEN_POLL_MS: Final = 200
WOKEN_FETCH_WAIT_MS: Final = 100
# Polls at most this often while records keep coming: under load the relay publishes up to
# 20 times a second, and a fetch for each publication doubled the bridge's CPU per lifecycle
# (bench/lifecycle.py).
WOKEN_BATCH_S: Final = 0.1

Address = tuple[str, int]


def parse_address(value: str) -> Address | None:
    """`host:port` as a numeric IPv4 address, resolved once; None when unset or unresolvable
    (the consumer then fetches as it would without wake-ups)."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not port.isdigit():
        return None
    try:
        ip = "127.0.0.1" if host in ("0.0.0.0", "", "::") else socket.gethostbyname(host)
    except OSError:
        return None
    return (ip, int(port))


class Subscribers:
    """The relay's side: who asked to be woken, until when."""

    def __init__(self) -> None:
        self._until: dict[Address, float] = {}
        self._lock = threading.Lock()

    def heard(self, address: Address) -> None:
        with self._lock:
            self._until[address] = time.monotonic() + LEASE_S

    def notify(self, sock: socket.socket) -> int:
        """Send PUBLISHED to every subscriber whose lease runs; returns how many were sent."""
        now = time.monotonic()
        with self._lock:
            for address in [a for a, until in self._until.items() if until < now]:
                del self._until[address]
            live = list(self._until)
        sent = 0
        for address in live:
            try:
                sock.sendto(PUBLISHED, address)
                sent += 1
            except OSError:  # a full buffer, a subscriber gone: it looks on its own
                log.debug("could not wake %s", address, exc_info=True)
        return sent

    def __len__(self) -> int:
        with self._lock:
            return len(self._until)


class Wakeup:
    """A consumer's side: a socket the relay's datagrams arrive on, and the event they set.
    `stop` (the consumer's) sets it too, so a wait ends at once when the process stops."""

    def __init__(self, relay: Address, stop: threading.Event) -> None:
        self.relay = relay
        self.event = threading.Event()
        self._renewed = float("-inf")
        self._closed = False
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # Reachable from the relay: on the loopback when the relay is local, else everywhere.
        self._sock.bind(("127.0.0.1" if relay[0].startswith("127.") else "0.0.0.0", 0))
        threading.Thread(target=self._receive, name="events-wakeup", daemon=True).start()

        def wake_on_stop() -> None:
            stop.wait()
            self.event.set()

        threading.Thread(target=wake_on_stop, name="events-wakeup-stop", daemon=True).start()

    @classmethod
    def for_address(cls, value: str, stop: threading.Event) -> Wakeup | None:
        relay = parse_address(value)
        if relay is None:
            if value.strip():
                log.warning("events wake-up address %r cannot be used; polling instead", value)
            return None
        try:
            return cls(relay, stop)
        except OSError as exc:
            log.warning("no events wake-ups (%s); polling instead", exc)
            return None

    def _receive(self) -> None:
        while not self._closed:
            try:
                self._sock.recv(64)
            except OSError:
                return
            self.event.set()

    def renew(self) -> None:
        """Ask the relay again to wake this consumer, at most every RENEW_S."""
        now = time.monotonic()
        if now - self._renewed < RENEW_S:
            return
        self._renewed = now
        with contextlib.suppress(OSError):  # the relay away: it is asked again later
            self._sock.sendto(SUBSCRIBE, self.relay)

    def clear(self) -> None:
        """Forget earlier wake-ups: called before each poll, whose fetch takes what they
        announced; a datagram from then on ends the next wait. Renews the subscription too, so
        that it does not lapse while the consumer is kept busy and never waits."""
        self.event.clear()
        self.renew()

    def wait(self) -> bool:
        """Wait for a wake-up since the last `clear`, at most IDLE_POLL_S (renewing the
        subscription first); whether one came."""
        self.renew()
        return self.event.wait(IDLE_POLL_S)

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            # A blocked recv does not notice its socket closed from another thread: wake it.
            self._sock.sendto(b"", self._sock.getsockname())
        self._sock.close()
