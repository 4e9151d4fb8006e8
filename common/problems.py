"""RFC 9457 problem details: one exception type, one set of handlers, messages in vi and en."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic import Field as ModelField
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.http import pick_language
from common.law.labels import Plural
from common.moments import FORMAT_ERROR, RANGE_ERROR

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://agreements.gov.vn/problems/"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    """One broken rule: where (a dotted field path), which rule, and a readable message."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


@dataclass
class Problem(Exception):
    """Raised anywhere in a request; rendered as application/problem+json."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    errors: Sequence[FieldError] = field(default_factory=list)
    headers: Mapping[str, str] | None = None
    extra: Mapping[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


class ProblemFieldError(BaseModel):
    """One broken rule as a client reads it from a problem's `errors`."""

    field: str = ModelField(description="dotted path of the field, e.g. foreign_party.country")
    rule: str = ModelField(description="the rule that failed, e.g. required, max_length")
    message: str = ModelField(description="the rule in the caller's language (vi or en)")


class ProblemDetail(BaseModel):
    """The body of every 4xx and 5xx answer of the three services (RFC 9457,
    application/problem+json): the contract for what `problem_response` writes. A problem
    may carry further members of its own (extensions, e.g. `limit_bytes` of a 413)."""

    model_config = ConfigDict(
        extra="allow",
        title="Problem",
        json_schema_extra={
            "examples": [
                {
                    "type": PROBLEM_BASE + "validation",
                    "title": "Dữ liệu không hợp lệ",
                    "status": 422,
                    "detail": "Yêu cầu có 1 lỗi: title.",
                    "instance": "/v1/agreements",
                    "errors": [
                        {
                            "field": "title",
                            "rule": "required",
                            "message": "Trường này là bắt buộc.",
                        }
                    ],
                }
            ]
        },
    )

    type: str = ModelField(
        description=f"about:blank, or {PROBLEM_BASE}<code> naming the refusal (e.g. "
        "validation, rules-broken, agreement-not-found)"
    )
    title: str = ModelField(description="the status in words, in the caller's language")
    status: int = ModelField(description="the HTTP status code")
    detail: str = ModelField(description="what went wrong, for people, in vi or en")
    instance: str | None = ModelField(default=None, description="the path that was asked")
    errors: list[ProblemFieldError] | None = ModelField(
        default=None, description="every broken rule, by field (validation and rules of the law)"
    )


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type if problem.type == "about:blank" else PROBLEM_BASE + problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = [e.as_dict() for e in problem.errors]
    if problem.extra:
        body.update(problem.extra)
    return JSONResponse(
        body,
        status_code=problem.status,
        headers=dict(problem.headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


# Pydantic error types -> (rule, Vietnamese message, English message). Anything not listed
# falls back to pydantic's own English text, which still names the field.
# The context value an English message counts, where it says "item" or "items".
_COUNTED: dict[str, str] = {"too_short": "min_length", "too_long": "max_length"}

_VALIDATION_MESSAGES: dict[str, tuple[str, str, str | Plural]] = {
    "missing": ("required", "Trường này là bắt buộc.", "This field is required."),
    "enum": (
        "enum",
        "Giá trị không hợp lệ; cho phép: {expected}.",
        "Invalid value; allowed: {expected}.",
    ),
    "literal_error": (
        "enum",
        "Giá trị không hợp lệ; cho phép: {expected}.",
        "Invalid value; allowed: {expected}.",
    ),
    "string_type": ("type", "Phải là chuỗi ký tự.", "Must be a string."),
    "int_type": ("type", "Phải là số nguyên.", "Must be an integer."),
    "int_parsing": ("type", "Phải là số nguyên.", "Must be an integer."),
    "list_type": ("type", "Phải là một danh sách.", "Must be a list."),
    "dict_type": ("type", "Phải là một đối tượng JSON.", "Must be a JSON object."),
    "model_type": ("type", "Phải là một đối tượng JSON.", "Must be a JSON object."),
    "bool_type": ("type", "Phải là true hoặc false.", "Must be true or false."),
    "bool_parsing": ("type", "Phải là true hoặc false.", "Must be true or false."),
    "date_from_datetime_parsing": (
        "date",
        "Phải là ngày dạng YYYY-MM-DD.",
        "Must be a date (YYYY-MM-DD).",
    ),
    "date_parsing": ("date", "Phải là ngày dạng YYYY-MM-DD.", "Must be a date (YYYY-MM-DD)."),
    "date_type": ("date", "Phải là ngày dạng YYYY-MM-DD.", "Must be a date (YYYY-MM-DD)."),
    # Moments (common.moments) and pydantic's own date-time errors: one rule, one wording.
    **dict.fromkeys(
        (
            FORMAT_ERROR,
            "datetime_parsing",
            "datetime_from_date_parsing",
            "datetime_type",
            "datetime_object_invalid",
        ),
        (
            "date_time",
            "Phải là thời điểm theo ISO 8601, ví dụ 2026-03-01T09:30:00+07:00 (không ghi múi giờ "
            "thì hiểu là giờ Việt Nam).",
            "Must be an ISO 8601 date-time, e.g. 2026-03-01T09:30:00+07:00 (Vietnam time when "
            "no offset is given).",
        ),
    ),
    RANGE_ERROR: (
        "date_time_range",
        "Phải trong khoảng từ {earliest} đến {latest} (giờ Việt Nam).",
        "Must be between {earliest} and {latest} (Vietnam time).",
    ),
    "string_too_short": (
        "min_length",
        "Quá ngắn (tối thiểu {min_length} ký tự).",
        "Too short (at least {min_length} characters).",
    ),
    "string_too_long": (
        "max_length",
        "Quá dài (tối đa {max_length} ký tự).",
        "Too long (at most {max_length} characters).",
    ),
    "too_short": (
        "min_items",
        "Cần ít nhất {min_length} phần tử.",
        Plural("", "Needs at least {n} item.", "Needs at least {n} items."),
    ),
    "too_long": (
        "max_items",
        "Tối đa {max_length} phần tử.",
        Plural("", "At most {n} item.", "At most {n} items."),
    ),
    "greater_than_equal": ("minimum", "Phải lớn hơn hoặc bằng {ge}.", "Must be at least {ge}."),
    "greater_than": ("minimum", "Phải lớn hơn {gt}.", "Must be greater than {gt}."),
    "less_than_equal": ("maximum", "Phải nhỏ hơn hoặc bằng {le}.", "Must be at most {le}."),
    "extra_forbidden": ("unknown_field", "Trường không được hỗ trợ.", "Unknown field."),
    "json_invalid": (
        "json",
        "Nội dung không phải JSON hợp lệ: {error}.",
        "The body is not valid JSON: {error}.",
    ),
    "model_attributes_type": ("type", "Phải là một đối tượng JSON.", "Must be a JSON object."),
    "string_pattern_mismatch": ("pattern", "Sai định dạng.", "Wrong format."),
    "uuid_parsing": ("uuid", "Phải là một UUID.", "Must be a UUID."),
    "set_item_not_hashable": ("type", "Giá trị không hợp lệ.", "Invalid value."),
}

_TITLES: dict[str, dict[str, str | Plural]] = {
    "vi": {"invalid": "Dữ liệu không hợp lệ", "invalid_detail": "Yêu cầu có {n} lỗi: {fields}."},
    "en": {
        "invalid": "Invalid request",
        "invalid_detail": Plural(
            "", "The request has {n} error: {fields}.", "The request has {n} errors: {fields}."
        ),
    },
}


def _detail(template: str | Plural, n: int, lang: str, **params: Any) -> str:
    if isinstance(template, Plural):
        return template.format(n, lang, **params)
    return template.format(n=n, **params)


def translate_validation_errors(errors: Sequence[Any], lang: str) -> list[FieldError]:
    out: list[FieldError] = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        path = ".".join(loc) or "body"
        rule, vi, en = _VALIDATION_MESSAGES.get(
            err.get("type", ""), (err.get("type", "invalid"), "", "")
        )
        ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
        template = vi if lang == "vi" else en
        try:
            if isinstance(template, Plural):
                count = int(ctx[_COUNTED[err.get("type", "")]])
                message = template.format(count, "en", **ctx)
            else:
                message = template.format(**ctx) if template else str(err.get("msg", "invalid"))
        except (KeyError, IndexError, ValueError):
            message = str(err.get("msg", "invalid"))
        out.append(FieldError(field=path, rule=rule, message=message))
    return out


def validation_problem(errors: Sequence[FieldError], lang: str, status: int = 422) -> Problem:
    texts = _TITLES.get(lang, _TITLES["en"])
    fields = ", ".join(dict.fromkeys(e.field for e in errors))
    return Problem(
        status=status,
        title=str(texts["invalid"]),
        detail=_detail(texts["invalid_detail"], len(errors), lang, fields=fields),
        type="validation",
        errors=list(errors),
    )


_STATUS_TITLES = {
    "vi": {
        400: "Yêu cầu sai",
        401: "Chưa xác thực",
        403: "Không có quyền",
        404: "Không tìm thấy",
        405: "Phương thức không được hỗ trợ",
        406: "Không chấp nhận",
        409: "Xung đột",
        412: "Phiên bản đã cũ",
        413: "Nội dung quá lớn",
        415: "Kiểu dữ liệu không hỗ trợ",
        422: "Dữ liệu không xử lý được",
        428: "Thiếu điều kiện",
        429: "Quá nhiều yêu cầu",
        500: "Lỗi hệ thống",
        503: "Dịch vụ tạm thời không phản hồi",
    },
    "en": {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        406: "Not acceptable",
        409: "Conflict",
        412: "Precondition failed",
        413: "Payload too large",
        415: "Unsupported media type",
        422: "Unprocessable content",
        428: "Precondition required",
        429: "Too many requests",
        500: "Internal error",
        503: "Service unavailable",
    },
}


def status_title(status: int, lang: str) -> str:
    return _STATUS_TITLES.get(lang, _STATUS_TITLES["en"]).get(status, "Error")


# What each refusal says, (Vietnamese, English) per code; each service adds its own with
# `register_texts` when its errors module is imported. Codes are shared across services only
# when their wording is the same.
_TEXTS: dict[str, tuple[str, str]] = {
    "not_authenticated": (
        "Cần đăng nhập: gửi tiêu đề Authorization: Bearer <token>.",
        "Authentication required: send Authorization: Bearer <token>.",
    ),
    "invalid_token": (
        "Mã truy cập không hợp lệ hoặc đã hết hạn.",
        "The access token is invalid or expired.",
    ),
}


def register_texts(texts: Mapping[str, tuple[str, str]]) -> None:
    for code, wording in texts.items():
        if _TEXTS.setdefault(code, wording) != wording:
            raise ValueError(f"refusal code {code!r} is worded twice, differently")


class ServiceError(Exception):
    """A use case refused; `code` selects the wording, `params` fill it in."""

    status = 400

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def to_problem(self, lang: str) -> Problem:
        vi, en = _TEXTS.get(self.code, (self.code, self.code))
        return Problem(
            status=self.status,
            title=status_title(self.status, lang),
            detail=(vi if lang == "vi" else en).format(**self.params),
            type=self.code.replace("_", "-"),
            headers={"WWW-Authenticate": "Bearer"} if self.status == 401 else None,
        )


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class PreconditionFailed(ServiceError):
    status = 412


class PayloadTooLarge(ServiceError):
    status = 413


class UnsupportedMedia(ServiceError):
    status = 415


class Unprocessable(ServiceError):
    status = 422


class PreconditionRequired(ServiceError):
    status = 428


class ServiceUnavailable(ServiceError):
    status = 503


def request_language(request: Request) -> str:
    """`?lang=vi|en` when given, else the Accept-Language header (Vietnamese by default)."""
    asked = request.query_params.get("lang")
    if asked in ("vi", "en"):
        return asked
    return pick_language(request.headers.get("accept-language"))


def install_problem_handlers(app: FastAPI) -> None:
    """Every error leaves the service as a problem detail, in the caller's language."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, instance=request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError | ValidationError)
        lang = pick_language(request.headers.get("accept-language"))
        errors = translate_validation_errors(exc.errors(), lang)
        return problem_response(validation_problem(errors, lang), instance=request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        lang = pick_language(request.headers.get("accept-language"))
        detail = exc.detail if isinstance(exc.detail, str) else status_title(exc.status_code, lang)
        return problem_response(
            Problem(
                status=exc.status_code,
                title=status_title(exc.status_code, lang),
                detail=detail,
                headers=exc.headers,
            ),
            instance=request.url.path,
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        lang = pick_language(request.headers.get("accept-language"))
        detail = (
            "Đã xảy ra lỗi không mong muốn; vui lòng thử lại."
            if lang == "vi"
            else "An unexpected error occurred; please try again."
        )
        return problem_response(Problem(status=500, title=status_title(500, lang), detail=detail))

    async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        return problem_response(exc.to_problem(request_language(request)), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    # A model validated inside a use case (e.g. a merged PATCH) fails the same way.
    app.add_exception_handler(ValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
