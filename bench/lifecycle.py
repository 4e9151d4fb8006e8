"""Benchmark of the whole procedure: N agreements through the standard lifecycle on the
embedded stack, against a bare Temporal workflow of the same shape.

Each agreement (provincial committee of Hà Nội, so one consulted body) is drafted with its
dossier beforehand; what is timed runs from submission to the registry's receipt of the
signed copy, through HTTP as people act: the reviewer polls their task list and answers,
the leader approves, the officer attaches the signed text, records the signing and the copy,
the registry acknowledges it. Kafka carries the submission to the workflow, the
agreements worker writes SQLite (the workflow and its steps).

In the same run, the baseline (bench/lifecycle_baseline.py) drives workflows with the same
number of activities and updates, no HTTP, database or Kafka, on the same Temporal server.
The two take turns in rounds (N/rounds baseline workflows, then N/rounds product lifecycles),
and each figure is the total over its rounds: the machine's slower minutes and the growth of
Temporal's database fall on both alike.

Figures, as issue #3 names them:
  throughput   lifecycles/s of each at fixed concurrency, and their ratio (target >= 0.5)
  latency      at a steady 1 agreement/s: submit -> first task visible (target p99 < 1 s)
               and decision -> next task visible (target p99 < 500 ms)
and as issue #17 adds them: CPU per lifecycle across each side's processes, and the decision
calls of --concurrency people acting at the same moment (--bursts groups of them), beside the
bare workflow's updates sent the same way (what Temporal alone takes for such a burst here).

    .venv/bin/python bench/lifecycle.py [--agreements 200] [--concurrency 20] [--steady 60]
                                        [--rounds 2] [--bursts 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    Samples,
    Stack,
    cpu_between,
    cpu_seconds,
    embedded_stack,
    process,
    token,
)
from bench.lifecycle_baseline import STEPS, TASK_QUEUE
from bench.lifecycle_baseline import burst as baseline_burst
from common.law.calendar import TZ
from tests.helpers import dossier_files, draft_body

USERS = ("officer@ha-noi", "reviewer@mofa", "leader@ha-noi", "registry@mofa")


class Api:
    """The people of one agreement's lifecycle, acting over HTTP."""

    def __init__(self, client: httpx.AsyncClient, tokens: dict[str, str], poll_s: float) -> None:
        self.client = client
        self.headers = {u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()}
        self.poll_s = poll_s
        # How long each step took, to see where a lifecycle's time goes.
        self.steps: dict[str, Samples] = {}

    def _took(self, step: str, started: float) -> None:
        self.steps.setdefault(step, Samples()).latencies.append(time.perf_counter() - started)

    def step_summary(self) -> dict[str, dict[str, Any]]:
        return {
            name: {k: v for k, v in s.summary("n/s").items() if k in ("n", "p50_ms", "p99_ms")}
            for name, s in self.steps.items()
        }

    async def post(self, user: str, path: str, **kwargs: Any) -> dict[str, Any]:
        started = time.perf_counter()
        r = await self.client.post(path, headers=self.headers[user], **kwargs)
        step = path.rsplit("/", 1)[-1] if not path.endswith("decision") else f"decision:{user}"
        self._took(step if len(step) < 30 else "POST", started)
        if r.status_code not in (200, 201):
            raise RuntimeError(f"POST {path} as {user}: {r.status_code} {r.text[:300]}")
        return dict(r.json())

    async def draft(self) -> str:
        a = await self.post("officer@ha-noi", "/v1/agreements", json=draft_body())
        for kind, lang, name, content in dossier_files():
            await self.post(
                "officer@ha-noi",
                f"/v1/agreements/{a['id']}/documents",
                data={"kind": kind, "language": lang},
                files={"file": (name, content + a["id"].encode(), "application/pdf")},
            )
        return str(a["id"])

    async def task(self, user: str, agreement_id: str, kind: str) -> dict[str, Any]:
        """Poll the user's task list until this agreement's task of `kind` shows."""
        started = time.perf_counter()
        while True:
            r = await self.client.get(
                "/v1/tasks",
                params={"agreement_id": agreement_id, "kind": kind},
                headers=self.headers[user],
            )
            r.raise_for_status()
            if data := r.json()["data"]:
                self._took(f"wait {kind}", started)
                return dict(data[0])
            await asyncio.sleep(self.poll_s)

    async def lifecycle(self, agreement_id: str, marks: dict[str, float] | None = None) -> None:
        """From submission to the acknowledged copy; `marks` gets the moments measured."""
        marks = marks if marks is not None else {}
        marks["submit"] = time.perf_counter()
        await self.post("officer@ha-noi", f"/v1/agreements/{agreement_id}/submit")
        consultation = await self.task("reviewer@mofa", agreement_id, "CONSULTATION")
        marks["first_task"] = time.perf_counter()
        marks["decision"] = time.perf_counter()
        await self.post(
            "reviewer@mofa",
            f"/v1/tasks/{consultation['id']}/decision",
            json={"outcome": "AGREE", "comment": ""},
        )
        decision = await self.task("leader@ha-noi", agreement_id, "DECISION")
        marks["next_task"] = time.perf_counter()
        await self.post(
            "leader@ha-noi",
            f"/v1/tasks/{decision['id']}/decision",
            json={"outcome": "APPROVE", "comment": "Đồng ý"},
        )
        # Each language of the approved text is signed, byte for byte the approved version.
        for kind, lang, _, content in dossier_files():
            if kind != "DRAFT_TEXT":
                continue
            await self.post(
                "officer@ha-noi",
                f"/v1/agreements/{agreement_id}/documents",
                data={"kind": "SIGNED_TEXT", "language": lang},
                files={
                    "file": (f"ky-{lang}.pdf", content + agreement_id.encode(), "application/pdf")
                },
            )
        today = datetime.now(TZ).date().isoformat()
        await self.post(
            "officer@ha-noi",
            f"/v1/agreements/{agreement_id}/signing",
            json={
                "signed_on": today,
                "place": "Hà Nội",
                "signatories": [
                    {"side": "VIETNAMESE", "name": "Nguyễn Văn A", "title": "Chủ tịch"},
                    {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Mayor"},
                ],
            },
        )
        copy = await self.post(
            "officer@ha-noi",
            f"/v1/agreements/{agreement_id}/copy-delivered",
            json={"duty": "COPY"},
        )
        await self.post(
            "registry@mofa",
            f"/v1/tasks/{copy['receipt']['id']}/decision",
            json={"outcome": "RECEIVED"},
        )


@dataclass
class Phase:
    """Lifecycles completed, seconds taken and CPU used, summed over the rounds."""

    lifecycles: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, done: int, seconds: float, cpu: dict[str, float]) -> None:
        self.lifecycles += done
        self.seconds += seconds
        for name, used in cpu.items():
            self.cpu[name] = round(self.cpu.get(name, 0.0) + used, 1)

    @property
    def per_s(self) -> float:
        return round(self.lifecycles / self.seconds, 2) if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "lifecycles": self.lifecycles,
            "seconds": round(self.seconds, 1),
            "lifecycles_per_s": self.per_s,
            "errors": self.errors[:5],
            "cpu_seconds": self.cpu,
        }


