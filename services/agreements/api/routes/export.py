"""Operator export of every agreement, consultation and duty, page by page, for consumers that
must rebuild their read model after the broker lost its data (e.g. `reporting rebuild`). Rows
are the records of common/events/payloads.py: an agreement as its snapshot events carry it, so
a consumer maps export and events to its read model the same way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from common.auth import Role
from common.deps import DatabaseDep, LanguageDep
from common.events.payloads import AgreementRecordV1, ConsultationRecordV1, DutyRecordV1
from common.law.calendar import TZ, local_date
from common.law.vocabulary import ENDING_KINDS, Duty, TaskKind, TaskStatus, duty_of
from common.problems import Problem, status_title
from services.agreements.api.deps import LIST_PROBLEMS, CurrentPrincipal
from services.agreements.events import snapshot_fields
from services.agreements.models import Agreement, OutboxEvent, Task

router = APIRouter(prefix="/v1/export", tags=["export"])

EXPORTERS = frozenset({Role.OPERATOR, Role.ADMIN})

Record = TypeVar("Record", bound=BaseModel)


def _check(principal: Any, lang: str) -> None:
    if principal.role not in EXPORTERS:
        raise Problem(
            status=403,
            title=status_title(403, lang),
            detail=(
                "Chỉ người vận hành và quản trị viên được xuất toàn bộ dữ liệu."
                if lang == "vi"
                else "Only operators and administrators may export the records."
            ),
            type="not-exporter",
        )


def _watermarks(session: Session, agreement_ids: list[str]) -> dict[str, datetime]:
    """The newest event of each agreement: what a consumer's copy of the row reflects. Read
    before the rows themselves, so a row is never older than its watermark."""
    if not agreement_ids:
        return {}
    rows = session.exec(
        select(OutboxEvent.agreement_id, func.max(OutboxEvent.created_at))
        .where(col(OutboxEvent.agreement_id).in_(agreement_ids))
        .group_by(col(OutboxEvent.agreement_id))
    ).all()
    out: dict[str, datetime] = {}
    for agreement_id, moment in rows:
        if isinstance(moment, str):  # in case a driver hands back the stored text
            moment = datetime.fromisoformat(moment)
        out[agreement_id] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return out


def _agreement(a: Agreement, state_at: datetime | None) -> AgreementRecordV1:
    delivered = a.copy_delivered_at
    return AgreementRecordV1(
        **snapshot_fields(a),
        id=a.id,
        imported=a.imported,
        submitted_at=a.submitted_at,
        copy_due_on=a.copy_due_on,
        copy_delivered_at=delivered,
        # As the copy_delivered event said: delivered (the day the province gave) by the due
        # day. A termination's notice is not a signed copy.
        copy_on_time=(
            None
            if delivered is None or a.copy_due_on is None or a.case_kind in ENDING_KINDS
            else (a.copy_delivered_on or delivered.astimezone(TZ).date()) <= a.copy_due_on
        ),
        state_at=state_at or a.updated_at,
    )


def _consultation(t: Task, province: str, state_at: datetime | None) -> ConsultationRecordV1:
    return ConsultationRecordV1(
        task_id=t.id,
        agreement_id=t.agreement_id,
        province=province,
        body=t.assignee_org,
        round=t.round,
        status=t.status.value,
        requested_at=t.requested_at,
        due_at=t.due_at,
        answered_at=t.answered_at,
        on_time=t.on_time,
        working_days_taken=t.working_days_taken,
        outcome=t.outcome,
        state_at=state_at or t.requested_at,
    )


class ExportPage(BaseModel, Generic[Record]):
    data: list[Record]
    next_after: str | None = Field(description="`after` for the next page; null on the last")


Limit = Annotated[int, Query(ge=1, le=5000)]
After = Annotated[str | None, Query(max_length=64, description="the last id of the page before")]


@router.get("/agreements", response_model=ExportPage[AgreementRecordV1], responses=LIST_PROBLEMS)
def export_agreements(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    lang: LanguageDep,
    after: After = None,
    limit: Limit = 1000,
) -> ExportPage[AgreementRecordV1]:
    """Every agreement and change case, by id; `state_at` is its newest event's time."""
    _check(principal, lang)
    with db.session() as session:
        ids_stmt = select(Agreement.id).order_by(col(Agreement.id)).limit(limit)
        if after:
            ids_stmt = ids_stmt.where(col(Agreement.id) > after)
        ids = list(session.exec(ids_stmt))
        marks = _watermarks(session, ids)
        rows = session.exec(
            select(Agreement).where(col(Agreement.id).in_(ids)).order_by(col(Agreement.id))
        ).all()
        data = [_agreement(a, marks.get(a.id)) for a in rows]
    return ExportPage(data=data, next_after=ids[-1] if len(ids) == limit else None)


