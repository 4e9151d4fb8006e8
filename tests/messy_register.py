"""A register written the way provinces keep them, with the figures an import of it must give.

Countries in every form people write them (ISO codes in any case, English short, official and
diplomatic names, inverted "X, Republic of" forms, Vietnamese with and without diacritics,
stray spaces and punctuation); provinces as former and current units, with and without
"tỉnh"/"thành phố"/"TP.", diacritics, dash variants and codes; signing dates on every cycle's
boundaries and before the earliest conference; rows repeated word for word or in other words
(left out with a warning) and references given twice with different contents (both rows
refused). The expected counts are worked out here from the generator's own choices, never by
the code under test. Used by the import tests and bench/import_history.py.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from common.law.cycles import DEFAULT_CONFERENCES
from common.provinces import CURRENT_UNITS, OLD_UNITS, successor

COLUMNS = (
    "reference",
    "title",
    "form",
    "signatory_level",
    "province",
    "foreign_party_name",
    "country",
    "partner_type",
    "fields",
    "signed_on",
    "effective_from",
    "expires_on",
    "status",
    "occasion",
)
MERGER = date(2025, 7, 1)

# Each partner country as registers write it.
COUNTRY_FORMS: Mapping[str, tuple[str, ...]] = {
    "KR": (
        "KR",
        "kr",
        "KOR",
        "Korea, Republic of",
        "Republic of Korea",
        "Rep. of Korea",
        "South Korea",
        "REPUBLIC OF KOREA",
        "Hàn Quốc",
        "Han Quoc",
        "  hàn   quốc ",
        "Đại Hàn Dân Quốc",
    ),
    "JP": ("JP", "JPN", "Japan", "japan.", "Nhật Bản", "Nhat Ban"),
    "CN": (
        "CN",
        "CHN",
        "China",
        "People's Republic of China",
        "Trung Quốc",
        "Trung Quoc",
        "Cộng hòa Nhân dân Trung Hoa",
    ),
    "LA": (
        "LA",
        "LAO",
        "Laos",
        "Lao People's Democratic Republic",
        "Lao PDR",
        "Lào",
        "Cộng hòa Dân chủ Nhân dân Lào",
    ),
    "KH": ("KH", "KHM", "Cambodia", "Kingdom of Cambodia", "Campuchia", "Vương quốc Campuchia"),
    "US": (
        "US",
        "USA",
        "United States",
        "United States of America",
        "U.S.A.",
        "Hoa Kỳ",
        "Hoa Ky",
        "Mỹ",
    ),
    "FR": ("FR", "FRA", "France", "French Republic", "Pháp", "Cộng hòa Pháp"),
    "DE": (
        "DE",
        "DEU",
        "Germany",
        "Federal Republic of Germany",
        "Germany, Federal Republic of",
        "Đức",
        "Cộng hòa Liên bang Đức",
    ),
    "TH": ("TH", "THA", "Thailand", "Kingdom of Thailand", "Thái Lan", "Thai Lan"),
    "SG": ("SG", "SGP", "Singapore", "Republic of Singapore", "Xinh-ga-po"),
    "AU": ("AU", "AUS", "Australia", "Commonwealth of Australia", "Úc", "Ô-xtrây-li-a"),
    "RU": ("RU", "RUS", "Russia", "Russian Federation", "Nga", "Liên bang Nga"),
    "GB": ("GB", "GBR", "UK", "United Kingdom", "Vương quốc Anh", "Anh"),
    "IN": ("IN", "IND", "India", "Republic of India", "Ấn Độ", "An Do"),
    "NZ": ("NZ", "New Zealand", "Niu Di-lân"),
    "CZ": ("CZ", "Czechia", "Czech Republic", "Cộng hòa Séc", "Séc"),
}
FORMS = {
    "MEMORANDUM_OF_UNDERSTANDING": ("MEMORANDUM_OF_UNDERSTANDING", "Bản ghi nhớ", "MOU"),
    "AGREEMENT": ("AGREEMENT", "Thỏa thuận", "Thoả thuận"),
    "COOPERATION_PROGRAMME": ("COOPERATION_PROGRAMME", "Chương trình hợp tác"),
    "LETTER_OF_INTENT": ("LETTER_OF_INTENT", "Ý định thư", "LOI"),
}
LEVELS = ("PROVINCIAL_COMMITTEE", "PROVINCIAL_COUNCIL", "DEPARTMENT", "PROVINCIAL_ORG")
PARTNER_TYPES = ("LOCAL_GOVERNMENT", "AGENCY_OR_ORGANISATION", "STATE")
STATUSES = ("IN_FORCE", "EXPIRED", "TERMINATED", "SIGNED")
FIELDS = ("trade", "investment", "education", "health", "culture_tourism", "agriculture")
DASHES = ("-", "–", "—", " - ", " – ")


def province_forms(name: str, code: str, kind: str) -> list[str]:
    """A unit's name as registers write it."""
    from common.text import fold

    bare = name.removeprefix("Thành phố ")
    forms = [name, bare, fold(bare), bare.upper(), code, f"  {bare}  "]
    forms.append(f"Thành phố {bare}" if kind == "city" else f"Tỉnh {bare}")
    if kind == "city":
        forms += [f"TP. {bare}", f"TP {bare}", f"Tp.{bare}"]
    if " - " in name:
        forms += [name.replace(" - ", d) for d in DASHES]
    return forms


