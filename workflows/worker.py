"""The workflow worker (task queue `agreement-workflows`): runs AgreementLifecycleWorkflow.

The workflow's steps are local activities (workflows/lifecycle/base.py), so whoever hosts this
worker gives it the activities: the agreements service's worker process does
(services/agreements/worker.py), the only process besides its API that writes its database."""

from __future__ import annotations

import compileall
import inspect
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from common.temporal import CorrelationInterceptor
from workflows.lifecycle.contracts import WORKFLOW_TASK_QUEUE
from workflows.lifecycle.workflow import AgreementLifecycleWorkflow

log = logging.getLogger(__name__)


WORKFLOWS: list[type] = [AgreementLifecycleWorkflow]


def ensure_bytecode(workflows: list[type]) -> None:
    """Write the bytecode of each workflow's package (its module and the parts it imports
    inside the sandbox) if Python has not.

    The sandbox imports a workflow's module afresh for every workflow run it starts (and again
    after a cache eviction). Without a .pyc beside the source (PYTHONDONTWRITEBYTECODE, as set
    on these machines and in our image) every one of those imports compiles the source, which
    was a quarter of the worker's CPU. Writing the file is best effort: on a read-only tree the
    worker only runs slower.
    """
    for cls in workflows:
        package = Path(inspect.getfile(cls)).parent
        if not compileall.compile_dir(package, maxlevels=0, quiet=2):
            log.warning("could not write the bytecode of %s; runs will compile it", package)


def make_worker(
    client: Client,
    *,
    activities: Sequence[Callable[..., Any]],
    activity_executor: Executor,
    **options: Any,
) -> Worker:
    """The lifecycle workflow's worker, running `activities` (the agreements service's steps)
    as the workflow's local activities on `activity_executor`."""
    ensure_bytecode(WORKFLOWS)
    return Worker(
        client,
        task_queue=WORKFLOW_TASK_QUEUE,
        workflows=WORKFLOWS,
        activities=activities,
        activity_executor=activity_executor,
        interceptors=[CorrelationInterceptor()],
        **options,
    )
