"""The task inbox: /v1/tasks (list, read, claim, answer)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session, col, select

from common.auth import Principal, Role
from common.deps import DatabaseDep
from common.law.drafting import Violation
from common.law.vocabulary import (
    ANSWERED_BY_DECISION,
    COMMENT_REQUIRED,
    OUTCOMES,
    TaskKind,
    TaskStatus,
)
from services.agreements.api.deps import PROBLEM_RESPONSES as _PROBLEMS
from services.agreements.api.deps import CurrentPrincipal, EngineDep
from services.agreements.errors import Conflict, Forbidden, RulesBroken
from services.agreements.inbox import tasks
from services.agreements.models import (
    DecisionCreate,
    DecisionPublic,
    Document,
    TaskPublic,
    TasksPublic,
)
from services.agreements.procedure.signing import actor
from workflows.lifecycle import contracts as c

router = APIRouter(prefix="/v1/tasks", tags=["tasks"])


@router.get("", response_model=TasksPublic, responses=_PROBLEMS)
def list_tasks(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    kind: Annotated[list[TaskKind] | None, Query(description="repeatable")] = None,
    status: Annotated[
        list[TaskStatus] | None, Query(description="repeatable; default OPEN")
    ] = None,
    overdue: Annotated[bool | None, Query(description="open and past the deadline")] = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    agreement_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> TasksPublic:
    """Your tasks (your body's, or your province's), soonest deadline first."""
    filters = tasks.TaskFilter(
        kind=tuple(kind or ()),
        status=tuple(status or (TaskStatus.OPEN,)),
        overdue=overdue,
        due_before=due_before,
        due_after=due_after,
        agreement_id=agreement_id,
    )
    with db.session() as session:
        rows, total = tasks.list_tasks(
            session, principal=principal, filters=filters, limit=limit, offset=offset
        )
        return TasksPublic(
            data=[tasks.to_public(t, a) for t, a in rows], count=total, limit=limit, offset=offset
        )


@router.get("/{task_id}", response_model=TaskPublic, responses=_PROBLEMS)
def get_task(task_id: str, principal: CurrentPrincipal, db: DatabaseDep) -> TaskPublic:
    with db.session() as session:
        task, agreement = tasks.get_task(session, principal=principal, task_id=task_id)
        return tasks.to_public(task, agreement)


@router.post("/{task_id}/claim", response_model=TaskPublic, responses=_PROBLEMS)
def claim_task(task_id: str, principal: CurrentPrincipal, db: DatabaseDep) -> TaskPublic:
    """Take the task, so colleagues see who handles it; another's claim answers 409."""
    with db.write_session() as session:
        task, agreement = tasks.claim(session, principal=principal, task_id=task_id)
        session.commit()
        return tasks.to_public(task, agreement)


@router.delete("/{task_id}/claim", response_model=TaskPublic, responses=_PROBLEMS)
def release_task(task_id: str, principal: CurrentPrincipal, db: DatabaseDep) -> TaskPublic:
    with db.write_session() as session:
        task, agreement = tasks.release(session, principal=principal, task_id=task_id)
        session.commit()
        return tasks.to_public(task, agreement)


def _check_decision(
    session: Session, principal: Principal, task_id: str, body: DecisionCreate
) -> str:
    """Everything the API can tell before asking the workflow; returns the agreement id."""
    task, agreement = tasks.get_task(session, principal=principal, task_id=task_id)
    if principal.role is Role.ADMIN:
        raise Forbidden("not_assignee")
    if task.kind not in ANSWERED_BY_DECISION:
        raise Conflict("task_done_by_action", kind=task.kind.value)
    violations: list[Violation] = []
    allowed = OUTCOMES[task.kind]
    if body.outcome not in allowed:
        violations.append(
            Violation(
                "outcome",
                "outcome_not_allowed",
                {
                    "value": body.outcome.value,
                    "kind": task.kind.value,
                    "allowed": ", ".join(sorted(allowed)),
                },
            )
        )
    if body.outcome in COMMENT_REQUIRED and not body.comment.strip():
        violations.append(Violation("comment", "comment_required", {"value": body.outcome.value}))
    if body.document_ids:
        known = set(
            session.exec(
                select(Document.id).where(
                    Document.agreement_id == agreement.id,
                    col(Document.id).in_(body.document_ids),
                )
            ).all()
        )
        for i, doc_id in enumerate(body.document_ids):
            if doc_id not in known:
                violations.append(
                    Violation(f"document_ids.{i}", "unknown_document", {"value": doc_id})
                )
    if violations:
        raise RulesBroken(violations)
    if task.claimed_by and task.claimed_by != principal.subject:
        raise Conflict("task_claimed", by=task.claimed_by)
    return agreement.id


@router.post("/{task_id}/decision", response_model=DecisionPublic, responses=_PROBLEMS)
async def decide(
    task_id: str,
    body: DecisionCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=200, description="retry-safe: same key, same answer")
    ] = None,
) -> DecisionPublic:
    """Answer a task. The procedure checks at once that the task is open, yours and not yet
    answered: you get the new state (200) or a definite refusal (403/409). Of two people
    answering the same task at the same moment, exactly one wins."""

    def check() -> str:
        with db.session() as session:
            return _check_decision(session, principal, task_id, body)

    agreement_id = await run_in_threadpool(check)
    # Temporal keeps an update's outcome by id: a retry with the same key gets the same answer.
    update_id = (
        f"decide:{task_id}:{principal.subject}:{idempotency_key}"
        if idempotency_key
        else f"decide:{task_id}:{uuid.uuid4()}"
    )
    result = await engine.update(
        agreement_id,
        c.UPDATE_DECIDE,
        c.Decide(
            task_id=task_id,
            outcome=body.outcome.value,
            comment=body.comment,
            document_ids=list(body.document_ids),
            actor=actor(principal),
        ),
        update_id=update_id,
    )

    def read() -> DecisionPublic:
        with db.session() as session:
            task, agreement = tasks.get_task(session, principal=principal, task_id=task_id)
            return DecisionPublic(
                task=tasks.to_public(task, agreement), agreement_status=result.status
            )

    return await run_in_threadpool(read)
