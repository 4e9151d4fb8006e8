"""A generated register of historical agreements with known counts (the oracle of the reporting
tests and of the import benchmark): cycles 19 to 21, former and current unit names, "Thừa Thiên
Huế", countries written as codes and in English or Vietnamese, partner countries new in later
cycles, international organisations with and without a country. Expected figures are counted
here from the generator's own choices, not by the code under test."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from common.countries import country_name
from common.fields import FIELD_LABELS, Field
from common.provinces import OLD_UNITS, successor
from services.reporting.domain.regions import region_of

CYCLE_WINDOWS = {
    19: (date(2016, 8, 21), date(2018, 8, 12)),
    20: (date(2018, 8, 12), date(2021, 12, 13)),
    21: (date(2021, 12, 13), date(2023, 12, 18)),
}
# Partners in every cycle, and those that first appear in a later one.
BASE_COUNTRIES = ("KR", "JP", "CN", "LA", "KH", "US", "FR", "DE", "TH", "SG", "AU", "RU", "IN")
NEW_IN = {20: ("BR", "IL"), 21: ("NZ", "ZA", "AE")}
FORMS_VI = {
    "MEMORANDUM_OF_UNDERSTANDING": "Bản ghi nhớ",
    "AGREEMENT": "Thỏa thuận",
    "COOPERATION_PROGRAMME": "Chương trình hợp tác",
    "LETTER_OF_INTENT": "Ý định thư",
    "MINUTES_OF_EXCHANGE": "Biên bản trao đổi",
}
LEVELS = ("PROVINCIAL_COMMITTEE", "PROVINCIAL_COUNCIL", "DEPARTMENT", "PROVINCIAL_ORG")
PARTNER_TYPES = (
    "LOCAL_GOVERNMENT",
    "AGENCY_OR_ORGANISATION",
    "STATE",
    "INTERNATIONAL_ORGANISATION",
    "INDIVIDUAL",
)
STATUSES = ("IN_FORCE", "IN_FORCE", "IN_FORCE", "EXPIRED", "TERMINATED", "SIGNED", "SUSPENDED")
OCCASIONS = ("Meet Japan 2019", "Meet Korea 2022", "Diễn đàn hợp tác Việt - Lào")
ORGANISATION = "INTERNATIONAL_ORGANISATION"
# The group international organisations are counted under, beside the countries and regions.
ORGANISATIONS = ORGANISATION


def partner_key(r: Record) -> str:
    """The country an agreement counts under, or the organisations' group."""
    return ORGANISATIONS if r.partner_type == ORGANISATION or not r.country else r.country


def region_key(r: Record) -> str:
    key = partner_key(r)
    return key if key == ORGANISATIONS else region_of(key).region


@dataclass
class Record:
    reference: str
    cycle: int
    old_unit: str
    province: str
    country: str
    partner_type: str
    form: str
    level: str
    fields: tuple[str, ...]
    signed_on: date
    effective_from: date
    expires_on: date | None
    status: str
    occasion: str | None
    row: dict[str, str] = field(default_factory=dict)


def _province_text(rng: random.Random, old_code: str) -> str:
    unit = OLD_UNITS[old_code]
    if old_code == "hue":
        return rng.choice(["Thừa Thiên Huế", "Thua Thien Hue", "Huế", "hue"])
    kind = "Thành phố" if unit.kind == "city" else "Tỉnh"
    prefixed = unit.name if unit.name.startswith("Thành phố") else f"{kind} {unit.name}"
    return rng.choice([unit.name, unit.code, prefixed, unit.name.upper()])


def _country_text(rng: random.Random, code: str) -> str:
    return rng.choice([code, code.lower(), country_name(code, "en"), country_name(code, "vi")])


