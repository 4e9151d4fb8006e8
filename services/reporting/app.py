"""FastAPI factory of the reporting service: routers, middleware, metrics, problem details."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator, metrics

from common.auth import TokenService
from common.db import Database
from common.http import CorrelationIdMiddleware
from common.problems import install_problem_handlers
from services.reporting.api.routes import cycles, health
from services.reporting.metrics import ConsumerCollector, ReportMetrics
from services.reporting.settings import ReportingSettings, get_settings

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

DESCRIPTION = """
Results of local external affairs per National Conference on External Affairs (Hội nghị Ngoại
vụ toàn quốc): agreements signed by province, partner, field and more, consultation deadlines,
post-signing duties; CSV, XLSX, charts and a printable report. Sign in at the agreements
service (`/v1/auth/token`, development: `registry@mofa` / `dev`) and **Authorize** with the token.
Errors are RFC 9457 problem details, in Vietnamese unless `Accept-Language: en`.
"""


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Reporting service",
        version="1.0.0",
        description=DESCRIPTION,
        swagger_ui_parameters={"persistAuthorization": True},
    )
    app.state.settings = settings
    app.state.db = Database(settings.database_url, settings.db_pool_size)
    app.state.tokens = TokenService(settings)
    app.state.calendar = settings.calendar

    install_problem_handlers(app)

    for router in (cycles.router, health.router):
        app.include_router(router)

    registry = CollectorRegistry()
    registry.register(ConsumerCollector(app.state.db, settings.consumer_group))
    app.state.report_metrics = ReportMetrics(registry)
    instrumentator = Instrumentator(
        registry=registry,
        excluded_handlers=["/metrics", "/healthz", "/readyz"],
        should_group_status_codes=False,
    )
    instrumentator.add(
        metrics.requests(registry=registry),
        metrics.latency(registry=registry, buckets=LATENCY_BUCKETS),
    )
    instrumentator.instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
    app.add_middleware(CorrelationIdMiddleware)
    return app
