"""Logout means logout: a signed-out session's tokens are refused by all three services within
the stated bound (one revocation poll, 0.5 s here; 2 s by default), at once by the agreements
service that revoked; an administrator's revocation and a refresh token used twice end a
session the same way."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from common.auth import TokenService
from common.devservers import free_ports, serving
from common.revocation import Revocations
from common.settings import CommonSettings
from tests.integration.identity.conftest import POLL_S, ROOT, Services

pytestmark = pytest.mark.integration

# A poll interval, the poll's own request, and a request of the probe.
BOUND_S = POLL_S + 1.5
ALL_OK = {"agreements": 200, "notifications": 200, "reporting": 200}
ALL_REFUSED = {"agreements": 401, "notifications": 401, "reporting": 401}


def refused_everywhere_within(services: Services, token: str, bound_s: float) -> float:
    """Seconds until every service refused the token; fails past the bound."""
    started = time.monotonic()
    while (answers := services.probe(token)) != ALL_REFUSED:
        assert all(code in (200, 401) for code in answers.values()), answers
        if time.monotonic() - started > bound_s:
            pytest.fail(f"still accepted {bound_s}s after revocation: {answers}")
        time.sleep(0.05)
    return time.monotonic() - started


def test_an_api_logout_is_refused_by_all_three_services_within_the_bound(
    services: Services,
) -> None:
    signed = services.login("officer@ha-noi")
    token = signed["access_token"]
    assert signed["expires_in"] == 15 * 60
    assert signed["refresh_token"] and signed["session_id"]
    assert services.probe(token) == ALL_OK

    r = httpx.post(
        f"{services.urls['agreements']}/v1/auth/logout",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 204, r.text
    # The service that revoked refuses it at once.
    me = httpx.get(
        f"{services.urls['agreements']}/v1/auth/me",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        timeout=10,
    )
    assert me.status_code == 401
    assert me.headers["content-type"].startswith("application/problem+json")
    refused_everywhere_within(services, token, BOUND_S)
    # Its refresh token ended with it.
    r = httpx.post(
        f"{services.urls['agreements']}/v1/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": signed["refresh_token"]},
        timeout=10,
    )
    assert r.status_code == 401
    # Another session of the same person is untouched.
    assert services.probe(services.login("officer@ha-noi")["access_token"]) == ALL_OK


def test_a_page_logout_ends_the_cookie_token_on_every_api(services: Services) -> None:
    base = services.urls["agreements"]
    with httpx.Client(base_url=base, timeout=10) as browser:
        page = browser.get("/ui/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, page.text[:500]
        r = browser.post(
            "/ui/login",
            data={"username": "reviewer@mofa", "password": "dev", "csrf_token": csrf[1]},
        )
        assert r.status_code in (302, 303), r.text
        token = browser.cookies.get("agr_session", path="/ui")
        assert token
        # The page cookie holds a session token: it works on every API while signed in...
        assert services.probe(token) == ALL_OK
        home = browser.get(r.headers["location"])
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
        assert csrf, home.text[:500]
        r = browser.post("/ui/logout", data={"csrf_token": csrf[1]})
        assert r.status_code in (302, 303)
    # ...and on none once signed out.
    refused_everywhere_within(services, token, BOUND_S)


def test_an_administrators_revocation_ends_every_session_of_the_person(
    services: Services,
) -> None:
    first = services.login("leader@da-nang")["access_token"]
    second = services.login("leader@da-nang")["access_token"]
    admin = services.login("admin@system")["access_token"]
    listed = httpx.get(
        f"{services.urls['agreements']}/v1/auth/sessions",
        params={"subject": "leader@da-nang"},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert listed.status_code == 200 and listed.json()["count"] >= 2
    # Nobody else may revoke a person.
    r = httpx.post(
        f"{services.urls['agreements']}/v1/auth/revocations",
        json={"subject": "leader@da-nang"},
        headers={"Authorization": f"Bearer {first}"},
        timeout=10,
    )
    assert r.status_code == 403
    r = httpx.post(
        f"{services.urls['agreements']}/v1/auth/revocations",
        json={"subject": "leader@da-nang", "reason": "role_changed"},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    assert r.json()["sessions_ended"] >= 2
    for token in (first, second):
        refused_everywhere_within(services, token, BOUND_S)
    # They sign in again at once, and that session counts.
    assert services.probe(services.login("leader@da-nang")["access_token"]) == ALL_OK


def test_a_refresh_token_works_once_and_a_replayed_one_ends_the_session(
    services: Services,
) -> None:
    signed = services.login("registry@mofa")
    token_url = f"{services.urls['agreements']}/v1/auth/token"
    renewed = httpx.post(
        token_url,
        data={"grant_type": "refresh_token", "refresh_token": signed["refresh_token"]},
        timeout=10,
    )
    assert renewed.status_code == 200, renewed.text
    fresh = renewed.json()
    assert fresh["session_id"] == signed["session_id"]
    assert fresh["refresh_token"] != signed["refresh_token"]
    assert services.probe(fresh["access_token"]) == ALL_OK
    # The first refresh token again: someone kept a copy. The whole session ends.
    replayed = httpx.post(
        token_url,
        data={"grant_type": "refresh_token", "refresh_token": signed["refresh_token"]},
        timeout=10,
    )
    assert replayed.status_code == 401
    refused_everywhere_within(services, fresh["access_token"], BOUND_S)
    refused_everywhere_within(services, signed["access_token"], BOUND_S)


def test_the_revocation_feed_is_for_the_services_only(services: Services) -> None:
    officer = services.login("officer@hue")["access_token"]
    r = httpx.get(
        f"{services.urls['agreements']}/v1/auth/revocations",
        headers={"Authorization": f"Bearer {officer}"},
        timeout=10,
    )
    assert r.status_code == 401
    assert httpx.get(f"{services.urls['agreements']}/v1/auth/revocations").status_code == 401


def service_token() -> str:
    """What the reporting service shows the feed (the services share the test secret)."""
    return TokenService(
        CommonSettings(), Revocations(strict=False, max_staleness_s=60)
    ).issue_service("reporting")


def test_the_feed_holds_a_services_question_until_a_revocation_comes(services: Services) -> None:
    feed = f"{services.urls['agreements']}/v1/auth/revocations"
    signed = services.login("officer@lang-son")
    now = time.time()
    question = {"since": now - 60, "newer_than": now, "wait": 20}
    with ThreadPoolExecutor(1) as pool:
        asked = time.monotonic()
        held = pool.submit(
            httpx.get,
            feed,
            params=question,
            headers={"Authorization": f"Bearer {service_token()}"},
            timeout=30,
        )
        time.sleep(1.0)
        assert not held.done(), "answered although nothing was revoked"
        r = httpx.post(
            f"{services.urls['agreements']}/v1/auth/logout",
            headers={"Authorization": f"Bearer {signed['access_token']}"},
            timeout=10,
        )
        assert r.status_code == 204, r.text
        answer = held.result(timeout=10)
        waited = time.monotonic() - asked
    assert answer.status_code == 200, answer.text
    assert signed["session_id"] in {e["value"] for e in answer.json()["data"]}
    assert waited < 5, f"the held question was answered {waited:.1f}s after it was asked"


def test_a_stopping_agreements_service_answers_held_questions_and_ends_at_once(
    services: Services,
) -> None:
    """A second agreements process on the same database: asked to stop while another
    service's question is held, it answers it and ends, instead of holding its graceful
    shutdown for the question's wait."""
    port = free_ports(1)[0]
    env = services.env | {"AGREEMENTS_PORT": str(port)}
    with serving("agreements", env, port, cwd=ROOT) as process:
        now = time.time()
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(
                httpx.get,
                f"http://127.0.0.1:{port}/v1/auth/revocations",
                params={"since": now - 60, "newer_than": now, "wait": 30},
                headers={"Authorization": f"Bearer {service_token()}"},
                timeout=40,
            )
            time.sleep(1.0)
            assert not held.done()
            stopping = time.monotonic()
            process.terminate()
            process.wait(10)
            ended = time.monotonic() - stopping
            answer = held.result(timeout=10)
        assert answer.status_code == 200, answer.text
        assert ended < 5, f"ended {ended:.1f}s after it was asked to stop"