def generate(per_cycle: dict[int, int], seed: int = 5) -> list[Record]:
    rng = random.Random(seed)
    old_codes = sorted(OLD_UNITS)
    records: list[Record] = []
    n = 0
    for cycle, count in per_cycle.items():
        start, end = CYCLE_WINDOWS[cycle]
        countries = list(BASE_COUNTRIES) + [c for k, cs in NEW_IN.items() if k <= cycle for c in cs]
        span = (end - start).days
        for i in range(count):
            n += 1
            # Every cycle's window ends are exercised: the day after the previous conference
            # and the conference day itself belong to the cycle.
            offset = 1 if i == 0 else span if i == 1 else rng.randint(1, span)
            signed = start + timedelta(days=offset)
            old = "hue" if i % 17 == 0 else rng.choice(old_codes)
            country = (
                NEW_IN[cycle][i % len(NEW_IN[cycle])]
                if cycle in NEW_IN and i < 6
                else rng.choice(countries)
            )
            fields = tuple(rng.sample([f.value for f in Field], rng.randint(1, 3)))
            partner_type = rng.choice(PARTNER_TYPES)
            if partner_type == ORGANISATION:
                if cycle in NEW_IN and i < 6:
                    partner_type = "STATE"  # a new partner country is a country's partner
                elif n % 3 == 0:
                    country = ""  # an organisation belongs to no country
            status = rng.choice(STATUSES)
            effective = signed + timedelta(days=rng.choice([0, 0, 0, 15]))
            expires = rng.choice([None, effective + timedelta(days=365 * rng.randint(2, 12))])
            unit = successor(old)
            assert unit is not None
            rec = Record(
                reference=f"HIST-{n:06d}",
                cycle=cycle,
                old_unit=old,
                province=unit.code,
                country=country,
                partner_type=partner_type,
                form=rng.choice(list(FORMS_VI)),
                level=rng.choice(LEVELS),
                fields=fields,
                signed_on=signed,
                effective_from=effective,
                expires_on=expires,
                status=status,
                occasion=rng.choice([None, None, *OCCASIONS]),
            )
            rec.row = {
                "reference": rec.reference,
                "title": f"Bản ghi nhớ hợp tác số {n}",
                "form": rng.choice([rec.form, FORMS_VI[rec.form]]),
                "signatory_level": rec.level,
                "province": _province_text(rng, old),
                "foreign_party_name": f"Partner {n}",
                "country": _country_text(rng, country) if country else "",
                "partner_type": rec.partner_type,
                "fields": ";".join(rng.choice([f, FIELD_LABELS[Field(f)][0]]) for f in fields),
                "signed_on": rng.choice([signed.isoformat(), signed.strftime("%d/%m/%Y")]),
                "effective_from": effective.isoformat() if effective != signed else "",
                "expires_on": expires.isoformat() if expires else "",
                "status": status,
                "occasion": rec.occasion or "",
            }
            records.append(rec)
    return records


def to_csv(records: list[Record]) -> bytes:
    out = io.StringIO()
    columns = list(records[0].row)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow(r.row)
    return out.getvalue().encode("utf-8")


def expected(
    records: list[Record], cycle: int, today: date, province: str | None = None
) -> dict[str, Any]:
    """The figures the summary of `cycle` must show, counted from the records."""
    rs = [r for r in records if r.cycle == cycle and (province is None or r.province == province)]
    active = [r for r in rs if r.status in ("SIGNED", "IN_FORCE")]
    in_force = [
        r
        for r in active
        if r.effective_from <= today and (r.expires_on is None or r.expires_on >= today)
    ]
    return {
        "signed": len(rs),
        "province": Counter(r.province for r in rs),
        "historical_unit": Counter(r.old_unit for r in rs),
        "country": Counter(partner_key(r) for r in rs),
        "region": Counter(region_key(r) for r in rs),
        "partner_type": Counter(r.partner_type for r in rs),
        "field": Counter(f for r in rs for f in r.fields),
        "form": Counter(r.form for r in rs),
        "signatory_level": Counter(r.level for r in rs),
        "occasion": Counter(r.occasion for r in rs if r.occasion),
        "status": Counter(r.status for r in rs),
        "in_force": len(in_force),
        "expiring": sum(
            1
            for r in in_force
            if r.expires_on is not None and r.expires_on <= today + timedelta(days=180)
        ),
        "expired": sum(
            1
            for r in rs
            if r.status == "EXPIRED"
            or (r in active and r.expires_on is not None and r.expires_on < today)
        ),
        "terminated": sum(1 for r in rs if r.status == "TERMINATED"),
        "partner_countries": len({partner_key(r) for r in rs} - {ORGANISATIONS}),
        "new_countries": sorted(
            {partner_key(r) for r in rs}
            - {ORGANISATIONS}
            - {
                partner_key(r)
                for r in records
                if r.cycle == cycle - 1 and (province is None or r.province == province)
            }
        )
        if cycle - 1 in {r.cycle for r in records}
        else None,
    }
