"""Provincial-level units: the 63 before and the 34 since 1 July 2025, their mapping, borders.

The mapping (data/provinces_2025.csv, domain.md §3) lets the product keep a signatory as it was
named at signing and still report by current unit. data/border_provinces.csv lists the current
units sharing a land border with China (CN), Laos (LA) or Cambodia (KH); it was derived by
mapping each old border province to its successor:
  CN: Hà Giang, Cao Bằng, Lạng Sơn, Quảng Ninh, Lào Cai, Lai Châu, Điện Biên
  LA: Điện Biên, Sơn La, Thanh Hóa, Nghệ An, Hà Tĩnh, Quảng Bình, Quảng Trị, Huế, Quảng Nam,
      Kon Tum
  KH: Kon Tum, Gia Lai, Đắk Lắk, Đắk Nông, Bình Phước, Tây Ninh, Long An, Đồng Tháp, An Giang,
      Kiên Giang
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
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

# Administrative words people put before a unit's name; they carry no identity.
_PREFIX: Final = re.compile(r"^(?:tinh|thanh pho|tp)\b\.?\s*")


def _key(text: str) -> str:
    """Lookup key: no case, diacritics, hyphens or leading "tỉnh"/"thành phố"/"TP."."""
    folded = fold(text.replace("-", " ").replace("_", " "))
    return _PREFIX.sub("", folded)


# Names in use before the current ones, or common short forms, -> old unit code.
# Thừa Thiên Huế became the city of Huế on 1 January 2025 (domain.md §3).
_ALIASES: Final = {
    "thua thien hue": "hue",
    "hanoi": "ha-noi",
    "ho chi minh city": "thanh-pho-ho-chi-minh",
    "hcm": "thanh-pho-ho-chi-minh",
    "hcmc": "thanh-pho-ho-chi-minh",
    "tphcm": "thanh-pho-ho-chi-minh",
    "danang": "da-nang",
}


def _index(units: Mapping[str, Unit]) -> dict[str, str]:
    index: dict[str, str] = {}
    for unit in units.values():
        index[_key(unit.code)] = unit.code
        index[_key(unit.name)] = unit.code
    return index


_OLD_INDEX: Final = _index(OLD_UNITS) | {_key(alias): code for alias, code in _ALIASES.items()}
_CURRENT_INDEX: Final = _index(CURRENT_UNITS)


def current_unit(code: str) -> Unit | None:
    """The current unit with exactly this code; no fuzzy matching, as it validates input."""
    return CURRENT_UNITS.get(code)


def resolve_unit(text: str) -> tuple[Unit | None, Unit] | None:
    """(old unit, current unit) for a code or name typed any way ("thua thien hue", "Tỉnh
    Kiên Giang", "an-giang"); None when unknown.

    The old unit is given whenever the text names one of the 63 former units, even a name still
    in use (e.g. "Hà Nội"): the caller knows the signing date and decides which one applies.
    """
    key = _key(text)
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
