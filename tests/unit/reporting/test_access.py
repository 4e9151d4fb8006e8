"""Whose figures each caller sees."""

from __future__ import annotations

import pytest

from common.auth import Principal, Role
from services.reporting.domain.access import NotYourProvince, scoped_province, visible_province


def _p(role: Role, org: str) -> Principal:
    return Principal(f"{role}@{org}", role, org)


def test_province_roles_see_their_province_and_nothing_else() -> None:
    officer = _p(Role.PROVINCE_OFFICER, "hue")
    assert scoped_province(officer, None) == "hue"
    assert scoped_province(officer, "hue") == "hue"
    with pytest.raises(NotYourProvince):
        scoped_province(officer, "ha-noi")
    assert visible_province(_p(Role.PROVINCIAL_LEADER, "hue")) == "hue"


def test_central_roles_and_ministry_reviewers_see_all() -> None:
    for role, org in (
        (Role.ADMIN, "system"),
        (Role.OPERATOR, "system"),
        (Role.MOFA_REGISTRY, "mofa"),
        (Role.PM_OFFICE, "pm-office"),
        (Role.REVIEWER, "mofa"),
        (Role.SUPERVISOR, "mps"),
    ):
        assert visible_province(_p(role, org)) is None, role
        assert scoped_province(_p(role, org), "ha-noi") == "ha-noi"


def test_a_provincial_body_sees_its_province() -> None:
    assert visible_province(_p(Role.REVIEWER, "lang-son.border-guard")) == "lang-son"
