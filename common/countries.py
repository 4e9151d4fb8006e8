"""Partner countries: ISO 3166-1 alpha-2 codes read from every form registers write them in,
and their names in Vietnamese and English.

Codes and English short, official and common names come from pycountry (ISO 3166-1, with its
Vietnamese translations); the everyday names ("Hàn Quốc", "South Korea") from the Unicode CLDR
through Babel. Both libraries ship their data, so nothing is fetched at run time. What neither
spells (Vietnamese transliterations and state forms, abbreviations such as "ROK" or "Lao PDR")
lives in data/country_aliases.csv, the one place to add a form.

A text is read in this order, so a library's exact name always beats a guess:
  1. a code: a valid alpha-2 ("kr"); an all-uppercase alpha-3 ("NGA" is Nigeria); ISO numeric;
  2. a name or alias, normalised (no case, diacritics, punctuation or "the"; "&" -> "and";
     "Rep." -> "republic"; "Korea, Republic of" -> "republic of korea"), then without spaces
     ("Cam-pu-chia" = "Campuchia");
  3. an alpha-3 typed in lower case ("kor"); "Nga" was read as a name first;
  4. the name without a leading state form ("Commonwealth of Australia", "Vương quốc Thái
     Lan"), only when step 2 found nothing.
"""

from __future__ import annotations

import csv
import gettext
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

import pycountry
from babel import Locale

from common.text import fold

_ALIASES_CSV: Final = Path(__file__).parent / "data" / "country_aliases.csv"

# Abbreviations registers use for the words of state forms: "Rep. of Korea", "Dem. Rep. of the
# Congo", "St. Lucia", "CHLB Đức", "CHDCND Lào".
_ABBREVIATIONS: Final = {
    "rep": "republic",
    "dem": "democratic",
    "fed": "federal",
    "st": "saint",
    "utd": "united",
    "ch": "cong hoa",
    "chxhcn": "cong hoa xa hoi chu nghia",
    "chdcnd": "cong hoa dan chu nhan dan",
    "chnd": "cong hoa nhan dan",
    "chlb": "cong hoa lien bang",
    "lb": "lien bang",
}
# Words before a name that carry no identity: Vietnamese "nước" (country), "các" (plural).
_LEADING_NOISE: Final = frozenset({"nuoc", "cac"})

# State forms stripped from the front only when the whole name is unknown. English forms with
# "democratic" or "people's", and Vietnamese "Cộng hòa Dân chủ", are left out on purpose: they
# tell the two Congos and the two Koreas apart, so "Democratic Republic Congo" must never fall
# back to "Congo" (CG); those names are known exactly instead (ISO, CLDR, the aliases file).
# "Cộng hòa Dân chủ Nhân dân" may go: Vietnamese names the Koreas apart (Hàn Quốc, Triều Tiên).
_STATE_FORMS: Final = tuple(
    sorted(
        (
            "republic of",
            "kingdom of",
            "state of",
            "federal republic of",
            "federative republic of",
            "socialist republic of",
            "united republic of",
            "islamic republic of",
            "arab republic of",
            "grand duchy of",
            "principality of",
            "sultanate of",
            "commonwealth of",
            "union of",
            "independent state of",
            "hashemite kingdom of",
            "vuong quoc hoi giao",
            "cong hoa",
            "cong hoa xa hoi chu nghia",
            "cong hoa dan chu nhan dan",
            "cong hoa nhan dan",
            "cong hoa lien bang",
            "cong hoa hoi giao",
            "cong hoa thong nhat",
            "vuong quoc",
            "lien bang",
            "nha nuoc",
            "quoc gia",
            "dai cong quoc",
            "cong quoc",
            "hop chung quoc",
            "thinh vuong chung",
        ),
        key=len,
        reverse=True,
    )
)

