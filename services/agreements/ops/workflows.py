"""Agreements whose workflow is missing, has ended, or has not moved past a deadline, read from
the agreements database and Temporal; and the one safe repair: a submission no workflow took in
is started again from its `agreement.submitted` event, as the bridge and the watchdog do. A
later state is never restarted from scratch (that would consult the bodies again): it is shown
as needing an engineer, with the reason and a link to the workflow in the Temporal UI."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, Field
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from common.auth import Principal
from common.db import Database, utcnow
from common.events.types import EventType
from common.law.calendar import TZ, default_calendar, local_date
from common.law.deadlines import next_escalation
from common.law.labels import label, org_label, pick
from common.law.vocabulary import AgreementStatus, Duty, TaskKind, TaskStatus
from services.agreements.errors import Conflict, NotFound, ServiceError
from services.agreements.models import Agreement, OutboxEvent, Task
from services.agreements.ops import audit
from services.agreements.ops.access import require_operator
from services.agreements.ops.audit import ActionKind, Done
from services.agreements.outbox import to_event
from services.agreements.procedure.engine import Engine
from services.agreements.settings import AgreementsSettings
from services.agreements.unit_of_work import read
from workflows.lifecycle.contracts import workflow_id
from workflows.lifecycle.starter import signal_with_start, submission

# States in which a workflow must be running (SIGNED too while a duty is open).
EXPECTS_WORKFLOW: Final = frozenset(
    {
        AgreementStatus.SUBMITTED,
        AgreementStatus.IN_CONSULTATION,
        AgreementStatus.RETURNED,
        AgreementStatus.AWAITING_PM_OPINION,
        AgreementStatus.AWAITING_DECISION,
        AgreementStatus.APPROVED,
    }
)
# The event the workflow writes when a task of this kind passes its deadline.
OVERDUE_EVENT: Final[Mapping[TaskKind, EventType]] = {
    TaskKind.CONSULTATION: EventType.CONSULTATION_OVERDUE,
    TaskKind.PM_OPINION: EventType.PM_OPINION_OVERDUE,
    TaskKind.COPY_DELIVERY: EventType.AGREEMENT_COPY_OVERDUE,
}
# How long after the workflow should have announced a passed deadline it counts as stuck.
LATE_BY: Final = timedelta(days=1)
DESCRIBE_TIMEOUT: Final = timedelta(seconds=5)
DESCRIBING_AT_ONCE: Final = 16


class WorkflowState(StrEnum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"
    CONTINUED_AS_NEW = "CONTINUED_AS_NEW"
    TIMED_OUT = "TIMED_OUT"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN = "UNKNOWN"  # Temporal did not answer


class Finding(StrEnum):
    NO_WORKFLOW = "no_workflow"
    WORKFLOW_ENDED = "workflow_ended"
    DEADLINE_NOT_MOVED = "deadline_not_moved"


class Repair(StrEnum):
    START = "start"  # a submission: signal-with-start from its event, safe to repeat
    NONE = "none"  # the workflow runs: nothing to do but watch it
    ENGINEER = "engineer"  # a later state: restarting would consult the bodies again
    UNKNOWN = "unknown"  # Temporal did not answer


# (Vietnamese, English) of what the console found and what it offers.
TEXTS: Final[Mapping[str, tuple[str, str]]] = {
    Finding.NO_WORKFLOW: (
        "Trạng thái “{status}” cần một quy trình đang chạy, nhưng Temporal không có quy trình "
        "{workflow_id}.",
        "Status “{status}” needs a running workflow, but Temporal has no workflow {workflow_id}.",
    ),
    Finding.WORKFLOW_ENDED: (
        "Quy trình {workflow_id} đã dừng ({workflow_status}) trong khi thỏa thuận vẫn ở trạng "
        "thái “{status}”.",
        "Workflow {workflow_id} stopped ({workflow_status}) while the agreement is still "
        "“{status}”.",
    ),
    Finding.DEADLINE_NOT_MOVED: (
        "{task} ({org}) quá hạn từ {due} nhưng chưa có sự kiện {event}: quy trình có thể bị kẹt.",
        "{task} ({org}) was due {due} but no {event} event followed: the workflow may be stuck.",
    ),
    Repair.START: (
        "Sửa được: khởi động quy trình từ sự kiện trình gần nhất (signal-with-start, an toàn khi "
        "lặp lại).",
        "Repairable: start the workflow from the latest submission event (signal-with-start, "
        "safe to repeat).",
    ),
    Repair.NONE: (
        "Quy trình đang chạy: không cần sửa; theo dõi trên Temporal UI.",
        "The workflow is running: nothing to repair; watch it in the Temporal UI.",
    ),
    Repair.ENGINEER: (
        "Cần kỹ sư: không khởi động lại từ đầu vì sẽ hỏi ý kiến các cơ quan lần nữa. Xem lịch "
        "sử quy trình trên Temporal UI và mục “Operator console” trong deploy/RUNBOOK.md.",
        "An engineer is needed: it is not restarted from scratch, which would consult the "
        "bodies again. See its history in the Temporal UI and “Operator console” in "
        "deploy/RUNBOOK.md.",
    ),
    Repair.UNKNOWN: (
        "Không kết nối được Temporal: chưa biết trạng thái quy trình.",
        "Temporal cannot be reached: the workflow's state is not known.",
    ),
}


class LateTaskPublic(BaseModel):
    task_id: str
    kind: TaskKind
    org: str
    due_at: datetime
    expected_event: str = Field(description="the overdue event the workflow has not written")


class StuckAgreementPublic(BaseModel):
    agreement_id: str
    title: str
    province: str
    status: AgreementStatus
    submitted_at: datetime | None
    updated_at: datetime
    workflow_id: str
    workflow_status: WorkflowState
    findings: list[Finding]
    late_tasks: list[LateTaskPublic]
    repair: Repair
    details: list[str] = Field(description="what was found and what to do, in your language")
    temporal_url: str


class StuckPublic(BaseModel):
    data: list[StuckAgreementPublic]
    count: int
    checked: int = Field(description="agreements whose workflow was looked up")
    temporal_reachable: bool


class RepairCreate(BaseModel):
    reason: str = Field(min_length=3, max_length=2000, description="why: kept in the audit log")


class RepairPublic(BaseModel):
    agreement_id: str
    outcome: str = Field(description="started (no workflow was there) or signalled (running)")
    workflow_status: WorkflowState = Field(description="before the repair")
    temporal_url: str


def temporal_url(settings: AgreementsSettings, agreement_id: str) -> str:
    base = settings.temporal_ui_url.rstrip("/")
    return f"{base}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id(agreement_id)}"


# --- the database's side --------------------------------------------------------------------


@dataclass
class Gathered:
    agreements: dict[str, Agreement] = field(default_factory=dict)
    expecting: set[str] = field(default_factory=set)
    late: dict[str, list[LateTaskPublic]] = field(default_factory=dict)


def expected_at(kind: TaskKind, due_at: datetime) -> datetime:
    """When the workflow announces a task of this kind overdue: a consultation or the Prime
    Minister's opinion the next working morning, a duty when its day has closed."""
    if kind is TaskKind.COPY_DELIVERY:
        return due_at
    return next_escalation(default_calendar(), due_at)


