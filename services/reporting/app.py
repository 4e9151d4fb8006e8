"""FastAPI factory of the reporting service: routers, middleware, metrics, problem details."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from common.auth import TokenService
from common.db import Database
from common.http import CorrelationIdMiddleware, expose_metrics
from common.limits import RequestLimits
from common.openapi import install_contract
from common.problems import install_problem_handlers
from common.revocation import Revocations, http_fetch, keep_in_sync
from services.reporting.api.responses import EXAMPLES
from services.reporting.api.routes import cycles, health
from services.reporting.metrics import ConsumerCollector, ReportMetrics
from services.reporting.settings import ReportingSettings, get_settings

DESCRIPTION = """
Results of local external affairs per National Conference on External Affairs (Hội nghị Ngoại
vụ toàn quốc): agreements signed by province, partner, field and more, consultation deadlines,
post-signing duties; CSV, XLSX, charts and a printable report. Sign in at the agreements
service (`/v1/auth/token`, development: `registry@mofa` / `dev`) and **Authorize** with the token.
Errors are RFC 9457 problem details, in Vietnamese unless `Accept-Language: en`.
"""


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    # Tokens are checked against the agreements service's revocations (common/revocation.py).
    revocations = Revocations(
        strict=not settings.is_development,
        max_staleness_s=settings.revocation_max_staleness_seconds,
    )
    tokens = TokenService(settings, revocations)
    fetch = http_fetch(settings.agreements_url, lambda: tokens.issue_service("reporting"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        syncing = asyncio.create_task(
            keep_in_sync(revocations, fetch, settings.revocation_poll_seconds, long_poll=True)
        )
        yield
        syncing.cancel()
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
    app.state.tokens = tokens
    app.state.revocations = revocations
    app.state.calendar = settings.calendar

    install_problem_handlers(app)
    # Authorize signs in at the agreements service, the one that issues tokens.
    install_contract(app, token_url=settings.sign_in_url, examples=EXAMPLES)

    for router in (cycles.router, health.router):
        app.include_router(router)

    # Inside the metrics, so refused bodies are counted.
    app.add_middleware(RequestLimits, max_bytes=settings.max_request_bytes)
    registry = CollectorRegistry()
    registry.register(ConsumerCollector(app.state.db, settings.consumer_group))
    app.state.report_metrics = ReportMetrics(registry)
    expose_metrics(app, registry)
    app.add_middleware(CorrelationIdMiddleware)
    return app
