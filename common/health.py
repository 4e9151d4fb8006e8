"""The pieces of every service's /readyz: is the database answering, does the broker accept
connections, and the answer (503 with what failed, or 200)."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from common.db import Database


class Health(BaseModel):
    """The process is alive."""

    status: str = "ok"


class Readiness(BaseModel):
    """Whether the service can serve, with each dependency's check ("ok" or what failed)."""

    status: str
    checks: dict[str, str]


# /readyz answers 503 with the same report (not a problem detail) when a check fails.
READINESS_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {"model": Readiness, "description": "not ready: the checks say which dependency failed"}
}


def database_check(db: Database, query: str = "SELECT 1") -> str:
    """ "ok", or which error the query met (any failure means not ready)."""
    try:
        with db.session() as session:
            session.execute(text(query))
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def broker_reachable(bootstrap_servers: str, timeout_s: float = 0.5) -> bool:
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
                return True
        except (OSError, ValueError):
            continue
    return False


def broker_check(bootstrap_servers: str) -> str:
    return "ok" if broker_reachable(bootstrap_servers) else "unreachable"


def readiness(checks: dict[str, Any], required: Iterable[str] | None = None) -> JSONResponse:
    """200 when every required check (all by default) is "ok", else 503; the checks either way."""
    names = checks if required is None else required
    ready = all(checks[name] == "ok" for name in names)
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
