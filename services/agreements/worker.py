"""The agreements service's activity worker (task queue `agreements`): the only process,
besides the API, that writes the agreements database."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from common.db import Database
from common.temporal import CorrelationInterceptor
from services.agreements.procedure.activities import LifecycleActivities
from workflows.lifecycle.contracts import ACTIVITY_TASK_QUEUE

log = logging.getLogger(__name__)

# Activities are short database transactions; SQLite takes one writer at a time anyway.
MAX_CONCURRENT_ACTIVITIES = 16


def make_worker(client: Client, db: Database, executor: ThreadPoolExecutor) -> Worker:
    return Worker(
        client,
        task_queue=ACTIVITY_TASK_QUEUE,
        activities=LifecycleActivities(db).all(),
        activity_executor=executor,
        max_concurrent_activities=MAX_CONCURRENT_ACTIVITIES,
        interceptors=[CorrelationInterceptor()],
    )


async def run(client: Client, db: Database, stop: asyncio.Event) -> None:
    with ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES, thread_name_prefix="activity") as pool:
        async with make_worker(client, db, pool):
            log.info("activity worker polling %s", ACTIVITY_TASK_QUEUE)
            await stop.wait()
