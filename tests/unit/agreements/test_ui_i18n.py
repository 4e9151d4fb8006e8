"""Every word the web pages can show exists in Vietnamese and English."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from common.auth import Role
from common.law import labels
from common.law.drafting import Violation
from common.law.messages import MESSAGES
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    CaseKind,
    Category,
    DocumentKind,
    Outcome,
    PartnerType,
    Procedure,
    SignatoryLevel,
    TaskKind,
    TaskStatus,
    Touch,
)
from services.agreements.ui import i18n
from services.agreements.ui.pages import HERE

KEY = re.compile(r"""\bt\(\s*['"]([a-z_]+\.[a-z_.]+)['"]""")
FLASH = re.compile(r"""done=([a-z]+)""")


def test_every_key_the_templates_and_pages_use_is_in_the_catalogue() -> None:
    sources = [p.read_text() for p in (HERE / "templates").glob("*.html")]
    sources += [p.read_text() for p in HERE.glob("*.py")]
    used = {key for text in sources for key in KEY.findall(text)}
    # Keys chosen at run time: nav entries, flash messages after redirects.
    used |= {key for text in sources for key in re.findall(r'"((?:nav|form)\.[a-z_]+)"', text)}
    used |= {f"flash.{m}" for text in sources for m in FLASH.findall(text)}
    missing = sorted(key for key in used if key not in i18n.TEXTS)
    assert used and missing == []


def test_no_text_is_empty_in_either_language() -> None:
    assert i18n.catalogue_gaps() == {}


@pytest.mark.parametrize(
    ("vocabulary", "enum"),
    [
        ("status", AgreementStatus),
        ("form", AgreementForm),
        ("category", Category),
        ("level", SignatoryLevel),
        ("partner", PartnerType),
        ("procedure", Procedure),
        ("touch", Touch),
        ("document", DocumentKind),
        ("task", TaskKind),
        ("task_status", TaskStatus),
        ("outcome", Outcome),
        ("case", CaseKind),
        ("role", Role),
    ],
)
def test_every_vocabulary_the_templates_name_labels_each_code_in_both_languages(
    vocabulary: str, enum: type[StrEnum]
) -> None:
    for lang in ("vi", "en"):
        assert [code for code, _ in i18n.options(vocabulary, lang)] == [m.value for m in enum]
        for member in enum:
            shown = i18n.label(vocabulary, member.value, lang)
            assert shown.strip() and shown != member.value


def test_the_pages_and_the_shared_table_say_the_same() -> None:
    assert i18n.label("level", "BORDER_COMMUNE", "vi") == labels.label(
        SignatoryLevel, SignatoryLevel.BORDER_COMMUNE, "vi"
    )
    assert i18n.body_name("pm-office", "en") == "Office of the Government"
    assert i18n.body_name("lang-son", "vi") == "tỉnh Lạng Sơn"
    assert i18n.body_name("mofa", "en") == "Ministry of Foreign Affairs"


def test_counts_on_the_pages_follow_each_languages_plural_rules() -> None:
    assert i18n.text("common.error_count", "en", n=1) == "1 error"
    assert i18n.text("common.error_count", "en", n=2) == "2 errors"
    assert i18n.text("common.error_count", "vi", n=2) == "2 lỗi"
    assert i18n.text("common.working_days_left", "en", n=1) == "1 working day left"
    assert i18n.text("common.working_days_left", "en", n=3) == "3 working days left"
    assert i18n.text("common.working_days_left", "en", n=0) == "0 working days left"
    assert i18n.text("common.working_days_left", "vi", n=1) == "còn 1 ngày làm việc"
    assert i18n.text("list.count", "en", n=1) == "1 agreement"
    assert i18n.text("tasks.count", "en", n=12) == "12 tasks"
    assert i18n.text("timeline.overdue_days", "en", n=1) == "1 day overdue"


def test_rules_reworded_for_forms_exist_in_the_rules_catalogue() -> None:
    assert set(i18n.RULE_TEXT) <= set(MESSAGES)
    [message] = i18n.rule_messages(
        [Violation("documents", "draft_text_required", {"language": "ko"})], "vi"
    )
    assert message.message == "Thiếu dự thảo văn bản bằng Tiếng Hàn."
    [message] = i18n.rule_messages(
        [Violation("comment", "comment_required", {"value": "REJECT"})], "en"
    )
    assert "“Reject”" in message.message


def test_moments_are_shown_in_vietnam_time() -> None:
    assert i18n.local("2026-11-24T01:05:00+00:00", "vi") == "24/11/2026 08:05"
    assert i18n.local("2026-12-09", "en") == "09/12/2026"
