"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from common.deps import DatabaseDep
from common.health import (
    READINESS_RESPONSES,
    Health,
    Readiness,
    broker_check,
    database_check,
    readiness,
)
from services.notifications.api.deps import SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses=READINESS_RESPONSES)
def readyz(request: Request, db: DatabaseDep, settings: SettingsDep) -> JSONResponse:
    """Ready when the database answers, the broker accepts connections and (when this process
    runs them) the consumer and dispatcher threads are alive."""
    checks: dict[str, Any] = {
        "database": database_check(db),
        "broker": broker_check(settings.kafka_bootstrap_servers),
    }
    worker = request.app.state.worker
    if worker is not None:
        checks["worker"] = "ok" if worker.alive else "stopped"
    return readiness(checks)
