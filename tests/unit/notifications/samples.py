"""Valid events of every type (checked against the payload models), as the workflow will emit
them: used by the notifications tests and bench/notify.py."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from common.events.envelope import Event
from common.events.payloads import PAYLOADS
from common.events.types import EventType

# A Monday in Vietnam, away from holidays: deadlines and working days are easy to read.
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
SHA = "0" * 64


def agreement_ref(title: str = "Bản ghi nhớ hợp tác giáo dục với Seoul") -> dict[str, Any]:
    return {
        "title": title,
        "signatory_level": "PROVINCIAL_COMMITTEE",
        "partner_name": "Seoul Metropolitan Government",
        "partner_country": "KR",
        "case_kind": "CONCLUSION",
        "parent_id": None,
    }


def _snapshot(agreement_id: str, province: str, title: str) -> dict[str, Any]:
    return {
        "agreement_id": agreement_id,
        "version": 1,
        "status": "DRAFT",
        "title": title,
        "form": "MEMORANDUM_OF_UNDERSTANDING",
        "category": "INTERNATIONAL_AGREEMENT",
        "signatory_level": "PROVINCIAL_COMMITTEE",
        "province": province,
        "foreign_party": {"name": "Seoul", "country": "KR", "type": "LOCAL_GOVERNMENT"},
        "fields": ["education"],
        "summary": "",
        "languages": ["vi", "ko"],
        "procedure": "STANDARD",
        "touches": [],
        "related_bodies": [],
        "created_by": f"officer@{province}",
        "created_at": AT.isoformat(),
        "updated_at": AT.isoformat(),
    }


def payload(
    name: str,
    *,
    agreement_id: str,
    province: str = "ha-noi",
    body: str = "mofa",
    recipient: str = "mofa-registry",
    title: str = "Bản ghi nhớ hợp tác giáo dục với Seoul",
    at: datetime = AT,
) -> dict[str, Any]:
    """A valid v1 payload of `name` about one agreement."""
    iso = at.isoformat()
    due = (at + timedelta(days=9)).isoformat()
    today = at.date()
    step: dict[str, Any] = {
        "agreement_id": agreement_id,
        "province": province,
        "agreement": agreement_ref(title),
    }
    task = {"task_id": str(uuid.uuid4())}
    duty = {"duty": "COPY", "due_on": (today + timedelta(days=15)).isoformat()}
    duty["recipient"] = recipient
    by_type: dict[str, dict[str, Any]] = {
        "agreement.drafted": _snapshot(agreement_id, province, title),
        "agreement.updated": _snapshot(agreement_id, province, title)
        | {"changed": ["title"], "updated_by": f"officer@{province}"},
        "agreement.deleted": {
            "agreement_id": agreement_id,
            "version": 1,
            "province": province,
            "deleted_by": f"officer@{province}",
            "deleted_at": iso,
        },
        "document.attached": {
            "agreement_id": agreement_id,
            "province": province,
            "document": {
                "document_id": str(uuid.uuid4()),
                "kind": "PROPOSAL",
                "language": "vi",
                "filename": "to-trinh.pdf",
                "media_type": "application/pdf",
                "size": 10,
                "sha256": SHA,
            },
            "attached_by": f"officer@{province}",
            "attached_at": iso,
        },
        "agreement.submitted": _snapshot(agreement_id, province, title)
        | {"submitted_by": f"officer@{province}", "submitted_at": iso, "documents": []},
        "agreement.imported": _snapshot(agreement_id, province, title)
        | {"imported_by": "admin@system", "imported_at": iso},
        "consultation.requested": step
        | task
        | {
            "body": body,
            "round": 1,
            "procedure": "STANDARD",
            "requested_at": iso,
            "due_at": due,
            "reminder_at": iso,
            "working_days": 7,
        },
        "consultation.reminder": step
        | task
        | {"body": body, "due_at": due, "reminded_at": iso, "working_days_left": 2},
        "consultation.overdue": step
        | task
        | {
            "body": body,
            "due_at": (at - timedelta(days=1)).isoformat(),
            "at": iso,
            "working_days_overdue": 1,
            "escalation": 1,
        },
        "consultation.answered": step
        | task
        | {
            "body": body,
            "round": 1,
            "outcome": "AGREE_WITH_COMMENTS",
            "comment": "Đề nghị làm rõ điều 3.",
            "document_ids": [],
            "answered_by": f"reviewer@{body}",
            "requested_at": iso,
            "answered_at": iso,
            "due_at": due,
            "on_time": True,
            "working_days_taken": 3,
        },
        "agreement.returned": step
        | task
        | {
            "body": body,
            "comment": "Thiếu bản dịch tiếng Việt.",
            "requested_by": f"reviewer@{body}",
            "returned_at": iso,
            "round": 1,
            "bodies_pending": [],
        },
        "pm_opinion.requested": step
        | task
        | {"requested_at": iso, "due_at": due, "disagreeing_bodies": [body]},
        "pm_opinion.overdue": step
        | task
        | {"due_at": due, "at": iso, "working_days_overdue": 1, "escalation": 1},
        "pm_opinion.given": step
        | task
        | {
            "outcome": "CONSENT",
            "comment": "",
            "answered_by": "pm@office",
            "answered_at": iso,
            "due_at": due,
            "on_time": True,
        },
        "decision.requested": step
        | task
        | {"requested_at": iso, "opinions": {body: "AGREE"}, "pm_outcome": None},
        "agreement.approved": step
        | task
        | {
            "decided_by": f"leader@{province}",
            "decided_at": iso,
            "comment": "",
            "approved_text_sha256": [SHA],
        },
        "agreement.rejected": step
        | task
        | {
            "decided_by": f"leader@{province}",
            "decided_at": iso,
            "comment": "Chưa phù hợp.",
            "reason": "LEADER_REJECTED",
        },
        "agreement.signed": step
        | {
            "signed_on": today.isoformat(),
            "place": "Hà Nội",
            "signatories": [
                {"side": "VIETNAMESE", "name": "Nguyễn Văn A", "title": "Chủ tịch"},
                {"side": "FOREIGN", "name": "Kim", "title": "Mayor"},
            ],
            "effective_from": today.isoformat(),
            "expires_on": date(today.year + 3, today.month, 1).isoformat(),
            "signed_text_sha256": SHA,
            "recorded_by": f"officer@{province}",
            "recorded_at": iso,
            "copy_due_on": (today + timedelta(days=15)).isoformat(),
            "copy_recipient": recipient,
        },
        "agreement.text_changed": step
        | {
            "approved_text_sha256": [SHA],
            "signed_text_sha256": "1" * 64,
            "acknowledged_by": f"officer@{province}",
            "at": iso,
            "round": 1,
        },
        "agreement.copy_reminder": step | duty | {"at": iso, "days_left": 5},
        "agreement.copy_delivered": step
        | duty
        | task
        | {"delivered_by": f"officer@{province}", "delivered_at": iso, "on_time": True},
        "agreement.copy_received": step
        | duty
        | task
        | {"received_by": "registry@mofa", "received_at": iso},
        "agreement.copy_overdue": step | duty | {"at": iso, "days_overdue": 2},
        "agreement.in_force": step
        | {"effective_from": today.isoformat(), "expires_on": None, "at": iso},
        "agreement.plan_due": step
        | {"year": today.year + 1, "due_on": date(today.year, 11, 15).isoformat(), "at": iso},
        "agreement.expiring": step
        | {"expires_on": (today + timedelta(days=90)).isoformat(), "days_left": 90, "at": iso},
        "agreement.expired": step | {"expires_on": today.isoformat(), "at": iso},
        "agreement.amended": step
        | {
            "case_id": str(uuid.uuid4()),
            "case_kind": "EXTENSION",
            "signed_on": today.isoformat(),
            "expires_on": date(today.year + 5, 1, 1).isoformat(),
            "at": iso,
        },
        "agreement.terminated": step
        | {
            "case_id": str(uuid.uuid4()),
            "case_kind": "TERMINATION",
            "status": "TERMINATED",
            "effective_on": today.isoformat(),
            "notice_due_on": (today + timedelta(days=15)).isoformat(),
            "at": iso,
        },
        "agreement.resumed": step
        | {
            "case_id": str(uuid.uuid4()),
            "effective_on": today.isoformat(),
            "notice_due_on": (today + timedelta(days=15)).isoformat(),
            "at": iso,
        },
    }
    data = by_type[name]
    PAYLOADS[(name, 1)].model_validate(data)  # a sample that breaks the contract fails here
    return data


def parsed(name: str, **kwargs: Any) -> BaseModel:
    """`payload`, parsed into its model as consumers see it."""
    kwargs.setdefault("agreement_id", "a-1")
    return PAYLOADS[(name, 1)].model_validate(payload(name, **kwargs))


def event(
    name: str | EventType,
    *,
    agreement_id: str | None = None,
    at: datetime = AT,
    event_id: str | None = None,
    **kwargs: Any,
) -> Event:
    name = str(name)
    agreement_id = agreement_id or str(uuid.uuid4())
    return Event(
        id=event_id or str(uuid.uuid4()),
        name=name,
        version=1,
        source="/tests/notifications",
        subject=agreement_id,
        time=at,
        data=payload(name, agreement_id=agreement_id, at=at, **kwargs),
        correlation_id=uuid.uuid4().hex,
    )
