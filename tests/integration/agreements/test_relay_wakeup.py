"""An idle relay waits for writers instead of asking the database again and again: events
committed by another process (the API, the activity worker) wake it at once, by NOTIFY on
PostgreSQL and by a datagram on SQLite, long before its own slow look; a rolled-back
transaction wakes nobody, and nothing is published twice."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from common.db import Database
from common.devservers import free_port
from common.events.types import EVENTS_TOPIC
from common.wakeups import SUBSCRIBE, SUBSCRIBED, announced
from services.agreements import outbox
from services.agreements.__main__ import migrate_database
from services.agreements.models import OutboxEvent
from services.agreements.outbox import OutboxRelay
from services.agreements.settings import AgreementsSettings
from tests.conftest import Broker, fresh_database

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
# What another process of the service does when it queues an event: one transaction per line
# read ("<agreement id> commit|rollback"), answered "done" once it has ended. One process for
# a test's writes, since starting one costs seconds of imports on a slow machine.
WRITER = """
import sys
from datetime import UTC, datetime
from common.db import Database
from common.events.payloads import AgreementDeletedV1
from services.agreements.outbox import add_event

db = Database(sys.argv[1], pool_size=1)
for line in sys.stdin:
    agreement_id, end = line.split()
    with db.write_session() as session:
        add_event(session, AgreementDeletedV1(agreement_id=agreement_id, version=1,
                  province="hue", deleted_by="officer@hue", deleted_at=datetime.now(UTC)))
        if end == "commit":
            session.commit()
        else:
            session.rollback()
    print("done", flush=True)
db.dispose()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def outbox_url(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory, "relay_wake") as url:
        migrate_database(url)
        yield url


@pytest.fixture
def relay_port() -> int:
    """The test's relay's metrics number, where its datagrams go too."""
    return free_port()


def relay_settings(
    outbox_url: str, broker: Broker, tmp_path: Path, relay_port: int, **overrides: Any
) -> AgreementsSettings:
    """A relay of its own: this test's database and the relay's datagrams on `relay_port`."""
    return AgreementsSettings(
        env="test",
        data_dir=tmp_path,
        agreements_database_url=outbox_url,
        kafka_bootstrap_servers=broker.bootstrap,
        relay_metrics_port=relay_port,
        **overrides,
    )


class Writer:
    """Another process of the service, writing the outbox of `url` when told to."""

    def __init__(self, url: str, relay_port: int) -> None:
        env = dict(os.environ) | {
            "PYTHONPATH": str(ROOT),
            "RELAY_METRICS_HOST": "127.0.0.1",
            "RELAY_METRICS_PORT": str(relay_port),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, url],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def write(self, agreement_id: str, end: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{agreement_id} {end}\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "done", "the writer failed"

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(30) == 0


@pytest.fixture
def writer(outbox_url: str, relay_port: int) -> Iterator[Writer]:
    """Started before the test's relay: its imports take seconds."""
    started = Writer(outbox_url, relay_port)
    yield started
    started.close()


def published_at(db: Database, agreement_id: str) -> Any:
    with db.session() as session:
        return session.exec(
            select(OutboxEvent.published_at).where(col(OutboxEvent.agreement_id) == agreement_id)
        ).first()


def test_an_idle_relay_is_woken_by_a_commit_in_another_process(
    outbox_url: str,
    broker: Broker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    relay_port: int,
    writer: Writer,
) -> None:
    # Its own looks (at the outbox and at the broker) a minute apart: only a wake-up is quick.
    monkeypatch.setattr(outbox, "CHECK_EVERY_S", 60.0)
    settings = relay_settings(outbox_url, broker, tmp_path, relay_port, relay_poll_interval_s=60.0)
    db = Database(outbox_url, pool_size=2)
    stop = threading.Event()
    relay = OutboxRelay(settings, db)
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        time.sleep(3)  # connected, looked once, now waiting
        writer.write("rolled-back", "rollback")
        for n in range(3):
            agreement_id = f"woken-{n}"
            writer.write(agreement_id, "commit")
            committed = time.monotonic()
            while published_at(db, agreement_id) is None:
                assert time.monotonic() - committed < 10, "the relay was not woken"
                time.sleep(0.02)
        with db.session() as session:
            rows = session.exec(select(OutboxEvent)).all()
        assert sorted(r.agreement_id for r in rows) == ["woken-0", "woken-1", "woken-2"]
        assert all(r.published_at is not None for r in rows)
    finally:
        stop.set()
        thread.join(15)
        db.dispose()
    assert not thread.is_alive(), "a stop wakes the waiting relay"


def test_the_relay_answers_a_subscription_and_names_where_each_publication_ended(
    outbox_url: str, broker: Broker, tmp_path: Path, relay_port: int, writer: Writer
) -> None:
    """A consumer's subscription is answered (it stops asking often), and each wake-up names
    the partition ends of what was just published, so a consumer knows when it has taken it."""
    settings = relay_settings(outbox_url, broker, tmp_path, relay_port)
    db = Database(outbox_url, pool_size=2)
    stop = threading.Event()
    thread = threading.Thread(target=OutboxRelay(settings, db).run, args=(stop,), daemon=True)
    thread.start()
    consumer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    consumer.bind(("127.0.0.1", 0))
    consumer.settimeout(0.5)
    try:
        deadline = time.monotonic() + 20
        while True:  # asked until the relay listens
            consumer.sendto(SUBSCRIBE, ("127.0.0.1", settings.relay_metrics_port))
            try:
                assert consumer.recv(64) == SUBSCRIBED
                break
            except TimeoutError:
                assert time.monotonic() < deadline, "the relay did not answer"
        consumer.settimeout(20)
        seen: dict[int, int] = {}
        for n in range(2):
            writer.write(f"announced-{n}", "commit")
            ends = announced(consumer.recv(65536))
            assert set(ends) == {EVENTS_TOPIC}
            partitions = ends[EVENTS_TOPIC]
            assert partitions and all(end > seen.get(p, 0) for p, end in partitions.items())
            seen |= partitions
        assert sum(seen.values()) >= 2  # two events, each past the last
    finally:
        stop.set()
        thread.join(15)
        consumer.close()
        db.dispose()
