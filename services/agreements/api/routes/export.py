"""Operator export of every agreement and consultation, page by page, for consumers that must
rebuild their read model after the broker lost its data (e.g. `reporting rebuild`). Rows are the
records of common/events/payloads.py: an agreement as its snapshot events carry it, so a
consumer maps export and events to its read model the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from common.auth import Role
from common.deps import DatabaseDep, LanguageDep
from common.events.payloads import AgreementRecordV1, ConsultationRecordV1
from common.law.calendar import TZ
from common.law.vocabulary import ENDING_KINDS, TaskKind
from common.problems import Problem, status_title
from services.agreements.api.deps import PROBLEM_RESPONSES, CurrentPrincipal
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


@router.get(
    "/agreements", response_model=ExportPage[AgreementRecordV1], responses=PROBLEM_RESPONSES
)
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
    "/consultations", response_model=ExportPage[ConsultationRecordV1], responses=PROBLEM_RESPONSES
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
