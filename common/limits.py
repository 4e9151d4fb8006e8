"""Request bodies before anything else: their size, and who may send one.

Every service wraps its app in `RequestLimits`. A body over the limit is refused with 413 from
its Content-Length before a byte is read, or, sent in chunks, as soon as the bytes counted on
arrival pass the limit (the route stops reading and the answer is 413, whatever it was about
to say). A body sent to a route that needs a bearer token (its OpenAPI operation declares
security) without a valid token is refused with 401 before a byte of it is read. Both answers
are problem details in the caller's language.

FastAPI's own `max_body_size` counts bytes too, but answers in plain text outside the problem
handlers and cannot answer 401 before the body: it runs before the route is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.deps import verify_bearer
from common.problems import (
    Problem,
    ServiceError,
    problem_response,
    request_language,
    status_title,
)

# Room for the form fields and part headers around a file of the largest accepted size.
FORM_OVERHEAD_BYTES: Final = 64 * 1024
_BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARAM = re.compile(r"\{[^/}]+\}")


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    methods: frozenset[str]
    secured: frozenset[str]  # the methods whose operation declares security
    literal: int  # characters outside parameters: the most specific path wins


def _routes(openapi: dict[str, Any]) -> list[_Route]:
    """Every path of the service's OpenAPI document, most specific first, with the methods
    whose operation declares security: what a client is told needs a token."""
    routes: list[_Route] = []
    for path, operations in openapi.get("paths", {}).items():
        ops = {m.upper(): op for m, op in operations.items() if isinstance(op, dict)}
        parts = _PARAM.split(path)
        routes.append(
            _Route(
                pattern=re.compile("[^/]+".join(re.escape(p) for p in parts)),
                methods=frozenset(ops),
                secured=frozenset(m for m, op in ops.items() if op.get("security")),
                literal=sum(map(len, parts)),
            )
        )
    return sorted(routes, key=lambda r: -r.literal)


def _size(limit: int) -> str:
    """The limit as people read it (the same in Vietnamese and English)."""
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{max(1, limit >> 10)} KB"


def too_large(limit: int, lang: str) -> Problem:
    size = _size(limit)
    return Problem(
        status=413,
        title=status_title(413, lang),
        detail=(
            f"Nội dung yêu cầu vượt quá giới hạn {size}."
            if lang == "vi"
            else f"The request body exceeds the {size} limit."
        ),
        type="request-too-large",
        extra={"limit_bytes": limit},
    )


class RequestLimits:
    """`max_bytes` for any body, `max_form_bytes` for a multipart form (a file upload)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_form_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_form_bytes = max_form_bytes or max_bytes
        self._routes: list[_Route] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        chunked = "transfer-encoding" in headers
        if (length is None or length.strip() in ("", "0")) and not chunked:
            await self.app(scope, receive, send)  # no body: nothing to limit or guard
            return
        form = headers.get("content-type", "").lower().startswith("multipart/form-data")
        limit = self.max_form_bytes if form else self.max_bytes
        request = Request(scope)
        if length is not None and length.strip().isdigit() and int(length) > limit:
            await self._answer(too_large(limit, request_language(request)), scope, receive, send)
            return
        refusal = await self._refusal(scope, request)
        if refusal is not None:
            await self._answer(refusal, scope, receive, send)
            return
        await self._counted(limit, scope, receive, send)

    async def _counted(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the body on while it stays within `limit`; past it, the route sees the client
        gone and its answer is replaced by 413."""
        received = 0
        exceeded = False
        started = False

        async def counting() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the route's answer to a body it never got whole
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            lang = request_language(Request(scope))
            await self._answer(too_large(limit, lang), scope, receive, send)

    async def _refusal(self, scope: Scope, request: Request) -> Problem | None:
        """401 (or 503 when tokens cannot be checked) for a body sent to a route that needs a
        token, without a valid one; None when the route may read it."""
        if scope["method"] not in _BODY_METHODS or not self._needs_token(scope):
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            await verify_bearer(
                scope["app"].state.tokens, token.strip() if scheme.lower() == "bearer" else None
            )
        except ServiceError as exc:
            return exc.to_problem(request_language(request))
        return None

    def _needs_token(self, scope: Scope) -> bool:
        if self._routes is None:
            self._routes = _routes(scope["app"].openapi())
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        method = scope["method"]
        for route in self._routes:
            if method in route.methods and route.pattern.fullmatch(path):
                return method in route.secured
        return False

    @staticmethod
    async def _answer(problem: Problem, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(problem, instance=scope["path"])
        # The body is left unread: the connection cannot carry another request.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
