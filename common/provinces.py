"""Provincial-level units: the 63 before and the 34 since 1 July 2025, their mapping, borders.

The mapping (data/provinces_2025.csv, domain.md §3) lets the product keep a signatory as it was
named at signing and still report by current unit; it also carries each former unit's General
Statistics Office number (01 Hà Nội ... 96 Cà Mau). data/province_aliases.csv holds the other
ways registers name a former unit (old spellings, short and English forms, Thừa Thiên Huế, Hà
Tây); everything else (case, diacritics, dashes, "Tỉnh"/"TP.") is left to the lookup key.

data/border_provinces.csv lists the current units sharing a land border with China (CN), Laos
(LA) or Cambodia (KH); it was derived by mapping each old border province to its successor:
  CN: Hà Giang, Cao Bằng, Lạng Sơn, Quảng Ninh, Lào Cai, Lai Châu, Điện Biên
  LA: Điện Biên, Sơn La, Thanh Hóa, Nghệ An, Hà Tĩnh, Quảng Bình, Quảng Trị, Huế, Quảng Nam,
      Kon Tum
  KH: Kon Tum, Gia Lai, Đắk Lắk, Đắk Nông, Bình Phước, Tây Ninh, Long An, Đồng Tháp, An Giang,
      Kiên Giang
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

from common.text import fold

_DATA: Final = Path(__file__).parent / "data"
NEIGHBOUR_COUNTRIES: Final = frozenset({"CN", "LA", "KH"})


@dataclass(frozen=True)
class Unit:
    """A provincial-level unit (tỉnh or thành phố trực thuộc trung ương)."""

    code: str  # slug, e.g. "lang-son"
    name: str  # Vietnamese name, e.g. "Lạng Sơn"
    kind: str  # "province" or "city", as in the CSV


def _read_csv(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _load_units() -> tuple[dict[str, Unit], dict[str, Unit], dict[str, str]]:
    current: dict[str, Unit] = {}
    old: dict[str, Unit] = {}
    successor_of: dict[str, str] = {}
    for row in _read_csv("provinces_2025.csv"):
        new = Unit(row["new_unit_code"], row["new_unit"], row["new_kind"])
        if current.setdefault(new.code, new) != new:
            raise ValueError(f"provinces_2025.csv: inconsistent rows for {new.code}")
        former = Unit(row["old_unit_code"], row["old_unit"], row["old_kind"])
        if former.code in old:
            raise ValueError(f"provinces_2025.csv: {former.code} listed twice")
        old[former.code] = former
        successor_of[former.code] = new.code
    return current, old, successor_of


_current, _old, _SUCCESSOR_OF = _load_units()
CURRENT_UNITS: Final[Mapping[str, Unit]] = MappingProxyType(_current)
OLD_UNITS: Final[Mapping[str, Unit]] = MappingProxyType(_old)


def _load_borders() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for row in _read_csv("border_provinces.csv"):
        code, country = row["new_unit_code"], row["neighbour_country"]
        # Fail at import rather than let a typo silently bar a border commune from signing.
        if code not in CURRENT_UNITS or country not in NEIGHBOUR_COUNTRIES:
            raise ValueError(f"border_provinces.csv: bad row {code},{country}")
        pairs.setdefault(code, set()).add(country)
    return {code: frozenset(countries) for code, countries in pairs.items()}


_BORDERS: Final = _load_borders()

# Administrative words around a unit's name that carry no identity: "Tỉnh", "Thành phố", "TP.",
# "T.P." before it; "Province", "City" after it in English.
_PREFIX: Final = re.compile(r"^(?:tinh|thanh pho|tp|t p) ")
_SUFFIX: Final = re.compile(r" (?:province|city)$")
_NOT_WORD: Final = re.compile(r"[^a-z0-9]+")  # also every dash: - ‐ ‑ ‒ – — ― −


def unit_key(text: str) -> str:
    """Lookup key: no case, diacritics, punctuation or dashes, and no "tỉnh"/"thành phố"/"TP."
    or "Province"/"City" ("Tỉnh Bà Rịa – Vũng Tàu" -> "ba ria vung tau"); a GSO code as its
    two digits ("1" -> "01")."""
    key = _NOT_WORD.sub(" ", fold(text)).strip()
    if key.isdigit():
        return key.lstrip("0").zfill(2)
    while (shorter := _SUFFIX.sub("", _PREFIX.sub("", key))) != key and shorter:
        key = shorter
    return key


def _compact(key: str) -> str:
    """The key without spaces, as in "Daklak", "BRVT", "Kontum"."""
    return key.replace(" ", "")


@dataclass(frozen=True)
class UnitIndex:
    exact: Mapping[str, str]
    compact: Mapping[str, str]

    def get(self, key: str) -> str | None:
        return self.exact.get(key) or self.compact.get(_compact(key))


def build_unit_index(names: Iterable[tuple[str, str]], source: str) -> UnitIndex:
    """Every (text, unit code) by key, with and without spaces. Two units on one key would make
    a register's row land in the wrong unit, so it fails at import instead."""
    exact: dict[str, str] = {}
    compact: dict[str, str] = {}
    for text, code in names:
        key = unit_key(text)
        for table, k in ((exact, key), (compact, _compact(key))):
            known = table.setdefault(k, code)
            if known != code:
                raise ValueError(f"{source}: {text!r} reads as both {known} and {code}")
    return UnitIndex(MappingProxyType(exact), MappingProxyType(compact))