_ACRONYM: Final = re.compile(r"(?<![a-z])[a-z](?:\.[a-z])+\.?(?![a-z])")  # "u.s.a." -> "usa"
_APOSTROPHES: Final = re.compile(r"['’ʼ‘`´]")
_PARENTHESES: Final = re.compile(r"^(.*?)\(([^()]*)\)(.*)$")
_NOT_WORD: Final = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> str:
    """Punctuation to spaces, "the" and leading "nước"/"các" dropped, abbreviations spelled."""
    tokens = [t for t in _NOT_WORD.split(text) if t and t != "the"]
    while tokens and tokens[0] in _LEADING_NOISE:
        tokens.pop(0)
    if len(tokens) > 1 and tokens[-1] == "is":  # "Cayman Is.": "is" is no word of a name
        tokens[-1] = "islands"
    return " ".join(_ABBREVIATIONS.get(t, t) for t in tokens)


# Last words of a state form written after the name: "Korea, Rep." is "Rep. of Korea".
_STATE_WORDS: Final = frozenset(
    {"republic", "kingdom", "state", "states", "federation", "commonwealth", "principality"}
    | {"sultanate", "duchy", "union"}
)


def _reorder(head: str, tail: str) -> list[str]:
    """A name and the state form written after it (ISO's "Korea, Republic of", or "Korea
    (Republic of)") read as "republic of korea", then as written; "of" is supplied where the
    World Bank's "Congo, Dem. Rep." leaves it out."""
    head, tail = _words(head), _words(tail)
    if not tail:
        return [head]
    front = f"{tail} {head}"
    if tail.rsplit(" ", 1)[-1] in _STATE_WORDS:
        front = f"{tail} of {head}"
    return [front, f"{head} {tail}"]


def country_keys(text: str) -> list[str]:
    """The lookup keys of a name, most faithful first ("Korea (South)" -> "south korea", then
    "korea south", then "korea"). Names are indexed and looked up through the same keys."""
    value = _ACRONYM.sub(lambda m: m.group().replace(".", ""), fold(text))
    value = _APOSTROPHES.sub("", value.replace("&", " and "))
    forms: list[str] = []
    match = _PARENTHESES.match(value)
    if match:
        head, inner, tail = match.groups()
        written = f"{head} {tail}"
        forms += [*_reorder(written, inner), written]
    elif value.count(",") == 1:
        forms += _reorder(*value.split(","))
    else:
        forms.append(value)
    found: list[str] = []
    for form in forms:
        key = _words(form)
        if key and key not in found:
            found.append(key)
    return found


def _compact(key: str) -> str:
    return key.replace(" ", "")


def _without_state_form(key: str) -> Iterator[str]:
    """Drops leading state forms, one at a time: "federal republic of germany" -> "germany";
    "republic of union of myanmar" -> "union of myanmar" -> "myanmar"."""
    for _ in range(3):
        form = next((f for f in _STATE_FORMS if key.startswith(f + " ")), None)
        if form is None:
            return
        key = key[len(form) + 1 :]
        yield key


def _library_names() -> Iterator[tuple[str, str]]:
    """(name, alpha-2) from the libraries, the most authoritative first: ISO's English names,
    CLDR's English and Vietnamese names, then ISO's Vietnamese translations."""
    vi_iso = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"])
    en, vi = Locale("en").territories, Locale("vi").territories
    countries = list(pycountry.countries)
    for country in countries:
        for attribute in ("name", "official_name", "common_name"):
            if name := getattr(country, attribute, None):
                yield name, country.alpha_2
    for names in (en, vi):
        for country in countries:
            if name := names.get(country.alpha_2):
                yield name, country.alpha_2
    for country in countries:
        yield vi_iso.gettext(country.name), country.alpha_2


@dataclass(frozen=True)
class CountryIndex:
    exact: dict[str, str]
    compact: dict[str, str]
    # Keys two libraries give to different countries; the first (more authoritative) reading
    # is kept, and the list is there to be looked at.
    library_collisions: tuple[tuple[str, str, str], ...]


def country_aliases() -> list[tuple[str, str]]:
    """(alias, alpha-2) rows of data/country_aliases.csv."""
    with _ALIASES_CSV.open(encoding="utf-8", newline="") as f:
        rows = [(row["alias"], row["alpha2"]) for row in csv.DictReader(f)]
    for alias, code in rows:
        if pycountry.countries.get(alpha_2=code) is None:
            raise ValueError(f"country_aliases.csv: {alias!r} names unknown code {code!r}")
    return rows


