"""Rendering of the web pages: the Jinja2 environment, the context every page gets, security
headers, and HTML answers for errors on /ui (the API keeps its problem details)."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.auth import Role
from common.law.vocabulary import DECIDER_ROLES
from common.logs import get_correlation_id
from services.agreements.domain import access
from services.agreements.errors import ServiceError
from services.agreements.ops.access import may_use_console
from services.agreements.settings import AgreementsSettings
from services.agreements.ui import i18n
from services.agreements.ui.session import (
    CSRF_FIELD,
    SESSION_COOKIE,
    Caller,
    csrf_token,
    identify,
)

log = logging.getLogger(__name__)

HERE: Final = Path(__file__).parent
STATIC: Final = HERE / "static"
PREFIX: Final = "/ui"

# Pages load only their own scripts and styles: no inline code, nothing from elsewhere.
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _asset_version() -> str:
    """Changes whenever a static file does, so browsers never keep a stale one."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION: Final = _asset_version()

ENV: Final = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    # A misspelt variable fails the page in tests instead of rendering blank.
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRequired(Exception):
    """No valid identity: the page sends the person to sign in and back."""


class CsrfRejected(Exception):
    """A cookie-authenticated form without its CSRF token (or with another session's)."""


def home_of(caller: Caller) -> str:
    """Where each role starts: officers at their agreements, everyone else at their tasks."""
    principal = caller.principal
    if principal is None:
        return f"{PREFIX}/login"
    if principal.role in (Role.PROVINCE_OFFICER, Role.ADMIN):
        return f"{PREFIX}/agreements"
    if access.sees_tasks(principal):
        return f"{PREFIX}/tasks"
    if may_use_console(principal):
        return f"{PREFIX}/ops"
    return f"{PREFIX}/nothing"


def nav_items(caller: Caller) -> list[tuple[str, str]]:
    principal = caller.principal
    if principal is None:
        return []
    items: list[tuple[str, str]] = []
    if principal.role is Role.PROVINCE_OFFICER:
        items.append((f"{PREFIX}/agreements", "nav.agreements"))
        items.append((f"{PREFIX}/agreements/new", "nav.new"))
        items.append((f"{PREFIX}/tasks", "nav.tasks"))
    elif principal.role in DECIDER_ROLES:
        items.append((f"{PREFIX}/tasks", "nav.tasks"))
        items.append((f"{PREFIX}/agreements", "nav.agreements"))
    elif access.sees_tasks(principal):
        items.append((f"{PREFIX}/tasks", "nav.tasks"))
        items.append((f"{PREFIX}/agreements", "nav.dossiers"))
    if principal.role in (Role.ADMIN, Role.MOFA_REGISTRY, Role.PROVINCE_OFFICER):
        items.append((f"{PREFIX}/import", "nav.import"))
    if may_use_console(principal):  # operators and administrators
        items.append((f"{PREFIX}/ops", "nav.ops"))
    # The reporting service serves every signed-in role, narrowed to what each may see (a
    # province its own figures): the pages show whatever it answers.
    items.append((f"{PREFIX}/reports", "nav.reports"))
    return items


def who(caller: Caller) -> str:
    principal = caller.principal
    if principal is None:
        return ""
    role = i18n.label("role", principal.role, caller.lang)
    return f"{principal.name or principal.subject} ({principal.subject}, {role})"


def context(request: Request, caller: Caller, **extra: Any) -> dict[str, Any]:
    lang = caller.lang
    settings: AgreementsSettings = request.app.state.settings

    def t(key: str, **params: Any) -> str:
        return i18n.text(key, lang, **params)

    def label(vocabulary: str, code: Any) -> str:
        return i18n.label(vocabulary, code, lang)

    flash = request.query_params.get("done", "")
    return {
        "here": _here(request, flash),
        "request": request,
        "lang": lang,
        "t": t,
        "label": label,
        "options": lambda vocabulary, codes=None: i18n.options(vocabulary, lang, codes),
        "local": lambda moment, with_time=True: i18n.local(moment, lang, with_time=with_time),
        "country": lambda code: i18n.country(code, lang),
        "body_name": lambda code: i18n.body_name(code, lang),
        "province_name": lambda code: i18n.province_name(code, lang),
        "field_label": lambda code: i18n.field_label(code, lang),
        "language_name": lambda code: i18n.language_name(code, lang),
        "principal": caller.principal,
        "who": who(caller),
        "nav": nav_items(caller),
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(settings, caller.binding),
        "asset_version": ASSET_VERSION,
        "path": request.url.path,
        # Only known messages: a crafted ?done= shows nothing.
        "flash": f"flash.{flash}" if f"flash.{flash}" in i18n.TEXTS else None,
        "max_mb": settings.max_document_bytes // (1024 * 1024),
        "max_bytes": settings.max_document_bytes,
        "is_development": settings.is_development,
        # Identifies one filling of a form: sent twice, it is still one action.
        "attempt": secrets.token_hex(8),
        **extra,
    }


