"""Language negotiation, tokens and the development directory."""

from __future__ import annotations

import pytest

from common.auth import InvalidToken, Principal, Role, TokenService
from common.bodies import BODIES
from common.directory import authenticate, dev_users
from common.http import pick_language
from common.provinces import CURRENT_UNITS
from common.settings import CommonSettings


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "vi"),
        ("", "vi"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr, en;q=0.5", "en"),
        ("vi-VN", "vi"),
        ("en;q=0.3, vi;q=0.8", "vi"),
        ("de", "vi"),
        ("en;q=bogus", "en"),
    ],
)
def test_language_is_vietnamese_unless_english_is_preferred(header: str | None, lang: str) -> None:
    assert pick_language(header) == lang


def test_directory_has_every_seeded_login() -> None:
    users = dev_users()
    for code in CURRENT_UNITS:
        assert users[f"officer@{code}"].role is Role.PROVINCE_OFFICER
        assert users[f"leader@{code}"].org == code
    for code in BODIES:
        assert users[f"reviewer@{code}"].org == code
        assert users[f"supervisor@{code}"].role is Role.SUPERVISOR
        assert users[f"supervisor@{code}"].org == code
    for name in ("pm@office", "registry@mofa", "ops@system", "admin@system"):
        assert name in users
    assert authenticate("officer@ha-noi", "dev", "dev") is not None
    assert authenticate("officer@ha-noi", "wrong", "dev") is None
    assert authenticate("nobody@nowhere", "dev", "dev") is None


def test_tokens_round_trip_and_foreign_or_expired_tokens_are_refused() -> None:
    tokens = TokenService(CommonSettings())
    me = Principal("officer@hue", Role.PROVINCE_OFFICER, "hue", "Cán bộ Huế")
    assert tokens.verify(tokens.issue(me)) == me
    other = TokenService(CommonSettings(jwt_secret="another-secret-of-enough-length-0123456789"))
    with pytest.raises(InvalidToken):
        other.verify(tokens.issue(me))
    with pytest.raises(InvalidToken):
        tokens.verify(tokens.issue(me, ttl_seconds=-10))
    with pytest.raises(InvalidToken):
        TokenService(CommonSettings(jwt_audience="someone-else")).verify(tokens.issue(me))


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="JWT_SECRET"):
        CommonSettings(env="production")
    CommonSettings(env="production", jwt_secret="a-real-secret-from-the-vault-0123456789")
