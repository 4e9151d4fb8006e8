"""The report pages under /ui/reports: the conference cycles, and one cycle's report for the
Ministry (headline count against the previous cycle, breakdowns, consultation deadlines,
post-signing duties, charts, print and downloads). Every figure comes from the reporting
service, asked with the signed-in person's own token: the page shows what that service lets
them see (a province its own figures only) and refuses what it refuses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.law.cycles import cycle_heading
from services.agreements.reports.client import (
    CHARTS,
    EXPORTS,
    Download,
    ReportFilters,
    ReportingClient,
    ReportingRefused,
)
from services.agreements.ui import forms, i18n
from services.agreements.ui import report_view as view
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import PREFIX, SECURITY_HEADERS, error_page, render
from services.agreements.ui.routes.deps import CallerDep, signed_in
from services.agreements.ui.session import Caller

router = APIRouter(prefix=f"{PREFIX}/reports", include_in_schema=False)


def _reporting(request: Request) -> ReportingClient:
    client: ReportingClient = request.app.state.reports
    return client


def _token(caller: Caller) -> str:
    """The signed-in person's own bearer token, which the reporting service checks itself."""
    signed_in(caller)
    assert caller.binding is not None  # a signed-in caller is bound to their token
    return caller.binding


def _formatters(lang: str) -> dict[str, Any]:
    return {
        "num": lambda value: view.number(value, lang),
        "pct": lambda value: view.share(value, lang),
        "delta": lambda value: view.change(value, lang),
    }


@router.get("")
def cycles(request: Request, caller: CallerDep) -> Response:
    """Every cycle: its name, signing period, open or closed, and the agreements signed."""
    token = _token(caller)
    found = _reporting(request).cycles(token=token, lang=caller.lang)
    scope = (found.get("filters") or {}).get("province")
    return render(
        request,
        caller,
        "reports.html",
        cycles=view.cycle_lines(found, caller.lang),
        scope=i18n.province_name(scope, caller.lang) if scope else None,
        **_formatters(caller.lang),
    )


@router.get("/{number}")
def cycle_report(request: Request, number: int, caller: CallerDep) -> Response:
    """One cycle's report, with the filters in the address passed on as they are."""
    token = _token(caller)
    lang = caller.lang
    asked = view.filters_of(request.query_params)
    errors = FormErrors()
    summary: dict[str, Any] | None = None
    try:
        summary = _reporting(request).summary(number, token=token, lang=lang, filters=asked)
    except ReportingRefused as exc:
        if exc.status == 404:  # no such cycle: the reporting service says which there are
            return error_page(request, 404, exc.detail)
        if exc.status != 422:
            raise  # another province's figures: the 403 page, in its words
        forms.collect(exc.errors, view.FILTERS, errors)
        if not errors:
            errors.general.append(exc.detail)
    return render(
        request,
        caller,
        "report.html",
        status_code=200 if summary is not None else 422,
        number=number,
        heading=cycle_heading(number, lang),
        summary=summary,
        errors=errors,
        **_report_context(summary, asked, lang),
        **_formatters(lang),
    )


def _report_context(
    summary: dict[str, Any] | None, asked: ReportFilters, lang: str
) -> dict[str, Any]:
    applied = (summary or {}).get("filters") or {}
    # Limited to one province: the service narrowed an unfiltered request to it.
    scoped = asked.province is None and bool(applied.get("province"))
    cycle = (summary or {}).get("cycle")
    previous = (summary or {}).get("previous_cycle")
    headline = (summary or {}).get("headline") or {}
    return {
        "has_previous": previous is not None,
        "headline_rows": [
            {"key": name, **headline[name]} for name in view.OTHER_HEADLINES if name in headline
        ],
        "asked": asked,
        "query": view.query_of(asked),
        "scope": i18n.province_name(applied["province"], lang) if scoped else None,
        "filtered": view.filters_text(summary, scoped, lang) if summary else "",
        "period": view.period(cycle, lang) if cycle else "",
        "previous_heading": cycle_heading(previous["number"], lang) if previous else "",
        "breakdowns": view.BREAKDOWNS,
        "province_choices": view.province_choices(lang),
        "field_choices": view.field_choices(lang),
    }


def _passed_on(found: Download, *, download: bool) -> Response:
    headers = dict(SECURITY_HEADERS)
    if download and found.disposition:
        headers["Content-Disposition"] = found.disposition
    return Response(found.content, media_type=found.media_type, headers=headers)


@router.get("/{number}/charts/{name}")
def chart(request: Request, number: int, name: str, caller: CallerDep) -> Response:
    """The reporting service's chart (provinces, countries or trend; svg or png) from this
    site, so the page's Content-Security-Policy holds."""
    token = _token(caller)
    if name not in CHARTS:
        raise StarletteHTTPException(404)
    found = _reporting(request).chart(
        number, name, token=token, lang=caller.lang, filters=view.filters_of(request.query_params)
    )
    return _passed_on(found, download=False)


@router.get("/{number}/export.{fmt}")
def export(request: Request, number: int, fmt: str, caller: CallerDep) -> Response:
    """Every figure as CSV or an Excel workbook, under the reporting service's file name."""
    token = _token(caller)
    if fmt not in EXPORTS:
        raise StarletteHTTPException(404)
    found = _reporting(request).export(
        number, fmt, token=token, lang=caller.lang, filters=view.filters_of(request.query_params)
    )
    return _passed_on(found, download=True)
