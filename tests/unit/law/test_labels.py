"""The one (Vietnamese, English) table: every code of the law is named in both languages, names
of organisations and places come from their catalogues, and counts follow plural rules."""

from __future__ import annotations

import inspect
import subprocess
import sys
from enum import StrEnum
from pathlib import Path

import pytest

from common.law import labels, vocabulary
from common.law.labels import Plural, count, label, ordinal, plural, plural_category
from common.law.vocabulary import AgreementStatus, Outcome, SignatoryLevel

ROOT = Path(__file__).resolve().parents[3]

ENUMS = sorted(
    (
        obj
        for obj in vars(vocabulary).values()
        if inspect.isclass(obj)
        and issubclass(obj, StrEnum)
        and obj.__module__ == vocabulary.__name__
    ),
    key=lambda enum: enum.__name__,
)


def test_the_table_covers_every_enum_of_the_vocabulary() -> None:
    assert ENUMS and set(labels.LABELS) == set(ENUMS)
    assert set(labels.VOCABULARIES.values()) == set(ENUMS)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_member_has_a_vietnamese_and_an_english_label(enum: type[StrEnum]) -> None:
    table = labels.LABELS[enum]
    assert set(table) == set(enum), f"{enum.__name__}: no label for {set(enum) - set(table)}"
    for member in enum:
        vi, en = table[member]
        assert vi.strip() and en.strip(), member
        assert label(enum, member, "vi") == vi and label(enum, member.value, "en") == en
    assert labels.gaps() == {}


def test_a_code_is_looked_up_by_vocabulary_name_or_enum_and_unknown_codes_show_as_themselves() -> (
    None
):
    assert label("status", "IN_FORCE", "vi") == "Đang có hiệu lực"
    assert label(AgreementStatus, AgreementStatus.IN_FORCE, "en") == "In force"
    assert label("level", SignatoryLevel.DEPARTMENT, "vi") == (
        "Cơ quan chuyên môn thuộc Ủy ban nhân dân cấp tỉnh"
    )
    assert label("status", "NO_SUCH_STATUS", "vi") == "NO_SUCH_STATUS"
    assert labels.pair("outcome", "nope") is None


def test_a_consulted_body_agreeing_and_the_prime_minister_consenting_read_differently() -> None:
    assert label(Outcome, Outcome.AGREE, "vi") != label(Outcome, Outcome.CONSENT, "vi")


def test_choices_keep_the_declared_order_or_the_order_asked_for() -> None:
    assert [code for code, _ in labels.choices("status", "vi")] == [
        s.value for s in AgreementStatus
    ]
    assert labels.choices("document", "en", ["SIGNED_TEXT", "PROPOSAL", "NOPE"]) == [
        ("SIGNED_TEXT", "Signed text"),
        ("PROPOSAL", "Proposal"),
    ]


def test_organisations_are_named_from_their_catalogues() -> None:
    assert labels.org_label("mofa", "vi") == "Bộ Ngoại giao"
    assert labels.org_label("ha-noi.police", "en") == "Hanoi City Police"
    assert labels.org_label("lang-son", "vi") == "tỉnh Lạng Sơn"
    assert labels.org_label("pm-office", "vi") == "Văn phòng Chính phủ"
    assert labels.org_label("mofa-registry", "en") == "Registry of the Ministry of Foreign Affairs"
    assert labels.org_label("nowhere", "en") == "nowhere"
    assert labels.org_label(None, "en") == ""


def test_places_fields_countries_and_languages_are_named_in_both_languages() -> None:
    assert labels.province_name("ha-noi", "vi") == "thành phố Hà Nội"
    assert labels.province_name("ha-noi", "en") == "Hanoi"
    assert labels.unit_name("kien-giang", "vi") == "Kiên Giang"  # merged into An Giang in 2025
    assert labels.unit_name("kien-giang", "en") == "Kien Giang"
    assert labels.unit_name("lang-son", "en") == "Lang Son"
    assert labels.field_label("culture_tourism", "vi") == "Văn hóa và du lịch"
    assert labels.field_label("nope", "vi") == "nope"
    assert labels.country("KR", "vi") == "Hàn Quốc"
    assert labels.country("KR", "en") == "South Korea"
    assert labels.language_name("ko", "vi") == "Tiếng Hàn"


@pytest.mark.parametrize(
    ("n", "en"), [(0, "0 working days"), (1, "1 working day"), (2, "2 working days")]
)
def test_english_counts_are_singular_for_one_and_plural_otherwise(n: int, en: str) -> None:
    assert count("working_day", n, "en") == en
    assert count("working_day", n, "vi") == f"{n} ngày làm việc"


def test_vietnamese_has_one_form_and_english_two() -> None:
    assert {plural_category(n, "vi") for n in range(5)} == {"other"}
    assert [plural_category(n, "en") for n in (0, 1, 2)] == ["other", "one", "other"]
    left = {"vi": "còn {n} ngày", "en_one": "{n} day left", "en_other": "{n} days left"}
    assert plural(1, "en", **left) == "1 day left"
    assert plural(3, "en", **left) == "3 days left"
    assert plural(1, "vi", **left) == "còn 1 ngày"
    errors = Plural("{n} lỗi ở {form}", "{n} error in {form}", "{n} errors in {form}")
    assert errors.format(2, "en", form="the draft") == "2 errors in the draft"


def test_ordinals_follow_english_rules() -> None:
    assert [ordinal(n, "en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
    ]  # fmt: skip
    assert ordinal(21, "vi") == "thứ 21"


def test_the_procedure_labels_say_the_consultation_time_the_law_gives() -> None:
    assert label("procedure", "STANDARD", "en") == "Standard (7 working days)"
    assert label("procedure", "REDUCED", "vi") == "Rút gọn (3 ngày làm việc)"


def test_the_table_imports_no_framework() -> None:
    # The law package runs in Temporal's sandbox and in every process: no web, database or
    # broker library may come in with the labels.
    code = (
        "import sys, common.law.labels\n"
        "bad = {'fastapi', 'sqlmodel', 'sqlalchemy', 'jinja2', 'kafka', 'aiokafka', 'temporalio'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
