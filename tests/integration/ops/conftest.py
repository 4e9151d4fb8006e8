"""The embedded stack exactly as `make run` starts it (honcho and deploy/local/Procfile, real
Temporal dev server, Tansu, every service and worker, and Prometheus), on free ports under a
temporary DATA_DIR, with Prometheus scraping every second."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from common.devservers import (
    EMBEDDED_DERIVED,
    EMBEDDED_PORTS,
    EMBEDDED_READY_LINE,
    free_ports,
    prometheus_binary,
)
from tests.helpers import dossier_files, draft_body, until

ROOT = Path(__file__).resolve().parents[3]
T = TypeVar("T")

PORTS = EMBEDDED_PORTS
DERIVED = EMBEDDED_DERIVED
READY_LINE = EMBEDDED_READY_LINE


@dataclass
class Embedded:
    ports: dict[str, int]
    log: Path

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ports['AGREEMENTS_PORT']}"

    @property
    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.ports['PROMETHEUS_PORT']}"

    def query(self, promql: str) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": promql}, timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def prometheus_get(self, path: str, **params: str) -> Any:
        r = httpx.get(f"{self.prometheus}{path}", params=params, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    def scrape(self, port_name: str) -> str:
        r = httpx.get(f"http://127.0.0.1:{self.ports[port_name]}/metrics", timeout=10)
        assert r.status_code == 200, r.text
        return r.text


def login(client: httpx.Client, user: str) -> dict[str, str]:
    r = client.post("/v1/auth/token", data={"username": user, "password": "dev"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def submit_agreement(client: httpx.Client) -> str:
    """A complete dossier of Hà Nội, submitted; returns the agreement's id."""
    officer = login(client, "officer@ha-noi")
    r = client.post("/v1/agreements", json=draft_body(), headers=officer)
    assert r.status_code == 201, r.text
    agreement_id = str(r.json()["id"])
    for kind, lang, name, content in dossier_files():
        r = client.post(
            f"/v1/agreements/{agreement_id}/documents",
            data={"kind": kind, "language": lang},
            files={"file": (name, content, "application/pdf")},
            headers=officer,
        )
        assert r.status_code == 201, r.text
    r = client.post(f"/v1/agreements/{agreement_id}/submit", headers=officer)
    assert r.status_code == 200, r.text
    return agreement_id


def give_opinion(client: httpx.Client, agreement_id: str) -> None:
    """The Ministry of Foreign Affairs agrees, once the workflow has opened its consultation."""
    reviewer = login(client, "reviewer@mofa")

    def consultation() -> dict[str, Any] | None:
        tasks = client.get("/v1/tasks", headers=reviewer).json()["data"]
        return next((t for t in tasks if t["agreement"]["id"] == agreement_id), None)

    task = until(consultation, 30, "the MOFA consultation task")
    r = client.post(
        f"/v1/tasks/{task['id']}/decision",
        json={"outcome": "AGREE", "comment": "Đồng ý."},
        headers=reviewer,
    )
    assert r.status_code in (200, 202), r.text


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    if prometheus_binary() is None:
        pytest.skip("Debian's prometheus package is not installed (.ci/run installs it)")
    # A port chosen free can be taken by another process's outgoing connection before the
    # stack binds it; a second start on new ports rides that out.
    for attempt in (1, 2):
        workdir = tmp_path_factory.mktemp("embedded")
        ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
        honcho, log = _start(workdir, ports)
        try:
            if _wait_ready(honcho, log):
                yield Embedded(ports=ports, log=log)
                return
        finally:
            _stop(honcho)
        if attempt == 2:
            pytest.fail(f"the embedded stack did not start:\n{log.read_text()[-4000:]}")


def _start(workdir: Path, ports: dict[str, int]) -> tuple[subprocess.Popen[bytes], Path]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DERIVED and not key.endswith("_DATABASE_URL") and key != "PORT"
    }
    env |= {name: str(port) for name, port in ports.items()}
    env |= {
        "DATA_DIR": str(workdir / "data"),
        "PROMETHEUS_SCRAPE_INTERVAL_S": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    log = workdir / "honcho.log"
    with log.open("wb") as out:
        honcho = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "honcho"),
                "-f",
                str(ROOT / "deploy" / "local" / "Procfile"),
                "-d",
                str(ROOT),
                "start",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return honcho, log


def _wait_ready(honcho: subprocess.Popen[bytes], log: Path, timeout_s: float = 180) -> bool:
    deadline = time.monotonic() + timeout_s
    while READY_LINE not in log.read_text(errors="replace"):
        if honcho.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _stop(honcho: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as an operator stops `make run`: honcho stops every part."""
    if honcho.poll() is None:
        honcho.send_signal(signal.SIGINT)
    try:
        honcho.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait()
