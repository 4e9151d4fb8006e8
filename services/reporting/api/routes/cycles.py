"""Figures per conference cycle: /v1/cycles, the summary, its exports, charts and report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from common.db import utcnow
from common.deps import DatabaseDep
from services.reporting import service
from services.reporting.api.deps import CalendarDep, FiltersDep, LanguageDep, TodayDep
from services.reporting.domain.cycles import ConferenceCalendar
from services.reporting.errors import InvalidQuery, NotFound
from services.reporting.exports import charts, tabular
from services.reporting.exports.report import render_report
from services.reporting.metrics import ReportMetrics

router = APIRouter(prefix="/v1/cycles", tags=["cycles"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        401: "not authenticated",
        403: "another province's figures",
        404: "no such cycle",
        422: "a filter names no province, field or country",
    }.items()
}

CHART_KINDS = ("provinces", "countries", "trend")


def _metrics(request: Request) -> ReportMetrics:
    metrics: ReportMetrics = request.app.state.report_metrics
    return metrics


def _summary(
    session: Session,
    calendar: ConferenceCalendar,
    number: int,
    filters: service.ReportFilter,
    today: Any,
    lang: str,
) -> dict[str, Any]:
    summary = service.cycle_summary(
        session, calendar=calendar, number=number, filters=filters, today=today, lang=lang
    )
    if summary is None:
        raise NotFound(
            "cycle_not_found", number=number, first=calendar.first_number, last=calendar.open_number
        )
    return summary


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("", responses=PROBLEMS)
def list_cycles(
    db: DatabaseDep, calendar: CalendarDep, filters: FiltersDep, today: TodayDep
) -> dict[str, Any]:
    """Every conference cycle, with the agreements signed in it (within your scope)."""
    with db.session() as session:
        trend = service.signed_per_cycle(session, calendar=calendar, filters=filters, today=today)
    return {
        "data": [
            {
                "number": c.number,
                "start_after": c.start_after.isoformat() if c.start_after else None,
                "end": c.end.isoformat(),
                "conference_on": c.conference_on.isoformat() if c.conference_on else None,
                "open": c.is_open,
                "agreements_signed": n,
            }
            for c, n in trend
        ],
        "count": len(trend),
        "filters": filters.as_dict(),
    }


@router.get("/{number}/summary", responses=PROBLEMS)
def summary(
    number: int,
    request: Request,
    db: DatabaseDep,
    calendar: CalendarDep,
    filters: FiltersDep,
    today: TodayDep,
    lang: LanguageDep,
) -> dict[str, Any]:
    """All figures of cycle `number`, each with the previous cycle's value and the change.
    Filters: province, field, country; a province sees only its own figures."""
    with _metrics(request).timed("summary"), db.session() as session:
        return _summary(session, calendar, number, filters, today, lang)


@router.get("/{number}/export.csv", responses=PROBLEMS, response_class=Response)
def export_csv(
    number: int,
    request: Request,
    db: DatabaseDep,
    calendar: CalendarDep,
    filters: FiltersDep,
    today: TodayDep,
    lang: LanguageDep,
) -> Response:
    """Every section of the summary as one CSV (UTF-8), headers in the report's language."""
    with _metrics(request).timed("csv"):
        with db.session() as session:
            data = _summary(session, calendar, number, filters, today, lang)
        content = tabular.to_csv(data, lang)
    return _download(content, "text/csv; charset=utf-8", f"cycle-{number}.csv")


@router.get("/{number}/export.xlsx", responses=PROBLEMS, response_class=Response)
def export_xlsx(
    number: int,
    request: Request,
    db: DatabaseDep,
    calendar: CalendarDep,
    filters: FiltersDep,
    today: TodayDep,
    lang: LanguageDep,
) -> Response:
    """A workbook with one sheet per breakdown."""
    with _metrics(request).timed("xlsx"):
        with db.session() as session:
            data = _summary(session, calendar, number, filters, today, lang)
        content = tabular.to_xlsx(data, lang)
    return _download(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"cycle-{number}.xlsx",
    )


def _trend_rows(
    session: Session,
    calendar: ConferenceCalendar,
    number: int,
    filters: service.ReportFilter,
    today: Any,
) -> list[tuple[int, int, bool]]:
    rows = service.signed_per_cycle(session, calendar=calendar, filters=filters, today=today)
    return [(c.number, n, c.is_open) for c, n in rows if c.number <= number]


@router.get("/{number}/charts/{name}", responses=PROBLEMS, response_class=Response)
def chart(
    number: int,
    name: str,
    request: Request,
    db: DatabaseDep,
    calendar: CalendarDep,
    filters: FiltersDep,
    today: TodayDep,
    lang: LanguageDep,
) -> Response:
    """`provinces`, `countries` or `trend` (cycles up to this one), as `.png` or `.svg`."""
    kind, _, fmt = name.rpartition(".")
    if kind not in CHART_KINDS or fmt not in charts.FORMATS:
        allowed = ", ".join(f"{k}.{f}" for k in CHART_KINDS for f in charts.FORMATS)
        raise InvalidQuery("name", "unknown_chart", value=name, allowed=allowed)
    with _metrics(request).timed(f"chart_{fmt}"):
        with db.session() as session:
            data = _summary(session, calendar, number, filters, today, lang)
            trend = _trend_rows(session, calendar, number, filters, today)
        if kind == "trend":
            content = charts.render("trend", fmt, trend=trend, lang=lang)
        else:
            content = charts.render(kind, fmt, summary=data, lang=lang)
    return Response(content, media_type=charts.FORMATS[fmt])


@router.get("/{number}/report.html", responses=PROBLEMS, response_class=Response)
def report(
    number: int,
    request: Request,
    db: DatabaseDep,
    calendar: CalendarDep,
    filters: FiltersDep,
    today: TodayDep,
    lang: LanguageDep,
) -> Response:
    """The printable report, in Vietnamese unless `?lang=en`."""
    with _metrics(request).timed("html"):
        with db.session() as session:
            data = _summary(session, calendar, number, filters, today, lang)
            trend = _trend_rows(session, calendar, number, filters, today)
        drawn = {
            "trend": charts.render("trend", "svg", trend=trend, lang=lang),
            "provinces": charts.render("provinces", "svg", summary=data, lang=lang),
            "countries": charts.render("countries", "svg", summary=data, lang=lang),
        }
        generated = utcnow().strftime("%Y-%m-%d %H:%M UTC")
        html = render_report(data, drawn, lang, generated)
    return Response(html, media_type="text/html; charset=utf-8")