def announced(task: Task, events: list[OutboxEvent]) -> bool:
    wanted = OVERDUE_EVENT[task.kind].value
    for e in events:
        if e.event_type != wanted:
            continue
        if task.kind is TaskKind.COPY_DELIVERY:
            duty = (task.duty or Duty.COPY).value
            assert task.due_at is not None
            if e.data.get("duty") == duty and e.data.get("due_on") == str(local_date(task.due_at)):
                return True
        elif e.data.get("task_id") == task.id:
            return True
    return False


def gather(session: Session, *, now: datetime, submitted_before: datetime) -> Gathered:
    """Agreements (never imported ones) in a state that needs a running workflow, and open
    tasks whose deadline passed over a day before now without their overdue event."""
    out = Gathered()
    with_open_tasks = select(Task.agreement_id).where(Task.status == TaskStatus.OPEN)
    later = [s for s in EXPECTS_WORKFLOW if s is not AgreementStatus.SUBMITTED]
    expecting = session.exec(
        select(Agreement).where(
            col(Agreement.imported).is_(False),
            or_(
                col(Agreement.status).in_(later),
                and_(
                    col(Agreement.status) == AgreementStatus.SUBMITTED,
                    col(Agreement.submitted_at) <= submitted_before,
                ),
                and_(
                    col(Agreement.status) == AgreementStatus.SIGNED,
                    col(Agreement.id).in_(with_open_tasks),
                ),
            ),
        )
    ).all()
    for a in expecting:
        out.agreements[a.id] = a
        out.expecting.add(a.id)
    rows = session.exec(
        select(Task, Agreement)
        .join(Agreement, col(Agreement.id) == col(Task.agreement_id))
        .where(
            Task.status == TaskStatus.OPEN,
            col(Task.kind).in_(list(OVERDUE_EVENT)),
            col(Task.due_at).is_not(None),
            col(Task.due_at) < now - LATE_BY,
            col(Agreement.imported).is_(False),
        )
    ).all()
    late = [
        (t, a)
        for t, a in rows
        if t.due_at is not None and now - expected_at(t.kind, t.due_at) > LATE_BY
    ]
    if not late:
        return out
    ids = sorted({a.id for _, a in late})
    events: dict[str, list[OutboxEvent]] = {}
    for e in session.exec(
        select(OutboxEvent).where(
            col(OutboxEvent.agreement_id).in_(ids),
            col(OutboxEvent.event_type).in_([e.value for e in OVERDUE_EVENT.values()]),
        )
    ).all():
        events.setdefault(e.agreement_id, []).append(e)
    for task, a in late:
        if announced(task, events.get(a.id, [])):
            continue
        assert task.due_at is not None
        out.agreements[a.id] = a
        out.late.setdefault(a.id, []).append(
            LateTaskPublic(
                task_id=task.id,
                kind=task.kind,
                org=task.assignee_org,
                due_at=task.due_at,
                expected_event=OVERDUE_EVENT[task.kind].value,
            )
        )
    return out


