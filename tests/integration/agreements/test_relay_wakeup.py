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
# What another process of the service does when it queues an event.
WRITER = """
import sys
from datetime import UTC, datetime
from common.db import Database
from common.events.payloads import AgreementDeletedV1
from services.agreements.outbox import add_event

db = Database(sys.argv[1], pool_size=1)
with db.write_session() as session:
    add_event(session, AgreementDeletedV1(agreement_id=sys.argv[2], version=1, province="hue",
              deleted_by="officer@hue", deleted_at=datetime.now(UTC)))
    if sys.argv[3] == "commit":
        session.commit()
    else:
        session.rollback()
db.dispose()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def outbox_url(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory, "relay_wake") as url:
        migrate_database(url)
        yield url


def relay_settings(
    outbox_url: str, broker: Broker, tmp_path: Path, **overrides: Any
) -> AgreementsSettings:
    """A relay of its own: this test's database and the relay's datagrams on a free port."""
    return AgreementsSettings(
        env="test",
        data_dir=tmp_path,
        agreements_database_url=outbox_url,
        kafka_bootstrap_servers=broker.bootstrap,
        relay_metrics_port=free_port(),
        **overrides,
    )


def write_elsewhere(url: str, agreement_id: str, settings: AgreementsSettings, end: str) -> None:
    env = dict(os.environ) | {
        "PYTHONPATH": str(ROOT),
        "RELAY_METRICS_HOST": settings.relay_metrics_host,
        "RELAY_METRICS_PORT": str(settings.relay_metrics_port),
    }
    subprocess.run([sys.executable, "-c", WRITER, url, agreement_id, end], env=env, check=True)


def published_at(db: Database, agreement_id: str) -> Any:
    with db.session() as session:
        return session.exec(
            select(OutboxEvent.published_at).where(col(OutboxEvent.agreement_id) == agreement_id)
        ).first()


def test_an_idle_relay_is_woken_by_a_commit_in_another_process(
    outbox_url: str, broker: Broker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its own looks (at the outbox and at the broker) a minute apart: only a wake-up is quick.
    monkeypatch.setattr(outbox, "CHECK_EVERY_S", 60.0)
    settings = relay_settings(outbox_url, broker, tmp_path, relay_poll_interval_s=60.0)
    db = Database(outbox_url, pool_size=2)
    stop = threading.Event()
    relay = OutboxRelay(settings, db)
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        time.sleep(3)  # connected, looked once, now waiting
        write_elsewhere(outbox_url, "rolled-back", settings, "rollback")
        for n in range(3):
            agreement_id = f"woken-{n}"
            write_elsewhere(outbox_url, agreement_id, settings, "commit")
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
    outbox_url: str, broker: Broker, tmp_path: Path
) -> None:
    """A consumer's subscription is answered (it stops asking often), and each wake-up names
    the partition ends of what was just published, so a consumer knows when it has taken it."""
    settings = relay_settings(outbox_url, broker, tmp_path)
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
            write_elsewhere(outbox_url, f"announced-{n}", settings, "commit")
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
