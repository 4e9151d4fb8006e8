"""The whole system for end-to-end tests: the agreements API (in process) and its outbox
relay, and as real subprocesses its worker (the workflow and its steps) and the bridge,
over the real broker, a real Temporal dev server and a real database (SQLite, and PostgreSQL
when reachable). Tests act only through HTTP, as people do, and read what Kafka carries."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from common.db import Database
from common.devservers import free_port, stop_process, stop_processes, wait_for_port
from common.events.envelope import Event, decode
from common.events.types import parse_ce_type
from common.law.calendar import TZ
from common.temporal import connect
from services.agreements.__main__ import migrate_database
from services.agreements.app import create_app
from services.agreements.outbox import OutboxRelay
from services.agreements.settings import AgreementsSettings
from tests.conftest import Broker, Temporal, fresh_database
from tests.helpers import PDF, dossier_files, draft_body, kafka_records, until
from workflows.lifecycle.contracts import workflow_id

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# Recorded histories, one folder per release of the workflow's code: a new folder for a new
# versioned change, the old ones kept (tests/integration/workflows/test_replay.py replays all).
HISTORIES = ROOT / "tests" / "fixtures" / "histories" / "2026-12-lean-history"
PROCESSES = {
    "activities": ["-m", "services.agreements", "worker"],
    "bridge": ["-m", "workflows", "bridge"],
    # The notifications service's API with its consumer, on the same broker.
    "notifications": ["-m", "services.notifications", "serve"],
    # The reporting service's API and its consumer.
    "reporting": ["-m", "services.reporting", "serve"],
    "reporting-consumer": ["-m", "services.reporting", "consume"],
}
# Processes with no port of their own: started, then given a moment.
PORTLESS = {"reporting-consumer"}


class Failed(AssertionError):
    pass


@dataclass
class Lifecycle:
    client: TestClient
    settings: AgreementsSettings
    env: dict[str, str]
    log_dir: Path
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    # --- processes -----------------------------------------------------------------------

    def start(self, name: str) -> None:
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, *PROCESSES[name]],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if name not in PORTLESS:
            wait_for_port("127.0.0.1", self.ports[name], 60)

    def kill(self, name: str) -> None:
        """SIGKILL: no chance to finish anything or to say goodbye to Temporal."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            stop_process(process)

    # --- acting over HTTP ------------------------------------------------------------------

    def login(self, username: str, lang: str = "en") -> dict[str, str]:
        if username not in self._tokens:
            r = self.client.post("/v1/auth/token", data={"username": username, "password": "dev"})
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}", "Accept-Language": lang}

    def submit_new(
        self, officer: str = "officer@ha-noi", *, files: list[Any] | None = None, **draft: Any
    ) -> str:
        """Draft, attach a complete dossier and submit, as the province's officer does."""
        province = officer.split("@", 1)[1]
        body = draft_body(province=province, **draft)
        r = self.client.post("/v1/agreements", json=body, headers=self.login(officer))
        assert r.status_code == 201, r.text
        agreement_id = str(r.json()["id"])
        for kind, lang, name, content in files or dossier_files(tuple(body["languages"])):
            self.upload(officer, agreement_id, kind, lang, name, content + agreement_id.encode())
        self.submit(officer, agreement_id)
        return agreement_id

    def upload(
        self, user: str, agreement_id: str, kind: str, lang: str, name: str, content: bytes
    ) -> dict[str, Any]:
        r = self.client.post(
            f"/v1/agreements/{agreement_id}/documents",
            data={"kind": kind, "language": lang},
            files={"file": (name, content, "application/pdf")},
            headers=self.login(user),
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def submit(self, officer: str, agreement_id: str) -> None:
        r = self.client.post(f"/v1/agreements/{agreement_id}/submit", headers=self.login(officer))
        assert r.status_code == 200, r.text

    def tasks(self, user: str, agreement_id: str, **params: Any) -> list[dict[str, Any]]:
        r = self.client.get(
            "/v1/tasks",
            params={"agreement_id": agreement_id, **params},
            headers=self.login(user),
        )
        assert r.status_code == 200, r.text
        return list(r.json()["data"])

    def wait_tasks(
        self, user: str, agreement_id: str, kind: str, count: int = 1, timeout_s: float = 20
    ) -> list[dict[str, Any]]:
        """The caller's open tasks of this kind on this agreement, once `count` are there."""
        return until(
            lambda: (
                (found := self.tasks(user, agreement_id, kind=kind))
                and len(found) >= count
                and found
            ),
            timeout_s,
            f"{count} open {kind} task(s) for {user} on {agreement_id}",
        )

    def decide(self, user: str, task_id: str, outcome: str, comment: str = "", **extra: Any) -> Any:
        return self.client.post(
            f"/v1/tasks/{task_id}/decision",
            json={"outcome": outcome, "comment": comment, **extra},
            headers=self.login(user),
        )

    def agreement(self, agreement_id: str, user: str = "admin@system") -> dict[str, Any]:
        r = self.client.get(f"/v1/agreements/{agreement_id}", headers=self.login(user))
        assert r.status_code == 200, r.text
        return dict(r.json())

    def wait_status(self, agreement_id: str, status: str, timeout_s: float = 20) -> dict[str, Any]:
        return until(
            lambda: (a := self.agreement(agreement_id))["status"] == status and a,
            timeout_s,
            f"{agreement_id} {status}",
        )

    def consult_all(self, agreement_id: str, outcome: str = "AGREE", count: int = 1) -> list[str]:
        """Every consulted body answers; returns the bodies, in the order asked."""
        tasks = self.wait_tasks("admin@system", agreement_id, "CONSULTATION", count)
        bodies = []
        for task in tasks:
            body = task["assignee"]["org"]
            r = self.decide(f"reviewer@{body}", task["id"], outcome, "Ý kiến của cơ quan")
            assert r.status_code == 200, r.text
            bodies.append(body)
        return bodies

    def approve(self, agreement_id: str, province: str = "ha-noi", decider: str = "leader") -> None:
        """The decider approves: `leader` (the Committee's Chairman) or `council`."""
        [decision] = self.wait_tasks(f"{decider}@{province}", agreement_id, "DECISION")
        r = self.decide(f"{decider}@{province}", decision["id"], "APPROVE", "Đồng ý ký kết")
        assert r.status_code == 200, r.text
        assert r.json()["agreement_status"] == "APPROVED"

    def sign(
        self,
        agreement_id: str,
        officer: str = "officer@ha-noi",
        *,
        text: bytes | None = None,
        **signing: Any,
    ) -> Any:
        """Attach the signed text of each language (by default the approved draft, byte for
        byte; `text` replaces the Vietnamese one) and record the signing."""
        languages = tuple(self.agreement(agreement_id)["languages"])
        for kind, lang, _, content in dossier_files(languages):
            if kind != "DRAFT_TEXT":
                continue
            signed = text if text is not None and lang == "vi" else content + agreement_id.encode()
            self.upload(officer, agreement_id, "SIGNED_TEXT", lang, f"ky-{lang}.pdf", signed)
        today = datetime.now(TZ).date().isoformat()
        body = {
            "signed_on": today,
            "place": "Hà Nội",
            "signatories": [
                {"side": "VIETNAMESE", "name": "Nguyễn Văn A", "title": "Chủ tịch UBND"},
                {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Mayor"},
            ],
        } | signing
        return self.client.post(
            f"/v1/agreements/{agreement_id}/signing", json=body, headers=self.login(officer)
        )

    def deliver_copy(
        self, agreement_id: str, officer: str = "officer@ha-noi", duty: str | None = None
    ) -> dict[str, Any]:
        """The province delivers a duty: the only one owed, or the one named."""
        r = self.client.post(
            f"/v1/agreements/{agreement_id}/copy-delivered",
            json={"note": "Công văn số 123/UBND-NV"} | ({"duty": duty} if duty else {}),
            headers=self.login(officer),
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def events(
        self, agreement_id: str, expect: int = 1, *, last: str | None = None, timeout_s: float = 20
    ) -> list[Event]:
        """The agreement's events on Kafka, once `expect` of them (or the event `last`)
        arrived."""

        def arrived(records: list[Any]) -> bool:
            if last is None:
                return len(records) >= expect
            return any(_event_name(r) == last for r in records)

        records = kafka_records(
            self.settings.kafka_bootstrap_servers, agreement_id, until=arrived, timeout_s=timeout_s
        )
        return [decode(r.key, r.value, r.headers) for r in records]

    def event_names(self, agreement_id: str, last: str, timeout_s: float = 20) -> list[str]:
        """Names of the agreement's events on Kafka, once `last` has arrived."""
        names = [e.name for e in self.events(agreement_id, last=last, timeout_s=timeout_s)]
        if last not in names:
            raise Failed(f"timed out after {timeout_s}s waiting for {last} on {agreement_id}")
        return names

    def inbox(self, user: str) -> list[dict[str, Any]]:
        """The user's notifications, from the notifications service."""
        r = httpx.get(
            f"http://127.0.0.1:{self.ports['notifications']}/v1/inbox",
            params={"limit": 100},
            headers=self.login(user),
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return list(r.json()["data"])

    def reporting(self, path: str, user: str = "registry@mofa") -> Any:
        r = httpx.get(
            f"http://127.0.0.1:{self.ports['reporting']}{path}",
            headers=self.login(user),
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return r.json()

    def record_history(self, agreement_id: str, name: str) -> None:
        """With RECORD_HISTORIES=1, keep this workflow's history as a replay fixture
        (tests/integration/workflows/test_replay.py replays every one of them)."""
        if os.environ.get("RECORD_HISTORIES") != "1" or "sqlite" not in self.settings.database_url:
            return

        async def fetch() -> str:
            client = await connect(self.settings)
            handle = client.get_workflow_handle(workflow_id(agreement_id))
            history = await handle.fetch_history()
            return history.to_json()

        HISTORIES.mkdir(parents=True, exist_ok=True)
        (HISTORIES / f"{name}.json").write_text(asyncio.run(fetch()) + "\n", encoding="utf-8")


def _event_name(record: Any) -> str:
    return parse_ce_type(dict(record.headers)["ce_type"].decode())[0]


def today() -> date:
    return datetime.now(TZ).date()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def lifecycle(
    request: pytest.FixtureRequest,
    temporal: Temporal,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Lifecycle]:
    backend = request.param
    with fresh_database(backend, tmp_path_factory, prefix="e2e") as url:
        data_dir = tmp_path_factory.mktemp(f"e2e-{backend}")
        # A broker of its own: the bridge sees only this run's agreements.
        broker = Broker(port=free_port(), log_path=data_dir / "tansu.log")
        broker.start()
        namespace = f"e2e-{backend}"
        ports = {name: free_port() for name in PROCESSES if name not in PORTLESS}
        # The relay runs here; the consumers it wakes (common/wakeups.py) run as processes.
        relay_port = free_port()
        settings = AgreementsSettings(
            relay_metrics_port=relay_port,
            env="test",
            data_dir=data_dir,
            agreements_database_url=url,
            kafka_bootstrap_servers=broker.bootstrap,
            temporal_address=temporal.address,
            temporal_namespace=namespace,
            # The check for stuck submissions, quick enough for a test to wait for it.
            watchdog_interval_s=1,
            watchdog_stuck_after_s=3,
            # The suite logs each person in once and outlives a 15-minute token.
            jwt_ttl_seconds=6 * 3600,
        )
        migrate_database(url)
        env = dict(os.environ) | {
            "ENV": "test",
            "PYTHONPATH": str(ROOT),
            "DATA_DIR": str(data_dir),
            "AGREEMENTS_DATABASE_URL": url,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "TEMPORAL_ADDRESS": temporal.address,
            "TEMPORAL_NAMESPACE": namespace,
            "ACTIVITY_METRICS_PORT": str(ports["activities"]),
            "BRIDGE_METRICS_PORT": str(ports["bridge"]),
            "NOTIFICATIONS_PORT": str(ports["notifications"]),
            "REPORTING_PORT": str(ports["reporting"]),
            # The relay's address: the worker's commits wake it, the consumers subscribe there.
            "RELAY_METRICS_PORT": str(relay_port),
            "EVENTS_WAKEUP_ADDRESS": f"127.0.0.1:{relay_port}",
            "PUBLIC_BASE_URL": "http://127.0.0.1:8001",
            "LOG_LEVEL": "INFO",
        }
        relay_db = Database(url, pool_size=2)
        relay = OutboxRelay(settings, relay_db)
        stop = threading.Event()
        relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        relay_thread.start()
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            lc = Lifecycle(client=client, settings=settings, env=env, log_dir=data_dir, ports=ports)
            try:
                for service in ("services.notifications", "services.reporting"):
                    subprocess.run(
                        [sys.executable, "-m", service, "migrate"],
                        env=env,
                        cwd=ROOT,
                        check=True,
                        capture_output=True,
                    )
                for name in PROCESSES:
                    lc.start(name)
                # Joining a consumer group takes seconds, once: wait until the reporting
                # consumer has applied an event (a throwaway draft's), so tests measure the
                # steady state, where an event reaches the read model in milliseconds.
                r = client.post(
                    "/v1/agreements", json=draft_body(), headers=lc.login("officer@ha-noi")
                )
                assert r.status_code == 201, r.text
                metrics = f"http://127.0.0.1:{ports['reporting']}/metrics"
                applied = re.compile(r"^reporting_consumer_events_processed ([0-9.]+)$", re.M)
                until(
                    lambda: (m := applied.search(httpx.get(metrics).text)) and float(m[1]) >= 1,
                    60,
                    "the reporting consumer to apply its first event",
                )
                yield lc
            finally:
                stop_processes(lc.processes.values())
                lc.processes.clear()
        stop.set()
        relay_thread.join(20)
        relay_db.dispose()
        broker.stop()


__all__ = ["PDF", "Failed", "Lifecycle", "today", "until"]
