"""The 63 -> 34 provincial mapping, name lookup and land borders (domain.md §3)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import common.provinces
from common.provinces import (
    CURRENT_UNITS,
    OLD_UNITS,
    border_countries,
    build_unit_index,
    current_unit,
    resolve_unit,
    successor,
    unit_key,
)
from common.text import fold

ALIASES = Path(common.provinces.__file__).parent / "data" / "province_aliases.csv"
HCMC = "thanh-pho-ho-chi-minh"

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


DASHES = "-‐‑‒–—―−"  # every dash registers use


def forms(name: str) -> list[str]:
    """A unit's name as registers write it."""
    written = [name, fold(name), name.upper(), f"Tỉnh {name}", f"Thành phố {name}", f"TP.{name}"]
    written += [f"TP. {name}", f"{fold(name)} province", f"  {name.lower()}  "]
    if "-" in name:
        written += [name.replace(" - ", dash) for dash in DASHES]
        written += [name.replace(" - ", f" {dash} ") for dash in DASHES]
    return written


@pytest.mark.parametrize("code", sorted(OLD_UNITS))
def test_every_former_unit_reads_in_every_form(code: str) -> None:
    unit = OLD_UNITS[code]
    expected = (unit, successor(code))
    for text in forms(unit.name):
        assert resolve_unit(text) == expected, text
    assert resolve_unit(code) == expected


@pytest.mark.parametrize("code", sorted(CURRENT_UNITS))
def test_every_current_unit_reads_in_every_form(code: str) -> None:
    unit = CURRENT_UNITS[code]
    for text in forms(unit.name):
        resolved = resolve_unit(text)
        assert resolved is not None and resolved[1] == unit, text


