"""What the reporting API answers, as models: the cycles and a cycle's summary (breakdowns,
consultation SLA, post-signing compliance and duties), every field named in the OpenAPI
document. The fields keep the order domain/summary.py writes them in, so the JSON is the same
byte for byte as before the models (tests/integration/reporting/test_api.py holds it)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

Number = int | float | None

_CYCLE_21: dict[str, Any] = {
    "number": 21,
    "start_after": "2023-08-25",
    "end": "2026-11-20",
    "conference_on": None,
    "open": True,
}
_NO_FILTERS: dict[str, Any] = {"province": None, "field": None, "country": None}


class CycleInfo(BaseModel):
    """One conference cycle: agreements signed after `start_after` up to `end` count in it."""

    number: int = Field(description="the National Conference on External Affairs' number")
    start_after: date = Field(description="the previous conference's day")
    end: date = Field(description="its conference's day, or today for the open cycle")
    conference_on: date | None = Field(description="its conference's day, once announced")
    open: bool = Field(description="the cycle of today: its figures still change")


class CycleSigned(CycleInfo):
    agreements_signed: int = Field(description="signed in the cycle, within your scope")


class Filters(BaseModel):
    """The filters that made the figures (a province officer's are narrowed to their own)."""

    province: str | None
    field: str | None
    country: str | None


class CyclesPublic(BaseModel):
    data: list[CycleSigned]
    count: int
    filters: Filters


class Figure(BaseModel):
    """A figure of the cycle with the previous cycle's and the change (null where there is no
    previous cycle or it is not comparable); shares are fractions of 1, to 4 places."""

    value: Number
    previous: Number
    change: Number


class LabelledFigure(BaseModel):
    """A headline figure with its label in the report's language."""

    label: str
    value: Number
    previous: Number
    change: Number


class Headline(BaseModel):
    agreements_signed: LabelledFigure
    in_force: LabelledFigure
    expiring_within_180_days: LabelledFigure
    expired: LabelledFigure
    terminated: LabelledFigure
    suspended: LabelledFigure
    withdrawn: LabelledFigure
    partner_countries: LabelledFigure
    new_partner_countries: LabelledFigure


class BreakdownRow(BaseModel):
    """Agreements signed in the cycle with this key (a province, a country, a field...)."""

    key: str
    label: str
    value: Number
    previous: Number
    change: Number


class NewPartner(BaseModel):
    """A partner country with no agreement in the previous cycle."""

    key: str = Field(description="ISO 3166 alpha-2")
    label: str
    value: int


class ConsultationSla(BaseModel):
    """One consulted body's answers to the consultations requested in the cycle."""

    key: str = Field(description="the consulted body's code, e.g. mofa")
    label: str
    requested: Figure
    answered: Figure
    answered_on_time: Figure
    overdue_open: Figure
    fell_due: Figure
    on_time_share: Figure
    median_working_days: Figure


class ComplianceFigure(BaseModel):
    value: Number
    previous: Number
    change: Number
    label: str


class Compliance(BaseModel):
    """The copy to the Ministry (or the provincial foreign-affairs body) within 15 days."""

    copies_due: ComplianceFigure
    delivered_on_time: ComplianceFigure
    delivered_late: ComplianceFigure
    overdue_not_delivered: ComplianceFigure
    not_yet_due: ComplianceFigure
    on_time_share: ComplianceFigure


class DutyFigures(BaseModel):
    """One post-signing duty (copy, notice, report, plan) due in the cycle."""

    key: str
    label: str
    due: Figure
    delivered_on_time: Figure
    delivered_late: Figure
    overdue_not_delivered: Figure
    not_yet_due: Figure
    on_time_share: Figure


def _figure(label: str, value: int, previous: int) -> dict[str, Any]:
    return {"label": label, "value": value, "previous": previous, "change": value - previous}


def _plain(value: float, previous: float) -> dict[str, Any]:
    return {"value": value, "previous": previous, "change": round(value - previous, 4)}


def _row(key: str, label: str, value: int, previous: int) -> dict[str, Any]:
    return {"key": key, **_figure(label, value, previous)}


class CycleSummary(BaseModel):
    """All figures of one cycle under the filters, in the language asked for."""

    cycle: CycleInfo
    previous_cycle: CycleInfo | None
    filters: Filters
    as_of: date = Field(description="today in Vietnam, for the figures that depend on it")
    language: Literal["vi", "en"]
    headline: Headline
    by_province: list[BreakdownRow] = Field(description="the 34 provinces, in their order")
    by_historical_unit: list[BreakdownRow] = Field(description="the 63 units before 2025")
    by_country: list[BreakdownRow]
    by_region: list[BreakdownRow]
    by_sub_region: list[BreakdownRow]
    by_partner_type: list[BreakdownRow]
    by_field: list[BreakdownRow]
    by_form: list[BreakdownRow]
    by_signatory_level: list[BreakdownRow]
    by_occasion: list[BreakdownRow]
    new_partner_countries: list[NewPartner]
    pipeline_by_status: list[BreakdownRow] = Field(
        description="agreements in each status now, among those in the cycle's pipeline"
    )
    consultation_sla: list[ConsultationSla]
    post_signing_compliance: Compliance
    post_signing_duties: list[DutyFigures]


# Schema name -> one example (common.openapi.add_examples), built through the models.
EXAMPLES: dict[str, Any] = {
    "CyclesPublic": CyclesPublic.model_validate(
        {"data": [_CYCLE_21 | {"agreements_signed": 128}], "count": 1, "filters": _NO_FILTERS}
    ).model_dump(mode="json"),
    "CycleSummary": CycleSummary.model_validate(
        {
            "cycle": _CYCLE_21,
            "previous_cycle": {
                "number": 20,
                "start_after": "2021-06-11",
                "end": "2023-08-25",
                "conference_on": "2023-08-25",
                "open": False,
            },
            "filters": _NO_FILTERS,
            "as_of": "2026-03-02",
            "language": "vi",
            "headline": {
                "agreements_signed": _figure("Số thỏa thuận đã ký", 128, 97),
                "in_force": _figure("Đang có hiệu lực", 110, 90),
                "expiring_within_180_days": _figure("Sắp hết hiệu lực trong 180 ngày", 6, 4),
                "expired": _figure("Hết hiệu lực", 3, 2),
                "terminated": _figure("Đã chấm dứt hiệu lực", 1, 0),
                "suspended": _figure("Tạm đình chỉ thực hiện", 0, 0),
                "withdrawn": _figure("Đã rút khỏi", 0, 1),
                "partner_countries": _figure("Số quốc gia đối tác", 31, 27),
                "new_partner_countries": _figure("Số quốc gia đối tác mới", 4, 3),
            },
            "by_province": [_row("ha-noi", "Hà Nội", 14, 11)],
            "by_historical_unit": [],
            "by_country": [_row("KR", "Hàn Quốc", 22, 18)],
            "by_region": [],
            "by_sub_region": [],
            "by_partner_type": [],
            "by_field": [_row("education", "Giáo dục và đào tạo", 40, 33)],
            "by_form": [],
            "by_signatory_level": [],
            "by_occasion": [],
            "new_partner_countries": [{"key": "UY", "label": "Uruguay", "value": 1}],
            "pipeline_by_status": [],
            "consultation_sla": [
                {
                    "key": "mofa",
                    "label": "Bộ Ngoại giao",
                    "requested": _plain(96, 81),
                    "answered": _plain(93, 80),
                    "answered_on_time": _plain(88, 71),
                    "overdue_open": _plain(1, 0),
                    "fell_due": _plain(94, 80),
                    "on_time_share": _plain(0.9362, 0.8875),
                    "median_working_days": _plain(5, 6),
                }
            ],
            "post_signing_compliance": {
                name: {"value": v, "previous": p, "change": round(v - p, 4), "label": label}
                for name, v, p, label in (
                    ("copies_due", 128, 97, "Bản sao phải gửi"),
                    ("delivered_on_time", 120, 90, "Gửi đúng hạn"),
                    ("delivered_late", 6, 5, "Gửi quá hạn"),
                    ("overdue_not_delivered", 1, 2, "Quá hạn chưa gửi"),
                    ("not_yet_due", 1, 0, "Chưa đến hạn"),
                    ("on_time_share", 0.9449, 0.9278, "Tỷ lệ gửi đúng hạn"),
                )
            },
            "post_signing_duties": [
                {
                    "key": "COPY",
                    "label": "Bản sao thỏa thuận đã ký",
                    "due": _plain(128, 97),
                    "delivered_on_time": _plain(120, 90),
                    "delivered_late": _plain(6, 5),
                    "overdue_not_delivered": _plain(1, 2),
                    "not_yet_due": _plain(1, 0),
                    "on_time_share": _plain(0.9449, 0.9278),
                }
            ],
        }
    ).model_dump(mode="json"),
}
