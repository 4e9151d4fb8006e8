"""A cycle summary as tables: one CSV (every section, long format) and one XLSX workbook with a
sheet per breakdown. Column headers follow the report's language (Vietnamese by default). Every
cell goes through common.spreadsheets: free text never becomes a live formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from common.spreadsheets import safe_row
from services.reporting.domain import labels as L
from services.reporting.domain.summary import BREAKDOWNS


@dataclass(frozen=True)
class Table:
    """One section of the summary: a sheet of the workbook, a block of the CSV."""

    section: str  # summary key, e.g. "by_province"
    title: str
    sheet: str  # a short sheet name (Excel allows 31 characters)
    rows: list[dict[str, Any]]  # key, label, metric, value, previous, change (, share)


# Short sheet names (at most 31 characters, none of []:*?/\).
_SHEETS: dict[str, tuple[str, str]] = {
    "headline": ("Chỉ tiêu chính", "Headline"),
    "by_province": ("Tỉnh thành (34)", "Provinces (34)"),
    "by_historical_unit": ("Đơn vị trước sáp nhập (63)", "Former units (63)"),
    "by_country": ("Quốc gia", "Countries"),
    "by_region": ("Khu vực", "Regions"),
    "by_sub_region": ("Tiểu khu vực", "Sub-regions"),
    "by_partner_type": ("Loại đối tác", "Partner types"),
    "by_field": ("Lĩnh vực", "Fields"),
    "by_form": ("Tên gọi", "Forms"),
    "by_signatory_level": ("Cấp ký", "Signatory levels"),
    "by_occasion": ("Sự kiện", "Occasions"),
    "new_partner_countries": ("Đối tác mới", "New partners"),
    "pipeline_by_status": ("Trạng thái hồ sơ", "Pipeline"),
    "consultation_sla": ("Thời hạn góp ý", "Consultation SLA"),
    "post_signing_compliance": ("Bản sao sau ký", "Copies after signing"),
    "post_signing_duties": ("Nghĩa vụ sau ký", "Duties after signing"),
}


def tables(summary: dict[str, Any], lang: str) -> Iterator[Table]:
    """Every section of `summary` as rows, in the order the report shows them."""

    def table(section: str, rows: list[dict[str, Any]]) -> Table:
        return Table(
            section,
            L.pick(L.SECTIONS[section], lang),
            L.pick(_SHEETS[section], lang),
            rows,
        )

    count = L.pick(L.COLUMNS["count"], lang)
    yield table(
        "headline",
        [
            {"key": name, "label": f["label"], "metric": f["label"], **_fig(f)}
            for name, f in summary["headline"].items()
        ],
    )
    for section, _dim in BREAKDOWNS:
        yield table(
            section,
            [
                {"key": r["key"], "label": r["label"], "metric": count, **_fig(r)}
                for r in summary[section]
            ],
        )
    yield table(
        "new_partner_countries",
        [
            {
                "key": r["key"],
                "label": r["label"],
                "metric": count,
                "value": r["value"],
                "previous": 0,
                "change": r["value"],
            }
            for r in summary["new_partner_countries"]
        ],
    )
    yield table("consultation_sla", _per_metric(summary["consultation_sla"], L.SLA, lang))
    yield table(
        "post_signing_compliance",
        [
            {
                "key": name,
                "label": f["label"],
                "metric": f["label"],
                "share": name == "on_time_share",
                **_fig(f),
            }
            for name, f in summary["post_signing_compliance"].items()
        ],
    )
    yield table(
        "post_signing_duties", _per_metric(summary["post_signing_duties"], L.DUTY_FIGURES, lang)
    )


def _per_metric(
    section: list[dict[str, Any]], metrics: dict[str, tuple[str, str]], lang: str
) -> list[dict[str, Any]]:
    """A section with several figures per key (a consulted body, a duty): one row per key and
    figure."""
    return [
        {
            "key": r["key"],
            "label": r["label"],
            "metric": L.pick(names, lang),
            "share": metric == "on_time_share",
            **_fig(r[metric]),
        }
        for r in section
        for metric, names in metrics.items()
    ]


def _fig(f: dict[str, Any]) -> dict[str, Any]:
    return {"value": f["value"], "previous": f["previous"], "change": f["change"]}


_CSV_COLUMNS = ("section", "key", "label", "metric", "value", "previous", "change")


def to_csv(summary: dict[str, Any], lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(L.pick(L.COLUMNS[c], lang) for c in _CSV_COLUMNS))
    for t in tables(summary, lang):
        for row in t.rows:
            writer.writerow(safe_row([t.title, *(_cell(row[c]) for c in _CSV_COLUMNS[1:])]))
    return buffer.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> Any:
    return "" if value is None else value


def to_xlsx(summary: dict[str, Any], lang: str) -> bytes:
    # Imported here: openpyxl weighs about 30 MiB, which a process that writes no workbook
    # need not carry.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    info = workbook.create_sheet(L.pick(("Kỳ báo cáo", "Cycle"), lang))
    cycle = summary["cycle"]
    for line in (
        [L.pick(L.REPORT_TEXTS["title"], lang)],
        [L.pick(L.COLUMNS["cycle"], lang), cycle["number"]],
        ["start_after", cycle["start_after"]],
        ["end", cycle["end"]],
        [L.pick(L.REPORT_TEXTS["generated"], lang), summary["as_of"]],
        *([name, value] for name, value in summary["filters"].items()),
    ):
        info.append(safe_row(line))
    info["A1"].font = bold
    columns = ("key", "label", "metric", "value", "previous", "change")
    for t in tables(summary, lang):
        sheet = workbook.create_sheet(t.sheet)
        sheet.append(safe_row(L.pick(L.COLUMNS[c], lang) for c in columns))
        for cell in sheet[1]:
            cell.font = bold
        for row in t.rows:
            sheet.append(safe_row(row[c] for c in columns))
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["B"].width = 48
        sheet.column_dimensions["C"].width = 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
