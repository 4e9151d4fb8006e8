"""What the embedded stack costs doing nothing: CPU and memory of `make run`'s whole process
tree (honcho and deploy/local/Procfile, every server, service and worker) while no one uses it.

In the same run, the baseline: the bare servers alone (the Temporal dev server as the stack
starts it, the broker), no product process, so the product's share is visible. Each is
started on free ports in a temporary DATA_DIR, left to settle once ready, then sampled:
CPU times of every process in the tree at the start and end of the window (a process that
ends inside it counts up to its last sample), memory (RSS, PSS, USS) every few seconds.
CPU is given as a percentage of one core, memory in MiB (mean over the samples).

Target (issue 17): the idle stack at most 3% of one core and 1 GiB resident.

    .venv/bin/python bench/idle.py [--settle 20] [--duration 60] [--json FILE] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT
from common.devservers import (
    EMBEDDED_DERIVED,
    EMBEDDED_PORTS,
    EMBEDDED_READY_LINE,
    free_ports,
    stop_processes,
    tansu_command,
    temporal_command,
    wait_for_port,
)

PORTS, DERIVED, READY_LINE = EMBEDDED_PORTS, EMBEDDED_DERIVED, EMBEDDED_READY_LINE
MIB = 1024 * 1024

# A process's part, from its own command line (after launch.py exec'd, or a child of it).
PARTS = (
    ("honcho", re.compile(r"/honcho\b")),
    ("launch", re.compile(r"launch\.py (\S+)")),
    ("temporal", re.compile(r"temporal server start-dev")),
    ("broker", re.compile(r"/tansu broker")),
    ("prometheus", re.compile(r"/prometheus --config")),
    ("agreements", re.compile(r"-m services\.agreements serve")),
    ("relay", re.compile(r"-m services\.agreements relay")),
    ("activities", re.compile(r"-m services\.agreements worker")),
    ("bridge", re.compile(r"-m workflows bridge")),
    ("notifications", re.compile(r"-m services\.notifications serve")),
    ("reporting", re.compile(r"-m services\.reporting serve")),
    ("reporting-consumer", re.compile(r"-m services\.reporting consume")),
    ("embedded", re.compile(r"-m deploy\.local\.(\S+)|deploy/local/(\w+)\.py (\S+)")),
)


def part_of(cmdline: list[str]) -> str | None:
    text = " ".join(cmdline)
    for name, pattern in PARTS:
        match = pattern.search(text)
        if match:
            if name == "launch":
                return f"launch {match.group(1)}"
            if name == "embedded":
                return " ".join(g for g in match.groups() if g)
            return name
    return None


@dataclass
class Seen:
    """One process of the tree as last sampled."""

    label: str
    first_cpu: float  # CPU seconds when first seen in the window (0 when born inside it)
    last_cpu: float = 0.0
    rss: list[float] = field(default_factory=list)
    pss: list[float] = field(default_factory=list)
    uss: list[float] = field(default_factory=list)


def _label(proc: psutil.Process, labels: dict[int, str]) -> str:
    """The process's part, or its parent's with what it runs (a shell, a helper)."""
    try:
        cmdline = proc.cmdline()
        own = part_of(cmdline)
        if own is not None:
            return own
        parent = proc.ppid()
        exe = Path(cmdline[0]).name if cmdline else proc.name()
        return f"{labels.get(parent, '?')} > {exe}"
    except psutil.Error:
        return "?"


def tree(root_pids: list[int]) -> list[psutil.Process]:
    procs = []
    for pid in root_pids:
        try:
            root = psutil.Process(pid)
            procs += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return procs


def cpu_of(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def sample(root_pids: list[int], duration_s: float, every_s: float) -> dict[str, Any]:
    """Sample the tree under `root_pids` for `duration_s`; per process and totals."""
    seen: dict[int, Seen] = {}
    labels: dict[int, str] = {}
    started = time.monotonic()
    load_before = os.getloadavg()
    first = True
    while True:
        for proc in tree(root_pids):
            try:
                with proc.oneshot():
                    if proc.pid not in labels:
                        labels[proc.pid] = _label(proc, labels)
                    cpu = cpu_of(proc)
                    memory = proc.memory_full_info()
            except psutil.Error:
                continue
            entry = seen.get(proc.pid)
            if entry is None:
                entry = seen[proc.pid] = Seen(labels[proc.pid], cpu if first else 0.0)
            entry.last_cpu = cpu
            entry.rss.append(memory.rss / MIB)
            entry.pss.append(getattr(memory, "pss", 0) / MIB)
            entry.uss.append(memory.uss / MIB)
        first = False
        elapsed = time.monotonic() - started
        if elapsed >= duration_s:
            break
        time.sleep(min(every_s, duration_s - elapsed))
    elapsed = time.monotonic() - started
    parts: dict[str, dict[str, float]] = {}
    for entry in seen.values():
        figures = parts.setdefault(
            entry.label, {"processes": 0, "cpu_percent": 0.0, "rss_mib": 0.0, "pss_mib": 0.0}
        )
        figures.setdefault("uss_mib", 0.0)
        figures["processes"] += 1
        figures["cpu_percent"] += (entry.last_cpu - entry.first_cpu) / elapsed * 100
        for key, values in (("rss_mib", entry.rss), ("pss_mib", entry.pss), ("uss_mib", entry.uss)):
            figures[key] += sum(values) / len(values)
    rounded = {
        label: {k: round(v, 1) for k, v in figures.items()}
        for label, figures in sorted(parts.items(), key=lambda kv: -kv[1]["cpu_percent"])
    }
    totals = {
        key: round(sum(f[key] for f in parts.values()), 1)
        for key in ("processes", "cpu_percent", "rss_mib", "pss_mib", "uss_mib")
    }
    return {
        "seconds": round(elapsed, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "totals": totals,
        "parts": rounded,
    }


def _clean_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DERIVED and not key.endswith("_DATABASE_URL") and key != "PORT"
    }
    return env | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "ENV": "development",
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def make_run(workdir: Path) -> Iterator[list[int]]:
    """`make run`'s stack (honcho with deploy/local/Procfile) on free ports; yields the root
    pid once the ready line is out. Stopped as an operator stops it: Ctrl-C."""
    ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
    env = _clean_env() | {name: str(port) for name, port in ports.items()}
    env["DATA_DIR"] = str(workdir / "data")
    log = workdir / "honcho.log"
    honcho = [str(Path(sys.executable).parent / "honcho"), "-f"]
    honcho += [str(ROOT / "deploy" / "local" / "Procfile"), "-d", str(ROOT), "start"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            honcho, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 180
        while READY_LINE not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stack did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield [proc.pid]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def bare_servers(workdir: Path) -> Iterator[list[int]]:
    """The Temporal dev server (as deploy/local/launch.py starts it: UI, metrics, SQLite file)
    and the broker, nothing else."""
    temporal, ui, metrics, kafka = free_ports(4)
    env = _clean_env()
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    commands = [
        temporal_command(temporal, ui, workdir / "data" / "temporal.db", metrics),
        tansu_command(kafka),
    ]
    procs = []
    try:
        for cmd in commands:
            with (workdir / f"{Path(cmd[0]).name}.log").open("ab") as out:
                procs.append(
                    subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
                )
        wait_for_port("127.0.0.1", temporal, 30)
        wait_for_port("127.0.0.1", kafka, 30)
        yield [p.pid for p in procs]
    finally:
        stop_processes(procs)


def report(title: str, figures: dict[str, Any]) -> None:
    t = figures["totals"]
    print(
        f"\n{title}: {t['processes']:.0f} processes, {t['cpu_percent']}% of one core, "
        f"RSS {t['rss_mib']:.0f} MiB, PSS {t['pss_mib']:.0f} MiB, USS {t['uss_mib']:.0f} MiB "
        f"over {figures['seconds']} s (load average {figures['load_average_before']} -> "
        f"{figures['load_average_after']})",
        flush=True,
    )
    print(f"  {'part':<40} {'procs':>5} {'cpu %':>6} {'RSS':>6} {'PSS':>6} {'USS':>6}")
    for label, f in figures["parts"].items():
        print(
            f"  {label[:40]:<40} {f['processes']:>5.0f} {f['cpu_percent']:>6.1f} "
            f"{f['rss_mib']:>6.0f} {f['pss_mib']:>6.0f} {f['uss_mib']:>6.0f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settle", type=float, default=20.0, help="seconds after ready")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds sampled")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--no-baseline", action="store_true", help="the stack only")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "settle_s": args.settle,
    }
    runs: list[tuple[str, Callable[[Path], AbstractContextManager[list[int]]]]] = [
        ("stack", make_run)
    ]
    if not args.no_baseline:
        runs.insert(0, ("baseline", bare_servers))
    for name, start in runs:
        with (
            tempfile.TemporaryDirectory(prefix=f"bench-idle-{name}-") as tmp,
            start(Path(tmp)) as roots,
        ):
            time.sleep(args.settle)
            results[name] = sample(roots, args.duration, args.every)
        title = "make run's stack, idle" if name == "stack" else "baseline: bare servers, idle"
        report(title, results[name])
    if "baseline" in results:
        stack, base = results["stack"]["totals"], results["baseline"]["totals"]
        results["product"] = {k: round(stack[k] - base[k], 1) for k in stack}
        p = results["product"]
        print(
            f"\nthe product's share (stack - baseline): {p['processes']:.0f} processes, "
            f"{p['cpu_percent']}% of one core, PSS {p['pss_mib']:.0f} MiB, "
            f"USS {p['uss_mib']:.0f} MiB",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
