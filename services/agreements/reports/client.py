"""The reporting service's API as the report pages call it: with the signed-in person's own
token (so its access rules apply unchanged: a province gets its own figures only), in their
language, within a short timeout. A refusal comes back in the reporting service's own words;
a service that is down, slow or answering nonsense is "not answering right now" (503), never
an error of the page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

import httpx

from common.logs import CORRELATION_HEADER, get_correlation_id
from common.problems import (
    FieldError,
    Problem,
    ServiceError,
    ServiceUnavailable,
    register_texts,
    status_title,
)

log = logging.getLogger(__name__)

register_texts(
    {
        "reporting_unavailable": (
            "Dịch vụ báo cáo tạm thời không phản hồi; vui lòng thử lại sau ít phút.",
            "The reporting service is not answering right now; please try again in a few minutes.",
        ),
    }
)

CHARTS: Final = frozenset(
    f"{kind}.{fmt}" for kind in ("provinces", "countries", "trend") for fmt in ("svg", "png")
)
EXPORTS: Final = frozenset({"csv", "xlsx"})
# What the reporting service refuses with words meant for the person; anything else it
# answers (401 included: the pages accepted that very token) means it cannot serve now.
_REFUSALS: Final = frozenset({403, 404, 422})


@dataclass(frozen=True)
class ReportFilters:
    """The filters a report is asked with; the reporting service narrows them further to the
    caller's own province where it must."""

    province: str | None = None
    field: str | None = None
    country: str | None = None

    def params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class Download:
    """A file the reporting service made (an export or a chart), passed on as it came."""

    content: bytes
    media_type: str
    disposition: str | None


class ReportingRefused(ServiceError):
    """The reporting service refused the request (403 another province's figures, 404 no such
    cycle, 422 a filter naming nothing): its status and its words, already in the person's
    language."""

    def __init__(self, status: int, detail: str, errors: list[FieldError]) -> None:
        super().__init__("reporting_refused")
        self.status = status
        self.detail = detail
        self.errors = errors

    def to_problem(self, lang: str) -> Problem:
        return Problem(
            status=self.status,
            title=status_title(self.status, lang),
            detail=self.detail,
            type="reporting-refused",
            errors=self.errors,
        )


def _refusal(response: httpx.Response) -> ReportingRefused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors = [
        FieldError(str(e.get("field", "")), str(e.get("rule", "")), str(e.get("message", "")))
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    detail = str(body.get("detail") or "") or "; ".join(e.message for e in errors)
    return ReportingRefused(response.status_code, detail, errors)


class ReportingClient:
    """One connection pool to the reporting API, shared by every page (thread-safe)."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 2.0)),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def _get(
        self, path: str, *, token: str, lang: str, filters: ReportFilters | None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": lang}
        if cid := get_correlation_id():
            headers[CORRELATION_HEADER] = cid
        params = {"lang": lang, **(filters.params() if filters else {})}
        try:
            response = self._http.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:  # refused connection, timeout, broken answer
            log.warning("reporting service not answering on %s: %r", path, exc)
            raise ServiceUnavailable("reporting_unavailable") from exc
        if response.status_code in _REFUSALS:
            raise _refusal(response)
        if response.status_code != 200:
            log.warning("reporting service answered %s on %s", response.status_code, path)
            raise ServiceUnavailable("reporting_unavailable")
        return response

    def _json(self, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._get(path, **kwargs)
        try:
            body = response.json()
        except ValueError as exc:
            log.warning("reporting service answered no JSON on %s", path)
            raise ServiceUnavailable("reporting_unavailable") from exc
        if not isinstance(body, dict):
            raise ServiceUnavailable("reporting_unavailable")
        return body

    def _file(self, path: str, **kwargs: Any) -> Download:
        response = self._get(path, **kwargs)
        return Download(
            content=response.content,
            media_type=response.headers.get("content-type", "application/octet-stream"),
            disposition=response.headers.get("content-disposition"),
        )

    def cycles(self, *, token: str, lang: str) -> dict[str, Any]:
        """GET /v1/cycles: every cycle with the agreements signed in it, in the caller's
        scope."""
        return self._json("/v1/cycles", token=token, lang=lang, filters=None)

    def summary(
        self, number: int, *, token: str, lang: str, filters: ReportFilters
    ) -> dict[str, Any]:
        """GET /v1/cycles/{number}/summary: every figure of the cycle."""
        return self._json(f"/v1/cycles/{number}/summary", token=token, lang=lang, filters=filters)

    def chart(
        self, number: int, name: str, *, token: str, lang: str, filters: ReportFilters
    ) -> Download:
        """One of CHARTS (e.g. provinces.svg)."""
        if name not in CHARTS:
            raise ValueError(name)
        return self._file(
            f"/v1/cycles/{number}/charts/{name}", token=token, lang=lang, filters=filters
        )

    def export(
        self, number: int, fmt: str, *, token: str, lang: str, filters: ReportFilters
    ) -> Download:
        """The whole summary as `csv` or `xlsx`, with the file name the service gives it."""
        if fmt not in EXPORTS:
            raise ValueError(fmt)
        return self._file(
            f"/v1/cycles/{number}/export.{fmt}", token=token, lang=lang, filters=filters
        )
