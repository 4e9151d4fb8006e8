"""World regions of partner countries, as the UN M49 standard groups them (data/m49_regions.csv),
with region names in Vietnamese and English from the Unicode CLDR (Babel)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from babel import Locale

_DATA: Final = Path(__file__).parent / "data" / "m49_regions.csv"
UNKNOWN_REGION: Final = ""  # Antarctica and anything M49 places in no region


@dataclass(frozen=True)
class Region:
    region: str  # M49 code of the continent-level region, e.g. "142" (Asia)
    sub_region: str  # e.g. "035" (South-eastern Asia)


def _load() -> dict[str, Region]:
    with _DATA.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["alpha2"]: Region(row["region"], row["sub_region"]) for row in rows}


REGIONS: Final[Mapping[str, Region]] = MappingProxyType(_load())


def region_of(country: str) -> Region:
    return REGIONS.get(country.upper(), Region(UNKNOWN_REGION, UNKNOWN_REGION))


_UNKNOWN_NAMES: Final = {"vi": "Không thuộc khu vực nào", "en": "No region"}


def region_name(code: str, lang: str = "vi") -> str:
    """ "142" -> "Châu Á" / "Asia"."""
    if code == UNKNOWN_REGION:
        return _UNKNOWN_NAMES["vi" if lang == "vi" else "en"]
    name = Locale("vi" if lang == "vi" else "en").territories.get(code)
    return str(name) if name else code
