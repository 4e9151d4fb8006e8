"""Partner countries read from codes and from English or Vietnamese names."""

from __future__ import annotations

import pytest

from common.countries import (
    build_country_index,
    country_aliases,
    country_keys,
    country_name,
    describe_country,
    resolve_country,
)
from common.text import fold


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


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Codes: alpha-2 and alpha-3 in any case, ISO numeric, with stray punctuation.
        ("kor", "KR"),
        ("410", "KR"),
        (" (KR) ", "KR"),
        ("U.S.", "US"),
        ("U.S.A.", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        # English short, official and common names, inverted or with parentheses.
        ("Korea, Republic of", "KR"),
        ("KOREA, REPUBLIC OF", "KR"),
        ("Republic of Korea", "KR"),
        ("Rep. of Korea", "KR"),
        ("  rep.  of   korea!! ", "KR"),
        ("ROK", "KR"),
        ("Korea (South)", "KR"),
        ("Korea (Republic of)", "KR"),
        ("Lao People's Democratic Republic", "LA"),
        ("Lao PDR", "LA"),
        ("Lao P.D.R.", "LA"),
        ("Laos", "LA"),
        ("People's Republic of China", "CN"),
        ("PRC", "CN"),
        ("Russian Federation", "RU"),
        ("United States of America", "US"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Great Britain", "GB"),
        ("Federal Republic of Germany", "DE"),
        ("French Republic", "FR"),
        ("Kingdom of Thailand", "TH"),
        ("Kingdom of Cambodia", "KH"),
        ("Republic of Singapore", "SG"),
        ("Singapore, Republic of", "SG"),
        ("Commonwealth of Australia", "AU"),
        ("Republic of the Philippines", "PH"),
        ("Republic of the Union of Myanmar", "MM"),
        ("Burma", "MM"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Viet Nam", "VN"),
        ("Socialist Republic of Viet Nam", "VN"),
        ("Taiwan", "TW"),
        ("Taiwan, Province of China", "TW"),
        ("Hong Kong SAR", "HK"),
        ("Hong Kong, China", "HK"),
        ("Macao", "MO"),
        ("Macau", "MO"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("the Netherlands", "NL"),
        ("Holland", "NL"),
        ("The Gambia", "GM"),
        ("Bahamas, The", "BS"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("DPRK", "KP"),
        ("North Korea", "KP"),
        ("Iran, Islamic Republic of", "IR"),
        ("Islamic Republic of Iran", "IR"),
        ("Venezuela, Bolivarian Republic of", "VE"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("Tanzania, United Republic of", "TZ"),
        ("United Republic of Tanzania", "TZ"),
        ("Moldova", "MD"),
        ("Macedonia", "MK"),
        ("North Macedonia", "MK"),
        ("Swaziland", "SZ"),
        ("Eswatini", "SZ"),
        ("Cape Verde", "CV"),
        ("Cabo Verde", "CV"),
        ("East Timor", "TL"),
        ("Timor-Leste", "TL"),
        ("Brunei Darussalam", "BN"),
        ("Vatican", "VA"),
        ("Holy See", "VA"),
        ("UAE", "AE"),
        ("St. Lucia", "LC"),
        ("Saint Lucia", "LC"),
        ("Trinidad & Tobago", "TT"),
        ("Bosnia-Herzegovina", "BA"),
        ("Cayman Is.", "KY"),
        ("Grand Duchy of Luxembourg", "LU"),
        ("Principality of Monaco", "MC"),
        ("Sultanate of Oman", "OM"),
        ("State of Qatar", "QA"),
        # The World Bank's inverted forms, where "of" is left out.
        ("Congo, Dem. Rep.", "CD"),
        ("Congo, Rep.", "CG"),
        ("Egypt, Arab Rep.", "EG"),
        # Vietnamese official names and state forms, with or without diacritics.
        ("Đại Hàn Dân Quốc", "KR"),
        ("Cộng hòa Hàn Quốc", "KR"),
        ("Cong hoa Han Quoc", "KR"),
        ("Cộng hòa Nhân dân Trung Hoa", "CN"),
        ("CHND Trung Hoa", "CN"),
        ("Cộng hòa Dân chủ Nhân dân Lào", "LA"),
        ("CHDCND Lào", "LA"),
        ("Vương quốc Campuchia", "KH"),
        ("Vương quốc Thái Lan", "TH"),
        ("Liên bang Nga", "RU"),
        ("Hợp chủng quốc Hoa Kỳ", "US"),
        ("Vương quốc Anh", "GB"),
        ("Liên hiệp Vương quốc Anh và Bắc Ai-len", "GB"),
        ("Cộng hòa Liên bang Đức", "DE"),
        ("CHLB Đức", "DE"),
        ("Cộng hòa Pháp", "FR"),
        ("Nước Pháp", "FR"),
        ("Cộng hòa Xã hội chủ nghĩa Việt Nam", "VN"),
        ("Đại Công quốc Lúc-xăm-bua", "LU"),
        ("Nhà nước Ca-ta", "QA"),
        ("Vương quốc Hồi giáo Ô-man", "OM"),
        # Vietnamese everyday names and transliterations.
        ("Anh", "GB"),
        ("Pháp", "FR"),
        ("Đức", "DE"),
        ("Úc", "AU"),
        ("Trung Quốc", "CN"),
        ("Triều Tiên", "KP"),
        ("Nhật", "JP"),
        ("Cam-pu-chia", "KH"),
        ("Cam pu chia", "KH"),
        ("Thái Lan", "TH"),
        ("Ý", "IT"),
        ("Hà Lan", "NL"),
        ("Bỉ", "BE"),
        ("Thụy Điển", "SE"),
        ("Thụy Sĩ", "CH"),
        ("Séc", "CZ"),
        ("Ba Lan", "PL"),
        ("Hung-ga-ri", "HU"),
        ("Hungari", "HU"),
        ("Đài Loan", "TW"),
        ("Hồng Kông", "HK"),
        ("Ma Cao", "MO"),
        ("Ấn Độ", "IN"),
        ("Tây Ban Nha", "ES"),
        ("Bồ Đào Nha", "PT"),
        ("Niu Di-lân", "NZ"),
        ("New Di-lân", "NZ"),
        ("Ca-na-đa", "CA"),
        ("Cu-ba", "CU"),
        ("Xinh-ga-po", "SG"),
        ("Xinhgapo", "SG"),
        ("Singapo", "SG"),
        ("Ma-lai-xi-a", "MY"),
        ("Malaixia", "MY"),
        ("In-đô-nê-xi-a", "ID"),
        ("Indonesia", "ID"),
        ("Phi-líp-pin", "PH"),
        ("Philippin", "PH"),
        ("Mi-an-ma", "MM"),
        ("Myanma", "MM"),
        ("Bru-nây", "BN"),
        ("Brunay", "BN"),
        ("Ôx-trây-li-a", "AU"),
        ("Ôxtrâylia", "AU"),
        ("Mông Cổ", "MN"),
        ("Ca-dắc-xtan", "KZ"),
        ("U-crai-na", "UA"),
        ("Bê-la-rút", "BY"),
        ("Ixraen", "IL"),
        ("Thổ Nhĩ Kỳ", "TR"),
        ("Ai Cập", "EG"),
        ("Nam Phi", "ZA"),
    ],
)
def test_every_form_registers_write_reads_as_the_country(text: str, code: str) -> None:
    assert resolve_country(text) == code


def test_a_two_letter_word_that_is_no_code_is_read_as_a_name() -> None:
    assert resolve_country("UK") == "GB"
    assert resolve_country("uk") == "GB"
    assert resolve_country("EU") is None  # neither a country code nor a country


def test_a_capitalised_three_letter_word_is_a_name_not_a_code() -> None:
    assert resolve_country("kor") == "KR"  # typed as a code
    assert resolve_country("Nam") is None  # "South" in Vietnamese, not NAM (Namibia)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Republic of China", "TW"),
        ("Cộng hòa Trung Hoa", "TW"),
        ("Trung Hoa Dân Quốc", "TW"),
        ("Democratic Republic of the Congo", "CD"),
        ("Dem. Rep. of the Congo", "CD"),
        ("Democratic Republic Congo", "CD"),
        ("DR Congo", "CD"),
        ("Cộng hòa Dân chủ Congo", "CD"),
        ("Republic of the Congo", "CG"),
        ("Republic of Congo", "CG"),
        ("Congo-Brazzaville", "CG"),
        ("Cộng hòa Công-gô", "CG"),
        ("Korea, Republic of", "KR"),
        ("Democratic People's Republic of Korea", "KP"),
    ],
)
def test_dropping_a_state_form_never_changes_the_country(text: str, code: str) -> None:
    """The Republic of China is not China and "Democratic Republic of the Congo" is not the
    Congo: a known name wins over the fallback that drops "Republic of"."""
    assert resolve_country(text) == code


def test_the_fallback_does_not_guess_between_the_koreas() -> None:
    assert resolve_country("People's Republic of Korea") is None
    assert resolve_country("Republic of Atlantis") is None


def test_every_alias_reads_as_its_country_in_any_case_and_without_diacritics() -> None:
    for alias, code in country_aliases():
        for text in (alias, alias.upper(), fold(alias)):
            assert resolve_country(text) == code, text


def test_no_alias_collides_with_another_countrys_name() -> None:
    index = build_country_index(country_aliases())  # raises on a collision
    assert index.library_collisions == ()
    with pytest.raises(ValueError, match="collides"):
        build_country_index([("Nigeria", "NE")])
    with pytest.raises(ValueError, match="collides"):
        build_country_index([("Cam pu chia", "TH")])  # "Campuchia" without spaces


def test_the_aliases_file_holds_only_what_the_libraries_do_not_know() -> None:
    libraries = build_country_index([])
    for alias, _ in country_aliases():
        key = country_keys(alias)[0]
        assert key not in libraries.exact, alias
        assert key.replace(" ", "") not in libraries.compact, alias


def test_a_preview_shows_the_code_and_its_everyday_name() -> None:
    assert describe_country("KR") == "KR (Hàn Quốc)"
    assert describe_country("kr", "en") == "KR (South Korea)"
    assert describe_country("QQ") == "QQ"
