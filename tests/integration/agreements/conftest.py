"""The agreements service on a real database with its relay publishing to the real broker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from common.db import Database
from common.events.envelope import Event, decode
from services.agreements.__main__ import migrate_database
from services.agreements.app import create_app
from services.agreements.outbox import OutboxRelay
from services.agreements.settings import AgreementsSettings
from tests.helpers import kafka_records

pytestmark = pytest.mark.integration


@dataclass
class Stack:
    client: TestClient
    settings: AgreementsSettings
    db: Database
    relay: OutboxRelay
    _tokens: dict[str, str]

    def login(self, username: str, lang: str = "en") -> dict[str, str]:
        if username not in self._tokens:
            r = self.client.post("/v1/auth/token", data={"username": username, "password": "dev"})
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}", "Accept-Language": lang}

    def records_for(self, agreement_id: str, *, expect: int, timeout_s: float = 15) -> list[Any]:
        return kafka_records(
            self.settings.kafka_bootstrap_servers, agreement_id, expect=expect, timeout_s=timeout_s
        )

    def events_for(self, agreement_id: str, *, expect: int, timeout_s: float = 15) -> list[Event]:
        records = self.records_for(agreement_id, expect=expect, timeout_s=timeout_s)
        return [decode(r.key, r.value, r.headers) for r in records]


@pytest.fixture(scope="session")
def stack(
    database_url: str, broker: Any, temporal: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("agreements-data")
    settings = AgreementsSettings(
        env="test",
        data_dir=data_dir,
        agreements_database_url=database_url,
        kafka_bootstrap_servers=broker.bootstrap,
        temporal_address=temporal.address,
        max_document_bytes=2 * 1024 * 1024,
        # The suite logs each person in once and outlives a 15-minute token.
        jwt_ttl_seconds=6 * 3600,
        # No workflow worker serves this stack, so its submissions stay SUBMITTED: a watchdog
        # would start their workflows again every 30 s for the rest of the session, warning each
        # time (in later tests' logs). tests/e2e and test_ops_recovery.py test the watchdog.
        watchdog_interval_s=0,
    )
    migrate_database(settings.database_url)
    app = create_app(settings)
    relay_db = Database(settings.database_url, pool_size=2)
    relay = OutboxRelay(settings, relay_db)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True, name="relay")
    thread.start()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Stack(client=client, settings=settings, db=app.state.db, relay=relay, _tokens={})
    stop.set()
    thread.join(20)
    relay_db.dispose()
