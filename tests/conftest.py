"""Fixtures that start real servers for the test session: the Kafka-protocol broker and the
databases (SQLite always, PostgreSQL when one is reachable on 127.0.0.1:5432)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from common.devservers import (
    POSTGRES_ADMIN_URL,
    free_port,
    postgres_reachable,
    scratch_postgres_database,
    stop_process,
    tansu_command,
    temporal_command,
    wait_for_port,
)

_backends_run: set[str] = set()


@dataclass
class Broker:
    """A real Tansu broker in a subprocess that tests may stop and start again."""

    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            tansu_command(self.port), stdout=log, stderr=subprocess.STDOUT
        )
        wait_for_port("127.0.0.1", self.port, 20)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, 10)
            self.process = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            from common.devservers import port_open

            if not port_open("127.0.0.1", self.port):
                return
            time.sleep(0.1)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    b = Broker(port=free_port(), log_path=tmp_path_factory.mktemp("tansu") / "tansu.log")
    b.start()
    yield b
    b.stop()


@dataclass
class Temporal:
    """A real Temporal dev server (headless, in memory) for the whole test session."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def temporal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Temporal]:
    port = free_port()
    log = (tmp_path_factory.mktemp("temporal") / "temporal.log").open("ab")
    # One namespace per end-to-end database run: their workers never share work.
    namespaces = tuple(f"e2e-{backend}" for backend in ("sqlite", "postgresql"))
    process = subprocess.Popen(
        temporal_command(port, None, None, namespaces=namespaces),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port("127.0.0.1", port, 30)
        yield Temporal(port=port, process=process)
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return postgres_reachable()


@contextmanager
def fresh_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, prefix: str = "agreements_test"
) -> Iterator[str]:
    """An empty database of `backend`, dropped afterwards; PostgreSQL is skipped (and said
    so) when none is reachable."""
    if backend == "sqlite":
        _backends_run.add("sqlite")
        yield f"sqlite:///{tmp_path_factory.mktemp(prefix) / f'{prefix}.db'}"
        return
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: ran on SQLite only")
    _backends_run.add("postgresql")
    with scratch_postgres_database(prefix) as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated-by-the-caller database per backend for the whole session."""
    with fresh_database(request.param, tmp_path_factory) as url:
        yield url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _backends_run:
        terminalreporter.write_line(
            "database backends exercised: " + ", ".join(sorted(_backends_run))
        )