async def product_round(
    api: Api, ids: list[str], concurrency: int, pids: dict[str, int], phase: Phase
) -> None:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for aid in ids:
        queue.put_nowait(aid)
    errors: list[str] = []

    async def worker() -> None:
        while not queue.empty():
            aid = queue.get_nowait()
            try:
                await asyncio.wait_for(api.lifecycle(aid), timeout=120)
            except Exception as exc:  # report, do not stop the run
                errors.append(str(exc)[:200])

    cpu_before = cpu_seconds(pids)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    phase.add(len(ids) - len(errors), elapsed, cpu_between(cpu_before, cpu_seconds(pids)))
    phase.errors += errors
    print(f"  product:  {(len(ids) - len(errors)) / elapsed:.2f} lifecycles/s ({elapsed:.1f}s)")


async def baseline_round(
    client: Client, count: int, concurrency: int, pids: dict[str, int], phase: Phase
) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def one() -> None:
        handle = await client.start_workflow(
            "BaselineLifecycle",
            id=f"baseline-{uuid.uuid4()}",
            task_queue=TASK_QUEUE,
            start_signal="submitted",
        )
        for step in STEPS:
            await handle.execute_update("step", step)
        await handle.result()

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            await asyncio.wait_for(one(), timeout=120)

    cpu_before = cpu_seconds(pids)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    phase.add(count, elapsed, cpu_between(cpu_before, cpu_seconds(pids)))
    print(f"  baseline: {count / elapsed:.2f} lifecycles/s ({elapsed:.1f}s)")


