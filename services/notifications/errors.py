"""Failures of the use cases, worded for people in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.problems import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Problem,
    ServiceError,
    Unauthorized,
    Unprocessable,
    register_texts,
    validation_problem,
)

_TEXTS: dict[str, tuple[str, str]] = {
    "notification_not_found": (
        "Không tìm thấy thông báo {id} trong hộp thư của bạn.",
        "Notification {id} is not in your inbox.",
    ),
    "subscription_not_found": (
        "Không tìm thấy đăng ký webhook {id}.",
        "Webhook subscription {id} was not found.",
    ),
    "recipient_not_found": (
        "Không tìm thấy người nhận {subject}.",
        "Recipient {subject} was not found.",
    ),
    "admin_only": (
        "Chỉ quản trị viên được quản lý danh bạ người nhận.",
        "Only administrators may manage the recipients directory.",
    ),
    "too_many_subscriptions": (
        "Bạn đã có {limit} đăng ký webhook, mức tối đa cho phép.",
        "You already have {limit} webhook subscriptions, the most allowed.",
    ),
    "subscription_deleted": (
        "Đăng ký webhook {id} đã bị xóa.",
        "Webhook subscription {id} was deleted.",
    ),
    "idempotency_mismatch": (
        "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        "This Idempotency-Key was already used for a different request.",
    ),
}

# Broken input rules: (Vietnamese, English) per rule name.
_RULES: dict[str, tuple[str, str]] = {
    "url_scheme": (
        "Địa chỉ phải bắt đầu bằng {allowed}.",
        "The URL must start with {allowed}.",
    ),
    "url_host": ("Địa chỉ thiếu tên máy chủ.", "The URL has no host."),
    "url_credentials": (
        "Không được đặt tên đăng nhập hoặc mật khẩu trong địa chỉ; hãy dùng secret để ký.",
        "Do not put credentials in the URL; the secret signs every delivery.",
    ),
    "url_private": (
        "Không được gửi webhook đến địa chỉ nội bộ hoặc loopback ({host}).",
        "Webhooks may not target a loopback or private address ({host}).",
    ),
    "url_unresolvable": (
        "Không phân giải được tên máy chủ {host}.",
        "The host name {host} does not resolve.",
    ),
    "duplicate": ("Giá trị '{value}' bị lặp lại.", "'{value}' is listed twice."),
    "email": ("Địa chỉ e-mail không hợp lệ.", "Not a valid e-mail address."),
    "role": ("Vai trò không hợp lệ; cho phép: {allowed}.", "Unknown role; allowed: {allowed}."),
}


register_texts(_TEXTS)


class InvalidInput(ServiceError):
    """Input that broke a rule of this service, field by field (all of them listed)."""

    status = 422

    def __init__(self, errors: list[tuple[str, str, dict[str, Any]]]) -> None:
        super().__init__("invalid_input")
        self.errors = errors

    def to_problem(self, lang: str) -> Problem:
        fields = []
        for field, rule, params in self.errors:
            vi, en = _RULES[rule]
            fields.append(FieldError(field, rule, (vi if lang == "vi" else en).format(**params)))
        return validation_problem(fields, lang)


def refuse_duplicates(field_name: str, values: Sequence[str]) -> None:
    """InvalidInput naming each value listed a second time (channels, event types)."""
    seen: set[str] = set()
    errors: list[tuple[str, str, dict[str, Any]]] = []
    for i, value in enumerate(values):
        if value in seen:
            errors.append((f"{field_name}.{i}", "duplicate", {"value": value}))
        seen.add(value)
    if errors:
        raise InvalidInput(errors)


__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "ServiceError",
    "Unauthorized",
    "Unprocessable",
    "refuse_duplicates",
]
