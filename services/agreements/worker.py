"""The agreements service's Temporal worker process: the only process, besides the API, that
writes the agreements database.

It hosts two workers on one client and one pool of threads:
- the lifecycle workflow's worker (task queue `agreement-workflows`, workflows/worker.py), whose
  steps run here as local activities: one workflow task does the step and goes on, with no
  round trip through a task queue for each;
- the activity worker (task queue `agreements`), for runs started before the workflow's steps
  became local (workflows/lifecycle/patches.py, LOCAL_STEPS), which keep scheduling them there.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from common.db import Database
from common.temporal import CorrelationInterceptor
from services.agreements.procedure.activities import LifecycleActivities
from workflows.lifecycle.contracts import ACTIVITY_TASK_QUEUE, WORKFLOW_TASK_QUEUE
from workflows.worker import make_worker as make_workflow_worker

log = logging.getLogger(__name__)

# Activities are short database transactions; SQLite takes one writer at a time anyway. The
# database's pool and the threads are shared by both workers, so this is the bound of the two.
MAX_CONCURRENT_ACTIVITIES = 16


def make_workers(
    client: Client, db: Database, executor: ThreadPoolExecutor
) -> tuple[Worker, Worker]:
    """The workflow's worker and the activity worker."""
    activities = LifecycleActivities(db).all()
    return (
        make_workflow_worker(
            client,
            activities=activities,
            activity_executor=executor,
            max_concurrent_local_activities=MAX_CONCURRENT_ACTIVITIES,
        ),
        Worker(
            client,
            task_queue=ACTIVITY_TASK_QUEUE,
            activities=activities,
            activity_executor=executor,
            max_concurrent_activities=MAX_CONCURRENT_ACTIVITIES,
            interceptors=[CorrelationInterceptor()],
        ),
    )


async def run(client: Client, db: Database, stop: asyncio.Event) -> None:
    with ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES, thread_name_prefix="activity") as pool:
        workflows, activities = make_workers(client, db, pool)
        async with workflows, activities:
            log.info("worker polling %s and %s", WORKFLOW_TASK_QUEUE, ACTIVITY_TASK_QUEUE)
            await stop.wait()
