"""The whole system for browser tests: the agreements API as a real uvicorn process (a browser
needs a port), its outbox relay, its worker (the workflow and its steps) and the bridge, the
reporting API and its consumer (for the report pages), over a real broker and the session's
Temporal dev server, on PostgreSQL when one is reachable and SQLite otherwise; and Debian's
Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from common.devservers import free_port, postgres_reachable, stop_processes, wait_for_port
from services.agreements.__main__ import migrate_database
from services.agreements.ui import i18n
from services.reporting.__main__ import migrate_database as migrate_reporting
from tests.conftest import Broker, Temporal, fresh_database

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# infra.md: Playwright's own browser download cannot work here; Debian's Chromium with these.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
NAMESPACE = "ui-browser"
PROCESSES = {
    "api": ["-m", "services.agreements", "serve"],
    "relay": ["-m", "services.agreements", "relay"],
    "activities": ["-m", "services.agreements", "worker"],
    "bridge": ["-m", "workflows", "bridge"],
    "reporting": ["-m", "services.reporting", "serve"],
    "reporting-consumer": ["-m", "services.reporting", "consume"],
}


@dataclass
class UiStack:
    base_url: str
    backend: str
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def logs(self) -> str:
        """The last lines of every process's log, for a failure message."""
        out = []
        for name in PROCESSES:
            path = self.log_dir / f"{name}.log"
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()[-15:]
                out.append(f"--- {name} ---\n" + "\n".join(lines))
        return "\n".join(out)


def _create_namespace(temporal: Temporal, env: dict[str, str]) -> None:
    """A namespace of its own, so no other suite's workers pick up these workflows."""
    from common.devservers import _venv_bin

    subprocess.run(
        [
            _venv_bin("temporal"),
            "operator",
            "namespace",
            "create",
            "--namespace",
            NAMESPACE,
            "--address",
            temporal.address,
        ],
        env=env,
        check=False,
        capture_output=True,
        timeout=30,
    )


def _wait_ready(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout_s:.0f}s")


@pytest.fixture(scope="session")
def ui_stack(temporal: Temporal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiStack]:
    # One run, on the production database when there is one: the pages are the same code on
    # both backends, and the API suites already run on each.
    backend = "postgresql" if postgres_reachable() else "sqlite"
    with (
        fresh_database(backend, tmp_path_factory, prefix="ui") as url,
        fresh_database(backend, tmp_path_factory, prefix="ui_reporting") as reporting_url,
    ):
        data_dir = tmp_path_factory.mktemp("ui-stack")
        broker = Broker(port=free_port(), log_path=data_dir / "tansu.log")
        broker.start()
        ports = {name: free_port() for name in PROCESSES}
        env = dict(os.environ) | {
            "ENV": "development",
            "PYTHONPATH": str(ROOT),
            "DATA_DIR": str(data_dir),
            "AGREEMENTS_DATABASE_URL": url,
            "AGREEMENTS_PORT": str(ports["api"]),
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "TEMPORAL_ADDRESS": temporal.address,
            "TEMPORAL_NAMESPACE": NAMESPACE,
            "RELAY_METRICS_PORT": str(ports["relay"]),
            "ACTIVITY_METRICS_PORT": str(ports["activities"]),
            "BRIDGE_METRICS_PORT": str(ports["bridge"]),
            "REPORTING_DATABASE_URL": reporting_url,
            "REPORTING_PORT": str(ports["reporting"]),
            "REPORTING_URL": f"http://127.0.0.1:{ports['reporting']}",
            "LOG_LEVEL": "INFO",
        }
        _create_namespace(temporal, env)
        migrate_database(url)
        migrate_reporting(reporting_url)
        stack = UiStack(f"http://127.0.0.1:{ports['api']}", backend, data_dir)
        try:
            for name, args in PROCESSES.items():
                log = (data_dir / f"{name}.log").open("ab")
                stack.processes[name] = subprocess.Popen(
                    [sys.executable, *args], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
                )
            _wait_ready(f"{stack.base_url}/readyz")
            _wait_ready(f"http://127.0.0.1:{ports['reporting']}/readyz")
            for name in ("relay", "activities", "bridge"):
                wait_for_port("127.0.0.1", ports[name], 60)
            yield stack
        finally:
            stop_processes(stack.processes.values())
            broker.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Per module, not per session: Playwright's sync API runs an event loop in this thread
    while it is open, which the asyncio tests after these must not find running."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (Debian package chromium): CI has it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (requirements-dev.lock)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if not _shown:  # the first module of the run: only this run's pages
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
        _shown.append(SCREENSHOTS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


_shown: list[Path] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _shown:
        terminalreporter.write_line(f"screenshots of every page tested in Chromium: {_shown[0]}")


# --- what every page is checked for ----------------------------------------------------------

# A catalogue key rendered as itself ("agreement.submit") or a code of the law shown raw
# ("IN_CONSULTATION", "DRAFT_TEXT") means a missing translation.
_PREFIXES = sorted({key.split(".", 1)[0] for key in i18n.TEXTS})
UNTRANSLATED_KEY = re.compile(r"(?<![\w@.-])(?:" + "|".join(_PREFIXES) + r")\.[a-z_]+\b")
RAW_CODE = re.compile(r"\b[A-Z]{2,}(?:_[A-Z]+)+\b")
SERVER_ERROR = re.compile(
    r"Internal Server Error|Lỗi hệ thống|Đã xảy ra lỗi không mong muốn|An unexpected error|"
    r"Traceback|jinja2\.|UndefinedError"
)

# Every visible form control must have a label a screen reader announces.
UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
