"""The task inbox: /v1/tasks (list, read, claim, answer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from common.deps import DatabaseDep
from common.law.vocabulary import TaskKind, TaskStatus
from common.moments import Moment, described
from services.agreements.api.deps import (
    LIST_PROBLEMS,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    CurrentPrincipal,
    EngineDep,
    IdempotencyHeader,
)
from services.agreements.inbox import answering, tasks
from services.agreements.models import DecisionCreate, DecisionPublic, TaskPublic, TasksPublic
from services.agreements.unit_of_work import read
from workflows.lifecycle.contracts import ClaimAction

router = APIRouter(prefix="/v1/tasks", tags=["tasks"])


@router.get("", response_model=TasksPublic, responses=LIST_PROBLEMS)
def list_tasks(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    kind: Annotated[list[TaskKind] | None, Query(description="repeatable")] = None,
    status: Annotated[
        list[TaskStatus] | None, Query(description="repeatable; default OPEN")
    ] = None,
    overdue: Annotated[bool | None, Query(description="open and past the deadline")] = None,
    due_before: Annotated[
        Moment | None, Query(description=described("tasks due at or before this moment"))
    ] = None,
    due_after: Annotated[
        Moment | None, Query(description=described("tasks due at or after this moment"))
    ] = None,
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


@router.get("/{task_id}", response_model=TaskPublic, responses=READ_PROBLEMS)
def get_task(task_id: str, principal: CurrentPrincipal, db: DatabaseDep) -> TaskPublic:
    task, agreement = read(db, tasks.get_task, principal=principal, task_id=task_id)
    return tasks.to_public(task, agreement)


async def _claim(
    task_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    action: str,
    idempotency_key: str | None,
) -> TaskPublic:
    update_id = (
        f"{action}:{task_id}:{principal.subject}:{idempotency_key}" if idempotency_key else None
    )
    task, agreement = await answering.change_claim(
        db=db,
        engine=engine,
        principal=principal,
        task_id=task_id,
        action=action,
        update_id=update_id,
    )
    return tasks.to_public(task, agreement)


@router.post("/{task_id}/claim", response_model=TaskPublic, responses=WRITE_PROBLEMS)
async def claim_task(
    task_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    idempotency_key: IdempotencyHeader = None,
) -> TaskPublic:
    """Take the task, so colleagues see who handles it and only you (or the body's supervisor)
    answer it; a colleague's claim answers 409 (take it over instead)."""
    return await _claim(task_id, principal, db, engine, ClaimAction.CLAIM, idempotency_key)


@router.post("/{task_id}/takeover", response_model=TaskPublic, responses=WRITE_PROBLEMS)
async def take_over_task(
    task_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    idempotency_key: IdempotencyHeader = None,
) -> TaskPublic:
    """Take over a task a colleague of your body holds; the timeline records it."""
    return await _claim(task_id, principal, db, engine, ClaimAction.TAKE_OVER, idempotency_key)


@router.delete("/{task_id}/claim", response_model=TaskPublic, responses=WRITE_PROBLEMS)
async def release_task(
    task_id: str,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    idempotency_key: IdempotencyHeader = None,
) -> TaskPublic:
    """Give the task back: its holder, the body's supervisor or an administrator."""
    return await _claim(task_id, principal, db, engine, ClaimAction.RELEASE, idempotency_key)


@router.post("/{task_id}/decision", response_model=DecisionPublic, responses=WRITE_PROBLEMS)
async def decide(
    task_id: str,
    body: DecisionCreate,
    principal: CurrentPrincipal,
    db: DatabaseDep,
    engine: EngineDep,
    idempotency_key: IdempotencyHeader = None,
) -> DecisionPublic:
    """Answer a task. The procedure checks at once that the task is open, yours and not yet
    answered: you get the new state (200) or a definite refusal (403/409). Of two people
    answering the same task at the same moment, exactly one wins."""
    update_id = (
        f"decide:{task_id}:{principal.subject}:{idempotency_key}"
        if idempotency_key
        else f"decide:{task_id}:{uuid.uuid4()}"
    )
    return await answering.answer_task(
        db=db,
        engine=engine,
        principal=principal,
        task_id=task_id,
        body=body,
        update_id=update_id,
    )
