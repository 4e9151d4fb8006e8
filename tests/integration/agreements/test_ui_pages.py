"""The web pages check who is asking exactly as the API does, protect cookie sessions, and
answer bad input with messages on the page, on each database backend."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from common.auth import Principal, Role
from common.db import utcnow
from common.law.vocabulary import TaskKind, TaskStatus
from services.agreements.app import create_app
from services.agreements.models import Task
from services.agreements.settings import AgreementsSettings

from .conftest import Stack

pytestmark = pytest.mark.integration

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
DRAFT = {
    "title": "Bản ghi nhớ hợp tác y tế (trang web)",
    "form": "MEMORANDUM_OF_UNDERSTANDING",
    "category": "INTERNATIONAL_AGREEMENT",
    "signatory_level": "PROVINCIAL_COMMITTEE",
    "foreign_party.name": "Busan Metropolitan City",
    "foreign_party.country": "KR",
    "foreign_party.type": "LOCAL_GOVERNMENT",
    "fields": ["health"],
    "languages": "vi, ko",
    "procedure": "STANDARD",
}


def browser(stack: Stack) -> TestClient:
    """A fresh browser (its own cookies) on the stack's application."""
    return TestClient(stack.client.app, raise_server_exceptions=False)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str) -> str:
    """Sign in through the page; returns a CSRF token of the new session."""
    page = client.get("/ui/login")
    r = client.post(
        "/ui/login",
        data={"username": username, "password": "dev", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/ui/tasks").text)


def create_draft(client: TestClient, csrf: str, **changes: Any) -> str:
    r = client.post(
        "/ui/agreements/new", data=DRAFT | changes | {"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).split("/")[3].split("?")[0]


def test_another_province_cannot_open_or_change_a_draft(stack: Stack) -> None:
    hanoi = browser(stack)
    agreement_id = create_draft(hanoi, sign_in(hanoi, "officer@ha-noi"))
    assert hanoi.get(f"/ui/agreements/{agreement_id}").status_code == 200

    danang = browser(stack)
    csrf = sign_in(danang, "officer@da-nang")
    page = danang.get(f"/ui/agreements/{agreement_id}")
    assert page.status_code == 404
    assert "Không tìm thấy trang hoặc hồ sơ này" in page.text
    assert DRAFT["title"] not in danang.get("/ui/agreements").text
    edit = danang.post(
        f"/ui/agreements/{agreement_id}/edit",
        data=DRAFT | {"title": "Bị sửa trái phép", "csrf_token": csrf, "version": "1"},
    )
    assert edit.status_code == 404
    submit = danang.post(f"/ui/agreements/{agreement_id}/submit", data={"csrf_token": csrf})
    assert submit.status_code == 404
    assert DRAFT["title"] in hanoi.get(f"/ui/agreements/{agreement_id}").text


def test_reviewer_sees_only_dossiers_sent_to_their_body(stack: Stack) -> None:
    hanoi = browser(stack)
    agreement_id = create_draft(
        hanoi, sign_in(hanoi, "officer@ha-noi"), title="Bản ghi nhớ gửi Bộ Ngoại giao (trang)"
    )
    # The workflow's activity opens a consultation task for the Ministry of Foreign Affairs.
    with stack.db.write_session() as session:
        session.add(
            Task(
                id=str(uuid.uuid4()),
                agreement_id=agreement_id,
                kind=TaskKind.CONSULTATION,
                assignee_role=Role.REVIEWER.value,
                assignee_org="mofa",
                status=TaskStatus.OPEN,
                requested_at=utcnow(),
                due_at=utcnow() - timedelta(days=1),
            )
        )
        session.commit()

    mofa = browser(stack)
    sign_in(mofa, "reviewer@mofa")
    assert mofa.get(f"/ui/agreements/{agreement_id}").status_code == 200
    inbox = mofa.get("/ui/tasks").text
    assert "Bản ghi nhớ gửi Bộ Ngoại giao (trang)" in inbox
    assert "Quá hạn" in inbox  # overdue tasks are marked

    health = browser(stack)
    sign_in(health, "reviewer@moh")
    assert health.get(f"/ui/agreements/{agreement_id}").status_code == 404
    assert "Bản ghi nhớ gửi Bộ Ngoại giao (trang)" not in health.get("/ui/tasks").text
    assert "Bản ghi nhớ gửi Bộ Ngoại giao (trang)" not in health.get("/ui/agreements").text
    # Reviewers draft nothing: the new-draft page and its form answer with the 403 page.
    page = mofa.get("/ui/agreements/new")
    assert page.status_code == 403 and "<html" in page.text.lower()
    assert mofa.post("/ui/agreements/new", data=DRAFT).status_code == 403


def test_a_form_without_its_csrf_token_changes_nothing(stack: Stack) -> None:
    client = browser(stack)
    sign_in(client, "officer@ha-noi")
    title = f"Bản ghi nhớ giả mạo {uuid.uuid4().hex[:6]}"
    for token in ("", "forged"):
        r = client.post("/ui/agreements/new", data=DRAFT | {"title": title, "csrf_token": token})
        assert r.status_code == 403
        assert "Biểu mẫu đã hết hạn" in r.text
    # Another session's token does not fit either.
    other = browser(stack)
    stolen = sign_in(other, "officer@hai-phong")
    assert stolen != csrf_of(client.get("/ui/agreements").text)
    r = client.post("/ui/agreements/new", data=DRAFT | {"title": title, "csrf_token": stolen})
    assert r.status_code == 403
    assert title not in client.get("/ui/agreements").text


def test_session_cookie_is_httponly_samesite_and_scoped_to_the_pages(stack: Stack) -> None:
    client = browser(stack)
    page = client.get("/ui/login")
    r = client.post(
        "/ui/login",
        data={"username": "leader@ha-noi", "password": "dev", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("agr_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/ui" in cookie
    assert r.headers["location"] == "/ui/tasks"
    pages = client.get("/ui/tasks")
    assert "script-src 'self'" in pages.headers["content-security-policy"]


def test_an_expired_session_is_sent_to_sign_in_and_back(stack: Stack) -> None:
    client = browser(stack)
    client.cookies.set("agr_session", "expired.or.forged", path="/ui")
    r = client.get("/ui/tasks?show=closed", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/ui/login?next=/ui/tasks%3Fshow%3Dclosed&expired=1"
    assert "Phiên làm việc đã hết hạn" in client.get(r.headers["location"]).text


def test_wrong_password_and_foreign_redirect_targets_are_refused(stack: Stack) -> None:
    client = browser(stack)
    page = client.get("/ui/login")
    r = client.post(
        "/ui/login",
        data={"username": "officer@ha-noi", "password": "nope", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in r.text
    r = client.post(
        "/ui/login",
        data={
            "username": "officer@ha-noi",
            "password": "dev",
            "csrf_token": csrf_of(r.text),
            "next": "//evil.example/ui/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/ui/agreements"


def test_bad_input_is_answered_next_to_the_fields_never_with_a_server_error(stack: Stack) -> None:
    client = browser(stack)
    csrf = sign_in(client, "officer@ha-noi")
    r = client.post(
        "/ui/agreements/new",
        data=DRAFT
        | {
            "csrf_token": csrf,
            "title": "Hiệp ước hữu nghị",
            "fields": ["not-a-field"],
            "term_months": "abc",
            "foreign_party.country": "ZZ",
            "languages": "vi, 12",
            "form": "TREATY",
        },
    )
    assert r.status_code == 422
    assert "Hãy chọn một mục trong danh sách." in r.text
    assert "Hãy nhập một số nguyên." in r.text
    assert 'aria-invalid="true"' in r.text
    # Once the shapes are right, the law's rules speak: treaty name, unknown country.
    r = client.post(
        "/ui/agreements/new",
        data=DRAFT
        | {"csrf_token": csrf, "title": "Hiệp ước hữu nghị", "foreign_party.country": "ZZ"},
    )
    assert r.status_code == 422
    assert "Điều 6" in r.text
    assert "ISO 3166-1" in r.text
    assert client.get("/ui/agreements/not-an-id").status_code == 404
    assert client.get("/ui/tasks/not-an-id").status_code == 404
    assert client.get("/ui/agreements?page=abc&status=NOPE").status_code == 200


def test_english_is_remembered_for_the_person_not_the_browser(stack: Stack) -> None:
    first = browser(stack)
    csrf = sign_in(first, "officer@quang-ninh")
    assert '<html lang="vi">' in first.get("/ui/agreements").text
    r = first.post(
        "/ui/language",
        data={"lang": "en", "csrf_token": csrf, "next": "/ui/agreements"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/ui/agreements"
    assert '<html lang="en">' in first.get("/ui/agreements").text

    elsewhere = browser(stack)
    sign_in(elsewhere, "officer@quang-ninh")
    page = elsewhere.get("/ui/agreements").text
    assert '<html lang="en">' in page
    assert "New draft" in page
    # Nobody else's pages changed language.
    other = browser(stack)
    sign_in(other, "officer@ha-noi")
    assert '<html lang="vi">' in other.get("/ui/agreements").text


def test_production_pages_take_the_issuers_token_and_no_password(stack: Stack) -> None:
    settings = AgreementsSettings(
        env="production",
        jwt_secret="production-secret-for-the-test-0123456789abcdef",
        data_dir=stack.settings.data_dir,
        agreements_database_url=stack.settings.database_url,
        kafka_bootstrap_servers=stack.settings.kafka_bootstrap_servers,
        temporal_address=stack.settings.temporal_address,
    )
    app = create_app(settings)
    token = app.state.tokens.issue(Principal("officer@ha-noi", Role.PROVINCE_OFFICER, "ha-noi"))
    # Production is served over HTTPS: its cookies are Secure.
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        page = client.get("/ui/login")
        assert 'name="password"' not in page.text
        assert "Mã truy cập" in page.text
        r = client.post(
            "/ui/login",
            data={
                "username": "officer@ha-noi",
                "password": "dev",
                "csrf_token": csrf_of(page.text),
            },
        )
        assert r.status_code == 403

        # A single sign-on gateway passes the token as a header: no cookie, no CSRF token.
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/ui/agreements", headers=bearer).status_code == 200
        r = client.post("/ui/agreements/new", data=DRAFT, headers=bearer, follow_redirects=False)
        assert r.status_code == 303

        # Or the person pastes the token once; the cookie is Secure outside development.
        page = client.get("/ui/login")
        r = client.post(
            "/ui/login/token",
            data={"token": token, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("agr_session="))
        assert "Secure" in cookie
        r = client.post("/ui/login/token", data={"token": "garbage", "csrf_token": "x"})
        assert r.status_code in (401, 403)
