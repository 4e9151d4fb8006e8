"""Waking idle event consumers instead of letting them ask the broker again and again.

The embedded broker (Tansu) holds a fetch that finds nothing for about half its wait and does
not answer when a record comes (common/kafka.py), so a consumer that waits for records by
fetching asks several times a second, and each ask costs it and the broker. With
EVENTS_WAKEUP_ADDRESS set (the relay's datagram address: its metrics host and port, over UDP,
as in the embedded stack), a consumer with nothing to do waits for a datagram instead: the
relay sends one to each subscriber once it has published. The consumer still polls on its own
every `IDLE_POLL_S` (5 s), so a lost datagram, a restarted relay or another publisher (an operator
publishing a dead letter again) costs that much time and nothing more.

A consumer subscribes by sending SUBSCRIBE from its own socket to the relay, which answers
SUBSCRIBED; until answered (the relay not started yet, or restarted) it asks again every
UNANSWERED_RENEW_S, then renews every RENEW_S. The relay wakes every subscriber heard from
within LEASE_S, so one that went away is soon forgotten. Datagrams never block and never
fail the sender.

A wake-up names where the publication ended on each partition (`announcement`). kafka-python
hands out what a fetch sent earlier brought before it asks again, so a woken poll can come
back with older records only, and the partition's end it knows (the lag) is as old: the
consumer is not idle while a wake-up announced records past its position."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any, Final

log = logging.getLogger(__name__)

SUBSCRIBE: Final = b"subscribe"
SUBSCRIBED: Final = b"subscribed"
PUBLISHED: Final = b"published"
# A subscription lasts this long unless renewed; an idle subscriber renews every RENEW_S.
LEASE_S: Final = 15.0
RENEW_S: Final = 5.0
UNANSWERED_RENEW_S: Final = 1.0
# How often an idle consumer that was not woken looks on its own: what a lost wake-up, a
# restarted relay or another publisher costs at most. Each look is a fetch for the consumer
# and the broker: at 2 s, the three consumers' looks were about 0.4% of a core of an idle
# stack (bench/idle.py: 3.1% in all against 2.7% at 5 s).
IDLE_POLL_S: Final = 5.0
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
# Where a publication ended: topic -> partition -> the offset after its last record.
Ends = Mapping[str, Mapping[int, int]]


def announcement(ends: Ends) -> bytes:
    """The wake-up datagram naming `ends` (PUBLISHED alone when there are none)."""
    if not ends:
        return PUBLISHED
    named = {topic: {str(p): end for p, end in parts.items()} for topic, parts in ends.items()}
    return PUBLISHED + b" " + json.dumps(named, separators=(",", ":")).encode()


def announced(data: bytes) -> dict[str, dict[int, int]]:
    """The ends a wake-up names; none for a bare or unreadable one (it still wakes)."""
    _, sep, body = data.partition(b" ")
    if not sep:
        return {}
    try:
        named = json.loads(body)
        return {str(t): {int(p): int(e) for p, e in parts.items()} for t, parts in named.items()}
    except (ValueError, TypeError, AttributeError):
        return {}


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

    def notify(self, sock: socket.socket, ends: Ends | None = None) -> int:
        """Wake every subscriber whose lease runs, naming where the publication ended;
        returns how many were sent."""
        now = time.monotonic()
        with self._lock:
            for address in [a for a, until in self._until.items() if until < now]:
                del self._until[address]
            live = list(self._until)
        message = announcement(ends or {})
        sent = 0
        for address in live:
            try:
                sock.sendto(message, address)
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
        self._ends: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._renewed = float("-inf")
        self._answered = False
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
                data = self._sock.recv(65536)
            except OSError:
                return
            if data == SUBSCRIBED:
                self._answered = True
                continue
            with self._lock:
                for topic, parts in announced(data).items():
                    for partition, end in parts.items():
                        key = (topic, partition)
                        self._ends[key] = max(end, self._ends.get(key, 0))
            self.event.set()

    def polled(self, consumer: Any, taken: int, waited_ms: int) -> bool:
        """After a poll of `consumer` (a KafkaConsumer, from its polling thread) that took
        `taken` records waiting up to `waited_ms`: whether a wake-up announced records past
        its positions. A poll that found nothing for a whole wait drops the announcements:
        they are behind it (or on a log the broker has since lost). A look of no time that
        found records found them without a wake-up: the relay may not know this consumer (it
        started later, or lost its subscribers), so the subscription is renewed at once."""
        with self._lock:
            if not taken and waited_ms:
                self._ends.clear()
            if taken and not waited_ms:
                self._renewed, self._answered = float("-inf"), False
            ends = dict(self._ends)
        return bool(ends) and any(
            ends.get((tp.topic, tp.partition), 0) > consumer.position(tp)
            for tp in consumer.assignment()
        )

    def renew(self) -> None:
        """Ask the relay again to wake this consumer, at most every RENEW_S (every
        UNANSWERED_RENEW_S until the relay answers)."""
        now = time.monotonic()
        if now - self._renewed < (RENEW_S if self._answered else UNANSWERED_RENEW_S):
            return
        self._renewed = now
        with contextlib.suppress(OSError):  # the relay away: it is asked again later
            self._sock.sendto(SUBSCRIBE, self.relay)

    def clear(self) -> None:
        """Forget earlier wake-ups before a poll (what they announced stays, for `polled`); a
        datagram from then on ends the next wait. Renews the subscription too, so that it does
        not lapse while the consumer is kept busy and never waits."""
        self.event.clear()
        self.renew()

    def wait(self) -> bool:
        """Wait for a wake-up since the last `clear`, at most IDLE_POLL_S, renewing the
        subscription first and, until the relay answers, every UNANSWERED_RENEW_S meanwhile;
        whether one came."""
        deadline = time.monotonic() + IDLE_POLL_S
        while True:
            self.renew()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self.event.wait(left if self._answered else min(left, UNANSWERED_RENEW_S)):
                return True

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            # A blocked recv does not notice its socket closed from another thread: wake it.
            self._sock.sendto(b"", self._sock.getsockname())
        self._sock.close()
