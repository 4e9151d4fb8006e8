"""Refusals of the reporting service, worded for people in Vietnamese and English."""

from __future__ import annotations

from typing import Any

from common.problems import (
    FieldError,
    Forbidden,
    NotFound,
    Problem,
    ServiceError,
    Unauthorized,
    register_texts,
    validation_problem,
)

_TEXTS: dict[str, tuple[str, str]] = {
    "cycle_not_found": (
        "Không có kỳ Hội nghị Ngoại vụ số {number}; các kỳ hiện có: {first}–{last}.",
        "There is no conference cycle {number}; cycles run from {first} to {last}.",
    ),
    "other_province_figures": (
        "Bạn chỉ xem được số liệu của tỉnh/thành phố mình ({own}).",
        "You may only see the figures of your own province ({own}).",
    ),
}

_FIELD_RULES: dict[str, tuple[str, str]] = {
    "unknown_province": (
        "'{value}' không phải mã của một trong 34 tỉnh, thành phố hiện hành.",
        "'{value}' is not the code of one of the 34 current provinces.",
    ),
    "unknown_field": (
        "'{value}' không phải lĩnh vực hợp tác; cho phép: {allowed}.",
        "'{value}' is not a field of cooperation; allowed: {allowed}.",
    ),
    "unknown_country": (
        "'{value}' không phải mã hoặc tên quốc gia (ISO 3166-1).",
        "'{value}' is not a country code or name (ISO 3166-1).",
    ),
    "unknown_chart": (
        "'{value}' không phải biểu đồ; cho phép: {allowed}.",
        "'{value}' is not a chart; allowed: {allowed}.",
    ),
}


register_texts(_TEXTS)


class InvalidQuery(ServiceError):
    """A query parameter breaks a rule: named, with the rule, in the caller's language."""

    status = 422

    def __init__(self, field: str, rule: str, **params: Any) -> None:
        super().__init__(rule, **params)
        self.field = field

    def to_problem(self, lang: str) -> Problem:
        vi, en = _FIELD_RULES[self.code]
        message = (vi if lang == "vi" else en).format(**self.params)
        return validation_problem([FieldError(self.field, self.code, message)], lang)


__all__ = ["Forbidden", "InvalidQuery", "NotFound", "ServiceError", "Unauthorized"]
