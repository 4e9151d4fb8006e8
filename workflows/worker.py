"""The workflow worker (task queue `agreement-workflows`): runs AgreementLifecycleWorkflow."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.worker import Worker

from common.temporal import CorrelationInterceptor
from workflows.lifecycle.contracts import WORKFLOW_TASK_QUEUE
from workflows.lifecycle.workflow import AgreementLifecycleWorkflow

log = logging.getLogger(__name__)


def make_worker(client: Client, **options: object) -> Worker:
    return Worker(
        client,
        task_queue=WORKFLOW_TASK_QUEUE,
        workflows=[AgreementLifecycleWorkflow],
        interceptors=[CorrelationInterceptor()],
        **options,  # type: ignore[arg-type]
    )


async def run(client: Client, stop: asyncio.Event) -> None:
    worker = make_worker(client)
    async with worker:
        log.info("workflow worker polling %s", WORKFLOW_TASK_QUEUE)
        await stop.wait()
