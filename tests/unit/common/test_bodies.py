"""The catalogue of consulted bodies (domain.md §2.2)."""

from __future__ import annotations

import pytest

from common.bodies import BODIES, PROVINCIAL_ROLES, get_body, provincial_body
from common.provinces import CURRENT_UNITS


def test_eleven_ministries_and_the_bodies_of_every_current_unit() -> None:
    levels = [body.level for body in BODIES.values()]
    assert levels.count("central") == 11
    for unit in CURRENT_UNITS:
        roles = {b.code.split(".", 1)[1] for b in BODIES.values() if b.province == unit}
        # The four the law routes to by name, and the departments since the 2025 reorganisation.
        assert set(PROVINCIAL_ROLES) <= roles
        assert {"home-affairs", "finance", "education", "health", "inspectorate"} <= roles


def test_the_foreign_affairs_body_is_named_as_it_is_in_each_province() -> None:
    # A Department of Foreign Affairs in a border province...
    assert provincial_body("lang-son", "foreign-affairs").name_vi == "Sở Ngoại vụ tỉnh Lạng Sơn"
    # ...the Office of the provincial People's Committee where there is none, listed once.
    office = provincial_body("bac-ninh", "foreign-affairs")
    assert office.name_vi == "Văn phòng Ủy ban nhân dân tỉnh Bắc Ninh"
    assert get_body("bac-ninh.committee-office") is None
    assert get_body("lang-son.committee-office") is not None


def test_every_body_is_named_in_both_languages() -> None:
    for body in BODIES.values():
        assert body.name_vi.strip() and body.name_en.strip(), body.code
    assert len({body.name_vi for body in BODIES.values()}) == len(BODIES)


def test_provincial_bodies_belong_to_a_current_unit_and_central_ones_to_none() -> None:
    for body in BODIES.values():
        if body.level == "provincial":
            assert body.province in CURRENT_UNITS
            assert body.code.startswith(f"{body.province}.")
        else:
            assert body.province is None


def test_lookup_by_code() -> None:
    mofa = get_body("mofa")
    assert mofa is not None
    assert mofa.name_vi == "Bộ Ngoại giao"
    assert mofa.name_en == "Ministry of Foreign Affairs"
    assert get_body("lang-son.border-guard") == provincial_body("lang-son", "border-guard")
    assert get_body("nope") is None


def test_provincial_names_say_province_or_city() -> None:
    assert provincial_body("lang-son", "police").name_vi == "Công an tỉnh Lạng Sơn"
    assert provincial_body("lang-son", "foreign-affairs").name_en == (
        "Lang Son Department of Foreign Affairs"
    )
    assert provincial_body("da-nang", "military").name_vi == "Bộ Chỉ huy Quân sự thành phố Đà Nẵng"
    assert provincial_body("thanh-pho-ho-chi-minh", "police").name_vi == (
        "Công an Thành phố Hồ Chí Minh"
    )


def test_unknown_role_or_province_is_refused() -> None:
    with pytest.raises(ValueError):
        provincial_body("lang-son", "customs")
    with pytest.raises(ValueError):
        provincial_body("kien-giang", "police")  # merged into An Giang