@pytest.mark.parametrize(
    ("text", "old", "current"),
    [
        ("Bà Rịa – Vũng Tàu", "ba-ria-vung-tau", "thanh-pho-ho-chi-minh"),
        ("Bà Rịa-Vũng Tàu", "ba-ria-vung-tau", "thanh-pho-ho-chi-minh"),
        ("Ba Ria Vung Tau", "ba-ria-vung-tau", "thanh-pho-ho-chi-minh"),
        ("BR-VT", "ba-ria-vung-tau", "thanh-pho-ho-chi-minh"),
        ("BRVT", "ba-ria-vung-tau", "thanh-pho-ho-chi-minh"),
        ("Đắc Lắc", "dak-lak", "dak-lak"),
        ("Daklak", "dak-lak", "dak-lak"),
        ("Dak Lak", "dak-lak", "dak-lak"),
        ("Đắk Nông", "dak-nong", "lam-dong"),
        ("Dak Nong", "dak-nong", "lam-dong"),
        ("Kontum", "kon-tum", "quang-ngai"),
        ("Hoà Bình", "hoa-binh", "phu-tho"),
        ("Hòa Bình", "hoa-binh", "phu-tho"),
        ("Thanh Hoá", "thanh-hoa", "thanh-hoa"),
        ("Khánh Hoà", "khanh-hoa", "khanh-hoa"),
        ("Bắc Cạn", "bac-kan", "thai-nguyen"),
        ("Hanoi", "ha-noi", "ha-noi"),
        ("Hanoi City", "ha-noi", "ha-noi"),
        ("Ho Chi Minh City", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
        ("HCMC", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
        ("TP.HCM", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
        ("TPHCM", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
        ("T.P. Hồ Chí Minh", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
        ("Saigon", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
        ("Sài Gòn", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
        ("Da Nang", "da-nang", "da-nang"),
        ("Danang City", "da-nang", "da-nang"),
        ("Hue", "hue", "hue"),
        ("Can Tho", "can-tho", "can-tho"),
        ("Hai Phong", "hai-phong", "hai-phong"),
        ("Lang Son Province", "lang-son", "lang-son"),
        ("Thừa Thiên Huế", "hue", "hue"),
        ("Thừa Thiên - Huế", "hue", "hue"),
        ("TT-Huế", "hue", "hue"),
        ("TT Huế", "hue", "hue"),
        ("Tỉnh Thừa Thiên Huế", "hue", "hue"),
        ("Hà Tây", "ha-noi", "ha-noi"),  # merged into Hà Nội in 2008
        ("an-giang", "an-giang", "an-giang"),
        ("thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh", "thanh-pho-ho-chi-minh"),
    ],
)
def test_historical_spellings_and_short_forms(text: str, old: str, current: str) -> None:
    assert resolve_unit(text) == (OLD_UNITS[old], CURRENT_UNITS[current])


def test_gso_numbers_name_the_former_units() -> None:
    assert resolve_unit("01") == (OLD_UNITS["ha-noi"], CURRENT_UNITS["ha-noi"])
    assert resolve_unit("1") == resolve_unit("01")
    assert resolve_unit("46") == (OLD_UNITS["hue"], CURRENT_UNITS["hue"])
    assert resolve_unit("77") == (OLD_UNITS["ba-ria-vung-tau"], CURRENT_UNITS[HCMC])
    assert resolve_unit("91") == (OLD_UNITS["kien-giang"], CURRENT_UNITS["an-giang"])
    assert resolve_unit("96") == (OLD_UNITS["ca-mau"], CURRENT_UNITS["ca-mau"])
    numbered = {n for n in (f"{i:02d}" for i in range(100)) if resolve_unit(n) is not None}
    assert len(numbered) == 63
    assert resolve_unit("03") is None and resolve_unit("99") is None


# The numbers the 34 current units took from one of the units they absorbed (2025).
CURRENT_NUMBERS = {
    "01": "ha-noi", "04": "cao-bang", "08": "tuyen-quang", "11": "dien-bien", "12": "lai-chau",
    "14": "son-la", "15": "lao-cai", "19": "thai-nguyen", "20": "lang-son", "22": "quang-ninh",
    "24": "bac-ninh", "25": "phu-tho", "31": "hai-phong", "33": "hung-yen", "37": "ninh-binh",
    "38": "thanh-hoa", "40": "nghe-an", "42": "ha-tinh", "44": "quang-tri", "46": "hue",
    "48": "da-nang", "51": "quang-ngai", "52": "gia-lai", "56": "khanh-hoa", "66": "dak-lak",
    "68": "lam-dong", "75": "dong-nai", "79": "thanh-pho-ho-chi-minh", "80": "tay-ninh",
    "82": "dong-thap", "86": "vinh-long", "91": "an-giang", "92": "can-tho", "96": "ca-mau",
}  # fmt: skip


def test_a_post_merger_number_lands_in_the_current_unit_through_its_successor() -> None:
    assert sorted(CURRENT_NUMBERS.values()) == sorted(CURRENT_UNITS)
    for number, code in CURRENT_NUMBERS.items():
        assert successor(number) == CURRENT_UNITS[code], number


def test_every_alias_reads_as_its_unit() -> None:
    with ALIASES.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            resolved = resolve_unit(row["alias"])
            assert resolved is not None and resolved[0] == OLD_UNITS[row["old_unit_code"]]


def test_no_two_units_share_a_key() -> None:
    """The index is built at import and raises on a clash; these prove that it would."""
    with pytest.raises(ValueError, match="reads as both"):
        build_unit_index([("Hà Nam", "ha-nam"), ("HA-NAM", "ha-noi")], "test")
    with pytest.raises(ValueError, match="reads as both"):
        build_unit_index([("Hà Nam", "ha-nam"), ("Hanam", "ha-noi")], "test")  # no spaces
    keys = {unit_key(u.name) for u in OLD_UNITS.values()}
    assert len(keys) == 63 and len({k.replace(" ", "") for k in keys}) == 63


def test_words_that_name_no_unit_resolve_to_nothing() -> None:
    for text in ("Tỉnh", "Thành phố", "TP.", "Province", "City", "Thanh", "---", "00"):
        assert resolve_unit(text) is None, text
