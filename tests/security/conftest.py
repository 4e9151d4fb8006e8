"""The embedded stack as `make run` starts it (every part of deploy/local/Procfile but
Prometheus and the banner, through deploy/local/launch.py) on free ports and a fresh SQLite
data directory, and a small world in it: objects owned by Hà Nội (the victim) that other
callers try to reach."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from common.devservers import EMBEDDED_PORTS, free_ports, stop_processes, wait_for_port
from common.settings import CommonSettings
from tests.helpers import PDF, dossier_files, draft_body, until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("agreements", "notifications", "reporting")
# Every line of deploy/local/Procfile but Prometheus and the banner.
PARTS = tuple(
    line.split(":", 1)[0]
    for line in (ROOT / "deploy" / "local" / "Procfile").read_text().splitlines()
    if line and not line.startswith("#") and line.split(":", 1)[0] not in {"prometheus", "ready"}
)
# A secret of our own, so the probe can forge tokens that are right in all but one respect.
JWT_SECRET = "security-probe-" + "k3Yq9vT2wXr8LmN4pZs6" * 2
VICTIM = "officer@ha-noi"


@dataclass
class Stack:
    urls: dict[str, str]
    env: dict[str, str]
    data_dir: Path
    _tokens: dict[str, str] = field(default_factory=dict)

    def login(self, username: str) -> dict[str, Any]:
        """A fresh sign-in of a development login: its access and refresh tokens."""
        r = httpx.post(
            f"{self.urls['agreements']}/v1/auth/token",
            data={"username": username, "password": "dev"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def token(self, username: str) -> str:
        if username not in self._tokens:
            self._tokens[username] = str(self.login(username)["access_token"])
        return self._tokens[username]

    def headers(self, username: str, lang: str = "en") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}", "Accept-Language": lang}

    def call(
        self, service: str, method: str, path: str, username: str, **kwargs: Any
    ) -> httpx.Response:
        return httpx.request(
            method,
            self.urls[service] + path,
            headers=self.headers(username) | kwargs.pop("headers", {}),
            timeout=30,
            **kwargs,
        )

    def openapi(self, service: str) -> dict[str, Any]:
        r = httpx.get(f"{self.urls[service]}/openapi.json", timeout=30)
        assert r.status_code == 200, r.text
        document: dict[str, Any] = r.json()
        return document


def _wait_http(url: str, timeout_s: float) -> None:
    def ok() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    until(ok, timeout_s, url, every_s=0.2)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("security-stack")
    names = [name for name in EMBEDDED_PORTS if name != "PROMETHEUS_PORT"]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    # The variables a developer's shell may hold for their own `make run` are not ours.
    inherited = {k: v for k, v in os.environ.items() if not k.endswith(("_URL", "_PORT"))}
    env = (
        inherited
        | {k: str(v) for k, v in ports.items()}
        | {
            "ENV": "development",
            "DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT),
            "JWT_SECRET": JWT_SECRET,
            "LOG_LEVEL": "WARNING",
            # A submission the bridge has not started yet is started by the watchdog in seconds.
            "WATCHDOG_INTERVAL_S": "1",
            "WATCHDOG_STUCK_AFTER_S": "5",
        }
    )
    processes: list[subprocess.Popen[bytes]] = []

    def start(part: str) -> None:
        log = (data_dir / f"{part}.log").open("ab")
        processes.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "deploy" / "local" / "launch.py"), part],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )

    try:
        for part in PARTS:
            start(part)
        urls = {name: f"http://127.0.0.1:{ports[name.upper() + '_PORT']}" for name in SERVICES}
        for url in urls.values():
            _wait_http(f"{url}/readyz", 120)
        for name in ("ACTIVITY_METRICS_PORT", "BRIDGE_METRICS_PORT"):
            wait_for_port("127.0.0.1", ports[name], 120)
        yield Stack(urls=urls, env=env, data_dir=data_dir)
    finally:
        stop_processes(processes, 10)


@dataclass
class World:
    """What Hà Nội owns, by the names of the path parameters that reach it, and who tries."""

    agreement_id: str  # a draft with a document
    submitted_id: str  # submitted: it has tasks
    document_id: str
    task_id: str
    session_id: str  # the victim's own sign-in
    subscription_id: str
    notification_id: str
    notification_owner: str
    cycle: int
    unrelated_body: str

    @property
    def secrets(self) -> tuple[str, ...]:
        """Ids that must appear in no answer to another province or body."""
        return (
            self.agreement_id,
            self.submitted_id,
            self.document_id,
            self.task_id,
            self.session_id,
            self.subscription_id,
            self.notification_id,
        )


@pytest.fixture(scope="session")
def world(stack: Stack) -> World:
    body = draft_body(title="Bản ghi nhớ hợp tác văn hóa Hà Nội và Seoul")
    r = stack.call("agreements", "POST", "/v1/agreements", VICTIM, json=body)
    assert r.status_code == 201, r.text
    agreement_id = str(r.json()["id"])
    r = stack.call(
        "agreements",
        "POST",
        f"/v1/agreements/{agreement_id}/documents",
        VICTIM,
        data={"kind": "PROPOSAL", "language": "vi"},
        files={"file": ("to-trinh.pdf", PDF + b"victim", "application/pdf")},
    )
    assert r.status_code == 201, r.text
    document_id = str(r.json()["id"])

    r = stack.call("agreements", "POST", "/v1/agreements", VICTIM, json=draft_body())
    assert r.status_code == 201, r.text
    submitted_id = str(r.json()["id"])
    for kind, lang, name, content in dossier_files():
        r = stack.call(
            "agreements",
            "POST",
            f"/v1/agreements/{submitted_id}/documents",
            VICTIM,
            data={"kind": kind, "language": lang},
            files={"file": (name, content + submitted_id.encode(), "application/pdf")},
        )
        assert r.status_code == 201, r.text
    r = stack.call("agreements", "POST", f"/v1/agreements/{submitted_id}/submit", VICTIM)
    assert r.status_code == 200, r.text

    def tasks() -> list[dict[str, Any]]:
        r = stack.call(
            "agreements", "GET", "/v1/tasks", "admin@system", params={"agreement_id": submitted_id}
        )
        assert r.status_code == 200, r.text
        return list(r.json()["data"])

    found = until(tasks, 90, "the submitted agreement's first tasks", every_s=0.3)
    task = found[0]
    consulted = {t["assignee"]["org"] for t in found}

    r = stack.call("agreements", "GET", "/v1/auth/sessions", VICTIM)
    assert r.status_code == 200, r.text
    session_id = str(_items(r.json())[0]["id"])

    r = stack.call(
        "notifications",
        "POST",
        "/v1/subscriptions",
        VICTIM,
        json={
            "url": "https://hooks.ha-noi.example/agreements",
            "event_types": ["agreement.submitted"],
            "secret": "s" * 32,
        },
    )
    assert r.status_code == 201, r.text
    subscription_id = str(r.json()["id"])

    owner = f"reviewer@{task['assignee']['org']}"

    def inbox() -> list[dict[str, Any]]:
        r = stack.call("notifications", "GET", "/v1/inbox", owner)
        assert r.status_code == 200, r.text
        return _items(r.json())

    notification_id = str(until(inbox, 90, f"a notification for {owner}", every_s=0.3)[0]["id"])

    r = stack.call("reporting", "GET", "/v1/cycles", "admin@system")
    assert r.status_code == 200, r.text
    cycle = int(_items(r.json())[0]["number"])

    r = httpx.get(f"{stack.urls['agreements']}/v1/reference/bodies", timeout=30)
    assert r.status_code == 200, r.text
    bodies = [str(b["code"]) for b in _items(r.json())]
    unrelated = next(b for b in bodies if b not in consulted and not b.startswith("ha-noi"))
    return World(
        agreement_id=agreement_id,
        submitted_id=submitted_id,
        document_id=document_id,
        task_id=str(task["id"]),
        session_id=session_id,
        subscription_id=subscription_id,
        notification_id=notification_id,
        notification_owner=owner,
        cycle=cycle,
        unrelated_body=unrelated,
    )


def _items(body: Any) -> list[dict[str, Any]]:
    """The rows of a list answer, bare or as {data: [...]}."""
    rows = body["data"] if isinstance(body, dict) and "data" in body else body
    assert isinstance(rows, list), body
    return rows


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged_tokens() -> dict[str, str | None]:
    """Tokens no service may accept, each naming an administrator: absent, garbage, unsigned
    (alg=none), signed with another secret, expired, for another audience."""
    now = int(time.time())
    claims = {
        "iss": "agreements",
        "aud": "agreements",
        "sub": "admin@system",
        "role": "ADMIN",
        "org": "system",
        "iat": now,
        "exp": now + 600,
        "jti": "forged",
    }
    settings = CommonSettings(env="development", jwt_secret=JWT_SECRET)
    claims["iss"] = settings.session_issuer
    claims["aud"] = settings.jwt_audience
    return {
        "none": None,
        "garbage": "not-a-token",
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "wrong_secret": jwt.encode(claims, "another-secret-" + "x" * 32, algorithm="HS256"),
        "expired": jwt.encode(
            claims | {"iat": now - 7200, "exp": now - 3600}, JWT_SECRET, algorithm="HS256"
        ),
        "wrong_audience": jwt.encode(
            claims | {"aud": "someone-else"}, JWT_SECRET, algorithm="HS256"
        ),
    }
