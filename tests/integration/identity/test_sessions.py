"""Page sessions slide while the person is active and end when idle; forms stay valid across a
renewed token; a sign-in showing another role or organisation ends the person's older
sessions at once."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from services.agreements.__main__ import migrate_database
from services.agreements.app import create_app
from services.agreements.settings import AgreementsSettings
from tests.conftest import fresh_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory, "sessions") as url:
        migrate_database(url)
        yield url


def app_client(url: str, tmp_path: Path, **settings: object) -> TestClient:
    config = AgreementsSettings(
        env="test",
        data_dir=tmp_path,
        agreements_database_url=url,
        watchdog_interval_s=0,
        **settings,  # type: ignore[arg-type]
    )
    return TestClient(create_app(config), raise_server_exceptions=False, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found[1]


def sign_in(c: TestClient, username: str) -> str:
    r = c.post(
        "/ui/login",
        data={
            "username": username,
            "password": "dev",
            "csrf_token": csrf_of(c.get("/ui/login").text),
        },
    )
    assert r.status_code in (302, 303), r.text
    token = c.cookies.get("agr_session", path="/ui")
    assert token
    return token


def test_an_active_page_session_gets_new_tokens_and_an_idle_one_ends(
    database: str, tmp_path: Path
) -> None:
    with app_client(database, tmp_path, jwt_ttl_seconds=2, session_idle_seconds=5) as c:
        first = sign_in(c, "officer@ha-noi")
        page = c.get("/ui/agreements")
        assert page.status_code == 200
        old_form = csrf_of(page.text)
        time.sleep(2.3)  # the token has expired; the session lives
        page = c.get("/ui/agreements")
        assert page.status_code == 200, "still signed in"
        renewed = c.cookies.get("agr_session", path="/ui")
        assert renewed and renewed != first
        claims = jwt.decode(renewed, options={"verify_signature": False})
        assert claims["sid"] == jwt.decode(first, options={"verify_signature": False})["sid"]
        assert claims["exp"] > time.time()
        # A form rendered before the renewal still goes through (bound to the session).
        r = c.post("/ui/language", data={"lang": "en", "csrf_token": old_form})
        assert r.status_code in (302, 303)
        # The new token works on the API; the expired one does not.
        assert (
            c.get("/v1/auth/me", headers={"Authorization": f"Bearer {renewed}"}).status_code == 200
        )
        assert c.get("/v1/auth/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
        time.sleep(5.5)  # idle past the session's limit
        r = c.get("/ui/agreements")
        assert r.status_code in (302, 303) and "/ui/login" in r.headers["location"]


def test_a_sign_in_with_another_role_ends_the_older_sessions_at_once(
    database: str, tmp_path: Path
) -> None:
    """An issuer moved a person to another post: the next token they bring carries the new
    role, and the sessions opened with the old one end everywhere."""
    with app_client(database, tmp_path) as c, app_client(database, tmp_path) as other:
        settings = c.app.state.settings  # type: ignore[attr-defined]

        def issuer_token(role: str, org: str) -> str:
            now = int(time.time())
            claims = {
                "iss": settings.jwt_issuer,
                "aud": settings.jwt_audience,
                "sub": "nguyen.van.a@gov.vn",
                "role": role,
                "org": org,
                "iat": now,
                "exp": now + 600,
            }
            return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")

        def paste(client: TestClient, token: str) -> str:
            form = csrf_of(client.get("/ui/login").text)
            r = client.post("/ui/login/token", data={"token": token, "csrf_token": form})
            assert r.status_code in (302, 303), r.text
            session_token = client.cookies.get("agr_session", path="/ui")
            assert session_token
            return session_token

        as_reviewer = paste(c, issuer_token("reviewer", "mofa"))
        me = c.get("/v1/auth/me", headers={"Authorization": f"Bearer {as_reviewer}"})
        assert me.status_code == 200 and me.json()["role"] == "reviewer"
        as_officer = paste(other, issuer_token("province_officer", "hue"))
        # At once in the process that signed them in...
        old = {"Authorization": f"Bearer {as_reviewer}"}
        assert other.get("/v1/auth/me", headers=old).status_code == 401
        # ...and within a poll of the revocations in another (2 s by default).
        deadline = time.monotonic() + settings.revocation_poll_seconds + 1.5
        while c.get("/v1/auth/me", headers=old).status_code != 401:
            assert time.monotonic() < deadline, "the other process still accepts the old role"
            time.sleep(0.05)
        me = other.get("/v1/auth/me", headers={"Authorization": f"Bearer {as_officer}"})
        assert me.status_code == 200 and me.json()["org"] == "hue"
        # The old page session is over too.
        r = c.get("/ui/agreements")
        assert r.status_code in (302, 303) and "/ui/login" in r.headers["location"]
