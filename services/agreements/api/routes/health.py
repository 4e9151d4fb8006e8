"""Liveness and readiness."""

from __future__ import annotations

import socket
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from services.agreements.api.deps import DatabaseDep, EngineDep, SettingsDep

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
async def readyz(db: DatabaseDep, settings: SettingsDep, engine: EngineDep) -> JSONResponse:
    """Ready when the database answers and the broker and Temporal accept connections."""
    checks: dict[str, Any] = {}

    def probe() -> None:
        try:
            with db.session() as session:
                session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            checks["database"] = "ok"
        except Exception as exc:  # any failure means not ready; say which
            checks["database"] = f"error: {type(exc).__name__}"
        reachable = broker_reachable(settings.kafka_bootstrap_servers)
        checks["broker"] = "ok" if reachable else "unreachable"

    await run_in_threadpool(probe)
    checks["temporal"] = "ok" if await engine.is_reachable() else "unreachable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