def _spaceless(exact: dict[str, str]) -> dict[str, str]:
    """Keys without spaces ("Cam-pu-chia" meets "Campuchia"); a key two countries share is
    left out."""
    compact: dict[str, str] = {}
    ambiguous: set[str] = set()
    for key, code in exact.items():
        if compact.setdefault(_compact(key), code) != code:
            ambiguous.add(_compact(key))
    return {key: code for key, code in compact.items() if key not in ambiguous}


def build_country_index(aliases: Iterable[tuple[str, str]]) -> CountryIndex:
    """The library names and our aliases by key. Raises ValueError when an alias reads, with or
    without spaces, as a different country than a library name or another alias does."""
    exact: dict[str, str] = {}
    collisions: list[tuple[str, str, str]] = []
    for name, code in _library_names():
        for key in country_keys(name):
            known = exact.setdefault(key, code)
            if known != code:
                collisions.append((key, known, code))
    library_compact = _spaceless(exact)
    ours: dict[str, str] = {}
    for alias, code in aliases:
        key = country_keys(alias)[0]  # an alias is written as meant: its first key only
        for other in (ours.get(key), exact.get(key), library_compact.get(_compact(key))):
            if other is not None and other != code:
                raise ValueError(f"country alias {alias!r} -> {code} collides with {other}")
        ours[key] = code
    exact |= ours
    return CountryIndex(exact, _spaceless(exact), tuple(collisions))


@cache
def _index() -> CountryIndex:
    return build_country_index(country_aliases())


def _find(index: CountryIndex, key: str) -> str | None:
    return index.exact.get(key) or index.compact.get(_compact(key))


def _by_name(text: str) -> str | None:
    index = _index()
    candidates = country_keys(text)
    for key in candidates:
        if found := _find(index, key):
            return found
    return None


def _by_name_without_state_form(text: str) -> str | None:
    index = _index()
    for key in country_keys(text):
        for rest in _without_state_form(key):
            if found := _find(index, rest):
                return found
    return None


def _alpha_3(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code.upper())
    return None if country is None else str(country.alpha_2)


@lru_cache(maxsize=65536)
def _resolve(text: str) -> str | None:
    value = text.strip().strip(" .,;:()[]\"'")  # "(KR)", "U.S." are codes too
    if value.isdigit() and len(value) <= 3:
        country = pycountry.countries.get(numeric=value.zfill(3))
        return None if country is None else str(country.alpha_2)
    letters = value.replace(".", "")
    is_code_shaped = letters.isascii() and letters.isalpha() and len(letters) in (2, 3)
    if is_code_shaped and len(letters) == 2 and pycountry.countries.get(alpha_2=letters.upper()):
        return letters.upper()
    # Alpha-3 first only when written as a code: "NGA" is Nigeria, "Nga" is Russia in Vietnamese.
    if is_code_shaped and len(letters) == 3 and letters.isupper() and (code := _alpha_3(letters)):
        return code
    found = _by_name(text)
    # "kor" typed as a code, but not a capitalised word: "Nam" is no way to write Namibia.
    if found is None and is_code_shaped and len(letters) == 3 and letters.islower():
        found = _alpha_3(letters)
    return found or _by_name_without_state_form(text)


def resolve_country(text: str) -> str | None:
    """The alpha-2 code a code or a name means ("KR", "kor", "410", "Korea, Republic of", "Rep.
    of Korea", "ROK", "Hàn Quốc", "Đại Hàn Dân Quốc", "han quoc"); None when it names no
    country. "Viet Nam" gives VN: whether a partner may be Vietnamese is the caller's rule."""
    return _resolve(text)


@cache
def _names(lang: str) -> dict[str, str]:
    return dict(Locale("vi" if lang == "vi" else "en").territories)


def country_name(code: str, lang: str = "vi") -> str:
    """The everyday name in Vietnamese or English; the code itself when unknown."""
    name = _names(lang).get(code.upper())
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code.upper())
    return str(country.name) if country else code


def describe_country(code: str, lang: str = "vi") -> str:
    """The code and its everyday name, "KR (Hàn Quốc)", for previews that show what a text was
    read as; the code alone when unknown."""
    name = country_name(code, lang)
    return code if name == code else f"{code.upper()} ({name})"
