"""Waking the relay. An idle relay waits instead of asking the database again and again: a
transaction that queued events wakes it once committed. In the relay's own process (tests, or
a stack that runs it beside the API) through an event; across processes, on PostgreSQL by
NOTIFY on `OUTBOX_CHANNEL`, sent with the transaction (so only once it commits), and on SQLite
by a datagram to the relay's metrics address (the same host and port number, over UDP). A
wake-up that is lost costs only time: the relay still looks on its own, slowly
(`relay_poll_interval_s`).

The same datagram socket serves the other direction: event consumers subscribe on it, and the
relay wakes them once it has published (common/wakeups.py)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any

from sqlalchemy import event, make_url, text
from sqlmodel import Session

from common.db import Database, after_write
from common.wakeups import SUBSCRIBE, SUBSCRIBED, Ends, Subscribers, parse_address
from services.agreements.settings import AgreementsSettings

log = logging.getLogger(__name__)

OUTBOX_CHANNEL = "agreements_outbox"
_WRITTEN = "outbox_written"
_local_wakes: set[threading.Event] = set()
_wake_socket: socket.socket | None = None
_wake_address: tuple[str, int] | None = None


def note_outbox_written(session: Session) -> None:
    """Say that this transaction queues events (or unpublishes rows): the relay is woken once
    it commits."""
    session.info[_WRITTEN] = True


@event.listens_for(Session, "before_commit")
def _notify_with_the_transaction(session: Session) -> None:
    if session.info.get(_WRITTEN) and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WRITTEN, False):
        # Once the writer's lock is free: the datagram's system call and the relay it wakes
        # would otherwise keep the next writer waiting.
        across = session.get_bind().dialect.name == "sqlite"
        after_write(session, lambda: wake_relay(across_processes=across))


@event.listens_for(Session, "after_rollback")
def _nothing_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def wake_relay(*, across_processes: bool = True) -> None:
    """Wake the relays of this process and, unless told not to, the one at the relay's
    metrics address (a datagram: never blocks, never fails the caller, whose transaction has
    committed already)."""
    for wake in list(_local_wakes):
        wake.set()
    if not across_processes:
        return
    global _wake_socket, _wake_address
    try:
        if _wake_address is None:
            _wake_address = _relay_address()
        if not _wake_address[0]:
            return
        if _wake_socket is None:
            _wake_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            _wake_socket.setblocking(False)
        _wake_socket.sendto(b"outbox", _wake_address)
    except Exception:  # nobody there, a full buffer, no settings: the relay looks on its own
        log.debug("could not wake the relay", exc_info=True)


def _relay_address() -> tuple[str, int]:
    """The relay's metrics address as a numeric IPv4 one, resolved once (a name would be
    looked up at every commit); ("", 0) when it cannot be."""
    from services.agreements.settings import get_settings

    settings = get_settings()
    return parse_address(f"{settings.relay_metrics_host}:{settings.relay_metrics_port}") or ("", 0)


class Wakeups:
    """What wakes an idle relay (see `wake_relay`): the writers of its own process, and
    either PostgreSQL's notifications (LISTEN) or the datagrams of other processes on SQLite.
    Each listener is a thread blocked on its socket; a listener that cannot start (the port
    taken by another relay's, the database away) leaves the relay to its own slow look.
    On either database the datagram socket also takes consumers' subscriptions, and
    `published` wakes them."""

    def __init__(
        self,
        settings: AgreementsSettings,
        db: Database,
        wake: threading.Event,
        stop: threading.Event,
    ) -> None:
        self.wake = wake
        self.stop = stop
        self._socket: socket.socket | None = None
        self.subscribers = Subscribers()
        _local_wakes.add(wake)
        # A stop wakes the relay at once (this thread only waits).
        self._closed = threading.Event()

        def wake_on_stop() -> None:
            stop.wait()
            wake.set()

        self._thread(wake_on_stop, "relay-stop")
        self._listen_datagrams(settings.relay_metrics_host, settings.relay_metrics_port)
        if db.engine.dialect.name == "postgresql":
            url = make_url(db.url).set(drivername="postgresql")
            self._thread(
                lambda: self._listen_postgres(url.render_as_string(hide_password=False)),
                "relay-listen",
            )

    @staticmethod
    def _thread(target: Any, name: str) -> None:
        threading.Thread(target=target, name=name, daemon=True).start()

    def _listen_datagrams(self, host: str, port: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            log.warning("relay: no wake-ups on udp %s:%s (%s); looking on its own", host, port, exc)
            return
        self._socket = sock

        def receive() -> None:
            while not self._closed.is_set():
                try:
                    data, sender = sock.recvfrom(64)
                except OSError:
                    return
                if data == SUBSCRIBE:
                    self.subscribers.heard(sender)
                    with contextlib.suppress(OSError):  # it asks again until answered
                        sock.sendto(SUBSCRIBED, sender)
                else:
                    self.wake.set()
            sock.close()

        self._thread(receive, "relay-datagrams")

    def _listen_postgres(self, conninfo: str) -> None:
        import psycopg

        def listening() -> bool:
            return not (self.stop.is_set() or self._closed.is_set())

        while listening():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
                    self.wake.set()  # what was committed before LISTEN took effect
                    while listening():
                        for _ in conn.notifies(timeout=5.0, stop_after=1):
                            self.wake.set()
            except psycopg.Error as exc:
                log.warning(
                    "relay: no notifications from the database (%s); looking on its own", exc
                )
                self.stop.wait(5.0)

    def published(self, ends: Ends | None = None) -> None:
        """Wake the consumers that subscribed: events are on the topic, up to `ends`."""
        sock = self._socket
        if sock is not None and len(self.subscribers):
            self.subscribers.notify(sock, ends)

    def close(self) -> None:
        _local_wakes.discard(self.wake)
        self._closed.set()
        if self._socket is not None:
            # A blocked recv does not notice its socket closed from another thread: wake it.
            with contextlib.suppress(OSError):
                self._socket.sendto(b"", self._socket.getsockname())
            self._socket = None
