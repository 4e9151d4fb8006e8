"""HTTP plumbing every service shares: correlation ids, body-size limit, language negotiation."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.logs import CORRELATION_HEADER, new_correlation_id, set_correlation_id

SUPPORTED_LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def pick_language(accept_language: str | None) -> str:
    """Vietnamese unless the Accept-Language header prefers English (q-values respected)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, lang in sorted(ranked):
        if lang in SUPPORTED_LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


class CorrelationIdMiddleware:
    """Takes X-Correlation-ID from the request (or makes one), exposes it to logs and events,
    and echoes it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = CORRELATION_HEADER.lower().encode()
        incoming = dict(scope["headers"]).get(header, b"").decode("latin-1").strip()
        # Accept only sane ids: a client cannot inject log garbage through this header.
        cid = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else ""
        cid = cid or new_correlation_id()
        set_correlation_id(cid)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((header, cid.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            set_correlation_id(None)
