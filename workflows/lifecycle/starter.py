"""The one way a lifecycle workflow is started or told of a (re)submission: signal-with-start
on the agreement's workflow id. The bridge, the tests and any repair tool use it."""

from __future__ import annotations

import logging

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from common.events.envelope import Event
from common.events.payloads import AgreementSubmittedV1
from common.law.deadlines import Timing
from common.law.vocabulary import CaseKind, DocumentKind, Procedure, SignatoryLevel, Touch
from common.temporal import CORRELATION_MEMO
from workflows.lifecycle import contracts as c
from workflows.lifecycle.state import LifecycleInput
from workflows.lifecycle.workflow import AgreementLifecycleWorkflow

log = logging.getLogger(__name__)


def submission(event: Event) -> c.Submission:
    """What the workflow needs of an `agreement.submitted` event."""
    p = AgreementSubmittedV1.model_validate(event.data)
    return c.Submission(
        event_id=event.id,
        agreement_id=p.agreement_id,
        round=p.round,
        submitted_at=p.submitted_at,
        signatory_level=SignatoryLevel(p.signatory_level),
        province=p.province,
        procedure=Procedure(p.procedure),
        touches=[Touch(t) for t in p.touches],
        related_bodies=list(p.related_bodies),
        case_kind=CaseKind(p.case_kind),
        parent_id=p.parent_id,
        effective_on=p.effective_on,
        fields=list(p.fields),
        text_sha256=sorted(d.sha256 for d in p.documents if d.kind == DocumentKind.DRAFT_TEXT),
    )


async def signal_with_start(
    client: Client,
    sub: c.Submission,
    timing: Timing,
    *,
    correlation_id: str | None = None,
) -> bool:
    """Start the agreement's workflow with this submission, or signal it if running; False
    when a finished workflow already holds the id (a late duplicate). Safe to repeat: the
    workflow ignores a submission event id it has seen."""
    try:
        await client.start_workflow(
            AgreementLifecycleWorkflow.run,
            LifecycleInput(agreement_id=sub.agreement_id, timing=timing),
            id=c.workflow_id(sub.agreement_id),
            task_queue=c.WORKFLOW_TASK_QUEUE,
            start_signal=c.SIGNAL_SUBMITTED,
            start_signal_args=[sub],
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            memo={CORRELATION_MEMO: correlation_id} if correlation_id else None,
        )
    except WorkflowAlreadyStartedError:
        log.info("workflow of %s finished; submission %s ignored", sub.agreement_id, sub.event_id)
        return False
    return True
