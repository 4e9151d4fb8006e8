"""What the benchmark scripts share: the embedded stack on free ports, percentiles, logins."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.devservers import (  # noqa: E402
    free_port,
    stop_process,
    tansu_command,
    temporal_command,
    wait_for_port,
)


@dataclass
class Samples:
    """Latencies (seconds) observed inside the measured window."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def summary(self, unit: str = "rps") -> dict[str, Any]:
        lat = sorted(self.latencies)
        return {
            "n": len(lat),
            "errors": dict(self.errors),
            unit: round(len(lat) / self.elapsed, 2) if self.elapsed else 0.0,
            "p50_ms": pct(lat, 50),
            "p99_ms": pct(lat, 99),
            "p999_ms": pct(lat, 99.9),
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        }


def pct(sorted_values: list[float], p: float) -> float | None:
    """The p-th percentile in milliseconds (inclusive method), None without samples."""
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return round(sorted_values[0] * 1000, 1)
    cuts = statistics.quantiles(sorted_values, n=1000, method="inclusive")
    index = min(len(cuts) - 1, max(0, round(p * 10) - 1))
    return round(cuts[index] * 1000, 1)


@contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        yield proc
    finally:
        stop_process(proc)


def wait_http(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout_s:.0f}s")


@dataclass(frozen=True)
class Stack:
    api: str
    temporal_address: str
    kafka: str
    env: dict[str, str]
    workdir: Path
    pids: dict[str, int]


def user_system_seconds(pid: int) -> tuple[float, float]:
    """The user and the system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User + system CPU each process has used so far (Linux /proc)."""
    used = {}
    for name, pid in pids.items():
        try:
            used[name] = sum(user_system_seconds(pid))
        except (OSError, IndexError, ValueError):
            used[name] = 0.0
    return used


def cpu_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before.get(name, 0.0), 1) for name in after}


@contextmanager
def embedded_stack(workdir: Path, workflows: bool = True, merged: bool = False) -> Iterator[Stack]:
    """The embedded stack of `make run` (Temporal dev server on a SQLite file, Tansu, the
    agreements API with one uvicorn worker, its relay, its worker (the lifecycle workflow and
    its steps) and the bridge), every part on a free port under `workdir`, each in a process
    of its own as in production; `merged`: the relay and the bridge inside the worker, as
    `make run` runs them. Without `workflows`, the foundation's stack only: no workers and no
    bridge, so a submission starts nothing."""
    ports = {
        name: free_port() for name in ("kafka", "temporal", "api", "relay", "activities", "bridge")
    }
    env = dict(os.environ) | {
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(workdir / "data"),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{ports['kafka']}",
        "TEMPORAL_ADDRESS": f"127.0.0.1:{ports['temporal']}",
        "AGREEMENTS_PORT": str(ports["api"]),
        "RELAY_METRICS_PORT": str(ports["relay"]),
        "EVENTS_WAKEUP_ADDRESS": f"127.0.0.1:{ports['relay']}",
        "ACTIVITY_METRICS_PORT": str(ports["activities"]),
        "BRIDGE_METRICS_PORT": str(ports["bridge"]),
        "LOG_LEVEL": "WARNING",
        "ENV": "development",
    }
    py = sys.executable
    pids: dict[str, int] = {}
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        pids["temporal"] = stack.enter_context(
            process(
                temporal_command(ports["temporal"], None, workdir / "data" / "temporal.db"),
                env,
                workdir / "temporal.log",
            )
        ).pid
        pids["broker"] = stack.enter_context(
            process(tansu_command(ports["kafka"]), env, workdir / "tansu.log")
        ).pid
        wait_for_port("127.0.0.1", ports["kafka"], 20)
        wait_for_port("127.0.0.1", ports["temporal"], 30)
        subprocess.run(
            [py, "-m", "services.agreements", "migrate"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        parts = [
            ("api", ["-m", "services.agreements", "serve"]),
            ("relay", ["-m", "services.agreements", "relay"]),
        ]
        if workflows and merged:
            worker = ["-m", "services.agreements", "worker", "--relay", "--bridge"]
            parts = [parts[0], ("activities", worker)]
        elif workflows:
            parts += [
                ("activities", ["-m", "services.agreements", "worker"]),
                ("bridge", ["-m", "workflows", "bridge"]),
            ]
        for name, args in parts:
            pids[name] = stack.enter_context(process([py, *args], env, workdir / f"{name}.log")).pid
        api = f"http://127.0.0.1:{ports['api']}"
        wait_http(f"{api}/readyz")
        # Every part's metrics port, whichever process serves it (merged: the worker).
        for name in ("relay", "activities", "bridge") if workflows else ("relay",):
            wait_for_port("127.0.0.1", ports[name], 60)
        yield Stack(
            api=api,
            temporal_address=env["TEMPORAL_ADDRESS"],
            kafka=env["KAFKA_BOOTSTRAP_SERVERS"],
            env=env,
            workdir=workdir,
            pids=pids,
        )


def token(base_url: str, username: str, password: str = "dev") -> str:
    r = httpx.post(f"{base_url}/v1/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])
