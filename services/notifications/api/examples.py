"""Examples of the notifications API's bodies and main answers, with the content people really
send and read (Vietnamese first), by component schema name (common.openapi.add_examples); the
answers are built through their models. Tests validate each against the published schema."""

from __future__ import annotations

from typing import Any

from services.notifications.models import InboxPublic, NotificationPublic, SubscriptionPublic

_NOTIFICATION = NotificationPublic.model_validate(
    {
        "id": "01JD7QC7N9P1Q3R5S7T9V1W3X5",
        "event_type": "consultation.requested",
        "agreement_id": "01JD7Q9G5E2V4S8K3M6N1P0R7T",
        "language": "vi",
        "subject": "Đề nghị cho ý kiến: Bản ghi nhớ hợp tác giáo dục Hà Nội - Seoul",
        "body": "Bộ Ngoại giao được đề nghị cho ý kiến trước 17:00 ngày 11/03/2026.",
        "link": "http://127.0.0.1:8001/ui/agreements/01JD7Q9G5E2V4S8K3M6N1P0R7T",
        "created_at": "2026-03-02T09:15:02+07:00",
        "read_at": None,
        "unread": True,
    }
)

EXAMPLES: dict[str, Any] = {
    "PreferencesUpdate": {"language": "vi", "channels": ["inbox", "email"]},
    "SubscriptionCreate": {
        "url": "https://tichhop.hanoi.gov.vn/hooks/thoa-thuan",
        "event_types": ["agreement.submitted", "agreement.signed"],
        "secret": "k7Qw2mZp9xRt4vLs8bNc3",
        "description": "Hệ thống quản lý văn bản của Sở Ngoại vụ Hà Nội",
    },
    "SubscriptionPublic": SubscriptionPublic.model_validate(
        {
            "id": "01JD7QD1E3F5G7H9J1K3L5M7N9",
            "url": "https://tichhop.hanoi.gov.vn/hooks/thoa-thuan",
            "event_types": ["agreement.submitted", "agreement.signed"],
            "description": "Hệ thống quản lý văn bản của Sở Ngoại vụ Hà Nội",
            "active": True,
            "consecutive_failures": 0,
            "disabled_at": None,
            "disabled_reason": None,
            "created_at": "2026-03-01T08:00:00+07:00",
        }
    ).model_dump(mode="json"),
    "RecipientPut": {
        "role": "province_officer",
        "org": "ha-noi",
        "name": "Trần Thị Bình",
        "email": "tt.binh@hanoi.gov.vn",
    },
    "NotificationPublic": _NOTIFICATION.model_dump(mode="json"),
    "InboxPublic": InboxPublic(
        data=[_NOTIFICATION], count=1, unread=1, limit=50, offset=0
    ).model_dump(mode="json"),
}
