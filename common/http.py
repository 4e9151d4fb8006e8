"""HTTP plumbing every service shares: correlation ids, language negotiation, metrics, CORS of
the sign-in."""

from __future__ import annotations

from collections.abc import Sequence
from time import perf_counter

from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_fastapi_instrumentator.routing import get_route_name
from starlette.requests import HTTPConnection
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


# Request latency buckets of every HTTP service (seconds): budgets are 0.5 s and 1 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RouteMetrics:
    """Count and time every request by the route that answered it (its path template), method
    and status. The route is the one FastAPI chose, read from the scope once the app has
    answered: prometheus-fastapi-instrumentator's middleware matched every request against
    every route a second time before calling the app (about 80 us of a request's 300-400 us in
    process, for a cheap one). A request answered before routing (a body refused for its size
    or its token, an unknown path) is named by the library's matcher, as it was."""

    def __init__(
        self, app: ASGIApp, *, requests: Counter, latency: Histogram, excluded: frozenset[str]
    ) -> None:
        self.app = app
        self.requests = requests
        self.latency = latency
        self.excluded = excluded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the request counts as if the app raises before answering
        started = perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            handler = self._handler(scope)
            if handler not in self.excluded:
                labels = (handler, scope["method"], str(status))
                self.latency.labels(*labels).observe(perf_counter() - started)
                self.requests.labels(*labels).inc()

    @staticmethod
    def _handler(scope: Scope) -> str:
        path = getattr(scope.get("route"), "path", None)
        if isinstance(path, str):
            return path
        return get_route_name(HTTPConnection(scope), should_include_root_path=False) or "none"


def expose_metrics(app: FastAPI, registry: CollectorRegistry) -> None:
    """Serve `registry` on /metrics with request count and latency per route, by method and
    status (`http_requests_total`, `http_request_duration_seconds`): what the dashboards and
    alerts use. No request or response size histograms: they cost a fifth of a cheap request."""
    labels = ("handler", "method", "status")
    app.add_middleware(
        RouteMetrics,
        requests=Counter(
            "http_requests_total",
            "Total number of requests by method, status and handler.",
            labels,
            registry=registry,
        ),
        latency=Histogram(
            "http_request_duration_seconds",
            "Duration of HTTP requests in seconds",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        excluded=frozenset({"/metrics", "/healthz", "/readyz"}),
    )

    # A plain def: the business gauges read the database at scrape time, off the event loop.
    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class PathCORS:
    """CORS for one path only (the sign-in, which other services' Swagger UI calls from the
    browser); every other path answers as if no cross-origin request were allowed."""

    def __init__(self, app: ASGIApp, *, path: str, origins: Sequence[str]) -> None:
        self.app = app
        self.path = path
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["POST"],
            allow_headers=[
                "Accept",
                "Accept-Language",
                "Authorization",
                "Content-Type",
                "X-Requested-With",
            ],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
