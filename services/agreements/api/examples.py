"""Examples of the agreements API's bodies and main answers, as a province's officer, a
reviewer or an operator would really send and read them (Vietnamese content), by component
schema name (common.openapi.add_examples). The answers are built through their models, so an
example cannot drift from what the model accepts; tests validate every one against the
published schema."""

from __future__ import annotations

from typing import Any

from services.agreements.api.routes.auth import TokenResponse
from services.agreements.models import AgreementPublic, DocumentPublic
from services.agreements.models.task import DecisionPublic, TaskPublic

AGREEMENT_ID = "01JD7Q9G5E2V4S8K3M6N1P0R7T"
TASK_ID = "01JD7QB2X4C6V8B0N2M4K6J8H0"
SUBMITTED_AT = "2026-03-02T09:15:00+07:00"

DRAFT: dict[str, Any] = {
    "title": "Bản ghi nhớ hợp tác giáo dục giữa Thành phố Hà Nội và Thành phố Seoul",
    "foreign_title": "Memorandum of Understanding on Education Cooperation",
    "form": "MEMORANDUM_OF_UNDERSTANDING",
    "signatory_level": "PROVINCIAL_COMMITTEE",
    "province": "ha-noi",
    "foreign_party": {
        "name": "Seoul Metropolitan Government",
        "country": "KR",
        "type": "LOCAL_GOVERNMENT",
    },
    "fields": ["education"],
    "summary": "Trao đổi giáo viên, học sinh và chương trình đào tạo giữa hai thành phố.",
    "languages": ["vi", "ko"],
    "term_months": 36,
}

_TASK = TaskPublic.model_validate(
    {
        "id": TASK_ID,
        "kind": "CONSULTATION",
        "status": "DONE",
        "round": 1,
        "agreement": {
            "id": AGREEMENT_ID,
            "title": DRAFT["title"],
            "province": "ha-noi",
            "status": "IN_CONSULTATION",
            "case_kind": "CONCLUSION",
            "signatory_level": "PROVINCIAL_COMMITTEE",
            "partner_name": "Seoul Metropolitan Government",
            "partner_country": "KR",
        },
        "assignee": {
            "org": "mofa",
            "role": "reviewer",
            "name_vi": "Bộ Ngoại giao",
            "name_en": "Ministry of Foreign Affairs",
        },
        "requested_at": SUBMITTED_AT,
        "due_at": "2026-03-11T17:00:00+07:00",
        "overdue": False,
        "working_days_left": 5,
        "claimed_by": "reviewer@mofa",
        "claimed_at": "2026-03-03T08:30:00+07:00",
        "outcome": "AGREE",
        "comment": "Bộ Ngoại giao nhất trí với nội dung dự thảo.",
        "document_ids": [],
        "answered_by": "reviewer@mofa",
        "answered_at": "2026-03-04T10:00:00+07:00",
        "on_time": True,
    }
)

# Schema name -> one example.
EXAMPLES: dict[str, Any] = {
    "Body_issue_token_v1_auth_token_post": {
        "grant_type": "password",
        "username": "officer@ha-noi",
        "password": "dev",
    },
    "TokenResponse": TokenResponse(
        access_token="eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvZmZpY2VyQGhhLW5vaSJ9.c2ln",
        expires_in=900,
        refresh_token="rt_9f2c4b7e1a6d",
        session_id="01JD7Q8W2S4D6F8G0H2J4K6L8M",
        role="province_officer",
        org="ha-noi",
    ).model_dump(mode="json"),
    "RevocationCreate": {
        "subject": "officer@ha-noi",
        "reason": "Cán bộ chuyển công tác sang Sở Nội vụ",
    },
    "AgreementCreate": DRAFT,
    "AgreementUpdate": {
        "summary": "Trao đổi giáo viên, học sinh; xây dựng chương trình liên kết đào tạo nghề.",
        "fields": ["education", "labour"],
    },
    "AgreementPublic": AgreementPublic.model_validate(
        DRAFT
        | {
            "id": AGREEMENT_ID,
            "version": 3,
            "status": "SUBMITTED",
            "category": "INTERNATIONAL_AGREEMENT",
            "form_name": None,
            "signatory_unit": None,
            "procedure": "STANDARD",
            "reduced_reason": None,
            "touches": [],
            "related_bodies": [],
            "occasion": None,
            "created_by": "officer@ha-noi",
            "created_at": "2026-02-26T14:02:00+07:00",
            "updated_at": SUBMITTED_AT,
            "submitted_by": "officer@ha-noi",
            "submitted_at": SUBMITTED_AT,
        }
    ).model_dump(mode="json"),
    "Body_upload_document_v1_agreements__agreement_id__documents_post": {
        "kind": "PROPOSAL",
        "language": "vi",
        "file": "to-trinh-ubnd-ha-noi.pdf",
    },
    "DocumentPublic": DocumentPublic(
        id="01JD7QA1B3C5D7E9F1G3H5J7K9",
        agreement_id=AGREEMENT_ID,
        kind="PROPOSAL",
        language="vi",
        filename="to-trinh-ubnd-ha-noi.pdf",
        media_type="application/pdf",
        size=184_320,
        sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        uploaded_by="officer@ha-noi",
        uploaded_at="2026-02-27T10:20:00+07:00",
    ).model_dump(mode="json"),
    "SigningCreate": {
        "signed_on": "2026-04-15",
        "place": "Hà Nội",
        "signatories": [
            {"side": "VIETNAMESE", "name": "Nguyễn Văn An", "title": "Chủ tịch UBND Thành phố"},
            {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Thị trưởng Seoul"},
        ],
        "effective_from": "2026-04-15",
        "term_months": 36,
    },
    "CopyDeliveryCreate": {
        "duty": "COPY",
        "delivered_on": "2026-04-20",
        "note": "Công văn số 123/UBND-NV gửi Bộ Ngoại giao",
    },
    "AmendmentCreate": {
        "kind": "AMENDMENT",
        "summary": "Sửa đổi Điều 3: bổ sung trao đổi sinh viên đại học.",
    },
    "TerminationCreate": {
        "kind": "TERMINATION",
        "effective_on": "2027-01-01",
        "summary": "Chấm dứt theo thỏa thuận của hai bên do đã hoàn thành mục tiêu hợp tác.",
    },
    "DecisionCreate": {
        "outcome": "AGREE_WITH_COMMENTS",
        "comment": "Đề nghị làm rõ cơ chế tài chính tại Điều 5 trước khi ký.",
        "document_ids": [],
    },
    "TaskPublic": _TASK.model_dump(mode="json"),
    "DecisionPublic": DecisionPublic(task=_TASK, agreement_status="IN_CONSULTATION").model_dump(
        mode="json"
    ),
    "Body_import_agreements_v1_agreements_import_post": {"file": "so-theo-doi-2015-2024.xlsx"},
    "LettersAction": {
        "ids": ["0-1842"],
        "reason": "Broker đã hoạt động lại; gửi lại sự kiện bị lỗi.",
    },
    "RepairCreate": {"reason": "Hồ sơ đã nộp nhưng quy trình chưa khởi động sau sự cố Temporal."},
    "ReplayCreate": {
        "since": "2026-03-01T00:00:00+07:00",
        "until": "2026-03-02T00:00:00+07:00",
        "reason": "Dịch vụ báo cáo mất dữ liệu ngày 01/3; phát lại sự kiện.",
        "confirm": False,
    },
}
