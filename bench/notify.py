"""Benchmark of the notifications service: events published at a steady rate, latency from
publish to the inbox row committed.

It starts its own servers in a temporary folder: the Tansu broker and the notifications service
(one uvicorn process with its consumer and dispatcher threads, SQLite, e-mail to the maildir as
in the embedded stack). Then it publishes `agreement.approved` events (one officer told, in the
app and by e-mail) for agreements spread over the 34 provinces, at a steady rate (default
200/s) for a fixed time, on a fixed schedule whatever the service does, and watches the
service's database: an event's latency runs from its scheduled publish time to the moment its
inbox row is visible to another connection (committed). The watcher polls every 5 ms, so
figures are at most that much pessimistic. The service's CPU is also given as user and system
time: the system part grows when the file system makes creating files dear (see the note the
run prints, and docs/performance.md).

    .venv/bin/python bench/notify.py                 # 200/s for 30 s
    .venv/bin/python bench/notify.py --rate 400 --seconds 20 --json bench/results/notify.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    cpu_seconds,
    pct,
    process,
    user_system_seconds,
    wait_http,
)
from common.devservers import free_port, tansu_command, wait_for_port  # noqa: E402
from common.events.envelope import encode  # noqa: E402
from common.events.types import EVENTS_TOPIC  # noqa: E402
from common.kafka import ensure_topics, make_producer  # noqa: E402
from common.provinces import CURRENT_UNITS  # noqa: E402
from common.settings import CommonSettings  # noqa: E402
from tests.unit.notifications.samples import event  # noqa: E402

PROVINCES = sorted(CURRENT_UNITS)
# Above this share of system time in the service's CPU the run says why it may be high.
SYSTEM_SHARE_NOTED = 0.3


class Watcher(threading.Thread):
    """Sees inbox rows appear: a separate read-only connection only sees committed rows."""

    def __init__(self, db_path: Path) -> None:
        super().__init__(daemon=True, name="watcher")
        self.db_path = db_path
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        last = conn.execute("SELECT coalesce(max(rowid), 0) FROM notifications").fetchone()[0]
        while not self.stop.is_set():
            rows = conn.execute(
                "SELECT rowid, event_id FROM notifications WHERE rowid > ? ORDER BY rowid",
                (last,),
            ).fetchall()
            now = time.time()
            for rowid, event_id in rows:
                self.seen.setdefault(event_id, now)
                last = rowid
            self.stop.wait(0.005)
        conn.close()


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent on anything but idling and waiting for disk (/proc/stat):
    also what the kernel's own threads do for the service, e.g. writing its files back."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(
    args: argparse.Namespace, bootstrap: str, db_path: Path, api: str, pids: dict[str, int]
) -> dict[str, Any]:
    settings = CommonSettings(kafka_bootstrap_servers=bootstrap)
    producer = make_producer(settings)
    watcher = Watcher(db_path)
    watcher.start()

    def publish(at: float, province: str) -> str:
        ev = event(
            "agreement.approved",
            province=province,
            agreement_id=str(uuid.uuid4()),
            at=datetime.fromtimestamp(at, UTC),
        )
        record = encode(ev)
        producer.send(EVENTS_TOPIC, key=record.key, value=record.value, headers=record.headers)
        return ev.id

    # Warm-up: the consumer has joined its group and handled an event.
    first = publish(time.time(), "ha-noi")
    producer.flush()
    deadline = time.monotonic() + 60
    while first not in watcher.seen:
        if time.monotonic() > deadline:
            raise TimeoutError("the service handled no event within 60 s")
        time.sleep(0.05)

    total = int(args.rate * args.seconds)
    interval = 1.0 / args.rate
    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds(pids)
    split_before = user_system_seconds(pids["notifications"])
    machine_before = machine_busy_seconds()
    scheduled: dict[str, float] = {}
    worst_lag = 0.0
    start = time.time() + 0.2
    for i in range(total):
        at = start + i * interval
        if (delay := at - time.time()) > 0:
            time.sleep(delay)
        worst_lag = max(worst_lag, time.time() - at)
        scheduled[publish(at, PROVINCES[i % len(PROVINCES)])] = at
    producer.flush()
    published_for = time.time() - start

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(e in watcher.seen for e in scheduled):
        time.sleep(0.1)
    elapsed = time.time() - start
    cpu_after = cpu_seconds(pids)
    cpu = {name: cpu_after[name] - cpu_before[name] for name in pids}
    split_after = user_system_seconds(pids["notifications"])
    machine = machine_busy_seconds() - machine_before
    watcher.stop.set()
    watcher.join()
    producer.close()

    latencies = [watcher.seen[e] - at for e, at in scheduled.items() if e in watcher.seen]
    metrics = httpx.get(f"{api}/metrics", timeout=5).text
    dead = [line for line in metrics.splitlines() if line.startswith("notifications_dead_")]
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": {"rate": args.rate, "seconds": args.seconds, "database": "SQLite (WAL)"},
        "published": total,
        "publish_rate_achieved": round(total / published_for, 1),
        "publisher_worst_lag_ms": round(worst_lag * 1000, 1),
        "committed": len(latencies),
        "missing": total - len(latencies),
        "p50_ms": pct(sorted(latencies), 50),
        "p99_ms": pct(sorted(latencies), 99),
        "p999_ms": pct(sorted(latencies), 99.9),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "dead_lettered": dead,
        # Other work on the machine skews latency; CPU per event says what the service costs.
        "load_average_1m_before": round(load_before, 2),
        "cpu_ms_per_event": {n: round(c * 1000 / total, 2) for n, c in cpu.items()},
        "cpu_cores_used": {n: round(c / elapsed, 2) for n, c in cpu.items()},
        "service_cpu_ms_per_event": {
            part: round((after - before) * 1000 / total, 2)
            for part, before, after in zip(
                ("user", "system"), split_before, split_after, strict=True
            )
        },
        # Everything the machine did meanwhile, the kernel's threads included.
        "machine_cpu_ms_per_event": round(machine * 1000 / total, 2),
    }


@contextmanager
def own_stack(workdir: Path, inbox_only: bool) -> Iterator[tuple[str, Path, str, dict[str, int]]]:
    kafka_port, api_port = free_port(), free_port()
    data = workdir / "data"
    env = dict(os.environ) | {
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(data),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka_port}",
        "NOTIFICATIONS_PORT": str(api_port),
        "LOG_LEVEL": "WARNING",
        "ENV": "development",
    }
    py = sys.executable
    with process(tansu_command(kafka_port), env, workdir / "tansu.log") as broker:
        wait_for_port("127.0.0.1", kafka_port, 20)
        ensure_topics(CommonSettings(kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"]))
        subprocess.run(
            [py, "-m", "services.notifications", "migrate"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        if inbox_only:  # everybody turned e-mail off: the consumer's path alone
            with sqlite3.connect(data / "notifications.db") as conn:
                conn.execute("""UPDATE recipients SET channels = '["inbox"]'""")
        with process(
            [py, "-m", "services.notifications", "serve"], env, workdir / "api.log"
        ) as service:
            api = f"http://127.0.0.1:{api_port}"
            wait_http(f"{api}/readyz")
            pids = {"notifications": service.pid, "broker": broker.pid}
            yield env["KAFKA_BOOTSTRAP_SERVERS"], data / "notifications.db", api, pids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to publish")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--inbox-only", action="store_true", help="no e-mail: measure the consumer's path alone"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
        with own_stack(Path(tmp), args.inbox_only) as (bootstrap, db_path, api, pids):
            pids["bench"] = os.getpid()
            results = measure(args, bootstrap, db_path, api, pids)
        mails = len(list((Path(tmp) / "data" / "mail" / "new").glob("*")))
    results["emails_in_maildir"] = mails
    print(
        f"{results['published']} events at a steady {args.rate:g}/s "
        f"(achieved {results['publish_rate_achieved']}/s) for {args.seconds:g} s; "
        f"{results['committed']} inbox rows committed, {results['missing']} missing; "
        f"{mails} e-mails written"
    )
    print(
        f"publish -> inbox row committed: p50 {results['p50_ms']} ms  p99 {results['p99_ms']} ms  "
        f"p99.9 {results['p999_ms']} ms  max {results['max_ms']} ms"
    )
    print(
        f"CPU per event (ms): {results['cpu_ms_per_event']}; cores used: "
        f"{results['cpu_cores_used']}; 1-min load average before: "
        f"{results['load_average_1m_before']} on {os.cpu_count()} CPUs"
    )
    split = results["service_cpu_ms_per_event"]
    print(f"the service's CPU per event: user {split['user']} ms, system {split['system']} ms")
    if split["system"] > SYSTEM_SHARE_NOTED * (split["user"] + split["system"]):
        print(
            "  note: much of it in the kernel. On an ext4 file system without a journal, creating "
            "a file (one per e-mail) soon after many files were deleted (a run before this one, "
            "a test suite) costs up to about 1 ms of system time each: run it again a minute "
            "after such work (docs/performance.md)"
        )
    print(
        f"whole machine (every process and the kernel's threads): "
        f"{results['machine_cpu_ms_per_event']} ms CPU per event"
    )
    p99 = results["p99_ms"]
    verdict = "meets" if p99 is not None and p99 < 300 and not results["missing"] else "MISSES"
    print(f"p99 {p99} ms on {os.cpu_count()} CPUs: {verdict} the 300 ms target")
    # Issue 17: at most 2 ms of the service's CPU per event (inbox row plus e-mail), so that
    # one core keeps up with 500/s, with p99 under 100 ms there.
    per_event = results["cpu_ms_per_event"]["notifications"]
    lean = "meets" if per_event <= 2.0 else "MISSES"
    print(f"issue 17: {per_event} ms of service CPU per event: {lean} the 2 ms target", end="")
    if args.inbox_only:
        print(" (but e-mail was left out: the target counts it)")
    elif args.rate >= 500:
        fast = "meets" if p99 is not None and p99 < 100 and not results["missing"] else "MISSES"
        print(f"; p99 {p99} ms at {args.rate:g}/s: {fast} the 100 ms target")
    else:
        print(" (run with --rate 500 for its latency target)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
