"""Request metrics by route: the template of the route that answered, whoever answered."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from common.http import expose_metrics


class RefuseBig:
    """Answers before routing, as RequestLimits does for a body over its limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/big"):
            await PlainTextResponse("too large", status_code=413)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _app() -> tuple[FastAPI, CollectorRegistry]:
    registry = CollectorRegistry()
    app = FastAPI()
    router = APIRouter(prefix="/v1/things/{thing_id}")

    @router.get("/parts/{part_id}")
    def part(thing_id: str, part_id: str) -> dict[str, str]:
        return {"thing": thing_id, "part": part_id}

    @router.post("/{name}")
    def create(thing_id: str, name: str) -> dict[str, str]:
        return {"thing": thing_id, "name": name}

    @app.post("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(router)
    app.add_middleware(RefuseBig)  # inside the metrics, like the services' RequestLimits
    expose_metrics(app, registry)
    return app, registry


def _count(registry: CollectorRegistry, handler: str, method: str, status: str) -> float:
    labels = {"handler": handler, "method": method, "status": status}
    return registry.get_sample_value("http_requests_total", labels) or 0.0


def test_requests_are_counted_and_timed_by_their_route_template() -> None:
    app, registry = _app()
    with TestClient(app, raise_server_exceptions=False) as client:
        for thing in ("a", "b", "c"):
            assert client.get(f"/v1/things/{thing}/parts/7").status_code == 200
        assert client.post("/boom").status_code == 500
        assert client.get("/nowhere").status_code == 404
        assert client.delete("/v1/things/a/parts/7").status_code == 405
        assert client.post("/v1/things/a/big").status_code == 413
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200

    template = "/v1/things/{thing_id}/parts/{part_id}"
    assert _count(registry, template, "GET", "200") == 3
    duration = {"handler": template, "method": "GET", "status": "200"}
    assert registry.get_sample_value("http_request_duration_seconds_count", duration) == 3
    assert _count(registry, "/boom", "POST", "500") == 1
    assert _count(registry, "none", "GET", "404") == 1
    assert _count(registry, template, "DELETE", "405") == 1
    # Refused before FastAPI chose a route: still named by the route it was sent to.
    assert _count(registry, "/v1/things/{thing_id}/{name}", "POST", "413") == 1
    handlers = {
        s.labels["handler"]
        for m in registry.collect()
        if m.name == "http_requests"
        for s in m.samples
    }
    assert not handlers & {"/healthz", "/metrics"}


def test_metrics_are_served_in_the_prometheus_text_format() -> None:
    app, _ = _app()
    with TestClient(app) as client:
        client.get("/v1/things/a/parts/1")
        r = client.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    assert (
        'http_requests_total{handler="/v1/things/{thing_id}/parts/{part_id}",method="GET",'
        'status="200"} 1.0' in r.text
    )
    assert "http_request_duration_seconds_bucket" in r.text