@dataclass
class MessyRegister:
    rows: list[dict[str, str]] = field(default_factory=list)
    # What an import of it (with partial when there are conflicts) must give.
    by_cycle: Counter[int | None] = field(default_factory=Counter)
    by_province: Counter[str] = field(default_factory=Counter)
    by_former_unit: Counter[str] = field(default_factory=Counter)
    repeated: int = 0  # rows left out with a warning
    conflicting: int = 0  # rows refused: their reference is given twice differently

    @property
    def to_import(self) -> int:
        return sum(self.by_cycle.values())

    def csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    def xlsx(self) -> bytes:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(COLUMNS))
        for row in self.rows:
            sheet.append([row[c] for c in COLUMNS])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _cycle_of(day: date, conferences: Mapping[int, date]) -> int | None:
    numbers = sorted(conferences)
    if day <= conferences[numbers[0]]:
        return None
    for n in numbers[1:]:
        if day <= conferences[n]:
            return n
    return numbers[-1] + 1


def _signing_days(rng: random.Random, n: int, today: date) -> list[date]:
    """Every boundary first (each conference's day and the day after, the day before the
    earliest, the merger's eve and day), then days spread from 2014 to today."""
    days: list[date] = []
    for d in DEFAULT_CONFERENCES.values():
        days += [d, d + timedelta(days=1)]
    first = min(DEFAULT_CONFERENCES.values())
    days += [first - timedelta(days=1), MERGER - timedelta(days=1), MERGER, today]
    start = date(2014, 1, 1)
    while len(days) < n:
        days.append(start + timedelta(days=rng.randint(0, (today - start).days)))
    return days[:n]


def messy_register(
    n: int,
    *,
    seed: int = 14,
    today: date,
    repeats: int = 0,
    conflicts: int = 0,
    prefix: str = "SDK",
    conferences: Mapping[int, date] = DEFAULT_CONFERENCES,
) -> MessyRegister:
    """`n` distinct records, plus `repeats` repeated rows and `conflicts` references given a
    second time with another signing date (both rows of each refused)."""
    rng = random.Random(seed)
    old_codes = sorted(OLD_UNITS)
    current_codes = sorted(CURRENT_UNITS)
    register = MessyRegister()
    records: list[tuple[dict[str, str], int | None, str, str | None]] = []
    for i, signed in enumerate(_signing_days(rng, n, today)):
        after_merger = signed >= MERGER
        if after_merger and rng.random() < 0.7:
            unit = CURRENT_UNITS[rng.choice(current_codes)]
            province_text = rng.choice(province_forms(unit.name, unit.code, unit.kind))
            current, former = unit.code, None
        else:
            old = OLD_UNITS["hue"] if i % 23 == 0 else OLD_UNITS[rng.choice(old_codes)]
            forms = province_forms(old.name, old.code, old.kind)
            if old.code == "hue":
                forms += ["Thừa Thiên Huế", "Thua Thien Hue", "Thừa Thiên - Huế"]
            province_text = rng.choice(forms)
            succ = successor(old.code)
            assert succ is not None
            current = succ.code
            # After the merger a former name only counts as the former unit when no current
            # unit carries it (domain.md §3).
            former = old.code if not after_merger or old.code not in CURRENT_UNITS else None
        country = rng.choice(sorted(COUNTRY_FORMS))
        form = rng.choice(sorted(FORMS))
        effective = signed + timedelta(days=rng.choice([0, 0, 30]))
        expires = rng.choice([None, effective + timedelta(days=365 * rng.randint(2, 10))])
        row = {
            "reference": f"{prefix}-{i + 1:06d}/{signed.year}",
            "title": f"Bản ghi nhớ hợp tác số {i + 1}",
            "form": rng.choice(FORMS[form]),
            "signatory_level": rng.choice(LEVELS),
            "province": province_text,
            "foreign_party_name": f"Đối tác {i + 1}",
            "country": rng.choice(COUNTRY_FORMS[country]),
            "partner_type": rng.choice(PARTNER_TYPES),
            "fields": ";".join(rng.sample(FIELDS, rng.randint(1, 3))),
            "signed_on": rng.choice([signed.isoformat(), signed.strftime("%d/%m/%Y")]),
            "effective_from": "" if effective == signed else effective.isoformat(),
            "expires_on": expires.isoformat() if expires else "",
            "status": rng.choice(STATUSES),
            "occasion": rng.choice(["", "", "Meet Korea 2019", "Meet Japan 2022"]),
        }
        records.append((row, _cycle_of(signed, conferences), current, former))

    conflicted = set(rng.sample(range(len(records)), min(conflicts, len(records))))
    rows: list[dict[str, str]] = []
    for index, (row, cycle, current, former) in enumerate(records):
        rows.append(row)
        if index in conflicted:
            other = dict(row)
            written = row["signed_on"]
            first = date.fromisoformat(written) if "-" in written else date(2015, 1, 1)
            other["signed_on"] = first.replace(day=1).isoformat()
            if other["signed_on"] == row["signed_on"]:
                other["title"] = row["title"] + " (bản sửa)"
            rows.append(other)
            register.conflicting += 2
            continue
        register.by_cycle[cycle] += 1
        register.by_province[current] += 1
        if former:
            register.by_former_unit[former] += 1
    # Repeats: the same record again later in the file, sometimes in other words.
    clean = [r for i, (r, *_) in enumerate(records) if i not in conflicted]
    for _ in range(repeats):
        original = rng.choice(clean)
        again = dict(original)
        if rng.random() < 0.5:
            again["title"] = f"  {again['title']} "
            again["signatory_level"] = again["signatory_level"].lower()
        rows.insert(rng.randint(rows.index(original) + 1, len(rows)), again)
        register.repeated += 1
    register.rows = rows
    return register
