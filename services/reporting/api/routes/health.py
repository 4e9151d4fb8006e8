"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
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
from services.reporting.api.deps import SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses=READINESS_RESPONSES)
def readyz(db: DatabaseDep, settings: SettingsDep) -> JSONResponse:
    """Ready when the database answers with the read model in place. The broker is reported
    too, but reports are served from the database even while it is away."""
    checks = {
        "database": database_check(db, "SELECT count(*) FROM reporting_meta"),
        "broker": broker_check(settings.kafka_bootstrap_servers),
    }
    return readiness(checks, required=["database"])
