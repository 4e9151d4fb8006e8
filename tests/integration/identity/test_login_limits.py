"""Failed sign-ins are limited per account and per address, on the API and the pages, with a
429 problem detail in Vietnamese or English and `Retry-After`; the counters live in the
database, so two processes of the service count the same attempts."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.agreements.__main__ import migrate_database
from services.agreements.app import create_app
from services.agreements.settings import AgreementsSettings
from tests.conftest import fresh_database

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AgreementsSettings]:
    """A database of its own per test: the counters of one test never reach another."""
    with fresh_database(request.param, tmp_path_factory, "login_limits") as url:
        migrate_database(url)
        yield AgreementsSettings(
            env="test",
            data_dir=Path(str(tmp_path_factory.mktemp("login-limits"))),
            agreements_database_url=url,
            watchdog_interval_s=0,
            login_limit_per_address="8 per 15 minutes",
        )


def client(
    settings: AgreementsSettings, stack: ExitStack, address: str = "198.51.100.7"
) -> TestClient:
    app = create_app(settings)
    return stack.enter_context(
        TestClient(app, raise_server_exceptions=False, client=(address, 50000))
    )


def login(c: TestClient, username: str, password: str, lang: str = "vi") -> int:
    r = c.post(
        "/v1/auth/token",
        data={"username": username, "password": password},
        headers={"Accept-Language": lang},
    )
    return r.status_code


def test_an_account_is_refused_after_five_failures_even_with_its_password(
    settings: AgreementsSettings,
) -> None:
    with ExitStack() as stack:
        c = client(settings, stack)
        assert [login(c, "officer@ha-noi", "guess") for _ in range(5)] == [401] * 5
        r = c.post("/v1/auth/token", data={"username": "officer@ha-noi", "password": "dev"})
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        wait = int(r.headers["Retry-After"])
        assert 0 < wait <= 15 * 60
        problem = r.json()
        assert problem["type"].endswith("/too-many-logins")
        assert problem["title"] == "Quá nhiều yêu cầu"
        assert "Đăng nhập sai quá nhiều lần" in problem["detail"]
        english = c.post(
            "/v1/auth/token",
            data={"username": "OFFICER@ha-noi ", "password": "dev"},  # the same account
            headers={"Accept-Language": "en"},
        )
        assert english.status_code == 429
        assert english.json()["title"] == "Too many requests"
        assert "Too many failed sign-ins" in english.json()["detail"]
        # Another account from the same address still signs in.
        assert login(c, "officer@hue", "dev") == 200


def test_a_successful_sign_in_clears_its_accounts_failures(settings: AgreementsSettings) -> None:
    with ExitStack() as stack:
        c = client(settings, stack)
        assert [login(c, "leader@hue", "x") for _ in range(4)] == [401] * 4
        assert login(c, "leader@hue", "dev") == 200
        # Uncleared, the account would be over its five failures by the second of these.
        assert [login(c, "leader@hue", "x") for _ in range(3)] == [401] * 3
        assert login(c, "leader@hue", "dev") == 200


def test_an_address_is_refused_after_its_failures_across_accounts(
    settings: AgreementsSettings,
) -> None:
    with ExitStack() as stack:
        attacker = client(settings, stack, address="203.0.113.9")
        other = client(settings, stack, address="198.51.100.20")
        tried = [
            login(attacker, f"officer@{p}", "x") for p in ("hue", "ha-noi", "da-nang", "can-tho")
        ]
        tried += [
            login(attacker, f"leader@{p}", "x") for p in ("hue", "ha-noi", "da-nang", "can-tho")
        ]
        assert tried == [401] * 8
        assert login(attacker, "pm@office", "dev") == 429
        # The limit is the address's: the same accounts from elsewhere are not locked.
        assert login(other, "officer@hue", "dev") == 200


def test_two_processes_count_the_same_failures(settings: AgreementsSettings) -> None:
    """Two app instances, two connection pools, one database: as two workers or replicas."""
    with ExitStack() as stack:
        first, second = client(settings, stack), client(settings, stack)
        for c in (first, second, first, second, first):
            assert login(c, "reviewer@mofa", "x") == 401
        assert login(second, "reviewer@mofa", "dev") == 429
        assert login(first, "reviewer@mofa", "dev") == 429


def test_the_window_ends(settings: AgreementsSettings) -> None:
    short = settings.model_copy(update={"login_limit_per_account": "2 per 2 seconds"})
    with ExitStack() as stack:
        c = client(short, stack)
        assert [login(c, "ops@system", "x") for _ in range(2)] == [401, 401]
        assert login(c, "ops@system", "dev") == 429
        time.sleep(2.1)
        assert login(c, "ops@system", "dev") == 200


def test_the_sign_in_page_is_limited_too(settings: AgreementsSettings) -> None:
    with ExitStack() as stack:
        c = client(settings, stack)
        page = c.get("/ui/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf

        def attempt(password: str) -> object:
            return c.post(
                "/ui/login",
                data={"username": "council@hue", "password": password, "csrf_token": csrf[1]},
                follow_redirects=False,
            )

        assert [attempt("x").status_code for _ in range(5)] == [401] * 5  # type: ignore[attr-defined]
        refused = attempt("dev")
        assert refused.status_code == 429  # type: ignore[attr-defined]
        assert int(refused.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
        assert "Đăng nhập sai quá nhiều lần" in refused.text  # type: ignore[attr-defined]
        # The API counts the same account.
        assert login(c, "council@hue", "dev") == 429
