"""Chaos run: N agreements (default 40) through the whole procedure over HTTP while every process
of the embedded stack is killed and restarted, the broker paused, Temporal restarted, Temporal
stopped for a minute, and the broker killed (losing its data); then a check that every
agreement ended where it should and nothing was lost or doubled.

    .venv/bin/python bench/chaos.py [--agreements 40] [--outage 60] [--json FILE]

Prints one line of figures (and writes them to --json): agreements that ended right, events
missing from or doubled on the topic compared with the outbox, dead letters, agreements stuck,
notifications doubled, the reporting figure against the agreements database, and how long the
last agreement took to finish after the last fault ended.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, token, wait_http
from common.devservers import (
    free_port,
    stop_processes,
    tansu_command,
    temporal_command,
    wait_for_port,
)
from common.law.calendar import TZ
from tests.helpers import dossier_files, draft_body

OFFICER = "officer@ha-noi"
USERS = (OFFICER, "reviewer@mofa", "leader@ha-noi", "registry@mofa", "pm@office", "admin@system")
TOPIC = "agreements.events"
DLT = "agreements.events.dlt"


@dataclass
class Chaos:
    """The embedded stack as separate processes that can be killed, paused and restarted."""

    workdir: Path
    ports: dict[str, int]
    env: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    faults: list[tuple[float, str]] = field(default_factory=list)

    def command(self, name: str) -> list[str]:
        py = sys.executable
        data = self.workdir / "data"
        return {
            "temporal": temporal_command(self.ports["temporal"], None, data / "temporal.db"),
            "broker": tansu_command(self.ports["kafka"]),
            "api": [py, "-m", "services.agreements", "serve"],
            "relay": [py, "-m", "services.agreements", "relay"],
            "activities": [py, "-m", "services.agreements", "worker"],
            "bridge": [py, "-m", "workflows", "bridge"],
            "notifications": [py, "-m", "services.notifications", "serve"],
            "reporting": [py, "-m", "services.reporting", "serve"],
            "reporting-consumer": [py, "-m", "services.reporting", "consume"],
        }[name]

    def start(self, name: str) -> None:
        with (self.workdir / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(
                self.command(name), env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        self.faults.append((time.monotonic(), f"kill {name}"))

    def pause(self, name: str, seconds: float) -> None:
        self.procs[name].send_signal(signal.SIGSTOP)
        self.faults.append((time.monotonic(), f"pause {name}"))
        time.sleep(seconds)
        self.procs[name].send_signal(signal.SIGCONT)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.send_signal(signal.SIGCONT)
        stop_processes(self.procs.values())
        self.procs.clear()


def start_stack(workdir: Path) -> Chaos:
    names = ("kafka", "temporal", "api", "relay", "activities", "bridge")
    ports = {n: free_port() for n in (*names, "notifications", "reporting")}
    env = dict(os.environ) | {
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(workdir / "data"),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{ports['kafka']}",
        "TEMPORAL_ADDRESS": f"127.0.0.1:{ports['temporal']}",
        "AGREEMENTS_PORT": str(ports["api"]),
        "RELAY_METRICS_PORT": str(ports["relay"]),
        # As make run: idle consumers wait for the relay's wake-ups (common/wakeups.py), so
        # the relay's kills and restarts are waited out the way the embedded stack does.
        "EVENTS_WAKEUP_ADDRESS": f"127.0.0.1:{ports['relay']}",
        "ACTIVITY_METRICS_PORT": str(ports["activities"]),
        "BRIDGE_METRICS_PORT": str(ports["bridge"]),
        "NOTIFICATIONS_PORT": str(ports["notifications"]),
        "REPORTING_PORT": str(ports["reporting"]),
        "AGREEMENTS_URL": f"http://127.0.0.1:{ports['api']}",
        # Quick enough for a minute-long run to see the watchdog act.
        "WATCHDOG_INTERVAL_S": "5",
        "WATCHDOG_STUCK_AFTER_S": "20",
        "LOG_LEVEL": "WARNING",
        "ENV": "development",
    }
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    chaos = Chaos(workdir, ports, env)
    chaos.start("temporal")
    chaos.start("broker")
    wait_for_port("127.0.0.1", ports["kafka"], 20)
    wait_for_port("127.0.0.1", ports["temporal"], 30)
    for service in ("services.agreements", "services.notifications", "services.reporting"):
        subprocess.run(
            [sys.executable, "-m", service, "migrate"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    for name in (
        "api",
        "relay",
        "activities",
        "bridge",
        "notifications",
        "reporting",
        "reporting-consumer",
    ):
        chaos.start(name)
    wait_http(f"http://127.0.0.1:{ports['api']}/readyz", 60)
    wait_http(f"http://127.0.0.1:{ports['notifications']}/readyz", 60)
    wait_http(f"http://127.0.0.1:{ports['reporting']}/readyz", 60)
    return chaos


class People:
    """The officers, reviewers, leader, registry and PM office, retrying what a restart cut
    off (same Idempotency-Key: a retried write is done once)."""

    def __init__(self, api: str) -> None:
        self.api = api
        self.tokens = {u: token(api, u) for u in USERS}
        self.http = httpx.AsyncClient(base_url=api, timeout=30)

    def headers(self, user: str, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.tokens[user]}"}
        return h | ({"Idempotency-Key": key} if key else {})

    async def call(self, method: str, user: str, path: str, **kwargs: Any) -> Any:
        key = f"chaos-{random.getrandbits(64):x}" if method == "POST" else None
        for _ in range(600):  # a long outage is waited out, like a person trying again
            try:
                r = await self.http.request(method, path, headers=self.headers(user, key), **kwargs)
            except httpx.HTTPError:
                await asyncio.sleep(1)
                continue
            if r.status_code in (502, 503, 504) or r.status_code == 500:
                await asyncio.sleep(1)
                continue
            return r
        raise RuntimeError(f"{method} {path} never answered")

    async def task(self, user: str, agreement_id: str, kind: str, **params: Any) -> dict[str, Any]:
        while True:
            r = await self.call(
                "GET",
                user,
                "/v1/tasks",
                params={"agreement_id": agreement_id, "kind": kind} | params,
            )
            if r.status_code == 200 and (data := r.json()["data"]):
                return dict(data[0])
            await asyncio.sleep(0.5)

    async def answer(self, user: str, task_id: str, outcome: str) -> None:
        r = await self.call(
            "POST", user, f"/v1/tasks/{task_id}/decision", json={"outcome": outcome, "comment": "x"}
        )
        assert r.status_code in (200, 409), r.text  # 409: a retry after the answer landed

    async def lifecycle(self, n: int) -> str:
        r = await self.call(
            "POST", OFFICER, "/v1/agreements", json=draft_body(title=f"Hỗn loạn {n}")
        )
        assert r.status_code == 201, r.text
        aid = str(r.json()["id"])
        for kind, lang, name, content in dossier_files():
            files = {"file": (name, content + aid.encode(), "application/pdf")}
            r = await self.call(
                "POST",
                OFFICER,
                f"/v1/agreements/{aid}/documents",
                data={"kind": kind, "language": lang},
                files=files,
            )
            assert r.status_code == 201, r.text
        r = await self.call("POST", OFFICER, f"/v1/agreements/{aid}/submit")
        assert r.status_code in (200, 409), r.text
        consultation = await self.task("reviewer@mofa", aid, "CONSULTATION")
        await self.answer("reviewer@mofa", consultation["id"], "AGREE")
        decision = await self.task("leader@ha-noi", aid, "DECISION")
        await self.answer("leader@ha-noi", decision["id"], "APPROVE")
        await self.task(OFFICER, aid, "SIGNING")
        for kind, lang, name, content in dossier_files():
            if kind == "DRAFT_TEXT":
                files = {"file": (name, content + aid.encode(), "application/pdf")}
                await self.call(
                    "POST",
                    OFFICER,
                    f"/v1/agreements/{aid}/documents",
                    data={"kind": "SIGNED_TEXT", "language": lang},
                    files=files,
                )
        today = datetime.now(TZ).date().isoformat()
        signing = {
            "signed_on": today,
            "place": "Hà Nội",
            "signatories": [
                {"side": "VIETNAMESE", "name": "Nguyễn Văn A", "title": "Chủ tịch"},
                {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Mayor"},
            ],
        }
        r = await self.call("POST", OFFICER, f"/v1/agreements/{aid}/signing", json=signing)
        assert r.status_code in (200, 409), r.text
        for duty, receiver in (("COPY", "registry@mofa"), ("REPORT", "pm@office")):
            await self.task(OFFICER, aid, "COPY_DELIVERY")
            r = await self.call(
                "POST", OFFICER, f"/v1/agreements/{aid}/copy-delivered", json={"duty": duty}
            )
            assert r.status_code in (200, 409), r.text
            receipt = await self.task(receiver, aid, "COPY_RECEIPT")
            await self.answer(receiver, receipt["id"], "RECEIVED")
        return aid


def faults(chaos: Chaos, outage: float) -> None:
    """Every process killed and restarted, the broker paused, Temporal restarted, Temporal
    stopped for `outage` seconds, the broker killed (it comes back empty)."""
    time.sleep(5)
    for name in (
        "api",
        "relay",
        "activities",
        "bridge",
        "notifications",
        "reporting",
        "reporting-consumer",
    ):
        chaos.kill(name)
        time.sleep(1)
        chaos.start(name)
        time.sleep(2)
    chaos.pause("broker", 8)
    chaos.kill("temporal")
    chaos.start("temporal")
    time.sleep(10)
    chaos.kill("temporal")
    time.sleep(outage)
    chaos.start("temporal")
    chaos.faults.append((time.monotonic(), "temporal back"))
    # The broker dies while the work held up by the outage flows again.
    time.sleep(3)
    chaos.kill("broker")
    time.sleep(2)
    chaos.start("broker")
    chaos.faults.append((time.monotonic(), "all dependencies back"))


def topic_records(bootstrap: str, topic: str) -> list[Any]:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        out: list[Any] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            consumer.position(p) < ends[p] for p in partitions
        ):
            for records in consumer.poll(timeout_ms=500).values():
                out.extend(records)
        return out
    finally:
        consumer.close()


def check(chaos: Chaos, ids: list[str], ended: dict[str, float]) -> dict[str, Any]:
    data = chaos.workdir / "data"
    agreements = sqlite3.connect(data / "agreements.db")
    outbox = [r[0] for r in agreements.execute("select event_id from outbox")]
    statuses = dict(agreements.execute("select id, status from agreements"))
    tasks = Counter(
        (a, k, s) for a, k, s in agreements.execute("select agreement_id, kind, status from tasks")
    )
    signed = agreements.execute(
        "select count(*) from agreements where signed_on is not null and imported = 0"
    ).fetchone()[0]
    bootstrap = chaos.env["KAFKA_BOOTSTRAP_SERVERS"]
    on_topic = Counter(
        dict(r.headers).get("ce_id", b"").decode() for r in topic_records(bootstrap, TOPIC)
    )
    dead = topic_records(bootstrap, DLT)
    notifications = sqlite3.connect(data / "notifications.db")
    # The same event told twice to the same person, in the inbox or by the same channel outside.
    doubled_notes = sum(
        notifications.execute(query).fetchone()[0]
        for query in (
            "select count(*) from (select event_id, recipient, count(*) c from notifications "
            "group by event_id, recipient having c > 1)",
            "select count(*) from (select event_id, channel, target, count(*) c from deliveries "
            "group by event_id, channel, target having c > 1)",
        )
    )
    reporting = sqlite3.connect(data / "reporting.db")
    reported = reporting.execute(
        "select count(*) from reporting_agreements where signed_on is not null and imported = 0"
    ).fetchone()[0]
    ended_right = [a for a in ids if statuses.get(a) == "IN_FORCE"]
    doubled_tasks = [
        key
        for key, n in tasks.items()
        if n > 1 and key[1] in ("DECISION", "SIGNING") and key[0] in ids
    ]
    marks = {name: t for t, name in chaos.faults}
    temporal_back, all_back = marks["temporal back"], marks["all dependencies back"]
    finished_at = max(ended.values())
    return {
        "agreements": len(ids),
        "ended_right": len(ended_right),
        "stuck": len(ids) - len(ended_right),
        "events_in_outbox": len(outbox),
        "events_missing_on_topic": len(set(outbox) - set(on_topic)),
        "events_doubled_on_topic": sum(1 for n in on_topic.values() if n > 1),
        "dead_letters": len(dead),
        "tasks_doubled": len(doubled_tasks),
        "notifications_doubled": doubled_notes,
        "signed_in_agreements_db": signed,
        "signed_in_reporting": reported,
        # How many were still going when Temporal came back, and how long the last took after.
        "in_flight_when_temporal_back": sum(1 for t in ended.values() if t > temporal_back),
        "last_finished_after_temporal_back_s": round(max(0.0, finished_at - temporal_back), 1),
        "last_finished_after_all_back_s": round(max(0.0, finished_at - all_back), 1),
        "faults": [name for _, name in chaos.faults],
    }


async def drive(chaos: Chaos, count: int, outage: float) -> dict[str, Any]:
    people = People(f"http://127.0.0.1:{chaos.ports['api']}")
    loop = asyncio.get_running_loop()
    breaking = loop.run_in_executor(None, faults, chaos, outage)
    sem = asyncio.Semaphore(8)

    ended: dict[str, float] = {}

    async def one(n: int) -> str:
        async with sem:
            aid = await people.lifecycle(n)
        ended[aid] = time.monotonic()
        return aid

    ids = await asyncio.gather(*(one(n) for n in range(count)))
    await breaking
    # Let the consumers catch up with the last events before counting.
    await asyncio.sleep(15)
    await people.http.aclose()
    return check(chaos, list(ids), ended)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=40)
    parser.add_argument("--outage", type=float, default=60.0, help="seconds Temporal stays down")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        chaos = start_stack(Path(tmp))
        try:
            figures = asyncio.run(drive(chaos, args.agreements, args.outage))
        finally:
            chaos.stop_all()
    print(json.dumps({k: v for k, v in figures.items() if k != "faults"}))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
