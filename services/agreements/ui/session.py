"""Who is asking on the web pages, and the protections of cookie-held identity.

The pages accept the same bearer token as the API, from one of two places:
- an `Authorization: Bearer` header, as a single sign-on gateway in front of the service sends
  it in production (then no cookie is involved and no CSRF token is needed: a browser never
  adds that header to a forged request);
- the `agr_session` cookie (HttpOnly, SameSite=Lax, Secure outside development), set by the
  sign-in page from the development directory or from a token the person pastes: a token of
  a server-side session (`sid`), 15 minutes long, renewed while the person stays active
  (refresh.py), and refused by every service once the session is signed out or revoked.
Every state-changing form of a cookie-held session carries a CSRF token: the HMAC of that
session's id (so a renewed token keeps the open forms valid), which a page of another site can
neither read nor compute, and must come from our own pages by the browser's word (Origin,
Sec-Fetch-Site). The sign-in form, before any session exists, is bound the same way to a
random nonce cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import jwt
from fastapi import Request, Response

from common.auth import InvalidToken, Principal, TokenService
from common.db import Database
from common.revocation import RevocationsUnavailable
from services.agreements.inbox import preferences
from services.agreements.settings import AgreementsSettings
from services.agreements.ui import i18n
from services.agreements.unit_of_work import read

SESSION_COOKIE = "agr_session"
NONCE_COOKIE = "agr_nonce"
LANG_COOKIE = "agr_lang"
CSRF_FIELD = "csrf_token"
COOKIE_PATH = "/ui"


@dataclass(frozen=True)
class Caller:
    """The person on the page: who (None before sign-in), in which language, and what binds
    their forms (the session token, or the pre-session nonce)."""

    principal: Principal | None
    lang: str
    binding: str | None
    via_header: bool = False


def _key(settings: AgreementsSettings) -> bytes:
    # Derived, so the CSRF key is never the token key itself.
    return hashlib.sha256(b"ui-csrf:" + settings.jwt_secret.encode()).digest()


def _stable(binding: str) -> str:
    """What a form is bound to: a session token's session id (the token itself is renewed
    every few minutes), or the binding as it is (a nonce, a gateway's token)."""
    try:
        sid = jwt.decode(binding, options={"verify_signature": False}).get("sid")
    except jwt.PyJWTError:
        return binding
    return f"sid:{sid}" if sid else binding


def csrf_token(settings: AgreementsSettings, binding: str | None) -> str:
    if not binding:
        return ""
    return hmac.new(_key(settings), _stable(binding).encode(), hashlib.sha256).hexdigest()


def csrf_ok(
    settings: AgreementsSettings, caller: Caller, sent: str | None, *, request: Request
) -> bool:
    if caller.via_header:
        return True
    if not same_site(request):
        return False
    expected = csrf_token(settings, caller.binding)
    return bool(expected) and bool(sent) and hmac.compare_digest(expected, str(sent))


def same_site(request: Request) -> bool:
    """Whether the browser says the form was sent from our own pages. The token alone would
    do; this refuses a form from another site even should a token leak (a page of ours
    cached, a log). Browsers send Origin with every POST and Sec-Fetch-Site with most: a
    foreign or opaque (`null`) origin, or a cross-site fetch, is refused; a client that sends
    neither (not a browser) is judged by its token. Behind the gateway, Host is the one
    people use (Caddy passes it on)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "").lower()
    return bool(host) and urlsplit(origin).netloc.lower() == host


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def identify(request: Request, tokens: TokenService, db: Database) -> Caller:
    """The caller of a page. An invalid or expired token counts as no sign-in: the page then
    asks to sign in again rather than failing."""
    cookie_lang = i18n.normalise(request.cookies.get(LANG_COOKIE))
    header_token = _bearer(request)
    token = header_token or request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            principal = tokens.verify(token)
        except (InvalidToken, RevocationsUnavailable):
            principal = None
        if principal is not None:
            # Vietnamese unless this person chose English (kept per user, not per browser).
            lang = read(db, preferences.language_of, principal=principal) or i18n.DEFAULT
            return Caller(principal, lang, token, via_header=header_token is not None)
    return Caller(None, cookie_lang, request.cookies.get(NONCE_COOKIE))


def _secure(settings: AgreementsSettings, request: Request) -> bool:
    return not settings.is_development or request.url.scheme == "https"


def set_session(
    response: Response, settings: AgreementsSettings, request: Request, token: str
) -> None:
    # The cookie lasts as long as a session may; the token in it is renewed (refresh.py).
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_secure(settings, request),
    )
    response.delete_cookie(NONCE_COOKIE, path=COOKIE_PATH)


def session_cookie_header(token: str, *, max_age: int, secure: bool) -> str:
    """The Set-Cookie value of `set_session`, for the middleware that renews the token."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[SESSION_COOKIE] = token
    morsel = cookie[SESSION_COOKIE]
    morsel["max-age"] = max_age
    morsel["path"] = COOKIE_PATH
    morsel["httponly"] = True
    morsel["samesite"] = "lax"
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()


def clear_session(response: Response, settings: AgreementsSettings, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_secure(settings, request),
    )


def with_nonce(caller: Caller) -> tuple[Caller, str | None]:
    """Before sign-in: the caller bound to a nonce (a new one when the browser has none yet);
    the second value is the new nonce to set as a cookie, if any."""
    if caller.principal is not None or caller.binding:
        return caller, None
    nonce = secrets.token_urlsafe(32)
    return Caller(None, caller.lang, nonce), nonce


def set_nonce(
    response: Response, settings: AgreementsSettings, request: Request, nonce: str
) -> None:
    response.set_cookie(
        NONCE_COOKIE,
        nonce,
        max_age=3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(settings, request),
    )


def set_language_cookie(
    response: Response, settings: AgreementsSettings, request: Request, lang: str
) -> None:
    """The last language chosen in this browser: the sign-in page speaks it."""
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_secure(settings, request),
    )