async def steady_latency(api: Api, ids: list[str]) -> tuple[Samples, Samples]:
    """One agreement a second on a fixed schedule, whatever the last one is doing."""
    first, following = Samples(), Samples()
    pending = []
    t0 = time.perf_counter()
    for i, aid in enumerate(ids):
        marks: dict[str, float] = {}

        async def one(aid: str = aid, marks: dict[str, float] = marks) -> None:
            await api.lifecycle(aid, marks)
            first.latencies.append(marks["first_task"] - marks["submit"])
            following.latencies.append(marks["next_task"] - marks["decision"])

        pending.append(asyncio.create_task(one()))
        await asyncio.sleep(max(0.0, t0 + (i + 1) - time.perf_counter()))
    await asyncio.gather(*pending)
    return first, following


async def burst_latency(
    api: Api, ids: list[str], people: int, pids: dict[str, int], cpu: dict[str, Phase]
) -> dict[str, Samples]:
    """Decision calls of `people` people acting at the same moment, each on their own
    agreement: the reviewers answer their consultations at once, then the leaders of those
    agreements approve at once; group after group of `people` agreements, the stack quiet
    before each burst. (The throughput phase's people act back to back without a pause, so
    there a call's latency is only concurrency / throughput, Little's law.) `cpu` gets what
    each process used while the calls of a burst were in flight, by the user who called, one
    "lifecycle" per call."""
    samples = {"reviewer@mofa": Samples(), "leader@ha-noi": Samples()}

    async def timed(user: str, task_id: str, outcome: str) -> None:
        started = time.perf_counter()
        r = await api.client.post(
            f"/v1/tasks/{task_id}/decision",
            headers=api.headers[user],
            json={"outcome": outcome, "comment": ""},
        )
        if r.status_code != 200:
            samples[user].error(f"{r.status_code}")
            return
        samples[user].latencies.append(time.perf_counter() - started)

    async def at_once(user: str, kind: str, outcome: str, group: list[str]) -> None:
        tasks = await asyncio.gather(*(api.task(user, aid, kind) for aid in group))
        await asyncio.sleep(1.0)  # what the tasks' opening set going (events, mail) is done
        before, started = cpu_seconds(pids), time.perf_counter()
        await asyncio.gather(*(timed(user, t["id"], outcome) for t in tasks))
        used = cpu_between(before, cpu_seconds(pids))
        cpu.setdefault(user, Phase()).add(len(tasks), time.perf_counter() - started, used)

    for start in range(0, len(ids) - people + 1, people):
        group = ids[start : start + people]
        await asyncio.gather(
            *(api.post("officer@ha-noi", f"/v1/agreements/{aid}/submit") for aid in group)
        )
        await at_once("reviewer@mofa", "CONSULTATION", "AGREE", group)
        await at_once("leader@ha-noi", "DECISION", "APPROVE", group)
    return samples


