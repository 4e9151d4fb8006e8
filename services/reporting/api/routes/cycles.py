"""Figures per conference cycle: /v1/cycles, the summary, its exports, charts and report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session

from common.db import utcnow
from common.deps import DatabaseDep, problem_responses
from common.law.cycles import ConferenceCalendar
from services.reporting import service
from services.reporting.api.deps import CalendarDep, FiltersDep, LanguageDep, TodayDep
from services.reporting.api.responses import CyclesPublic, CycleSummary
from services.reporting.errors import InvalidQuery, NotFound
from services.reporting.exports import charts, tabular
from services.reporting.exports.report import render_report
from services.reporting.metrics import ReportMetrics

router = APIRouter(prefix="/v1/cycles", tags=["cycles"])

LIST_PROBLEMS = problem_responses(
    {
        403: "another province's figures",
        422: "a filter names no province, field or country",
    }
)
PROBLEMS = LIST_PROBLEMS | problem_responses({404: "no such cycle"})

CHART_KINDS = ("provinces", "countries", "trend")


def _file(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """The 200 of a route that answers a file rather than JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": dict.fromkeys(media_types, binary)}}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _metrics(request: Request) -> ReportMetrics:
    metrics: ReportMetrics = request.app.state.report_metrics
    return metrics


@dataclass(frozen=True)
class CycleQuery:
    """One cycle's figures as the caller asked for them: their filters (narrowed to their own
    province where they may see only that), today in Vietnam, and their language."""

    number: int
    calendar: ConferenceCalendar
    filters: service.ReportFilter
    today: date
    lang: str

    def summary(self, session: Session) -> dict[str, Any]:
        found = service.cycle_summary(
            session,
            calendar=self.calendar,
            number=self.number,
            filters=self.filters,
            today=self.today,
            lang=self.lang,
        )
        if found is None:
            raise NotFound(
                "cycle_not_found",
                number=self.number,
                first=self.calendar.first_number,
                last=self.calendar.open_number,
            )
        return found

    def trend(self, session: Session) -> list[tuple[int, int, bool]]:
        """(cycle, agreements signed, open?) for every cycle up to this one."""
        rows = service.signed_per_cycle(
            session, calendar=self.calendar, filters=self.filters, today=self.today
        )
        return [(c.number, n, c.is_open) for c, n in rows if c.number <= self.number]


def get_cycle_query(
    number: int, calendar: CalendarDep, filters: FiltersDep, today: TodayDep, lang: LanguageDep
) -> CycleQuery:
    return CycleQuery(number, calendar, filters, today, lang)


CycleQueryDep = Annotated[CycleQuery, Depends(get_cycle_query)]


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("", response_model=CyclesPublic, responses=LIST_PROBLEMS)
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
                "start_after": c.start_after.isoformat(),
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


@router.get("/{number}/summary", response_model=CycleSummary, responses=PROBLEMS)
def summary(
    request: Request,
    db: DatabaseDep,
    query: CycleQueryDep,
) -> dict[str, Any]:
    """All figures of cycle `number`, each with the previous cycle's value and the change.
    Filters: province, field, country; a province sees only its own figures."""
    with _metrics(request).timed("summary"), db.session() as session:
        return query.summary(session)


@router.get(
    "/{number}/export.csv",
    responses=PROBLEMS | _file("the summary as CSV", "text/csv"),
    response_class=Response,
)
def export_csv(
    request: Request,
    db: DatabaseDep,
    query: CycleQueryDep,
) -> Response:
    """Every section of the summary as one CSV (UTF-8), headers in the report's language."""
    with _metrics(request).timed("csv"):
        with db.session() as session:
            data = query.summary(session)
        content = tabular.to_csv(data, query.lang)
    return _download(content, "text/csv; charset=utf-8", f"cycle-{query.number}.csv")


@router.get(
    "/{number}/export.xlsx",
    responses=PROBLEMS | _file("the summary as a workbook", XLSX),
    response_class=Response,
)
def export_xlsx(
    request: Request,
    db: DatabaseDep,
    query: CycleQueryDep,
) -> Response:
    """A workbook with one sheet per breakdown."""
    with _metrics(request).timed("xlsx"):
        with db.session() as session:
            data = query.summary(session)
        content = tabular.to_xlsx(data, query.lang)
    return _download(
        content,
        XLSX,
        f"cycle-{query.number}.xlsx",
    )


@router.get(
    "/{number}/charts/{name}",
    responses=PROBLEMS | _file("the chart", "image/svg+xml", "image/png"),
    response_class=Response,
)
def chart(
    name: str,
    request: Request,
    db: DatabaseDep,
    query: CycleQueryDep,
) -> Response:
    """`provinces`, `countries` or `trend` (cycles up to this one), as `.png` or `.svg`."""
    kind, _, fmt = name.rpartition(".")
    if kind not in CHART_KINDS or fmt not in charts.FORMATS:
        allowed = ", ".join(f"{k}.{f}" for k in CHART_KINDS for f in charts.FORMATS)
        raise InvalidQuery("name", "unknown_chart", value=name, allowed=allowed)
    with _metrics(request).timed(f"chart_{fmt}"):
        with db.session() as session:
            data = query.summary(session)
            trend = query.trend(session)
        if kind == "trend":
            content = charts.render("trend", fmt, trend=trend, lang=query.lang)
        else:
            content = charts.render(kind, fmt, summary=data, lang=query.lang)
    return Response(content, media_type=charts.FORMATS[fmt])


@router.get(
    "/{number}/report.html",
    responses=PROBLEMS | _file("the printable report", "text/html"),
    response_class=Response,
)
def report(
    request: Request,
    db: DatabaseDep,
    query: CycleQueryDep,
) -> Response:
    """The printable report, in Vietnamese unless `?lang=en`."""
    with _metrics(request).timed("html"):
        with db.session() as session:
            data = query.summary(session)
            trend = query.trend(session)
        drawn = {
            "trend": charts.render("trend", "svg", trend=trend, lang=query.lang),
            "provinces": charts.render("provinces", "svg", summary=data, lang=query.lang),
            "countries": charts.render("countries", "svg", summary=data, lang=query.lang),
        }
        generated = utcnow().strftime("%Y-%m-%d %H:%M UTC")
        html = render_report(data, drawn, query.lang, generated)
    return Response(html, media_type="text/html; charset=utf-8")
