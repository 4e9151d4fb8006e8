"""Liveness and readiness."""

from __future__ import annotations

import socket
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from services.notifications.api.deps import DatabaseDep, SettingsDep

router = APIRouter(tags=["health"])


def broker_reachable(bootstrap_servers: str, timeout_s: float = 0.5) -> bool:
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
                return True
        except (OSError, ValueError):
            continue
    return False


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request, db: DatabaseDep, settings: SettingsDep) -> JSONResponse:
    """Ready when the database answers, the broker accepts connections and (when this process
    runs them) the consumer and dispatcher threads are alive."""
    checks: dict[str, Any] = {}
    try:
        with db.session() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; say which
        checks["database"] = f"error: {type(exc).__name__}"
    checks["broker"] = "ok" if broker_reachable(settings.kafka_bootstrap_servers) else "unreachable"
    worker = request.app.state.worker
    if worker is not None:
        checks["worker"] = "ok" if worker.alive else "stopped"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
