"""What every step of the procedure does to the agreements database: load the agreement, open
and close its task rows, stamp a new version, and queue the step's event. The steps themselves
are in consultation.py, decision.py, duties.py and follow_up.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from common.law.calendar import local_date
from common.law.routing import Assignee
from common.law.vocabulary import (
    PRIMARY_DUTIES,
    AgreementStatus,
    DocumentKind,
    Duty,
    Outcome,
    Role,
    TaskKind,
    TaskStatus,
)
from services.agreements import events
from services.agreements.models import Agreement, Document, Task
from workflows.lifecycle import contracts as c


class AgreementMissing(Exception):
    """The workflow names an agreement the database does not have: retrying cannot help."""


def load(session: Session, agreement_id: str) -> Agreement:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise AgreementMissing(agreement_id)
    return a


def about(a: Agreement) -> dict[str, Any]:
    """The part every step event carries: which agreement, whose, and what it is."""
    return {"agreement_id": a.id, "province": a.province, "agreement": events.agreement_ref(a)}


def touch(a: Agreement, at: datetime, status: AgreementStatus | None = None) -> None:
    """A new version of the agreement at `at` (the workflow's moment), in `status` if given."""
    if status is not None:
        a.status = status
    a.version += 1
    a.updated_at = at


def new_task(
    session: Session,
    *,
    task_id: str,
    a: Agreement,
    kind: TaskKind,
    assignee: Assignee,
    at: datetime,
    round_: int,
    due_at: datetime | None = None,
    reminder_at: datetime | None = None,
    duty: Duty | None = None,
) -> Task:
    """The task's row, once: the workflow chose its id, so a retried step finds it."""
    task = session.get(Task, task_id)
    if task is None:
        task = Task(
            id=task_id,
            agreement_id=a.id,
            kind=kind,
            duty=duty,
            round=round_,
            assignee_role=assignee.role.value,
            assignee_org=assignee.org,
            requested_at=at,
            due_at=due_at,
            reminder_at=reminder_at,
        )
        session.add(task)
    return task


def open_tasks(session: Session, agreement_id: str, kind: TaskKind) -> Sequence[Task]:
    return session.exec(
        select(Task).where(
            Task.agreement_id == agreement_id,
            Task.kind == kind,
            col(Task.status).in_([TaskStatus.OPEN, TaskStatus.PAUSED]),
        )
    ).all()


def close(task: Task, *, at: datetime, by: str | None, status: TaskStatus) -> None:
    task.status = status
    task.answered_at = at
    task.answered_by = by
    if status is TaskStatus.DONE:
        task.outcome = Outcome.DONE.value
        task.on_time = task.due_at is None or at <= task.due_at


def current_text_hashes(session: Session, agreement_id: str, kind: DocumentKind) -> list[str]:
    """The latest file of each language of a kind of text (the draft, the signed text)."""
    docs = session.exec(
        select(Document)
        .where(Document.agreement_id == agreement_id, Document.kind == kind)
        .order_by(col(Document.uploaded_at))
    ).all()
    latest: dict[str, str] = {}
    for d in docs:
        latest[d.language] = d.sha256
    return sorted(set(latest.values()))


def view(task: Task) -> c.TaskView:
    return c.TaskView(
        task_id=task.id,
        kind=task.kind,
        org=task.assignee_org,
        role=Role(task.assignee_role),
        round=task.round,
        status=task.status.value,
        due_at=task.due_at,
        outcome=task.outcome,
    )


def duty_due_on(session: Session, a: Agreement, task: Task, at: datetime) -> date:
    """When the duty a delivery or receipt task belongs to was due: the case's copy or notice
    by the agreement's record, a report or plan by its own delivery task."""
    if task.duty is None or task.duty in PRIMARY_DUTIES:
        return a.copy_due_on or local_date(at)
    delivery = session.exec(
        select(Task)
        .where(
            Task.agreement_id == a.id,
            Task.kind == TaskKind.COPY_DELIVERY,
            Task.duty == task.duty,
            col(Task.requested_at) <= task.requested_at,
        )
        .order_by(col(Task.requested_at).desc())
    ).first()
    if delivery is not None and delivery.due_at is not None:
        return local_date(delivery.due_at)
    return local_date(at)
