"""Operator export of every agreement and consultation, page by page, for consumers that must
rebuild their read model after the broker lost its data (e.g. `reporting rebuild`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func
from sqlmodel import Session, col, select

from common.auth import Role
from common.deps import DatabaseDep, LanguageDep
from common.law.calendar import TZ
from common.law.vocabulary import ENDING_KINDS, TaskKind
from common.problems import Problem, status_title
from services.agreements.api.deps import PROBLEM_RESPONSES, CurrentPrincipal
from services.agreements.models import Agreement, OutboxEvent, Task

router = APIRouter(prefix="/v1/export", tags=["export"])

EXPORTERS = frozenset({Role.OPERATOR, Role.ADMIN})


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


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _agreement(a: Agreement, state_at: datetime | None) -> dict[str, Any]:
    delivered = a.copy_delivered_at
    return {
        "id": a.id,
        "version": a.version,
        "case_kind": a.case_kind.value,
        "parent_id": a.parent_id,
        "status": a.status.value,
        "province": a.province,
        "historical_unit": a.historical_unit,
        "title": a.title,
        "form": a.form.value,
        "signatory_level": a.signatory_level.value,
        "partner_name": a.partner_name,
        "partner_country": a.partner_country,
        "partner_type": a.partner_type.value,
        "fields": list(a.fields),
        "occasion": a.occasion,
        "reference": a.reference,
        "imported": a.imported,
        "created_at": _iso(a.created_at),
        "submitted_at": _iso(a.submitted_at),
        "signed_on": _iso(a.signed_on),
        "effective_from": _iso(a.effective_from),
        "expires_on": _iso(a.expires_on),
        "effective_on": _iso(a.effective_on),
        "copy_due_on": _iso(a.copy_due_on),
        "copy_delivered_at": _iso(delivered),
        # As the copy_delivered event said: delivered (the day the province gave) by the due
        # day. A termination's notice is not a signed copy.
        "copy_on_time": (
            None
            if delivered is None or a.copy_due_on is None or a.case_kind in ENDING_KINDS
            else (a.copy_delivered_on or delivered.astimezone(TZ).date()) <= a.copy_due_on
        ),
        "state_at": _iso(state_at or a.updated_at),
    }


Limit = Annotated[int, Query(ge=1, le=5000)]
After = Annotated[str | None, Query(max_length=64, description="the last id of the page before")]


@router.get("/agreements", responses=PROBLEM_RESPONSES)
def export_agreements(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    lang: LanguageDep,
    after: After = None,
    limit: Limit = 1000,
) -> dict[str, Any]:
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
    return {"data": data, "next_after": ids[-1] if len(ids) == limit else None}


@router.get("/consultations", responses=PROBLEM_RESPONSES)
def export_consultations(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    lang: LanguageDep,
    after: After = None,
    limit: Limit = 1000,
) -> dict[str, Any]:
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
        data = [
            {
                "task_id": t.id,
                "agreement_id": t.agreement_id,
                "province": province,
                "body": t.assignee_org,
                "round": t.round,
                "status": t.status.value,
                "requested_at": _iso(t.requested_at),
                "due_at": _iso(t.due_at),
                "answered_at": _iso(t.answered_at),
                "on_time": t.on_time,
                "working_days_taken": t.working_days_taken,
                "outcome": t.outcome,
                "state_at": _iso(marks.get(t.agreement_id) or t.requested_at),
            }
            for t, province in rows
        ]
    return {"data": data, "next_after": ids[-1] if len(ids) == limit else None}