def _old_names() -> Iterator[tuple[str, str]]:
    """Codes, names and GSO codes of the 63 former units, then data/province_aliases.csv: old
    spellings, English and short forms, names given up (Thừa Thiên Huế, Hà Tây)."""
    for row in _read_csv("provinces_2025.csv"):
        code = row["old_unit_code"]
        yield from ((code, code), (row["old_unit"], code), (row["old_unit_gso"], code))
    for row in _read_csv("province_aliases.csv"):
        if row["old_unit_code"] not in OLD_UNITS:
            raise ValueError(f"province_aliases.csv: unknown unit {row['old_unit_code']}")
        yield row["alias"], row["old_unit_code"]


_OLD_INDEX: Final = build_unit_index(_old_names(), "former units")
_CURRENT_INDEX: Final = build_unit_index(
    ((text, u.code) for u in CURRENT_UNITS.values() for text in (u.code, u.name)), "current units"
)


def current_unit(code: str) -> Unit | None:
    """The current unit with exactly this code; no fuzzy matching, as it validates input."""
    return CURRENT_UNITS.get(code)


@lru_cache(maxsize=8192)
def resolve_unit(text: str) -> tuple[Unit | None, Unit] | None:
    """(old unit, current unit) for a code or a name written any way registers write it ("thua
    thien hue", "Tỉnh Kiên Giang", "an-giang", "BR-VT", "Ho Chi Minh City", "46"); None when
    unknown.

    The old unit is given whenever the text names one of the 63 former units, even a name still
    in use (e.g. "Hà Nội"): the caller knows the signing date and decides which one applies. A
    GSO number names a former unit too: the current units reused the number of one of the units
    they took over, so its successor is the unit a post-merger register meant.
    """
    key = unit_key(text)
    if not key:
        return None
    old_code = _OLD_INDEX.get(key)
    if old_code is not None:
        return OLD_UNITS[old_code], CURRENT_UNITS[_SUCCESSOR_OF[old_code]]
    current_code = _CURRENT_INDEX.get(key)
    if current_code is not None:
        return None, CURRENT_UNITS[current_code]
    return None


def successor(old: str) -> Unit | None:
    """The current unit that took over an old unit, given by code or name; a current unit's
    code or name returns that unit."""
    resolved = resolve_unit(old)
    return None if resolved is None else resolved[1]


def border_countries(current_code: str) -> frozenset[str]:
    """ISO alpha-2 codes of the countries a current unit shares a land border with; empty for
    inland or coastal-only units and for unknown codes."""
    return _BORDERS.get(current_code, frozenset())