def latest_submission(session: Session, agreement_id: str) -> OutboxEvent | None:
    last = select(func.max(OutboxEvent.id)).where(
        OutboxEvent.agreement_id == agreement_id,
        OutboxEvent.event_type == EventType.AGREEMENT_SUBMITTED.value,
    )
    return session.exec(select(OutboxEvent).where(OutboxEvent.id == last.scalar_subquery())).first()


def agreement_and_submission(
    session: Session, agreement_id: str
) -> tuple[Agreement, OutboxEvent | None]:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise NotFound("agreement_not_found", id=agreement_id)
    return a, latest_submission(session, agreement_id)


# --- Temporal's side ------------------------------------------------------------------------


async def describe(client: Client, agreement_id: str) -> WorkflowState:
    """The status of the agreement's workflow (its latest run), or NOT_FOUND."""
    handle = client.get_workflow_handle(workflow_id(agreement_id))
    try:
        found = await handle.describe(rpc_timeout=DESCRIBE_TIMEOUT)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return WorkflowState.NOT_FOUND
        raise
    return WorkflowState(found.status.name) if found.status is not None else WorkflowState.UNKNOWN


async def describe_all(engine: Engine, ids: list[str]) -> dict[str, WorkflowState] | None:
    """Each agreement's workflow status, a few lookups at a time; None when Temporal does not
    answer."""
    try:
        client = await engine.client()
    except ServiceError:
        return None
    gate = asyncio.Semaphore(DESCRIBING_AT_ONCE)

    async def one(agreement_id: str) -> WorkflowState:
        async with gate:
            return await describe(client, agreement_id)

    try:
        states = await asyncio.gather(*(one(i) for i in ids))
    except RPCError:
        return None
    return dict(zip(ids, states, strict=True))


# --- the console's use cases ----------------------------------------------------------------


def repair_of(status: AgreementStatus, state: WorkflowState) -> Repair:
    if state is WorkflowState.UNKNOWN:
        return Repair.UNKNOWN
    if status is AgreementStatus.SUBMITTED and state in (
        WorkflowState.NOT_FOUND,
        WorkflowState.RUNNING,
    ):
        return Repair.START
    if state is WorkflowState.RUNNING:
        return Repair.NONE
    return Repair.ENGINEER


def explain(item: StuckAgreementPublic, lang: str) -> list[str]:
    """What was found and what to do, in `lang`."""
    status = label("status", item.status, lang)
    out: list[str] = []
    for finding in item.findings:
        if finding is Finding.DEADLINE_NOT_MOVED:
            out += [
                pick(TEXTS[finding], lang).format(
                    task=label("task", t.kind, lang),
                    org=org_label(t.org, lang),
                    due=t.due_at.astimezone(TZ).strftime("%d/%m/%Y %H:%M"),
                    event=t.expected_event,
                )
                for t in item.late_tasks
            ]
        else:
            out.append(
                pick(TEXTS[finding], lang).format(
                    status=status,
                    workflow_id=item.workflow_id,
                    workflow_status=item.workflow_status.value,
                )
            )
    out.append(pick(TEXTS[item.repair], lang))
    return out


