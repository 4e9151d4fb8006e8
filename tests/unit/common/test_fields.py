"""The fixed list of cooperation fields (domain.md §4)."""

from __future__ import annotations

from common.fields import FIELD_LABELS, Field


def test_twelve_fields_each_labelled_in_vietnamese_and_english() -> None:
    assert len(Field) == 12
    assert list(FIELD_LABELS) == list(Field)
    for vi, en in FIELD_LABELS.values():
        assert vi.strip() and en.strip()


def test_field_values_are_the_stored_codes() -> None:
    assert Field("culture_tourism") is Field.CULTURE_TOURISM
    assert FIELD_LABELS[Field.SECURITY_BORDER] == (
        "An ninh và quản lý biên giới",
        "Security and border management",
    )
