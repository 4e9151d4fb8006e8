"""Sliding page sessions: a page request whose session token is past half its life (or has
expired) gets a new one, as long as its session lives, before the page handler sees it.

The session cookie holds a short-lived token of the person's server-side session (its `sid`).
Here, before anything else, such a token is replaced in the request by a fresh one and the
response sets it as the new cookie; a revoked, idle or worn-out session gets nothing, and the
page then asks to sign in again.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import anyio
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.agreements.identity.service import Identity
from services.agreements.ui.session import COOKIE_PATH, SESSION_COOKIE, session_cookie_header


class SessionRefresh:
    def __init__(self, app: ASGIApp, identity: Identity) -> None:
        self.app = app
        self.identity = identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(COOKIE_PATH):
            await self.app(scope, receive, send)
            return
        headers = MutableHeaders(scope=scope)
        if headers.get("authorization"):  # a gateway's token: no cookie session
            await self.app(scope, receive, send)
            return
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a cookie header Python cannot parse: leave it to the page
            cookies = SimpleCookie()
        morsel = cookies.get(SESSION_COOKIE)
        due = self.identity.page_token_due(morsel.value) if morsel else None
        if morsel is None or due is None:
            await self.app(scope, receive, send)
            return
        fresh = await anyio.to_thread.run_sync(self.identity.refresh_page, due)
        if fresh is None:
            await self.app(scope, receive, send)
            return
        cookies[SESSION_COOKIE] = fresh
        headers["cookie"] = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
        secure = not self.identity.settings.is_development or scope.get("scheme") == "https"
        set_cookie = session_cookie_header(
            fresh, max_age=self.identity.settings.session_max_seconds, secure=secure
        )

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if not any(v.startswith(f"{SESSION_COOKIE}=") for v in out.getlist("set-cookie")):
                    out.append("set-cookie", set_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)
