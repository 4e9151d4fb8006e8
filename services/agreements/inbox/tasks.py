"""The task inbox: who sees which tasks, filters, and what can be told about a claim before
the workflow decides it. Answers and claims go through the workflow (answering.py)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlmodel import Session, col, select

from common.auth import Principal, Role
from common.bodies import get_body
from common.db import utcnow
from common.law.calendar import default_calendar, local_date
from common.law.routing import claim_stops, may_release_claim
from common.law.vocabulary import TaskKind, TaskStatus
from services.agreements.domain import access
from services.agreements.errors import Conflict, Forbidden, NotFound
from services.agreements.models import Agreement, AgreementSummary, AssigneePublic, Task, TaskPublic
from workflows.lifecycle.contracts import ClaimAction


@dataclass(frozen=True)
class TaskFilter:
    kind: Sequence[TaskKind] = ()
    status: Sequence[TaskStatus] = (TaskStatus.OPEN,)
    overdue: bool | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    agreement_id: str | None = None


def _with_agreement(scoped: bool) -> Any:
    """Tasks with their agreements; `scoped`: only those of the bound `org` and `role`."""
    stmt = select(Task, Agreement).join(Agreement, col(Agreement.id) == col(Task.agreement_id))
    if not scoped:
        return stmt
    return stmt.where(
        col(Task.assignee_org) == bindparam("org"), col(Task.assignee_role) == bindparam("role")
    )


@functools.cache
def _listing(
    scoped: bool,
    kinds: bool,
    statuses: bool,
    agreement: bool,
    overdue: bool | None,
    before: bool,
    after: bool,
) -> tuple[Any, Any]:
    """The list's statement and its count for one shape of filters, built once with bound
    parameters: building it for every poll of an inbox (its comparisons coerced value by
    value) cost more of the API's CPU than running it (py-spy, bench/lifecycle.py)."""
    stmt = _with_agreement(scoped)
    if kinds:
        stmt = stmt.where(col(Task.kind).in_(bindparam("kinds", expanding=True)))
    if statuses:
        stmt = stmt.where(col(Task.status).in_(bindparam("statuses", expanding=True)))
    if agreement:
        stmt = stmt.where(col(Task.agreement_id) == bindparam("agreement_id"))
    if overdue is True:
        stmt = stmt.where(col(Task.due_at) < bindparam("now"), Task.status == TaskStatus.OPEN)
    elif overdue is False:
        stmt = stmt.where(or_(col(Task.due_at).is_(None), col(Task.due_at) >= bindparam("now")))
    if before:
        stmt = stmt.where(col(Task.due_at) <= bindparam("due_before"))
    if after:
        stmt = stmt.where(col(Task.due_at) >= bindparam("due_after"))
    count = select(func.count()).select_from(stmt.subquery())
    page = (
        stmt.order_by(
            col(Task.due_at).is_(None),
            col(Task.due_at),
            col(Task.requested_at),
            col(Task.id),
        )
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return page, count


@functools.cache
def _one(scoped: bool) -> Any:
    return _with_agreement(scoped).where(col(Task.id) == bindparam("task_id"))


def _scope(principal: Principal) -> dict[str, Any] | None:
    """The parameters that limit a statement to the caller's tasks: {} for an administrator
    (all of them), None for whoever has none."""
    if principal.role is Role.ADMIN:
        return {}
    scope = access.task_scope(principal)
    if scope is None:
        return None
    return {"org": scope.org, "role": scope.role.value}


def list_tasks(
    session: Session, *, principal: Principal, filters: TaskFilter, limit: int, offset: int
) -> tuple[list[tuple[Task, Agreement]], int]:
    """The caller's tasks, soonest deadline first (tasks without one after those with)."""
    params = _scope(principal)
    if params is None:
        return [], 0
    page, count = _listing(
        bool(params),
        bool(filters.kind),
        bool(filters.status),
        bool(filters.agreement_id),
        filters.overdue,
        filters.due_before is not None,
        filters.due_after is not None,
    )
    params |= {
        "kinds": list(filters.kind),
        "statuses": list(filters.status),
        "agreement_id": filters.agreement_id,
        "now": utcnow(),
        "due_before": filters.due_before,
        "due_after": filters.due_after,
        "limit": limit,
        "offset": offset,
    }
    rows = session.execute(page, params).all()
    if (rows and len(rows) < limit) or (not rows and offset == 0):
        total = offset + len(rows)  # the last page: no need to count (inboxes are polled)
    else:
        total = session.execute(count, params).scalar_one()
    return [(t, a) for t, a in rows], int(total)


def get_task(session: Session, *, principal: Principal, task_id: str) -> tuple[Task, Agreement]:
    """A task the caller may see; any other answers like a missing one."""
    params = _scope(principal)
    row = (
        None
        if params is None
        else session.execute(_one(bool(params)), params | {"task_id": task_id}).first()
    )
    if row is None:
        raise NotFound("task_not_found", id=task_id)
    task, agreement = row
    return task, agreement


def check_claim(session: Session, *, principal: Principal, task_id: str, action: str) -> str:
    """What can be told before asking the workflow whether this person may claim, release or
    take over the task (the workflow's validator decides); returns the agreement's id."""
    task, agreement = get_task(session, principal=principal, task_id=task_id)
    subject, role = principal.subject, principal.role
    if action == ClaimAction.RELEASE:
        if not may_release_claim(task.claimed_by, subject=subject, role=role):
            raise Conflict("task_claimed", by=task.claimed_by)
        return agreement.id
    if principal.role is Role.ADMIN:
        raise Forbidden("not_assignee")
    if task.status not in (TaskStatus.OPEN, TaskStatus.PAUSED):
        raise Conflict("task_not_open", status=task.status.value)
    if action == ClaimAction.CLAIM and claim_stops(task.claimed_by, subject=subject, role=role):
        raise Conflict("task_claimed", by=task.claimed_by)
    return agreement.id


@dataclass(frozen=True)
class Inbox:
    """One page of a person's task inbox."""

    items: list[TaskPublic]
    total: int


def inbox(
    session: Session, *, principal: Principal, closed: bool, limit: int, offset: int
) -> Inbox:
    """The caller's open (and paused) tasks, or with `closed` the done and cancelled ones,
    soonest deadline first."""
    statuses = (
        (TaskStatus.DONE, TaskStatus.CANCELLED) if closed else (TaskStatus.OPEN, TaskStatus.PAUSED)
    )
    rows, total = list_tasks(
        session,
        principal=principal,
        filters=TaskFilter(status=statuses),
        limit=limit,
        offset=offset,
    )
    now = utcnow()
    return Inbox([to_public(t, a, now=now) for t, a in rows], total)


# The two reads below serve pages about agreements the caller was already allowed to read:
# they show who holds each open task, whoever the caller is.


def waiting_on(session: Session, *, agreement: Agreement) -> list[TaskPublic]:
    """The agreement's open and paused tasks, whoever holds them, soonest deadline first."""
    rows = session.exec(
        select(Task)
        .where(
            Task.agreement_id == agreement.id,
            col(Task.status).in_([TaskStatus.OPEN, TaskStatus.PAUSED]),
        )
        .order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.requested_at))
    )
    return [to_public(t, agreement) for t in rows]


