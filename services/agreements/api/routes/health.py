"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
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
from services.agreements.api.deps import EngineDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses=READINESS_RESPONSES)
async def readyz(db: DatabaseDep, settings: SettingsDep, engine: EngineDep) -> JSONResponse:
    """Ready when the database answers and the broker and Temporal accept connections."""
    checks: dict[str, Any] = {}

    def probe() -> None:
        checks["database"] = database_check(db)
        checks["broker"] = broker_check(settings.kafka_bootstrap_servers)

    await run_in_threadpool(probe)
    checks["temporal"] = "ok" if await engine.is_reachable() else "unreachable"
    return readiness(checks)
