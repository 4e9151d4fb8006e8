"""An agreement's timeline: every step with who, when, the deadline and whether it was met,
read from the agreement's own event log (the outbox keeps every event it ever published)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlmodel import Session, col, select

from common.bodies import get_body
from common.events.types import EventType as E
from common.law.labels import label
from services.agreements.models import OutboxEvent, Task, TimelinePublic, TimelineStep

# Step names as people say them (Vietnamese, English).
LABELS: Final[dict[str, tuple[str, str]]] = {
    E.AGREEMENT_DRAFTED: ("Tạo dự thảo", "Draft created"),
    E.AGREEMENT_UPDATED: ("Sửa dự thảo", "Draft edited"),
    E.AGREEMENT_DELETED: ("Xóa dự thảo", "Draft deleted"),
    E.DOCUMENT_ATTACHED: ("Đính kèm tài liệu", "Document attached"),
    E.AGREEMENT_SUBMITTED: ("Trình hồ sơ", "Dossier submitted"),
    E.AGREEMENT_IMPORTED: ("Nhập từ sổ theo dõi", "Imported from the register"),
    E.CONSULTATION_REQUESTED: ("Gửi lấy ý kiến", "Opinion requested"),
    E.CONSULTATION_REMINDER: ("Nhắc hạn trả lời", "Reminder sent"),
    E.CONSULTATION_OVERDUE: ("Quá hạn trả lời", "Opinion overdue"),
    E.CONSULTATION_ANSWERED: ("Có ý kiến", "Opinion given"),
    E.AGREEMENT_RETURNED: ("Trả hồ sơ để bổ sung", "Dossier returned for a supplement"),
    E.PM_OPINION_REQUESTED: ("Xin ý kiến Thủ tướng", "Prime Minister's opinion requested"),
    E.PM_OPINION_OVERDUE: ("Quá hạn ý kiến Thủ tướng", "Prime Minister's opinion overdue"),
    E.PM_OPINION_GIVEN: ("Thủ tướng cho ý kiến", "Prime Minister's opinion given"),
    E.DECISION_REQUESTED: ("Trình lãnh đạo quyết định", "Decision requested"),
    E.AGREEMENT_APPROVED: ("Phê duyệt", "Approved"),
    E.AGREEMENT_REJECTED: ("Không phê duyệt", "Rejected"),
    E.AGREEMENT_SIGNED: ("Ký kết", "Signed"),
    E.AGREEMENT_TEXT_CHANGED: (
        "Văn bản ký khác văn bản đã duyệt: lấy ý kiến lại",
        "Signed text differs from the approved one: consulted again",
    ),
    # The duty (copy, notice, report, plan) is named by common/law/labels.py.
    E.AGREEMENT_COPY_REMINDER: ("Nhắc hạn: {duty}", "Reminder: {duty}"),
    E.AGREEMENT_COPY_DELIVERED: ("Đã gửi: {duty}", "Delivered: {duty}"),
    E.AGREEMENT_COPY_RECEIVED: ("Xác nhận đã nhận: {duty}", "Acknowledged: {duty}"),
    E.AGREEMENT_COPY_OVERDUE: ("Quá hạn: {duty}", "Overdue: {duty}"),
    E.AGREEMENT_IN_FORCE: ("Có hiệu lực", "In force"),
    E.AGREEMENT_PLAN_DUE: ("Nhắc kế hoạch thực hiện năm", "Yearly plan reminder"),
    E.AGREEMENT_EXPIRING: ("Sắp hết hiệu lực", "Expiring"),
    E.AGREEMENT_EXPIRED: ("Hết hiệu lực", "Expired"),
    E.AGREEMENT_AMENDED: ("Sửa đổi, bổ sung, gia hạn", "Amended"),
    E.AGREEMENT_RESUMED: ("Tiếp tục thực hiện", "Resumed"),
    E.AGREEMENT_TERMINATED: (
        "Chấm dứt, rút khỏi hoặc tạm đình chỉ",
        "Terminated, withdrawn or suspended",
    ),
}

# Where each payload keeps who acted and when (first key present wins).
_ACTOR_KEYS: Final = (
    "answered_by",
    "decided_by",
    "submitted_by",
    "recorded_by",
    "delivered_by",
    "received_by",
    "requested_by",
    "acknowledged_by",
    "attached_by",
    "updated_by",
    "deleted_by",
    "created_by",
    "imported_by",
)
_TIME_KEYS: Final = (
    "answered_at",
    "decided_at",
    "submitted_at",
    "recorded_at",
    "delivered_at",
    "received_at",
    "returned_at",
    "requested_at",
    "reminded_at",
    "attached_at",
    "deleted_at",
    "imported_at",
    "at",
    "updated_at",
    "created_at",
)
_DETAIL_KEYS: Final = (
    "outcome",
    "comment",
    "round",
    "reason",
    "duty",
    "recipient",
    "escalation",
    "working_days_overdue",
    "working_days_taken",
    "days_left",
    "days_overdue",
    "signed_on",
    "effective_from",
    "expires_on",
    "status",
    "case_kind",
    "case_id",
)
_LATE: Final = frozenset({E.CONSULTATION_OVERDUE, E.PM_OPINION_OVERDUE, E.AGREEMENT_COPY_OVERDUE})


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((data[k] for k in keys if data.get(k) is not None), None)


def step(row: OutboxEvent, lang: str) -> TimelineStep:
    data = row.data
    vi, en = LABELS.get(row.event_type, (row.event_type, row.event_type))
    if "{duty}" in vi:
        duty = data.get("duty", "COPY")
        vi, en = (
            vi.format(duty=label("duty", duty, "vi")),
            en.format(duty=label("duty", duty, "en")),
        )
    at = _first(data, _TIME_KEYS)
    due = data.get("due_at") or data.get("due_on") or data.get("copy_due_on")
    met: bool | None = data.get("on_time")
    if row.event_type in _LATE:
        met = False
    body_code = data.get("body")
    detail: dict[str, Any] = {
        k: data[k] for k in _DETAIL_KEYS if k in data and data[k] not in (None, "")
    }
    if row.event_type == E.DOCUMENT_ATTACHED:
        detail["document"] = {k: data["document"][k] for k in ("kind", "language", "filename")}
    if body_code and (body := get_body(body_code)) is not None:
        detail["body_name"] = body.name_vi if lang == "vi" else body.name_en
    return TimelineStep(
        at=datetime.fromisoformat(at) if isinstance(at, str) else row.created_at,
        event=row.event_type,
        label=vi if lang == "vi" else en,
        actor=_first(data, _ACTOR_KEYS),
        body=body_code,
        task_id=data.get("task_id"),
        due=due,
        met=met,
        detail=detail,
    )


def timeline(session: Session, *, agreement_id: str, lang: str) -> TimelinePublic:
    rows = session.exec(
        select(OutboxEvent)
        .where(OutboxEvent.agreement_id == agreement_id)
        .order_by(col(OutboxEvent.id))
    ).all()
    steps = [step(r, lang) for r in rows]
    # An opinion given on a text that has since changed stays on record, marked as such.
    asked = [r.data.get("text_sha256") for r in rows if r.event_type == E.CONSULTATION_REQUESTED]
    current = sorted(next((t for t in reversed(asked) if t), []))
    for row, s in zip(rows, steps, strict=True):
        text = row.data.get("text_sha256")
        if row.event_type == E.CONSULTATION_ANSWERED and text and sorted(text) != current:
            s.detail["earlier_text"] = True
            s.label += " (về văn bản trước)" if lang == "vi" else " (on an earlier text)"
    if taken := _take_overs(session, agreement_id, lang):
        steps += taken  # among the events, by time (a stable sort)
        steps.sort(key=lambda s: s.at or datetime.min.replace(tzinfo=UTC))
    return TimelinePublic(agreement_id=agreement_id, steps=steps)


TAKEN_OVER: Final = "task.taken_over"


def _take_overs(session: Session, agreement_id: str, lang: str) -> list[TimelineStep]:
    """A colleague's claim taken over: kept on the task (the last one), shown in the timeline
    without being an event of the contract."""
    tasks = session.exec(
        select(Task).where(Task.agreement_id == agreement_id, col(Task.taken_over_at).is_not(None))
    ).all()
    out = []
    for t in tasks:
        assert t.taken_over_at is not None
        body = get_body(t.assignee_org)
        detail: dict[str, Any] = {"taken_over_from": t.taken_over_from}
        if body is not None:
            detail["body_name"] = body.name_vi if lang == "vi" else body.name_en
        out.append(
            TimelineStep(
                at=t.taken_over_at,
                event=TAKEN_OVER,
                label=(
                    f"Nhận thay nhiệm vụ của {t.taken_over_from}"
                    if lang == "vi"
                    else f"Task taken over from {t.taken_over_from}"
                ),
                actor=t.taken_over_by,
                body=t.assignee_org,
                task_id=t.id,
                due=None,
                met=None,
                detail=detail,
            )
        )
    return out
