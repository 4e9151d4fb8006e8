"""Signing in and out of the pages, and the language they speak."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from common.auth import Principal
from services.agreements.identity.service import BadCredentials, SignedIn
from services.agreements.identity.sessions import PAGE
from services.agreements.identity.throttle import TooManyRequests
from services.agreements.inbox import preferences
from services.agreements.ui import forms, i18n, session
from services.agreements.ui.pages import (
    PREFIX,
    CsrfRejected,
    home_of,
    redirect,
    render,
    safe_next,
)
from services.agreements.ui.routes.deps import (
    CallerDep,
    client_address,
    db_of,
    identity_of,
    posted,
    settings_of,
    signed_in,
)
from services.agreements.ui.session import Caller
from services.agreements.unit_of_work import write

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
def start(caller: CallerDep) -> Response:
    return redirect(home_of(caller))


def _login_page(
    request: Request,
    caller: Caller,
    *,
    next_: str | None,
    error: str | None = None,
    token_error: str | None = None,
    username: str = "",
    status_code: int = 200,
    retry_after: int | None = None,
) -> Response:
    bound, nonce = session.with_nonce(caller)
    response = render(
        request,
        bound,
        "login.html",
        status_code=status_code,
        next=next_ or "",
        error=error,
        token_error=token_error,
        username=username,
        expired=request.query_params.get("expired") == "1",
    )
    if nonce:
        session.set_nonce(response, settings_of(request), request, nonce)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _throttled(
    request: Request, caller: Caller, next_: str | None, exc: TooManyRequests
) -> Response:
    return _login_page(
        request,
        caller,
        next_=next_,
        error=exc.to_problem(caller.lang).detail,
        status_code=429,
        retry_after=exc.retry_after,
    )


@router.get("/login")
def login_page(request: Request, caller: CallerDep) -> Response:
    next_ = safe_next(request.query_params.get("next"))
    if caller.principal is not None:
        return redirect(next_ or home_of(caller))
    return _login_page(request, caller, next_=next_)


def _signed_in_response(request: Request, signed: SignedIn, next_: str | None) -> Response:
    principal: Principal = signed.principal
    caller = Caller(principal, i18n.DEFAULT, signed.access_token)
    response = redirect(next_ or home_of(caller))
    session.set_session(response, settings_of(request), request, signed.access_token)
    return response


@router.post("/login")
async def login(request: Request, caller: CallerDep) -> Response:
    form = await request.form()
    next_ = safe_next(forms.text(form, "next"))
    settings = settings_of(request)
    sent = form.get(session.CSRF_FIELD)
    if not caller.binding:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.cookies", caller.lang),
            status_code=400,
        )
    if not session.csrf_ok(
        settings, caller, sent if isinstance(sent, str) else None, request=request
    ):
        raise CsrfRejected()
    username = forms.text(form, "username")
    password = form.get("password")
    if not settings.is_development:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.password_disabled", caller.lang),
            status_code=403,
        )
    if not username or not isinstance(password, str) or not password:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.required", caller.lang),
            username=username,
            status_code=400,
        )
    try:
        signed = await run_in_threadpool(
            identity_of(request).password_login,
            username,
            password,
            address=client_address(request),
            kind=PAGE,
        )
    except TooManyRequests as exc:
        return _throttled(request, caller, next_, exc)
    except BadCredentials:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.bad_credentials", caller.lang),
            username=username,
            status_code=401,
        )
    return _signed_in_response(request, signed, next_)


@router.post("/login/token")
async def login_with_token(request: Request, caller: CallerDep) -> Response:
    """Production: the person pastes a token of the configured issuer (or a gateway sends it
    as a header and never needs this)."""
    form = await request.form()
    next_ = safe_next(forms.text(form, "next"))
    if not caller.binding:
        return _login_page(
            request,
            caller,
            next_=next_,
            error=i18n.text("login.cookies", caller.lang),
            status_code=400,
        )
    sent = form.get(session.CSRF_FIELD)
    if not session.csrf_ok(
        settings_of(request), caller, sent if isinstance(sent, str) else None, request=request
    ):
        raise CsrfRejected()
    token = forms.text(form, "token").removeprefix("Bearer ").strip()
    try:
        signed = await run_in_threadpool(
            identity_of(request).token_login, token, address=client_address(request)
        )
    except TooManyRequests as exc:
        return _throttled(request, caller, next_, exc)
    except BadCredentials:
        return _login_page(
            request,
            caller,
            next_=next_,
            token_error=i18n.text("login.bad_token", caller.lang),
            status_code=401,
        )
    return _signed_in_response(request, signed, next_)


@router.post("/logout")
async def logout(request: Request, caller: CallerDep) -> Response:
    await posted(request, caller)
    token = request.cookies.get(session.SESSION_COOKIE)
    if token and not caller.via_header:
        # The session ends for every service, not only this browser's cookie.
        await run_in_threadpool(identity_of(request).logout_page, token)
    response = redirect(f"{PREFIX}/login")
    session.clear_session(response, settings_of(request), request)
    session.set_language_cookie(response, settings_of(request), request, caller.lang)
    return response


@router.post("/language")
async def switch_language(request: Request, caller: CallerDep) -> Response:
    """Kept per user (the database) once signed in, and in this browser for the sign-in page."""
    form = await posted(request, caller)
    lang = i18n.normalise(forms.text(form, "lang"))
    if caller.principal is not None:
        await run_in_threadpool(
            write, db_of(request), preferences.set_language, principal=caller.principal, lang=lang
        )
    back = safe_next(forms.text(form, "next")) or home_of(caller)
    response = redirect(back)
    session.set_language_cookie(response, settings_of(request), request, lang)
    return response


@router.get("/nothing")
def nothing(request: Request, caller: CallerDep) -> Response:
    signed_in(caller)
    return render(
        request,
        caller,
        "error.html",
        message=i18n.text("error.nothing_here", caller.lang),
        code=200,
    )
