"""Instructions per drafting request, counted by valgrind: the same figure on any machine.

On a shared 2-core machine the time and CPU figures of bench/submit.py move by a third between
runs of the same code. The number of instructions a request executes does not. This script
runs each side in process under callgrind (`apt-get install valgrind`): the agreements app
answers the drafting flow of bench/submit.py (create, 4 uploads, submit) and the baseline app
(bench/baseline_app.py) answers as many bare inserts. Requests go straight to the ASGI app,
built before the count starts, so no HTTP client is counted. Each side runs twice, with a
warm-up only and with `--flows` more; the difference divided by the requests is the cost of a
request, start-up left out. SQLite, one request at a time.

    .venv/bin/python bench/instructions.py [--flows 30]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import dossier_files, draft_body  # noqa: E402

WARM_UP = 5  # flows before the counted ones: caches, compiled statements, first-call work
REQUESTS_PER_FLOW = 6

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class Caller:
    """Sends a prepared request to an ASGI app and returns the status and the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, request: httpx.Request, path: str | None = None, auth: bytes = b""
    ) -> tuple[int, bytes]:
        body = request.read()
        path = path or request.url.path
        headers = [(k.lower(), v) for k, v in request.headers.raw]
        if auth:
            headers.append((b"authorization", auth))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the request is whole: nothing more comes
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def _prepared_flows(count: int) -> list[tuple[httpx.Request, list[httpx.Request]]]:
    """Each flow's create and uploads, built before anything is counted (their paths get the
    agreement's id when they are sent)."""
    flows = []
    for seq in range(count):
        create = httpx.Request(
            "POST",
            "http://bench/v1/agreements",
            json=draft_body(province="ha-noi", title=f"Bản ghi nhớ hợp tác giáo dục số {seq}"),
        )
        uploads = [
            httpx.Request(
                "POST",
                "http://bench/documents",
                data={"kind": kind, "language": lang},
                files={"file": (name, content + str(seq).encode(), "application/pdf")},
            )
            for kind, lang, name, content in dossier_files()
        ]
        flows.append((create, uploads))
    return flows


async def _agreements(workdir: Path, prepare: int, send: int) -> None:
    from services.agreements.__main__ import migrate_database
    from services.agreements.app import create_app
    from services.agreements.settings import AgreementsSettings

    settings = AgreementsSettings(
        env="test",
        data_dir=workdir,
        agreements_database_url=f"sqlite:///{workdir}/agreements.db",
        watchdog_interval_s=0,
    )
    migrate_database(settings.database_url)
    app = create_app(settings)
    prepared = _prepared_flows(prepare)
    submit = httpx.Request("POST", "http://bench/submit")
    call = Caller(app)
    async with app.router.lifespan_context(app):
        sign_in = {"username": "officer@ha-noi", "password": "dev"}
        status, body = await call(httpx.Request("POST", "http://bench/v1/auth/token", data=sign_in))
        auth = b"Bearer " + json.loads(body)["access_token"].encode()
        for create, uploads in prepared[:send]:
            status, body = await call(create, auth=auth)
            assert status == 201, body
            path = f"/v1/agreements/{json.loads(body)['id']}"
            for upload in uploads:
                status, body = await call(upload, f"{path}/documents", auth)
                assert status == 201, body
            status, body = await call(submit, f"{path}/submit", auth)
            assert status in (200, 202), body


async def _baseline(workdir: Path, prepare: int, send: int) -> None:
    from bench.baseline_app import create_app

    app = create_app(workdir / "baseline.db")
    requests = [
        httpx.Request("POST", "http://bench/items", json={"title": "bench item"})
        for _ in range(prepare * REQUESTS_PER_FLOW)
    ]
    call = Caller(app)
    async with app.router.lifespan_context(app):
        for request in requests[: send * REQUESTS_PER_FLOW]:
            status, body = await call(request)
            assert status == 201, body


def _inner(side: str, prepare: int, send: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as tmp:
        run = _agreements if side == "agreements" else _baseline
        asyncio.run(run(Path(tmp), prepare, send))


def _count(side: str, flows: int, counted: int) -> int:
    """Instructions of one whole run of a side under callgrind: the warm-up, then `counted`
    of the `flows` prepared (every run prepares as many, so that work cancels out)."""
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--cache-sim=no",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--inner",
            side,
            "--flows",
            str(flows),
            "--send",
            str(counted),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=30, help="counted flows of six requests")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--inner", choices=("agreements", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--send", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        _inner(args.inner, WARM_UP + args.flows, WARM_UP + args.send)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    runs = [(side, flows) for side in ("agreements", "baseline") for flows in (0, args.flows)]
    print(f"4 runs under callgrind ({args.flows} counted flows of 6 requests), 2 at a time...")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(
            zip(runs, pool.map(lambda r: _count(r[0], args.flows, r[1]), runs), strict=True)
        )
    requests = args.flows * REQUESTS_PER_FLOW
    per = {
        side: (counts[(side, args.flows)] - counts[(side, 0)]) / requests
        for side in ("agreements", "baseline")
    }
    ratio = per["agreements"] / per["baseline"]
    print(
        f"instructions per request: agreements {per['agreements'] / 1e6:.2f} M, "
        f"baseline {per['baseline'] / 1e6:.2f} M, {ratio:.2f} times"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"per_request": per, "ratio": round(ratio, 3), "flows": args.flows}) + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