def next_deadlines(session: Session, *, agreement_ids: Sequence[str]) -> dict[str, Task]:
    """Per agreement, its open task due soonest (whoever holds it)."""
    if not agreement_ids:
        return {}
    found: dict[str, Task] = {}
    for t in session.exec(
        select(Task)
        .where(col(Task.agreement_id).in_(list(agreement_ids)), Task.status == TaskStatus.OPEN)
        .where(col(Task.due_at).is_not(None))
        .order_by(col(Task.due_at))
    ):
        found.setdefault(t.agreement_id, t)
    return found


def summary(a: Agreement) -> AgreementSummary:
    return AgreementSummary(
        id=a.id,
        title=a.title,
        province=a.province,
        status=a.status,
        case_kind=a.case_kind,
        signatory_level=a.signatory_level,
        partner_name=a.partner_name,
        partner_country=a.partner_country,
    )


def to_public(task: Task, agreement: Agreement, *, now: datetime | None = None) -> TaskPublic:
    now = now or utcnow()
    body = get_body(task.assignee_org)
    overdue = task.status is TaskStatus.OPEN and task.due_at is not None and task.due_at < now
    left = None
    if task.status is TaskStatus.OPEN and task.due_at is not None and not overdue:
        left = default_calendar().working_days_between(now, task.due_at)
    return TaskPublic(
        id=task.id,
        kind=task.kind,
        duty=task.duty,
        status=task.status,
        round=task.round,
        agreement=summary(agreement),
        assignee=AssigneePublic(
            org=task.assignee_org,
            role=task.assignee_role,
            name_vi=body.name_vi if body else None,
            name_en=body.name_en if body else None,
        ),
        requested_at=task.requested_at,
        due_at=task.due_at,
        overdue=overdue,
        working_days_left=left,
        due_provisional=task.due_at is not None
        and default_calendar().is_provisional(local_date(task.due_at)),
        claimed_by=task.claimed_by,
        claimed_at=task.claimed_at,
        outcome=task.outcome,
        comment=task.comment,
        document_ids=list(task.document_ids),
        answered_by=task.answered_by,
        answered_at=task.answered_at,
        on_time=task.on_time,
    )
