"""The reports name codes, units and bodies as the pages and notifications do."""

from __future__ import annotations

from common.law import labels
from common.law.vocabulary import AgreementStatus, PartnerType, SignatoryLevel
from services.reporting.domain import labels as L


def test_breakdowns_by_a_code_of_the_law_read_from_the_shared_table() -> None:
    assert list(L.STATUSES) == [s.value for s in AgreementStatus]
    assert list(L.SIGNATORY_LEVELS) == [s.value for s in SignatoryLevel]
    for lang in ("vi", "en"):
        assert L.label("partner_type", "AGENCY_OR_ORGANISATION", lang) == labels.label(
            PartnerType, PartnerType.AGENCY_OR_ORGANISATION, lang
        )
        assert L.label("status", "APPROVED", lang) == labels.label("status", "APPROVED", lang)
    assert L.label("status", "APPROVED", "vi") == "Đã phê duyệt"
    assert L.label("form", "NOT_A_FORM", "en") == "NOT_A_FORM"


def test_headline_figures_of_a_status_read_as_the_status() -> None:
    assert L.pick(L.HEADLINES["terminated"], "vi") == labels.label("status", "TERMINATED", "vi")
    assert L.pick(L.HEADLINES["in_force"], "en") == "In force"


def test_units_current_and_former_bodies_and_fields_are_named() -> None:
    assert L.label("province", "ha-noi", "vi") == "Hà Nội"
    assert L.label("province", "ha-noi", "en") == "Hanoi"
    assert L.label("historical_unit", "kien-giang", "en") == "Kien Giang"
    assert L.label("historical_unit", "", "vi") == "Không xác định được đơn vị trước sáp nhập"
    assert L.label("body", "mofa", "en") == "Ministry of Foreign Affairs"
    assert L.label("field", "labour", "vi") == "Lao động"
    assert L.label("country", "JP", "vi") == "Nhật Bản"


def test_a_cycle_is_named_with_a_proper_ordinal() -> None:
    assert L.cycle_heading(21, "en") == "Cycle of the 21st National Conference on External Affairs"
    assert L.cycle_heading(22, "en").startswith("Cycle of the 22nd ")
    assert L.cycle_heading(21, "vi") == "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 21"


def test_duties_are_named_by_the_shared_table_and_organisations_as_a_group() -> None:
    for duty in ("COPY", "NOTICE", "REPORT", "PLAN"):
        assert L.label("duty", duty, "vi") == labels.label("duty", duty, "vi")
    assert list(L.DUTIES) == ["COPY", "NOTICE", "REPORT", "PLAN"]
    for dimension in ("country", "region", "sub_region"):
        assert L.label(dimension, "INTERNATIONAL_ORGANISATION", "vi") == "Tổ chức quốc tế"
        assert L.label(dimension, "INTERNATIONAL_ORGANISATION", "en") == (
            "International organisations"
        )
    assert L.pick(L.SECTIONS["post_signing_duties"], "vi").startswith("Gửi bản sao, thông báo")
