"""The 63 -> 34 provincial mapping, name lookup and land borders (domain.md §3)."""

from __future__ import annotations

import pytest

from common.provinces import (
    CURRENT_UNITS,
    OLD_UNITS,
    border_countries,
    current_unit,
    resolve_unit,
    successor,
)

# Old provinces on each land border, as drawn before the 2025 merger.
OLD_BORDER_PROVINCES = {
    "CN": ["ha-giang", "cao-bang", "lang-son", "quang-ninh", "lao-cai", "lai-chau", "dien-bien"],
    "LA": [
        "dien-bien", "son-la", "thanh-hoa", "nghe-an", "ha-tinh",
        "quang-binh", "quang-tri", "hue", "quang-nam", "kon-tum",
    ],
    "KH": [
        "kon-tum", "gia-lai", "dak-lak", "dak-nong", "binh-phuoc",
        "tay-ninh", "long-an", "dong-thap", "an-giang", "kien-giang",
    ],
}  # fmt: skip


def test_there_are_34_current_and_63_old_units() -> None:
    assert len(CURRENT_UNITS) == 34
    assert len(OLD_UNITS) == 63
    kinds = [unit.kind for unit in CURRENT_UNITS.values()]
    assert kinds.count("city") == 6
    assert kinds.count("province") == 28


def test_every_old_unit_has_a_current_successor() -> None:
    for code, unit in OLD_UNITS.items():
        by_code = successor(code)
        assert by_code is not None and by_code.code in CURRENT_UNITS, code
        assert successor(unit.name) == by_code


def test_merged_units_map_to_their_successor() -> None:
    assert successor("kien-giang") == current_unit("an-giang")
    assert successor("Quảng Nam") == current_unit("da-nang")
    assert successor("Bà Rịa - Vũng Tàu") == current_unit("thanh-pho-ho-chi-minh")


def test_a_current_unit_is_its_own_successor() -> None:
    for code, unit in CURRENT_UNITS.items():
        assert successor(code) == unit
        assert successor(unit.name) == unit


def test_thua_thien_hue_is_an_alias_of_old_hue() -> None:
    resolved = resolve_unit("Thừa Thiên Huế")
    assert resolved == (OLD_UNITS["hue"], CURRENT_UNITS["hue"])
    assert successor("thua thien hue") == CURRENT_UNITS["hue"]


@pytest.mark.parametrize(
    "text",
    ["Kiên Giang", "kien giang", "KIÊN GIANG", "kien-giang", "Tỉnh Kiên Giang", "  kiên  giang "],
)
def test_lookup_ignores_case_diacritics_and_prefix(text: str) -> None:
    assert resolve_unit(text) == (OLD_UNITS["kien-giang"], CURRENT_UNITS["an-giang"])


def test_short_forms_of_ho_chi_minh_city() -> None:
    for text in ("TP. Hồ Chí Minh", "TP HCM", "Ho Chi Minh City", "thanh-pho-ho-chi-minh"):
        assert successor(text) == CURRENT_UNITS["thanh-pho-ho-chi-minh"], text


def test_unknown_names_resolve_to_nothing() -> None:
    assert resolve_unit("Atlantis") is None
    assert successor("") is None
    assert current_unit("kien-giang") is None  # an old code is not a current unit


def test_border_countries_of_some_units() -> None:
    assert border_countries("lang-son") == {"CN"}
    assert border_countries("dien-bien") == {"CN", "LA"}
    assert border_countries("quang-ngai") == {"LA", "KH"}  # took over Kon Tum
    assert border_countries("an-giang") == {"KH"}
    assert border_countries("ha-noi") == frozenset()
    assert border_countries("thanh-pho-ho-chi-minh") == frozenset()
    assert border_countries("nowhere") == frozenset()


def test_border_list_follows_the_old_borders_through_the_merger() -> None:
    expected: dict[str, set[str]] = {}
    for country, olds in OLD_BORDER_PROVINCES.items():
        for old in olds:
            new = successor(old)
            assert new is not None, old
            expected.setdefault(new.code, set()).add(country)
    actual = {code: set(border_countries(code)) for code in CURRENT_UNITS if border_countries(code)}
    assert actual == expected
    assert len(actual) == 22
