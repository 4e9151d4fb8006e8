"""The reporting service against real parts: its own Tansu broker (so other suites' events do
not reach its consumer group), the agreements service with its outbox relay, the reporting
API and its consumer, on SQLite and on PostgreSQL when one is reachable."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from common.db import Database
from common.devservers import free_port
from common.events.envelope import Event, encode
from common.events.types import EVENTS_TOPIC
from common.kafka import ensure_topics, make_producer
from services.agreements.__main__ import migrate_database as migrate_agreements
from services.agreements.app import create_app as create_agreements_app
from services.agreements.outbox import OutboxRelay
from services.agreements.settings import AgreementsSettings
from services.reporting.__main__ import migrate_database as migrate_reporting
from services.reporting.app import create_app as create_reporting_app
from services.reporting.consumer import ReportingConsumer
from services.reporting.projection import Projection
from services.reporting.settings import ReportingSettings
from tests.conftest import Broker, fresh_database
from tests.integration.reporting.history import Record, generate, to_csv

pytestmark = pytest.mark.integration

# Agreements of the generated history signed in each cycle: over a thousand in cycle 21 (the
# report page writes it 1.000), fewer in the two before it, which only give the changes.
PER_CYCLE = {19: 200, 20: 300, 21: 1000}


@pytest.fixture(scope="session")
def reporting_broker(
    backend_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One broker per backend: each backend's consumer reads its topic from the beginning,
    and must see only the events of its own agreements database."""
    broker = Broker(port=free_port(), log_path=tmp_path_factory.mktemp("reporting-tansu") / "log")
    broker.start()
    yield broker.bootstrap
    broker.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend_urls(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A fresh agreements database, reporting database and spare reporting database (for a
    rebuild from nothing) on one backend."""
    with ExitStack() as databases:
        yield {
            name: databases.enter_context(
                fresh_database(request.param, tmp_path_factory, f"reporting_test_{name}")
            )
            for name in ("agreements", "reporting", "rebuilt")
        }


@dataclass
class ReportingStack:
    agreements: TestClient
    reporting: TestClient
    agreements_settings: AgreementsSettings
    reporting_settings: ReportingSettings
    agreements_db: Database
    reporting_db: Database
    consumer: ReportingConsumer
    urls: dict[str, str]
    _tokens: dict[str, str] = field(default_factory=dict)
    _producer: Any = None
    published_directly: int = 0

    def headers(self, username: str, lang: str = "vi") -> dict[str, str]:
        if username not in self._tokens:
            r = self.agreements.post(
                "/v1/auth/token", data={"username": username, "password": "dev"}
            )
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}", "Accept-Language": lang}

    def summary(self, cycle: int, username: str = "registry@mofa", **params: str) -> Any:
        r = self.reporting.get(
            f"/v1/cycles/{cycle}/summary", params=params, headers=self.headers(username)
        )
        assert r.status_code == 200, r.text
        return r.json()

    def publish(self, *events: Event) -> None:
        """Events as the workflow will emit them, straight to the broker."""
        if self._producer is None:
            self._producer = make_producer(self.reporting_settings)
        for event in events:
            record = encode(event)
            self._producer.send(
                EVENTS_TOPIC, key=record.key, value=record.value, headers=record.headers
            ).get(10)
            self.published_directly += 1

    def wait_for(self, check: Callable[[], bool], timeout_s: float = 60, what: str = "") -> float:
        """Seconds until `check()` held; fails after `timeout_s`."""
        started = time.monotonic()
        while not check():
            if time.monotonic() - started > timeout_s:
                pytest.fail(f"not within {timeout_s:.0f}s: {what}")
            time.sleep(0.02)
        return time.monotonic() - started

    def wait_idle(self, timeout_s: float = 120) -> None:
        """Until the consumer has handled every event on its topic: each outbox row the relay
        published and each event a test published directly (this consumer runs once per
        session and per broker, so it handles each record once)."""
        from sqlalchemy import func
        from sqlmodel import col, select

        from services.agreements.models import OutboxEvent

        state: dict[str, int] = {}

        def idle() -> bool:
            with self.agreements_db.session() as session:
                published, pending = session.exec(
                    select(func.count(col(OutboxEvent.published_at)), func.count())
                ).one()
            handled = self.consumer.processed + self.consumer.dead_lettered
            state.update(published=published, outbox=pending, handled=handled)
            if published != pending:  # count(column) skips the unpublished rows
                return False
            return handled >= published + self.published_directly

        try:
            self.wait_for(idle, timeout_s, "relay and consumer idle")
        except pytest.fail.Exception:
            state["published_directly"] = self.published_directly
            pytest.fail(f"relay and consumer not idle within {timeout_s:.0f}s: {state}")


@pytest.fixture(scope="session")
def rstack(
    backend_urls: dict[str, str], reporting_broker: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportingStack]:
    data_dir: Path = tmp_path_factory.mktemp("reporting-data")
    agreements_settings = AgreementsSettings(
        env="test",
        data_dir=data_dir,
        agreements_database_url=backend_urls["agreements"],
        # The suite logs each person in once and outlives a 15-minute token.
        jwt_ttl_seconds=6 * 3600,
        kafka_bootstrap_servers=reporting_broker,
    )
    reporting_settings = ReportingSettings(
        env="test",
        data_dir=data_dir,
        reporting_database_url=backend_urls["reporting"],
        kafka_bootstrap_servers=reporting_broker,
        consumer_group=f"reporting-{uuid.uuid4().hex[:6]}",
    )
    migrate_agreements(agreements_settings.database_url)
    migrate_reporting(reporting_settings.database_url)
    ensure_topics(agreements_settings)

    agreements_app = create_agreements_app(agreements_settings)
    reporting_app = create_reporting_app(reporting_settings)
    relay_db = Database(agreements_settings.database_url, pool_size=2)
    relay = OutboxRelay(agreements_settings, relay_db)
    consumer_db = Database(reporting_settings.database_url, pool_size=2)
    consumer = ReportingConsumer(
        reporting_settings, consumer_db, Projection(consumer_db, reporting_settings.calendar)
    )
    consumer.retry_backoff_s = 0.01
    stop = threading.Event()
    threads = [
        threading.Thread(target=relay.run, args=(stop,), daemon=True, name="relay"),
        threading.Thread(target=consumer.run, args=(stop,), daemon=True, name="consumer"),
    ]
    for t in threads:
        t.start()
    with (
        TestClient(agreements_app, raise_server_exceptions=False) as agreements,
        TestClient(reporting_app, raise_server_exceptions=False) as reporting,
    ):
        stack = ReportingStack(
            agreements=agreements,
            reporting=reporting,
            agreements_settings=agreements_settings,
            reporting_settings=reporting_settings,
            agreements_db=agreements_app.state.db,
            reporting_db=reporting_app.state.db,
            consumer=consumer,
            urls=backend_urls,
        )
        yield stack
        if stack._producer is not None:
            stack._producer.close(5)
    stop.set()
    for t in threads:
        t.join(20)
    relay_db.dispose()
    consumer_db.dispose()


@pytest.fixture(scope="session")
def history(rstack: ReportingStack) -> list[Record]:
    """The generated register, imported once per backend through POST /v1/agreements/import."""
    records = generate(PER_CYCLE)
    r = rstack.agreements.post(
        "/v1/agreements/import",
        files={"file": ("register.csv", to_csv(records), "text/csv")},
        headers=rstack.headers("admin@system"),
    )
    assert r.status_code == 200, r.text[:2000]
    assert r.json()["imported"] == len(records)
    rstack.wait_idle()
    return records
