"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from common.devservers import port_open
from services.reporting.api.deps import DatabaseDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(db: DatabaseDep, settings: SettingsDep) -> JSONResponse:
    """Ready when the database answers with the read model in place. The broker is reported
    too, but reports are served from the database even while it is away."""
    checks: dict[str, Any] = {}
    try:
        with db.session() as session:
            session.execute(text("SELECT count(*) FROM reporting_meta"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; say which
        checks["database"] = f"error: {type(exc).__name__}"
    broker = any(
        port_open(host or "127.0.0.1", int(port), 0.5)
        for host, _, port in (
            s.strip().rpartition(":") for s in settings.kafka_bootstrap_servers.split(",")
        )
        if port.isdigit()
    )
    ready = checks["database"] == "ok"
    checks["broker"] = "ok" if broker else "unreachable"
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