def _here(request: Request, flash: str) -> str:
    """Where the language switch comes back to: this page, or after a refused form (answered
    at its POST address) the page the form was on."""
    if request.method == "GET":
        query = f"?{request.url.query}" if request.url.query and not flash else ""
        return request.url.path + query
    referer = request.headers.get("referer", "")
    path = referer.split(str(request.base_url).rstrip("/"), 1)[-1]
    page = _FORM_ACTION.sub("", path.split("?", 1)[0])
    return safe_next(page) or PREFIX


# The POST addresses of forms, which have no page of their own to come back to.
_FORM_ACTION: Final = re.compile(
    r"/(?:submit|edit|documents|signing|copy|delete|answer|claim|release)$"
)


def render(
    request: Request, caller: Caller, template: str, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    html = ENV.get_template(template).render(context(request, caller, **extra))
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def redirect(url: str) -> RedirectResponse:
    # 303: the browser follows a POST's answer with a GET, so reloading repeats nothing.
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def safe_next(value: str | None) -> str | None:
    """Only a path of these pages: never another site (open redirect)."""
    if (
        value
        and value.startswith(f"{PREFIX}/")
        and not value.startswith("//")
        and "\\" not in value
    ):
        return value
    return None


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.headers.get("referer", "") or target
        target = target.split(str(request.base_url).rstrip("/"), 1)[-1]
    next_ = safe_next(target)
    params = [f"next={quote(next_)}"] if next_ else []
    if request.cookies.get(SESSION_COOKIE) or request.headers.get("authorization"):
        params.append("expired=1")  # a session existed: say why sign-in is asked again
    return redirect(f"{PREFIX}/login" + ("?" + "&".join(params) if params else ""))


# --- errors on /ui ---------------------------------------------------------------------------


def _caller_for_error(request: Request) -> Caller:
    try:
        return identify(request, request.app.state.tokens, request.app.state.db)
    except Exception:  # the database may be what failed: speak Vietnamese, sign-in unknown
        return Caller(None, i18n.DEFAULT, None)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    caller = _caller_for_error(request)
    return render(
        request, caller, "error.html", status_code=status_code, message=message, code=status_code
    )


def _on_service_error(request: Request, exc: ServiceError) -> Response:
    if exc.status == 401:
        return login_redirect(request)
    caller = _caller_for_error(request)
    if exc.status == 404:
        return error_page(request, 404, i18n.text("error.not_found", caller.lang))
    return error_page(request, exc.status, exc.to_problem(caller.lang).detail)


Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def install_error_pages(app: FastAPI) -> None:
    """Errors under /ui answer with a page in the person's language (never JSON, never a
    bare 500); the API's own handlers answer everything else as before."""

    def dispatch(cls: type[Exception], ui: Callable[[Request, Any], Response]) -> None:
        api: Handler | None = app.exception_handlers.get(cls)

        async def handler(request: Request, exc: Exception) -> Response:
            if request.url.path == PREFIX or request.url.path.startswith(f"{PREFIX}/"):
                return ui(request, exc)
            if api is None:
                raise exc
            result = api(request, exc)
            if isinstance(result, Response):
                return result
            return await result

        app.add_exception_handler(cls, handler)

    def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        caller = _caller_for_error(request)
        if exc.status_code == 404:
            return error_page(request, 404, i18n.text("error.not_found", caller.lang))
        return error_page(request, exc.status_code, i18n.text("error.bad_request", caller.lang))

    def on_invalid(request: Request, exc: Exception) -> Response:
        caller = _caller_for_error(request)
        return error_page(request, 400, i18n.text("error.bad_request", caller.lang))

    def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        caller = _caller_for_error(request)
        cid = get_correlation_id() or "-"
        return error_page(request, 500, i18n.text("error.server", caller.lang, cid=cid))

    def on_csrf(request: Request, exc: Exception) -> Response:
        caller = _caller_for_error(request)
        return error_page(request, 403, i18n.text("error.csrf", caller.lang))

    app.add_exception_handler(LoginRequired, lambda request, exc: login_redirect(request))
    app.add_exception_handler(CsrfRejected, on_csrf)
    dispatch(ServiceError, _on_service_error)
    dispatch(StarletteHTTPException, on_http)
    dispatch(RequestValidationError, on_invalid)
    dispatch(Exception, on_unexpected)


def mount_static(app: FastAPI) -> None:
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="ui-static")