async def run(
    stack: Stack, args: argparse.Namespace, baseline_pids: dict[str, int]
) -> dict[str, Any]:
    tokens = {u: token(stack.api, u) for u in USERS}
    limits = httpx.Limits(max_connections=args.concurrency + 10)
    temporal = await Client.connect(stack.temporal_address)
    async with httpx.AsyncClient(base_url=stack.api, timeout=60, limits=limits) as http:
        api = Api(http, tokens, poll_s=args.poll)
        bursts = args.bursts * args.concurrency
        print(
            f"drafting {args.agreements + args.steady + bursts} agreements with their dossiers..."
        )
        sem = asyncio.Semaphore(10)

        async def draft() -> str:
            async with sem:
                return await api.draft()

        ids = await asyncio.gather(
            *(draft() for _ in range(args.agreements + args.steady + bursts))
        )
        batch = ids[: args.agreements]
        steady = ids[args.agreements : args.agreements + args.steady]
        at_once = ids[args.agreements + args.steady :]

        # This script's own CPU too: the simulated people share the two cores with the stack.
        product_pids = stack.pids | {"people (this script)": os.getpid()}
        baseline, product = Phase(), Phase()
        per_round = -(-len(batch) // args.rounds)
        print(
            f"{args.rounds} rounds of {per_round} baseline workflows then {per_round} product "
            f"lifecycles, {args.concurrency} at a time..."
        )
        for r in range(args.rounds):
            chunk = batch[r * per_round : (r + 1) * per_round]
            await baseline_round(temporal, len(chunk), args.concurrency, baseline_pids, baseline)
            await product_round(api, chunk, args.concurrency, product_pids, product)
        print(f"  baseline CPU seconds: {baseline.cpu}")
        print(f"  product CPU seconds:  {product.cpu}")
        for name, figures in api.step_summary().items():
            print(f"    {name:<28} {figures}")

        print(f"product: steady 1 agreement/s for {len(steady)} agreements...")
        first, following = await steady_latency(Api(http, tokens, poll_s=0.01), steady)
        print(f"product: {args.bursts} bursts of {args.concurrency} people deciding at once...")
        burst_cpu: dict[str, Phase] = {}
        burst = await burst_latency(
            Api(http, tokens, poll_s=0.01), at_once, args.concurrency, product_pids, burst_cpu
        )
        for user, used in burst_cpu.items():
            calls = max(used.lifecycles, 1)
            print(
                f"  CPU ms per decision call of {user} while its burst was in flight: "
                + str({k: round(v * 1000 / calls, 1) for k, v in used.cpu.items()})
            )
        print(f"baseline: the same bursts, updates of {args.concurrency} workflows at once...")
        bare = await baseline_burst(temporal, args.concurrency, args.bursts)
    return {
        "baseline": baseline.summary()
        | {
            "updates_at_once": {
                step: Samples(latencies=taken).summary("per_s") for step, taken in bare.items()
            }
        },
        "product": {
            "throughput": product.summary() | {"steps": api.step_summary()},
            "submit_to_first_task": first.summary("per_s"),
            "decision_to_next_task": following.summary("per_s"),
            "decision_calls_at_once": {user: s.summary("per_s") for user, s in burst.items()},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--steady", type=int, default=60, help="agreements at 1/s for latency")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="baseline and product take turns, so that a slower minute of the machine or a "
        "fuller Temporal database does not fall on one of them only",
    )
    parser.add_argument(
        "--poll",
        type=float,
        default=0.25,
        help="seconds between task-list checks of the simulated people (throughput phase)",
    )
    parser.add_argument(
        "--bursts",
        type=int,
        default=5,
        help="groups of --concurrency people deciding at the same moment (decision latency)",
    )
    parser.add_argument(
        "--merged",
        action="store_true",
        help="the relay and the bridge inside the agreements worker, as `make run` runs them "
        "(by default each in a process of its own, as in production)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    worker = [sys.executable, str(ROOT / "bench" / "lifecycle_baseline.py"), "--temporal"]
    with (
        tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as tmp,
        embedded_stack(Path(tmp), merged=args.merged) as stack,
        process(
            [*worker, stack.temporal_address, "--role", "workflows"],
            stack.env,
            Path(tmp) / "baseline-workflows.log",
        ) as baseline_workflows,
        process(
            [*worker, stack.temporal_address, "--role", "activities"],
            stack.env,
            Path(tmp) / "baseline-activities.log",
        ) as baseline_activities,
    ):
        pids = {
            "temporal": stack.pids["temporal"],
            "baseline workflows": baseline_workflows.pid,
            "baseline activities": baseline_activities.pid,
            "client (this script)": os.getpid(),
        }
        figures = asyncio.run(run(stack, args, pids))

    baseline, product = figures["baseline"], figures["product"]
    ratio = product["throughput"]["lifecycles_per_s"] / max(baseline["lifecycles_per_s"], 1e-9)
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": vars(args) | {"json": str(args.json) if args.json else None},
        "baseline": baseline,
        "product": product,
        "ratio": round(ratio, 3),
    }
    first = product["submit_to_first_task"]
    following = product["decision_to_next_task"]
    # Issue 17's figures: CPU per lifecycle across each side's processes (the simulated people
    # and the baseline's client left out), and the decision calls' p99 under the concurrency.
    cpu = {
        side: sum(v for k, v in figures[side]["cpu_seconds"].items() if "this script" not in k)
        / max(figures[side]["lifecycles"], 1)
        for side in ("baseline",)
    } | {
        "product": sum(
            v for k, v in product["throughput"]["cpu_seconds"].items() if "this script" not in k
        )
        / max(product["throughput"]["lifecycles"], 1)
    }
    decisions = {
        step: figures_["p99_ms"]
        for step, figures_ in product["throughput"]["steps"].items()
        if step.startswith("decision:")
    }
    results["cpu_ms_per_lifecycle"] = {k: round(v * 1000) for k, v in cpu.items()}
    results["decision_call_p99_ms"] = decisions
    print()
    print(
        f"lifecycles/s: product {product['throughput']['lifecycles_per_s']}, "
        f"baseline {baseline['lifecycles_per_s']}, ratio {ratio:.2f} "
        "(target >= 0.5; issue 17: >= 0.75)"
    )
    cpu_ratio = cpu["product"] / max(cpu["baseline"], 1e-9)
    print(
        f"CPU per lifecycle: product {cpu['product'] * 1000:.0f} ms, baseline "
        f"{cpu['baseline'] * 1000:.0f} ms, {cpu_ratio:.2f} times (issue 17: at most 1.5)"
    )
    print(
        f"decision calls in the throughput phase ({args.concurrency} simulated people acting "
        "back to back), p99: "
        + ", ".join(f"{step.split(':')[1]} {ms} ms" for step, ms in decisions.items())
    )
    at_once = product["decision_calls_at_once"]
    results["decision_call_at_once_p99_ms"] = {u: f["p99_ms"] for u, f in at_once.items()}
    print(
        f"decision calls, {args.concurrency} people acting at once ({args.bursts} bursts): "
        + ", ".join(
            f"{user} p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms (n={f['n']}, "
            f"errors {sum(f['errors'].values())})"
            for user, f in at_once.items()
        )
        + " (issue 17: p99 under 300 ms)"
    )
    bare = baseline["updates_at_once"]
    print(
        f"  the bare workflow's updates, {args.concurrency} at once: "
        + ", ".join(
            f"{step} p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms" for step, f in bare.items()
        )
    )
    print(
        f"submit -> first task visible: p50 {first['p50_ms']} ms, p99 {first['p99_ms']} ms "
        f"(target p99 < 1000 ms, n={first['n']})"
    )
    print(
        f"decision -> next task visible: p50 {following['p50_ms']} ms, "
        f"p99 {following['p99_ms']} ms (target p99 < 500 ms; issue 17: < 100 ms; "
        f"n={following['n']})"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