@router.get(
    "/consultations", response_model=ExportPage[ConsultationRecordV1], responses=LIST_PROBLEMS
)
def export_consultations(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    lang: LanguageDep,
    after: After = None,
    limit: Limit = 1000,
) -> ExportPage[ConsultationRecordV1]:
    """Every consultation task (kind CONSULTATION), by id, with its agreement's province."""
    _check(principal, lang)
    with db.session() as session:
        ids_stmt = (
            select(Task.id, Task.agreement_id)
            .where(col(Task.kind) == TaskKind.CONSULTATION)
            .order_by(col(Task.id))
            .limit(limit)
        )
        if after:
            ids_stmt = ids_stmt.where(col(Task.id) > after)
        pairs = session.exec(ids_stmt).all()
        ids = [task_id for task_id, _ in pairs]
        marks = _watermarks(session, sorted({agreement_id for _, agreement_id in pairs}))
        rows = session.exec(
            select(Task, Agreement.province)
            .join(Agreement, col(Agreement.id) == col(Task.agreement_id))
            .where(col(Task.id).in_(ids))
            .order_by(col(Task.id))
        ).all()
        data = [_consultation(t, province, marks.get(t.agreement_id)) for t, province in rows]
    return ExportPage(data=data, next_after=ids[-1] if len(ids) == limit else None)


def _duty_of(task: Task, case_kind: str) -> str:
    """The duty a delivery or receipt is for; rows from before duties were told apart are the
    case's own (its copy, or the notice of an ending)."""
    if task.duty is not None:
        return task.duty.value
    try:
        return duty_of(case_kind).value
    except ValueError:  # a kind of case this version does not know: a copy is owed
        return Duty.COPY.value


def _receipts(
    deliveries: Sequence[Task], receipts: Sequence[Task], kinds: dict[str, str]
) -> dict[str, Task]:
    """Delivery task id -> its receipt: the recipient's task on the same agreement and duty,
    opened when that delivery was the latest one (as records.duty_due_on reads it)."""
    out: dict[str, Task] = {}
    for receipt in receipts:
        duty = _duty_of(receipt, kinds[receipt.agreement_id])
        earlier = [
            d
            for d in deliveries
            if d.agreement_id == receipt.agreement_id
            and _duty_of(d, kinds[d.agreement_id]) == duty
            and d.requested_at <= receipt.requested_at
        ]
        if earlier:
            out[max(earlier, key=lambda d: d.requested_at).id] = receipt
    return out


@router.get("/duties", response_model=ExportPage[DutyRecordV1], responses=LIST_PROBLEMS)
def export_duties(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    lang: LanguageDep,
    after: After = None,
    limit: Limit = 1000,
) -> ExportPage[DutyRecordV1]:
    """Every duty owed after a decision took effect (the signed copy, a notice, the report to
    the Prime Minister, a yearly plan), by its delivery task's id: due day, delivery, receipt;
    `state_at` is the newest event of the agreement (or of the case and its agreement)."""
    _check(principal, lang)
    with db.session() as session:
        ids_stmt = (
            select(Task.id, Task.agreement_id)
            .where(
                col(Task.kind) == TaskKind.COPY_DELIVERY,
                col(Task.due_at).is_not(None),
                col(Task.status) != TaskStatus.CANCELLED,
            )
            .order_by(col(Task.id))
            .limit(limit)
        )
        if after:
            ids_stmt = ids_stmt.where(col(Task.id) > after)
        pairs = session.exec(ids_stmt).all()
        ids = [task_id for task_id, _ in pairs]
        owners = sorted({agreement_id for _, agreement_id in pairs})
        agreements = {
            a.id: a
            for a in session.exec(select(Agreement).where(col(Agreement.id).in_(owners))).all()
        }
        parents = sorted({a.parent_id for a in agreements.values() if a.parent_id})
        marks = _watermarks(session, sorted({*owners, *parents}))
        kinds = {a.id: str(a.case_kind) for a in agreements.values()}
        tasks = session.exec(
            select(Task).where(
                col(Task.agreement_id).in_(owners),
                col(Task.kind).in_([TaskKind.COPY_DELIVERY, TaskKind.COPY_RECEIPT]),
            )
        ).all()
        deliveries = [t for t in tasks if t.kind is TaskKind.COPY_DELIVERY]
        receipts = [
            t for t in tasks if t.kind is TaskKind.COPY_RECEIPT and t.status is TaskStatus.DONE
        ]
        received = _receipts(deliveries, receipts, kinds)
        wanted = set(ids)
        data = []
        for d in sorted(deliveries, key=lambda t: t.id):
            if d.id not in wanted or d.due_at is None:
                continue
            a = agreements[d.agreement_id]
            done = d.status is TaskStatus.DONE
            receipt = received.get(d.id)
            moments = [marks.get(a.id), marks.get(a.parent_id or ""), d.requested_at]
            data.append(
                DutyRecordV1(
                    task_id=d.id,
                    agreement_id=a.id,
                    province=a.province,
                    duty=_duty_of(d, kinds[a.id]),
                    due_on=local_date(d.due_at),
                    delivered_at=d.answered_at if done else None,
                    on_time=d.on_time if done else None,
                    received_at=receipt.answered_at if receipt is not None else None,
                    state_at=max(m for m in moments if m is not None),
                )
            )
    return ExportPage(data=data, next_after=ids[-1] if len(ids) == limit else None)
