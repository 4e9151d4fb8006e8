"""FastAPI factory of the agreements service: routers, middleware, metrics, problem details."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from common.auth import TokenService
from common.db import Database
from common.http import CorrelationIdMiddleware, PathCORS, expose_metrics
from common.limits import FORM_OVERHEAD_BYTES, RequestLimits
from common.openapi import TOKEN_PATH, install_contract
from common.problems import install_problem_handlers
from common.revocation import Revocations, keep_in_sync
from services.agreements.api.examples import EXAMPLES
from services.agreements.api.routes import (
    agreements,
    auth,
    documents,
    health,
    lifecycle,
    reference,
    sessions,
    tasks,
)
from services.agreements.api.routes import export as export_routes
from services.agreements.api.routes import imports as import_routes
from services.agreements.api.routes import ops as ops_routes
from services.agreements.identity.service import Identity
from services.agreements.metrics import AgreementsCollector
from services.agreements.ops.audit import ACTIONS as OPS_ACTIONS
from services.agreements.ops.dead_letters import OPEN_LETTERS
from services.agreements.procedure import watchdog
from services.agreements.procedure.engine import Engine
from services.agreements.reports.client import ReportingClient
from services.agreements.settings import AgreementsSettings, get_settings
from services.agreements.storage import DocumentStore
from services.agreements.ui import install as install_ui
from services.agreements.ui.refresh import SessionRefresh

DESCRIPTION = """
Drafting, dossier, submission, consultation, decision, signing and follow-up of the
international agreements of Vietnamese localities (Luật Thỏa thuận quốc tế 2020). Sign in
with **Authorize** (development: `officer@ha-noi` / `dev`). Errors are RFC 9457 problem
details, in Vietnamese unless `Accept-Language: en`.
"""


def create_app(settings: AgreementsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        # Revocations made by other processes of this service, from its own table.
        syncing = asyncio.create_task(
            keep_in_sync(
                app.state.revocations, app.state.identity.fetch(), settings.revocation_poll_seconds
            )
        )
        checking = None
        if settings.watchdog_interval_s > 0:
            checking = asyncio.create_task(
                watchdog.run(
                    app.state.db,
                    app.state.engine,
                    settings.timing(),
                    source=settings.source,
                    every=timedelta(seconds=settings.watchdog_interval_s),
                    after=timedelta(seconds=settings.watchdog_stuck_after_s),
                    stop=stop,
                )
            )
        yield
        stop.set()
        syncing.cancel()
        if checking is not None:
            await checking
        app.state.reports.close()
        app.state.db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Agreements service",
        version="1.0.0",
        description=DESCRIPTION,
        swagger_ui_parameters={"persistAuthorization": True},
    )
    app.state.settings = settings
    app.state.db = Database(settings.database_url, settings.db_pool_size)
    app.state.store = DocumentStore(settings.documents_path)
    app.state.revocations = Revocations(
        strict=not settings.is_development,
        max_staleness_s=settings.revocation_max_staleness_seconds,
    )
    app.state.tokens = TokenService(settings, app.state.revocations)
    app.state.identity = Identity(settings, app.state.db, app.state.tokens, app.state.revocations)
    app.state.engine = Engine(settings)
    # The report pages read the reporting service's API (issue #14).
    app.state.reports = ReportingClient(settings.reporting_url, settings.reporting_timeout_s)

    install_problem_handlers(app)
    install_contract(app, examples=EXAMPLES)

    for router in (
        auth.router,
        sessions.router,
        agreements.router,
        documents.router,
        lifecycle.router,
        tasks.router,
        reference.router,
        health.router,
    ):
        app.include_router(router)
    app.include_router(import_routes.router)  # historical import (issue #5)
    app.include_router(export_routes.router)  # operator export for read-model rebuilds
    app.include_router(ops_routes.router)  # the operator console's API (/v1/ops)
    install_ui(app)  # the web pages under /ui (issue #7)

    # Inside the metrics, so refused bodies are counted; a multipart upload may carry a
    # document of the largest accepted size with its form fields.
    app.add_middleware(
        RequestLimits,
        max_bytes=settings.max_request_bytes,
        max_form_bytes=settings.max_document_bytes + FORM_OVERHEAD_BYTES,
    )
    registry = CollectorRegistry()
    registry.register(AgreementsCollector(app.state.db))
    for metric in (OPS_ACTIONS, OPEN_LETTERS, watchdog.RESTARTED, watchdog.WATCHDOG_FAILURES):
        registry.register(metric)
    expose_metrics(app, registry)
    # Page sessions slide: a token near its end is renewed before the page sees it.
    app.add_middleware(SessionRefresh, identity=app.state.identity)
    app.add_middleware(CorrelationIdMiddleware)
    # The other services' Swagger UI signs in here from the browser (Authorize).
    app.add_middleware(PathCORS, path=TOKEN_PATH, origins=settings.allowed_sign_in_origins())

    return app
