"""Partner countries: ISO 3166-1 alpha-2 codes read from what people type, and their names in
Vietnamese and English.

Codes and official English names come from pycountry (ISO 3166-1); the everyday names ("Hàn
Quốc", "South Korea") come from the Unicode CLDR through Babel, the names a Vietnamese reader
expects. Both libraries ship their data, so nothing is fetched at run time.
"""

from __future__ import annotations

import gettext
from functools import cache
from typing import Final

import pycountry
from babel import Locale

from common.text import fold

# Short forms in daily use that neither ISO nor CLDR spells this way.
_ALIASES: Final = {
    "korea": "KR",
    "south korea": "KR",
    "han quoc": "KR",
    "dai han dan quoc": "KR",
    "north korea": "KP",
    "bac trieu tien": "KP",
    "usa": "US",
    "america": "US",
    "my": "US",  # "Mỹ"; the ASCII code "MY" (Malaysia) is read as a code first
    "uk": "GB",
    "england": "GB",
    "anh": "GB",
    "russia": "RU",
    "laos": "LA",
    "czech republic": "CZ",
    "sec": "CZ",
    "holland": "NL",
    "turkey": "TR",
    "vietnam": "VN",
}


def _is_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


@cache
def _index() -> dict[str, str]:
    """Folded name or code -> alpha-2, from every spelling the libraries know."""
    index: dict[str, str] = {}
    vi_iso = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"])
    vi, en = Locale("vi").territories, Locale("en").territories
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.name, vi_iso.gettext(country.name)]
        names += [getattr(country, a, None) or "" for a in ("official_name", "common_name")]
        names += [vi.get(code, ""), en.get(code, "")]
        for name in names:
            if name:
                index.setdefault(fold(name), code)
    for alias, code in _ALIASES.items():
        index[alias] = code
    return index


def resolve_country(text: str) -> str | None:
    """The alpha-2 code a code or a name means ("KR", "KOR", "Korea, Republic of", "South
    Korea", "Hàn Quốc", "han quoc"); None when it names no country."""
    value = text.strip()
    if len(value) == 2 and value.isascii() and value.isalpha():
        return value.upper() if _is_country(value) else None
    # Alpha-3 only when written as a code: "Nga" is Russia in Vietnamese, "NGA" is Nigeria.
    if len(value) == 3 and value.isascii() and value.isalpha() and value.isupper():
        country = pycountry.countries.get(alpha_3=value)
        if country is not None:
            return str(country.alpha_2)
    return _index().get(fold(value))


def country_name(code: str, lang: str = "vi") -> str:
    """The everyday name in Vietnamese or English; the code itself when unknown."""
    names = Locale("vi" if lang == "vi" else "en").territories
    name = names.get(code.upper())
    if name:
        return str(name)
    country = pycountry.countries.get(alpha_2=code.upper())
    return str(country.name) if country else code
