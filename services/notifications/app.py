"""FastAPI factory of the notifications service: routers, middleware, metrics, problem details,
and (unless switched off) the consumer and dispatcher threads for the app's lifetime."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from common.auth import TokenService
from common.db import Database
from common.http import CorrelationIdMiddleware, expose_metrics
from common.kafka import DEAD_LETTERED, DEPENDENCY_WAIT
from common.limits import RequestLimits
from common.openapi import install_contract
from common.problems import install_problem_handlers
from common.revocation import Revocations, http_fetch, keep_in_sync
from services.notifications.api.examples import EXAMPLES
from services.notifications.api.routes import (
    health,
    inbox,
    preferences,
    recipients,
    subscriptions,
)
from services.notifications.delivery.targets import system_resolver
from services.notifications.metrics import BacklogCollector, NotificationMetrics
from services.notifications.rendering import Renderer
from services.notifications.settings import NotificationsSettings, get_settings
from services.notifications.worker import Worker

# Threads the worker holds database connections on: the consumer, the dispatcher, a spare.
WORKER_CONNECTIONS = 3

DESCRIPTION = """
Notifications of the international agreements procedure: your in-app **inbox**, your
**preferences** (language, channels, daily digest of reminders) and **webhook subscriptions**
with their delivery log. Tokens are those of the agreements service (development: sign in at
`/v1/auth/token` there, e.g. `reviewer@mofa` / `dev`). Errors are RFC 9457 problem details, in
Vietnamese unless `Accept-Language: en`.
"""


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    pool_size = settings.notifications_db_pool_size + WORKER_CONNECTIONS
    db = Database(settings.database_url, pool_size)
    renderer = Renderer(settings.public_base_url)
    notification_metrics = NotificationMetrics()
    worker = (
        Worker(settings, db, renderer, notification_metrics)
        if settings.notifications_worker_enabled
        else None
    )

    # Tokens are checked against the agreements service's revocations (common/revocation.py).
    revocations = Revocations(
        strict=not settings.is_development,
        max_staleness_s=settings.revocation_max_staleness_seconds,
    )
    tokens = TokenService(settings, revocations)
    fetch = http_fetch(settings.agreements_url, lambda: tokens.issue_service("notifications"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        syncing = asyncio.create_task(
            keep_in_sync(revocations, fetch, settings.revocation_poll_seconds, long_poll=True)
        )
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            syncing.cancel()
            if worker is not None:
                worker.stop()
            db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Notifications service",
        version="1.0.0",
        description=DESCRIPTION,
        swagger_ui_parameters={"persistAuthorization": True},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.tokens = tokens
    app.state.revocations = revocations
    app.state.renderer = renderer
    app.state.resolve = system_resolver  # webhook hosts, checked at subscription
    app.state.metrics = notification_metrics
    app.state.worker = worker

    install_problem_handlers(app)
    # Authorize signs in at the agreements service, the one that issues tokens.
    install_contract(app, token_url=settings.sign_in_url, examples=EXAMPLES)

    for router in (
        inbox.router,
        preferences.router,
        subscriptions.router,
        recipients.router,
        health.router,
    ):
        app.include_router(router)

    # Inside the metrics, so refused bodies are counted.
    app.add_middleware(RequestLimits, max_bytes=settings.max_request_bytes)
    registry = CollectorRegistry()
    notification_metrics.register(registry)
    registry.register(BacklogCollector(db))
    # The consumer base's own metrics (how long it has waited for a dependency, what it
    # dead-lettered and why): process-wide, and this process runs the consumer.
    for metric in (DEPENDENCY_WAIT, DEAD_LETTERED):
        registry.register(metric)
    expose_metrics(app, registry)
    app.add_middleware(CorrelationIdMiddleware)
    return app
