"""The catalogue of bodies consulted on a draft agreement (domain.md §2.2), in two languages.

Central bodies are the ministries; each of the 34 current units has its foreign-affairs body
(a Department of Foreign Affairs, or the Office of the provincial People's Committee where the
province has none: data/foreign_affairs_bodies.csv), its police, military and border-guard
commands, and the specialised departments it has since the 2025 reorganisation
(data/provincial_departments.csv), all coded "<unit>.<role>".
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from common.provinces import CURRENT_UNITS, Unit

CENTRAL: Final = "central"
PROVINCIAL: Final = "provincial"
# The roles the law routes to by name (domain.md §2.2).
PROVINCIAL_ROLES: Final = ("foreign-affairs", "police", "military", "border-guard")
_DATA: Final = Path(__file__).parent / "data"
FOREIGN_AFFAIRS_DEPARTMENT: Final = "department"
COMMITTEE_OFFICE: Final = "committee_office"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


# The specialised departments every province has (role, Vietnamese, English), and which body
# is each province's foreign-affairs body.
_DEPARTMENTS: Final = [
    (r["role"], r["name_vi"], r["name_en"]) for r in _read_csv("provincial_departments.csv")
]
_FOREIGN_AFFAIRS: Final = {
    r["unit_code"]: r["foreign_affairs_body"] for r in _read_csv("foreign_affairs_bodies.csv")
}


@dataclass(frozen=True)
class ConsultedBody:
    """A body asked for a written opinion (cơ quan được lấy ý kiến)."""

    code: str
    name_vi: str
    name_en: str
    level: str  # CENTRAL or PROVINCIAL
    province: str | None = None  # current unit code, for provincial bodies only


_MINISTRIES: Final = (
    ("mofa", "Bộ Ngoại giao", "Ministry of Foreign Affairs"),
    ("mps", "Bộ Công an", "Ministry of Public Security"),
    ("mod", "Bộ Quốc phòng", "Ministry of National Defence"),
    ("mof", "Bộ Tài chính", "Ministry of Finance"),
    ("moit", "Bộ Công Thương", "Ministry of Industry and Trade"),
    ("moet", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training"),
    ("moh", "Bộ Y tế", "Ministry of Health"),
    ("mocst", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism"),
    ("most", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology"),
    ("mae", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment"),
    ("moha", "Bộ Nội vụ", "Ministry of Home Affairs"),
)

# English names customary for the two largest cities; the rest drop diacritics.
_ENGLISH_UNIT_NAMES: Final = {
    "ha-noi": "Hanoi",
    "thanh-pho-ho-chi-minh": "Ho Chi Minh City",
}


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _vi_unit(unit: Unit) -> str:
    """ "tỉnh Lạng Sơn", "thành phố Hà Nội"; "Thành phố Hồ Chí Minh" already says what it is."""
    if unit.name.lower().startswith("thành phố"):
        return unit.name
    return f"{'thành phố' if unit.kind == 'city' else 'tỉnh'} {unit.name}"


def _provincial_bodies(unit: Unit) -> list[ConsultedBody]:
    vi = _vi_unit(unit)
    en = _ENGLISH_UNIT_NAMES.get(unit.code, _strip_marks(unit.name))
    # English qualifier: "Lang Son Provincial Police", "Hue City Police", never "Ho Chi Minh
    # City City Police".
    en_level = "" if en.endswith("City") else (" City" if unit.kind == "city" else " Provincial")
    office = (
        f"Văn phòng Ủy ban nhân dân {vi}",
        f"Office of the {en}{en_level} People's Committee",
    )
    has_department = foreign_affairs_body(unit.code) == FOREIGN_AFFAIRS_DEPARTMENT
    names = {
        "foreign-affairs": (
            (f"Sở Ngoại vụ {vi}", f"{en} Department of Foreign Affairs")
            if has_department
            else office
        ),
        "police": (f"Công an {vi}", f"{en}{en_level} Police"),
        "military": (f"Bộ Chỉ huy Quân sự {vi}", f"{en}{en_level} Military Command"),
        "border-guard": (
            f"Bộ Chỉ huy Bộ đội Biên phòng {vi}",
            f"{en}{en_level} Border Guard Command",
        ),
    }
    # The capital and Ho Chi Minh City have a full command (Bộ Tư lệnh) instead.
    if unit.code == "ha-noi":
        names["military"] = ("Bộ Tư lệnh Thủ đô Hà Nội", "Hanoi Capital Command")
    elif unit.code == "thanh-pho-ho-chi-minh":
        names["military"] = ("Bộ Tư lệnh Thành phố Hồ Chí Minh", "Ho Chi Minh City Command")
    for role, name_vi, name_en in _DEPARTMENTS:
        if role == "committee-office":
            # Where the office is the foreign-affairs body, it is listed once, as that.
            if has_department:
                names[role] = office
        elif role == "inspectorate":
            names[role] = (f"{name_vi} {vi}", f"{en}{en_level} {name_en}")
        else:
            names[role] = (f"{name_vi} {vi}", f"{en} {name_en}")
    return [
        ConsultedBody(
            code=f"{unit.code}.{role}",
            name_vi=vi_name,
            name_en=en_name,
            level=PROVINCIAL,
            province=unit.code,
        )
        for role, (vi_name, en_name) in names.items()
    ]


def foreign_affairs_body(province: str) -> str:
    """Whether the province's foreign-affairs body is a Department of Foreign Affairs
    (`department`) or the Office of its People's Committee (`committee_office`)."""
    return _FOREIGN_AFFAIRS.get(province, COMMITTEE_OFFICE)


def _catalogue() -> dict[str, ConsultedBody]:
    bodies = [ConsultedBody(code, vi, en, CENTRAL) for code, vi, en in _MINISTRIES]
    for unit in CURRENT_UNITS.values():
        bodies.extend(_provincial_bodies(unit))
    return {body.code: body for body in bodies}


BODIES: Final[Mapping[str, ConsultedBody]] = MappingProxyType(_catalogue())


def get_body(code: str) -> ConsultedBody | None:
    return BODIES.get(code)


def provincial_body(province: str, role: str) -> ConsultedBody:
    """The body playing `role` (one of PROVINCIAL_ROLES) in a current unit; ValueError when
    either is unknown, since routing a consultation to no one must not pass silently."""
    if role not in PROVINCIAL_ROLES:
        raise ValueError(f"unknown provincial role {role!r}; expected one of {PROVINCIAL_ROLES}")
    body = BODIES.get(f"{province}.{role}")
    if body is None:
        raise ValueError(f"unknown current unit {province!r}")
    return body


def unit_label(code: str, lang: str = "vi") -> str:
    """How text names a current unit: "tỉnh Lạng Sơn" / "Lang Son", "thành phố Hà Nội" /
    "Hanoi"; the code itself when it is not a current unit."""
    unit = CURRENT_UNITS.get(code)
    if unit is None:
        return code
    if lang == "vi":
        return _vi_unit(unit)
    return _ENGLISH_UNIT_NAMES.get(unit.code, _strip_marks(unit.name))
