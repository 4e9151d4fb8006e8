"""Partner countries read from codes and from English or Vietnamese names."""

from __future__ import annotations

import pytest

from common.countries import country_name, resolve_country


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("KR", "KR"),
        ("kr", "KR"),
        ("KOR", "KR"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Hàn Quốc", "KR"),
        ("han quoc", "KR"),
        ("Nhật Bản", "JP"),
        ("Lào", "LA"),
        ("Campuchia", "KH"),
        ("Hoa Kỳ", "US"),
        ("Mỹ", "US"),
        ("MY", "MY"),
        ("Nga", "RU"),
        ("NGA", "NG"),
        ("Bra-xin", "BR"),
    ],
)
def test_codes_and_names_resolve_to_alpha_2(text: str, code: str) -> None:
    assert resolve_country(text) == code


def test_unknown_names_resolve_to_nothing() -> None:
    assert resolve_country("Atlantis") is None
    assert resolve_country("XX") is None


def test_names_in_both_languages() -> None:
    assert country_name("KR", "vi") == "Hàn Quốc"
    assert country_name("KR", "en") == "South Korea"
    assert country_name("QQ", "en") == "QQ"
