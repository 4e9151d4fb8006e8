"""The workflow worker (task queue `agreement-workflows`): runs AgreementLifecycleWorkflow.

The workflow's steps are local activities (workflows/lifecycle/base.py), so whoever hosts this
worker gives it the activities: the agreements service's worker process does
(services/agreements/worker.py), the only process besides its API that writes its database.

It runs the workflow outside Temporal's sandbox. The sandbox imported the workflow's modules
afresh for every run the worker started or took back from its cache, and ran a compiled string
for every payload to find its serialization context: a third of the worker's CPU
(bench/lifecycle.py, 2026-12-07: 14.6 -> 9.9 s for 60 lifecycles). What the sandbox guarded
stays guarded in CI: every recorded history replays inside it too (tests/integration/workflows/
test_replay.py), where a call that is not deterministic (the clock, randomness, I/O) fails; and
the workflow's modules keep no state between runs (their module-level names are constants).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from common.temporal import CorrelationInterceptor
from workflows.lifecycle.contracts import WORKFLOW_TASK_QUEUE
from workflows.lifecycle.workflow import AgreementLifecycleWorkflow


def make_worker(
    client: Client,
    *,
    activities: Sequence[Callable[..., Any]],
    activity_executor: Executor,
    **options: Any,
) -> Worker:
    """The lifecycle workflow's worker, running `activities` (the agreements service's steps)
    as the workflow's local activities on `activity_executor`."""
    return Worker(
        client,
        task_queue=WORKFLOW_TASK_QUEUE,
        workflows=[AgreementLifecycleWorkflow],
        activities=activities,
        activity_executor=activity_executor,
        interceptors=[CorrelationInterceptor()],
        workflow_runner=UnsandboxedWorkflowRunner(),
        **options,
    )
