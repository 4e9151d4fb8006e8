"""The baseline bench/lifecycle.py compares with: a bare Temporal workflow of the same shape as
a standard lifecycle (signal-with-start, nine activities, five updates answered as soon as
their step is reached) with activities that do nothing: no HTTP, database or Kafka.

Same shape includes the product's two workers: workflows on one task queue, activities on
another in a process of their own (as the agreements service's worker is), so no activity
is dispatched eagerly within the workflow's own worker. Run each as its own process:
    python bench/lifecycle_baseline.py --temporal 127.0.0.1:7233 --role workflows
    python bench/lifecycle_baseline.py --temporal 127.0.0.1:7233 --role activities
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

TASK_QUEUE = "bench-baseline"
ACTIVITY_TASK_QUEUE = "bench-baseline-activities"
# The product's steps, in order; each update waits for its step, like a person who acts
# once they see the task.
STEPS = ("consultation", "decision", "sign", "copy", "receipt")


@activity.defn(name="baseline_step")
def baseline_step(name: str) -> str:
    return name


@workflow.defn(name="BaselineLifecycle")
class BaselineLifecycle:
    def __init__(self) -> None:
        self.reached = -1  # index in STEPS of the step now open to people
        self.done: set[str] = set()
        self._submitted = False

    async def _act(self, name: str) -> None:
        await workflow.execute_activity(
            baseline_step,
            name,
            task_queue=ACTIVITY_TASK_QUEUE,
            start_to_close_timeout=timedelta(seconds=10),
        )

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self._submitted)
        await self._act("open_consultations")
        self.reached = 0
        await workflow.wait_condition(lambda: "consultation" in self.done)
        await self._act("open_decision")
        self.reached = 1
        await workflow.wait_condition(lambda: "decision" in self.done)
        self.reached = 2
        await workflow.wait_condition(lambda: "sign" in self.done)
        await self._act("mark_in_force")
        self.reached = 3
        await workflow.wait_condition(lambda: "copy" in self.done)
        self.reached = 4
        await workflow.wait_condition(lambda: "receipt" in self.done)
        return "IN_FORCE"

    @workflow.signal
    def submitted(self) -> None:
        self._submitted = True

    @workflow.update
    async def step(self, name: str) -> str:
        index = STEPS.index(name)
        await workflow.wait_condition(lambda: self.reached >= index)
        await self._act(f"record_{name}")
        if name == "decision":
            await self._act("open_signing")  # the product opens the signing duty here
        self.done.add(name)
        return name


async def burst(client: Client, people: int, groups: int) -> dict[str, list[float]]:
    """bench/lifecycle.py's bursts on the baseline: `people` workflows submitted at a time, then
    the first update of each (the consultation's answer) sent at the same moment, then the
    second (the leader's decision), the workflows quiet for a second before each; the seconds
    each update took, by step."""
    taken: dict[str, list[float]] = {STEPS[0]: [], STEPS[1]: []}

    async def timed(handle: WorkflowHandle[Any, Any], step: str) -> None:
        started = time.perf_counter()
        await handle.execute_update("step", step)
        taken[step].append(time.perf_counter() - started)

    for _ in range(groups):
        handles = await asyncio.gather(
            *(
                client.start_workflow(
                    "BaselineLifecycle",
                    id=f"baseline-burst-{uuid.uuid4()}",
                    task_queue=TASK_QUEUE,
                    start_signal="submitted",
                )
                for _ in range(people)
            )
        )
        for step in STEPS[:2]:
            await asyncio.sleep(1.0)  # the step's opening activity is done
            await asyncio.gather(*(timed(h, step) for h in handles))
        for h in handles:
            await h.terminate("bench burst done")
    return taken


async def serve(address: str, role: str, stop: asyncio.Event) -> None:
    client = await Client.connect(address)
    if role == "workflows":
        async with Worker(client, task_queue=TASK_QUEUE, workflows=[BaselineLifecycle]):
            await stop.wait()
        return
    with ThreadPoolExecutor(16) as pool:
        async with Worker(
            client,
            task_queue=ACTIVITY_TASK_QUEUE,
            activities=[baseline_step],
            activity_executor=pool,
            max_concurrent_activities=16,
        ):
            await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--temporal", required=True, help="host:port of the Temporal server")
    parser.add_argument("--role", choices=("workflows", "activities"), required=True)
    args = parser.parse_args()

    async def run() -> None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        await serve(args.temporal, args.role, stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()
