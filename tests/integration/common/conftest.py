"""The three HTTP services as they run, for the tests of what every one of them must do with
hostile input: each app under a real uvicorn on 127.0.0.1, on its own fresh database (SQLite,
and PostgreSQL when one is reachable). No broker or Temporal: what is tested here is answered
before either would be asked."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from common.devservers import free_port
from services.agreements.__main__ import migrate_database as migrate_agreements
from services.agreements.app import create_app as create_agreements
from services.agreements.settings import AgreementsSettings
from services.notifications.__main__ import migrate_database as migrate_notifications
from services.notifications.app import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.reporting.__main__ import migrate_database as migrate_reporting
from services.reporting.app import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from tests.conftest import fresh_database

# Small enough that a test streams past it in a moment.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


class Served:
    """An app under a real uvicorn, in a thread of this process."""

    def __init__(self, name: str, app: FastAPI) -> None:
        self.name = name
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name=name)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, f"{self.name} did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def openapi(self) -> dict[str, Any]:
        r = httpx.get(f"{self.url}/openapi.json", timeout=30)
        assert r.status_code == 200, r.text
        document: dict[str, Any] = r.json()
        return document


@dataclass
class Services:
    agreements: Served
    notifications: Served
    reporting: Served
    documents_dir: Path
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def all(self) -> tuple[Served, ...]:
        return (self.agreements, self.notifications, self.reporting)

    def by_name(self, name: str) -> Served:
        return {s.name: s for s in self.all}[name]

    def token(self, username: str) -> str:
        """A development login's token: every service accepts the agreements service's."""
        if username not in self._tokens:
            r = httpx.post(
                f"{self.agreements.url}/v1/auth/token",
                data={"username": username, "password": "dev"},
                timeout=30,
            )
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["access_token"]
        return self._tokens[username]

    def headers(self, username: str, lang: str = "en") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}", "Accept-Language": lang}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    data_dir = tmp_path_factory.mktemp("hostile-input")
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(
                fresh_database(request.param, tmp_path_factory, f"hostile_{name}")
            )
            for name in ("agreements", "notifications", "reporting")
        }
        agreements = AgreementsSettings(
            env="test",
            data_dir=data_dir,
            agreements_database_url=urls["agreements"],
            max_document_bytes=MAX_DOCUMENT_BYTES,
            watchdog_interval_s=0,
        )
        migrate_agreements(agreements.database_url)
        served_agreements = stack.enter_context(Served("agreements", create_agreements(agreements)))
        common: dict[str, Any] = {
            "env": "test",
            "data_dir": data_dir,
            "agreements_url": served_agreements.url,
        }
        notifications = NotificationsSettings(
            notifications_database_url=urls["notifications"],
            notifications_worker_enabled=False,
            **common,
        )
        migrate_notifications(notifications.database_url)
        reporting = ReportingSettings(reporting_database_url=urls["reporting"], **common)
        migrate_reporting(reporting.database_url)
        yield Services(
            agreements=served_agreements,
            notifications=stack.enter_context(
                Served("notifications", create_notifications(notifications))
            ),
            reporting=stack.enter_context(Served("reporting", create_reporting(reporting))),
            documents_dir=agreements.documents_path,
        )
