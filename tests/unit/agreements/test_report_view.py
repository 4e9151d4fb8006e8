"""What the report pages make of the reporting service's answers, without servers: numbers as
each language writes them, the filters read from an address and passed on, the cycles listed
newest first."""

from __future__ import annotations

from services.agreements.reports.client import ReportFilters
from services.agreements.ui import report_view as view


def test_numbers_shares_and_changes_are_written_as_each_language_writes_them() -> None:
    assert view.number(1000, "vi") == "1.000" and view.number(1000, "en") == "1,000"
    assert view.number(2.5, "vi") == "2,5" and view.number(None, "vi") == "—"
    assert view.share(0.875, "vi") == "87,5%" and view.share(0.875, "en") == "87.5%"
    assert view.share(None, "en") == "—"
    assert view.change(1200, "vi") == "+1.200"
    assert view.change(-3, "en") == "−3"
    assert view.change(0, "en") == "0" and view.change(None, "vi") == "—"


def test_filters_come_from_the_address_blank_ones_left_out_and_go_on_unchanged() -> None:
    asked = view.filters_of({"province": " ha-noi ", "field": "", "country": "Hàn Quốc"})
    assert asked == ReportFilters(province="ha-noi", field=None, country="Hàn Quốc")
    assert asked.params() == {"province": "ha-noi", "country": "Hàn Quốc"}
    assert view.query_of(asked) == "?province=ha-noi&country=H%C3%A0n+Qu%E1%BB%91c"
    assert view.query_of(ReportFilters()) == ""
    # An address cannot send an endless value on to the reporting service.
    assert len(view.filters_of({"country": "x" * 5000}).country or "") == 100


def test_cycles_are_listed_newest_first_with_their_period_and_state() -> None:
    found = {
        "data": [
            {
                "number": 21,
                "start_after": "2021-12-13",
                "end": "2023-12-18",
                "conference_on": "2023-12-18",
                "open": False,
                "agreements_signed": 422,
            },
            {
                "number": 22,
                "start_after": "2023-12-18",
                "end": "2026-12-06",
                "conference_on": None,
                "open": True,
                "agreements_signed": 5,
            },
        ]
    }
    lines = view.cycle_lines(found, "vi")
    assert [line.number for line in lines] == [22, 21]
    assert lines[0].is_open and not lines[1].is_open
    assert lines[1].heading == "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 21"
    assert lines[1].period == "Sau ngày 13/12/2021 đến hết ngày 18/12/2023"
    english = view.cycle_lines(found, "en")[1]
    assert english.heading == "Cycle of the 21st National Conference on External Affairs"
    assert english.period == "After 13/12/2021 up to 18/12/2023"


def test_the_filters_applied_are_named_and_a_limited_province_is_not_repeated() -> None:
    summary = {"filters": {"province": "hai-phong", "field": "education", "country": "JP"}}
    assert view.filters_text(summary, scoped=False, lang="vi") == (
        "thành phố Hải Phòng; Giáo dục và đào tạo; Nhật Bản"
    )
    assert view.filters_text(summary, scoped=True, lang="en") == "Education and training; Japan"
    assert view.filters_text({"filters": {}}, scoped=False, lang="vi") == ""
