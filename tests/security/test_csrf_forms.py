"""CSRF on every form of the pages: a POST to any /ui route of a signed-in browser is refused
with the CSRF error page when it carries no token, the token of another session (the same
person signed in elsewhere), or its own token but from another site (Origin, or
Sec-Fetch-Site: cross-site). The forms are read from the application's routes, so a new one
is probed without a change here."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from services.agreements.app import create_app
from services.agreements.settings import AgreementsSettings
from services.agreements.ui import i18n
from tests.security.conftest import VICTIM, Stack, World

pytestmark = pytest.mark.integration

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
REFUSED = {lang: i18n.text("error.csrf", lang) for lang in ("vi", "en")}


def form_routes(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every POST route under /ui, from the application itself (the pages are not in the
    OpenAPI document)."""
    app = create_app(
        AgreementsSettings(env="test", data_dir=tmp_path_factory.mktemp("csrf-routes"))
    )
    found = set()
    for context in iter_route_contexts(app.routes):
        methods = getattr(context.original_route, "methods", None) or set()
        if "POST" in methods and context.path and context.path.startswith("/ui"):
            found.add(context.path)
    return sorted(found)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def browser(stack: Stack, username: str | None) -> tuple[httpx.Client, str]:
    """A browser of its own (cookies), signed in through the page when `username` is given,
    and a CSRF token of its session (of its sign-in form otherwise)."""
    client = httpx.Client(base_url=stack.urls["agreements"], timeout=30)
    token = csrf_of(client.get("/ui/login").text)
    if username is None:
        return client, token
    sign_in = {"username": username, "password": "dev", "csrf_token": token}
    r = client.post("/ui/login", data=sign_in)
    assert r.status_code == 303, r.text
    return client, csrf_of(client.get("/ui/agreements").text)


@pytest.fixture(scope="module")
def browsers(stack: Stack) -> Iterator[dict[str, tuple[httpx.Client, str]]]:
    made = {
        "mine": browser(stack, VICTIM),
        "elsewhere": browser(stack, VICTIM),
        "operator": browser(stack, "ops@system"),
        "operator elsewhere": browser(stack, "ops@system"),
        "signed out": browser(stack, None),
        "signed out elsewhere": browser(stack, None),
    }
    yield made
    for client, _ in made.values():
        client.close()


def fill(path: str, world: World) -> str:
    values = {
        "agreement_id": world.agreement_id,
        "task_id": world.task_id,
        "upload_id": uuid.uuid4().hex,
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no value for a parameter of {path}"
    return path


def test_every_form_refuses_a_post_without_its_sessions_token_or_from_another_site(
    stack: Stack,
    world: World,
    browsers: dict[str, tuple[httpx.Client, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    paths = form_routes(tmp_path_factory)
    assert "/ui/agreements/new" in paths and "/ui/login" in paths
    wrong = []
    for path in paths:
        # Who may use the form, so that only the CSRF check can refuse it.
        if path.startswith("/ui/login"):
            mine, elsewhere = "signed out", "signed out elsewhere"
        elif path.startswith("/ui/ops"):
            mine, elsewhere = "operator", "operator elsewhere"
        else:
            mine, elsewhere = "mine", "elsewhere"
        client, own = browsers[mine]
        _, other = browsers[elsewhere]
        attempts = {
            "no token": ({}, {}),
            "another session's token": ({"csrf_token": other}, {}),
            "a foreign Origin": ({"csrf_token": own}, {"Origin": "https://evil.example"}),
            "Origin null": ({"csrf_token": own}, {"Origin": "null"}),
            "a cross-site fetch": ({"csrf_token": own}, {"Sec-Fetch-Site": "cross-site"}),
        }
        for what, (token, headers) in attempts.items():
            data = token | {"username": VICTIM, "password": "dev", "title": "Giả mạo"}
            r = client.post(fill(path, world), data=data, headers=headers)
            if r.status_code != 403 or not any(text in r.text for text in REFUSED.values()):
                wrong.append(f"POST {path} with {what}: {r.status_code}")
    assert not wrong, "forms not refused:\n" + "\n".join(wrong)


def test_the_same_form_from_this_site_with_its_token_is_accepted(
    browsers: dict[str, tuple[httpx.Client, str]],
) -> None:
    """The refusals above are the CSRF check's: the browser's own token, from its own pages,
    passes (the language switch: it changes nothing of anyone else's)."""
    client, own = browsers["mine"]
    origin = str(client.base_url).rstrip("/")
    r = client.post(
        "/ui/language",
        data={"csrf_token": own, "lang": "vi"},
        headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"},
    )
    assert r.status_code == 303, r.text