async def stuck(
    db: Database,
    engine: Engine,
    settings: AgreementsSettings,
    *,
    principal: Principal,
    lang: str,
) -> StuckPublic:
    """Agreements in a state that needs a running workflow whose workflow is not running, and
    agreements with a deadline the workflow has not moved past. A submission is given the
    watchdog's own grace (WATCHDOG_STUCK_AFTER_S) before it counts as not taken in."""
    require_operator(principal)
    now = utcnow()
    found = await asyncio.to_thread(
        read,
        db,
        gather,
        now=now,
        submitted_before=now - timedelta(seconds=settings.watchdog_stuck_after_s),
    )
    ids = sorted(found.agreements)
    states = await describe_all(engine, ids)
    items: list[StuckAgreementPublic] = []
    for agreement_id in ids:
        a = found.agreements[agreement_id]
        state = states[agreement_id] if states is not None else WorkflowState.UNKNOWN
        findings: list[Finding] = []
        if agreement_id in found.expecting and state is not WorkflowState.RUNNING:
            if state is WorkflowState.NOT_FOUND:
                findings.append(Finding.NO_WORKFLOW)
            elif state is not WorkflowState.UNKNOWN:
                findings.append(Finding.WORKFLOW_ENDED)
        late = found.late.get(agreement_id, [])
        if late:
            findings.append(Finding.DEADLINE_NOT_MOVED)
        if not findings:
            continue
        item = StuckAgreementPublic(
            agreement_id=a.id,
            title=a.title,
            province=a.province,
            status=a.status,
            submitted_at=a.submitted_at,
            updated_at=a.updated_at,
            workflow_id=workflow_id(a.id),
            workflow_status=state,
            findings=findings,
            late_tasks=late,
            repair=repair_of(a.status, state),
            details=[],
            temporal_url=temporal_url(settings, a.id),
        )
        item.details = explain(item, lang)
        items.append(item)
    items.sort(key=lambda i: (i.submitted_at or i.updated_at, i.agreement_id))
    return StuckPublic(
        data=items, count=len(items), checked=len(ids), temporal_reachable=states is not None
    )


async def repair(
    db: Database,
    engine: Engine,
    settings: AgreementsSettings,
    *,
    principal: Principal,
    agreement_id: str,
    body: RepairCreate,
) -> RepairPublic:
    """Start (or signal) the workflow of a submitted agreement from its latest submission event,
    exactly as the bridge would have; refuse anything else with the reason."""
    require_operator(principal)
    a, submitted = await asyncio.to_thread(read, db, agreement_and_submission, agreement_id)
    if a.imported:
        raise Conflict("ops_imported", id=agreement_id)
    client = await engine.client()
    state = await describe(client, agreement_id)
    if repair_of(a.status, state) is not Repair.START:
        if state is WorkflowState.RUNNING:
            raise Conflict("ops_workflow_running", id=agreement_id)
        raise Conflict(
            "ops_needs_engineer",
            id=agreement_id,
            status=a.status.value,
            workflow=state.value,
        )
    if submitted is None:
        raise Conflict("ops_no_submission", id=agreement_id)
    event = to_event(submitted, settings.source)
    taken = await signal_with_start(
        client, submission(event), settings.timing(), correlation_id=submitted.correlation_id
    )
    if not taken:  # a run ended between the look and the start: the id cannot be reused
        raise Conflict(
            "ops_needs_engineer", id=agreement_id, status=a.status.value, workflow="CLOSED"
        )
    outcome = "started" if state is WorkflowState.NOT_FOUND else "signalled"
    await asyncio.to_thread(
        audit.record,
        db,
        principal=principal,
        reason=body.reason,
        done=[
            Done(
                kind=ActionKind.REPAIR,
                target=workflow_id(agreement_id),
                outcome=outcome,
                agreement_id=agreement_id,
                event_id=submitted.event_id,
                detail={"status": a.status.value, "workflow_status": state.value},
            )
        ],
    )
    return RepairPublic(
        agreement_id=agreement_id,
        outcome=outcome,
        workflow_status=state,
        temporal_url=temporal_url(settings, agreement_id),
    )
