"""The three services as real processes on real ports and databases (SQLite, and PostgreSQL
when reachable), as people and the services themselves reach each other: the agreements
service issues and revokes sessions (and reads its own table every half second), the
notifications and reporting services ask it for revocations over HTTP with a long poll."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from common.devservers import free_ports, serving
from tests.conftest import fresh_database

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("agreements", "notifications", "reporting")
# How often the services read the revocations here: a logged-out token must be refused by all
# three within this plus a request's time.
POLL_S = 0.5


@dataclass
class Services:
    urls: dict[str, str]
    env: dict[str, str]
    backend: str

    def login(self, username: str) -> dict[str, str]:
        r = httpx.post(
            f"{self.urls['agreements']}/v1/auth/token",
            data={"username": username, "password": "dev"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def probe(self, token: str) -> dict[str, int]:
        """What each service answers this token, on an API everyone may call."""
        headers = {"Authorization": f"Bearer {token}"}
        paths = {
            "agreements": "/v1/auth/me",
            "notifications": "/v1/inbox",
            "reporting": "/v1/cycles",
        }
        return {
            name: httpx.get(self.urls[name] + path, headers=headers, timeout=10).status_code
            for name, path in paths.items()
        }


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    backend = request.param
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(fresh_database(backend, tmp_path_factory, f"identity_{name}"))
            for name in SERVICES
        }
        data_dir = tmp_path_factory.mktemp(f"identity-{backend}")
        ports = dict(zip(SERVICES, free_ports(3), strict=True))
        env = dict(os.environ) | {
            "ENV": "test",
            "PYTHONPATH": str(ROOT),
            "DATA_DIR": str(data_dir),
            "AGREEMENTS_DATABASE_URL": urls["agreements"],
            "NOTIFICATIONS_DATABASE_URL": urls["notifications"],
            "REPORTING_DATABASE_URL": urls["reporting"],
            "AGREEMENTS_URL": f"http://127.0.0.1:{ports['agreements']}",
            "AGREEMENTS_PORT": str(ports["agreements"]),
            "NOTIFICATIONS_PORT": str(ports["notifications"]),
            "REPORTING_PORT": str(ports["reporting"]),
            "REVOCATION_POLL_SECONDS": str(POLL_S),
            # Only the APIs: no broker, no Temporal.
            "NOTIFICATIONS_WORKER_ENABLED": "false",
            "WATCHDOG_INTERVAL_S": "0",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
            "TEMPORAL_ADDRESS": "127.0.0.1:1",
        }
        for name in SERVICES:
            subprocess.run(
                [sys.executable, "-m", f"services.{name}", "migrate"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        for name in SERVICES:
            stack.enter_context(
                serving(name, env, ports[name], log=data_dir / f"{name}.log", cwd=ROOT)
            )
        yield Services(
            urls={n: f"http://127.0.0.1:{p}" for n, p in ports.items()},
            env=env,
            backend=backend,
        )
