"""A generated history imported through the agreements API reaches the reporting service over
the real broker and gives exactly its known counts, in the summary and in every export, the
stored counts equal to those summed from the records (live events and rebuilds: test_events.py;
duties: test_duties.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.integration.reporting.conftest import PER_CYCLE, ReportingStack
from tests.integration.reporting.history import ORGANISATIONS, Record, expected
from tests.integration.reporting.workflow import today_in_vietnam, values

pytestmark = pytest.mark.integration


def _assert_counts(summary: dict[str, Any], want: dict[str, Any]) -> None:
    assert summary["headline"]["agreements_signed"]["value"] == want["signed"]
    assert values(summary["by_province"]) == dict(want["province"])
    assert values(summary["by_historical_unit"]) == dict(want["historical_unit"])
    assert values(summary["by_country"]) == dict(want["country"])
    assert values(summary["by_region"]) == dict(want["region"])
    assert values(summary["by_partner_type"]) == dict(want["partner_type"])
    assert values(summary["by_field"]) == dict(want["field"])
    assert values(summary["by_form"]) == dict(want["form"])
    assert values(summary["by_signatory_level"]) == dict(want["signatory_level"])
    assert values(summary["by_occasion"]) == dict(want["occasion"])
    assert values(summary["pipeline_by_status"]) == dict(want["status"])
    assert summary["headline"]["in_force"]["value"] == want["in_force"]
    assert summary["headline"]["expiring_within_180_days"]["value"] == want["expiring"]
    assert summary["headline"]["expired"]["value"] == want["expired"]
    assert summary["headline"]["terminated"]["value"] == want["terminated"]
    assert summary["headline"]["partner_countries"]["value"] == want["partner_countries"]
    if want["new_countries"] is not None:
        assert [c["key"] for c in summary["new_partner_countries"]] == want["new_countries"]


def test_imported_history_gives_its_known_counts_in_every_breakdown(
    rstack: ReportingStack, history: list[Record]
) -> None:
    today = today_in_vietnam()
    for cycle in PER_CYCLE:
        summary = rstack.summary(cycle)
        _assert_counts(summary, expected(history, cycle, today))
        if cycle - 1 in PER_CYCLE:
            previous = expected(history, cycle - 1, today)
            signed = summary["headline"]["agreements_signed"]
            assert signed["previous"] == previous["signed"]
            assert signed["change"] == signed["value"] - previous["signed"]
    # New partners of the generated history: Brazil and Israel in 20, three more in 21.
    assert {"BR", "IL"} <= {c["key"] for c in rstack.summary(20)["new_partner_countries"]}
    assert {"NZ", "ZA", "AE"} <= {c["key"] for c in rstack.summary(21)["new_partner_countries"]}
    # International organisations, with a country named or none, are a group of their own.
    summary = rstack.summary(21)
    for section in ("by_country", "by_region", "by_sub_region"):
        group = {row["key"]: row for row in summary[section]}[ORGANISATIONS]
        assert group["label"] == "Tổ chức quốc tế"
        assert group["value"] == expected(history, 21, today)["country"][ORGANISATIONS] > 0
    assert ORGANISATIONS not in {c["key"] for c in summary["new_partner_countries"]}
    # Thừa Thiên Huế is reported under the former unit Huế.
    assert values(rstack.summary(21)["by_historical_unit"])["hue"] == sum(
        1 for r in history if r.cycle == 21 and r.old_unit == "hue"
    )


def test_merged_province_sees_its_own_figures_including_its_former_units(
    rstack: ReportingStack, history: list[Record]
) -> None:
    # An Giang took over Kiên Giang on 1 July 2025: its officer sees both former units' records.
    summary = rstack.summary(21, "officer@an-giang")
    want = expected(history, 21, today_in_vietnam(), province="an-giang")
    _assert_counts(summary, want)
    assert set(values(summary["by_historical_unit"])) <= {"an-giang", "kien-giang"}
    assert summary["filters"]["province"] == "an-giang"


def test_filters_by_field_and_country_count_the_matching_agreements(
    rstack: ReportingStack, history: list[Record]
) -> None:
    by_country = rstack.summary(21, country="Hàn Quốc")
    assert by_country["filters"]["country"] == "KR"
    assert by_country["headline"]["agreements_signed"]["value"] == sum(
        1 for r in history if r.cycle == 21 and r.country == "KR"
    )
    by_field = rstack.summary(20, field="education", province="ha-noi")
    assert by_field["headline"]["agreements_signed"]["value"] == sum(
        1 for r in history if r.cycle == 20 and "education" in r.fields and r.province == "ha-noi"
    )
    assert by_field["headline"]["agreements_signed"]["previous"] == sum(
        1 for r in history if r.cycle == 19 and "education" in r.fields and r.province == "ha-noi"
    )


def test_each_export_carries_the_same_counts(rstack: ReportingStack, history: list[Record]) -> None:
    want = expected(history, 21, today_in_vietnam())
    headers = rstack.headers("registry@mofa")

    r = rstack.reporting.get("/v1/cycles/21/export.csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["Mục", "Mã", "Tên", "Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi"]
    section = "Theo tỉnh, thành phố (34 đơn vị hiện hành)"
    provinces = {row[1]: int(row[4]) for row in rows[1:] if row[0] == section and row[4] != "0"}
    assert provinces == dict(want["province"])
    countries = {row[1]: int(row[4]) for row in rows if row[0] == "Theo quốc gia đối tác"}
    assert {k: v for k, v in countries.items() if v} == dict(want["country"])

    r = rstack.reporting.get("/v1/cycles/21/export.xlsx", headers=headers)
    assert r.status_code == 200
    workbook = load_workbook(io.BytesIO(r.content), read_only=True)
    assert "Đơn vị trước sáp nhập (63)" in workbook.sheetnames
    sheet = workbook["Đơn vị trước sáp nhập (63)"]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:4] == ("Mã", "Tên", "Chỉ tiêu", "Kỳ này")
    assert {row[0]: row[3] for row in table[1:] if row[3]} == dict(want["historical_unit"])
    fields = {row[0]: row[3] for row in workbook["Lĩnh vực"].iter_rows(min_row=2, values_only=True)}
    assert {k: v for k, v in fields.items() if v} == dict(want["field"])

    english = rstack.reporting.get("/v1/cycles/21/export.csv?lang=en", headers=headers)
    assert english.content.decode("utf-8-sig").startswith("Section,Code,Name,Metric")

    r = rstack.reporting.get("/v1/cycles/21/report.html", headers=headers)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Báo cáo kết quả ký kết thỏa thuận quốc tế" in r.text
    assert f">{want['signed']}<" in r.text and "<svg" in r.text
    r = rstack.reporting.get("/v1/cycles/21/report.html?lang=en", headers=headers)
    assert "International agreements of Vietnamese localities" in r.text

    for kind in ("provinces", "countries", "trend"):
        png = rstack.reporting.get(f"/v1/cycles/21/charts/{kind}.png", headers=headers)
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        svg = rstack.reporting.get(f"/v1/cycles/21/charts/{kind}.svg", headers=headers)
        assert svg.status_code == 200 and b"<svg" in svg.content
    bad = rstack.reporting.get("/v1/cycles/21/charts/pie.gif", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "name"


def test_cycles_list_the_conferences_and_the_open_cycle(
    rstack: ReportingStack, history: list[Record]
) -> None:
    r = rstack.reporting.get("/v1/cycles", headers=rstack.headers("admin@system"))
    assert r.status_code == 200
    cycles = {c["number"]: c for c in r.json()["data"]}
    assert cycles[21]["start_after"] == "2021-12-13" and cycles[21]["end"] == "2023-12-18"
    assert cycles[22]["open"] is True and cycles[22]["end"] == today_in_vietnam().isoformat()
    for n, count in PER_CYCLE.items():
        assert cycles[n]["agreements_signed"] == count


def test_stored_counts_equal_the_counts_summed_from_the_read_model(
    rstack: ReportingStack, history: list[Record]
) -> None:
    """The consumer's incremental counts, in every scope, match a recount from the records."""
    from services.reporting import service

    rstack.wait_idle()
    cycles = [19, 20, 21, rstack.reporting_settings.calendar.open_number]
    filters = [
        service.ReportFilter(),
        service.ReportFilter(province="an-giang"),
        service.ReportFilter(field="education"),
        service.ReportFilter(country="KR"),
        service.ReportFilter(province="da-nang", field="education"),
        service.ReportFilter(province="hue", country="JP"),
    ]
    with rstack.reporting_db.session() as session:
        for f in filters:
            assert f.uses_stored_counts
            stored = service.cycle_counts(session, cycles, f)
            assert stored == service._summed_counts(session, cycles, f), f
