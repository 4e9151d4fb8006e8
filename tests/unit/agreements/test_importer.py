"""The checks of a historical register, row by row (services/agreements/importer.py)."""

from __future__ import annotations

from datetime import date

from common.auth import Principal, Role
from services.agreements.importer.register import COLUMNS, own_province_of, parse_csv

TODAY = date(2026, 11, 23)
HEADER = ",".join(COLUMNS)


def _file(*rows: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode("utf-8")


GOOD = (
    "R-1,Bản ghi nhớ hợp tác,MEMORANDUM_OF_UNDERSTANDING,PROVINCIAL_COMMITTEE,Thừa Thiên Huế,"
    "Gyeongju,Hàn Quốc,LOCAL_GOVERNMENT,culture_tourism;Y tế,2019-05-12,,2029-05-12,IN_FORCE,"
)


def test_a_good_row_is_read_in_the_services_vocabulary() -> None:
    parsed = parse_csv(_file(GOOD), today=TODAY, own_province=None)
    assert parsed.errors == [] and parsed.total_rows == 1
    row = parsed.rows[0]
    assert (row.province, row.historical_unit, row.partner_country) == ("hue", "hue", "KR")
    assert row.fields == ("culture_tourism", "health")
    assert row.effective_from == date(2019, 5, 12) and row.expires_on == date(2029, 5, 12)


def test_every_broken_rule_of_a_row_is_reported_with_row_and_column() -> None:
    bad = (
        "R-2,Hiệp ước hữu nghị,Công ước,KING,Atlantis,X,VN,ALIEN,,2099-01-01,2099-01-01,"
        "2098-01-01,DRAFT,"
    )
    parsed = parse_csv(_file(GOOD, bad), today=TODAY, own_province=None)
    found = {(e.row, e.column, e.rule) for e in parsed.errors}
    assert found == {
        (3, "title", "forbidden_treaty_name"),
        (3, "form", "forbidden_treaty_name"),
        (3, "signatory_level", "unknown_value"),
        (3, "partner_type", "unknown_value"),
        (3, "status", "unknown_value"),
        (3, "province", "unknown_province"),
        (3, "country", "partner_not_foreign"),
        (3, "fields", "required"),
        (3, "signed_on", "signed_in_future"),
        (3, "expires_on", "expires_before_start"),
    }
    assert len(parsed.rows) == 1 and parsed.rejected_rows == 1
    messages = {e.column: e.message("vi") for e in parsed.errors}
    assert "Điều 6" in messages["title"]


def test_a_former_unit_named_after_the_merger_keeps_its_name_as_historical_unit() -> None:
    row = GOOD.replace("Thừa Thiên Huế", "Kiên Giang").replace("2019-05-12,,", "2025-09-01,,")
    parsed = parse_csv(_file(row), today=TODAY, own_province=None)
    assert (parsed.rows[0].province, parsed.rows[0].historical_unit) == ("an-giang", "kien-giang")
    current = GOOD.replace("Thừa Thiên Huế", "An Giang").replace("2019-05-12,,", "2025-09-01,,")
    parsed = parse_csv(_file(current), today=TODAY, own_province=None)
    assert parsed.rows[0].historical_unit is None


def test_vietnamese_dates_and_names_are_read() -> None:
    row = GOOD.replace("MEMORANDUM_OF_UNDERSTANDING", "Bản ghi nhớ").replace(
        "2019-05-12,,", "12/05/2019,,"
    )
    parsed = parse_csv(
        _file(row.replace("IN_FORCE", "Đang có hiệu lực")), today=TODAY, own_province=None
    )
    assert parsed.errors == []
    assert parsed.rows[0].signed_on == date(2019, 5, 12)


def test_a_province_officer_is_limited_to_their_province() -> None:
    parsed = parse_csv(_file(GOOD), today=TODAY, own_province="ha-noi")
    assert [(e.column, e.rule) for e in parsed.errors] == [("province", "other_province")]
    assert own_province_of(Principal("o", Role.PROVINCE_OFFICER, "hue")) == "hue"
    assert own_province_of(Principal("r", Role.MOFA_REGISTRY, "mofa")) is None


def test_header_problems_refuse_the_whole_file() -> None:
    parsed = parse_csv(b"reference,colour\nR-1,red\n", today=TODAY, own_province=None)
    assert parsed.file_errors and parsed.rows == []
    assert parse_csv(b"", today=TODAY, own_province=None).file_errors[0].rule == "empty_file"
