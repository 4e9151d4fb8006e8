"""The services' HTTP server (common/serving.py): it serves with a Date header, and asked to
stop it stops at once, not at its next once-a-second look."""

from __future__ import annotations

import asyncio
import signal
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from common.devservers import free_port
from common.serving import TICK_S, Server
from tests.helpers import until

pytestmark = pytest.mark.integration


def test_it_serves_and_stops_at_once_when_asked() -> None:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    port = free_port()
    stopping: list[str] = []
    server = Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None),
        before_exit=lambda: stopping.append("first"),
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    until(lambda: server.started, 15, "the server")
    r = httpx.get(f"http://127.0.0.1:{port}/ping", timeout=5)
    assert r.status_code == 200 and r.json() == {"pong": "yes"}
    assert r.headers["date"].endswith("GMT")

    time.sleep(0.1)  # into a tick's wait
    asked = time.monotonic()
    server.handle_exit(signal.SIGTERM, None)
    thread.join(10)
    assert not thread.is_alive()
    assert stopping == ["first"]
    assert time.monotonic() - asked < TICK_S / 2
