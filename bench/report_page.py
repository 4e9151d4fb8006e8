"""Benchmark of the report page (issue 14): GET /ui/reports/{cycle} over a reporting database of
1,000,000 agreements, against its own baseline in the same run, the reporting API's summary
JSON alone (what the page asks for before it renders).

It makes a fresh reporting database, seeds it with bench/report.py's generator (the same
agreements, consultations and duties, re-counted and analyzed), migrates an empty agreements
database, starts the reporting API and the agreements API as real uvicorn processes (the
agreements API pointed at the reporting API with REPORTING_URL), signs in as registry@mofa and
asks, one request at a time and taking turns, for the summary JSON and for the page with the
token as an `Authorization: Bearer` header (as a single sign-on gateway sends it). Then the
same with a field filter (summed from the read model, the slowest summary), and the three
charts a browser loads from the page.

    .venv/bin/python bench/report_page.py                      # PostgreSQL, 1,000,000 rows
    .venv/bin/python bench/report_page.py --rows 100000 --backend sqlite

PostgreSQL is used when reachable at TEST_POSTGRES_URL (default postgres@127.0.0.1:5432);
otherwise it says so and runs on SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import pct, process, token, wait_http  # noqa: E402
from bench.report import load_read_model  # noqa: E402
from common.devservers import (  # noqa: E402
    POSTGRES_ADMIN_URL,
    free_port,
    postgres_reachable,
    scratch_postgres_database,
)
from services.agreements.__main__ import migrate_database as migrate_agreements  # noqa: E402
from services.reporting.__main__ import migrate_database as migrate_reporting  # noqa: E402

TARGET_MS = 1000.0


@contextmanager
def databases(backend: str, folder: Path) -> Iterator[tuple[str, str]]:
    """(reporting URL, agreements URL), fresh, on `backend`; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder}/reporting.db", f"sqlite:///{folder}/agreements.db"
        return
    with (
        scratch_postgres_database("bench_report_page") as reporting,
        scratch_postgres_database("bench_report_page_agreements") as agreements,
    ):
        yield reporting, agreements


@contextmanager
def services(reporting_db: str, agreements_db: str, folder: Path) -> Iterator[tuple[str, str]]:
    """The reporting API and the agreements API (its pages) under uvicorn: their URLs."""
    ports = {"reporting": free_port(), "agreements": free_port()}
    env = dict(os.environ) | {
        "PYTHONPATH": str(ROOT),
        "ENV": "development",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(folder / "data"),
        "REPORTING_DATABASE_URL": reporting_db,
        "REPORTING_PORT": str(ports["reporting"]),
        "AGREEMENTS_DATABASE_URL": agreements_db,
        "AGREEMENTS_PORT": str(ports["agreements"]),
        "REPORTING_URL": f"http://127.0.0.1:{ports['reporting']}",
        "WATCHDOG_INTERVAL_S": "0",  # no Temporal here: nothing to watch
    }
    py = sys.executable
    with ExitStack() as stack:
        for name in ("reporting", "agreements"):
            command = [py, "-m", f"services.{name}", "serve"]
            stack.enter_context(process(command, env, folder / f"{name}.log"))
        wait_http(f"{env['REPORTING_URL']}/healthz")
        pages = f"http://127.0.0.1:{ports['agreements']}"
        wait_http(f"{pages}/healthz")
        yield env["REPORTING_URL"], pages


def timed(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    r = client.get(url, headers=headers)
    elapsed = time.perf_counter() - started
    r.raise_for_status()
    return elapsed, r


def figures(latencies: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": pct(ordered, 95),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def measure(pages: str, reporting: str, cycle: int, runs: int) -> dict[str, dict[str, Any]]:
    bearer = {"Authorization": f"Bearer {token(pages, 'registry@mofa')}"}
    pairs = {
        "": (f"{reporting}/v1/cycles/{cycle}/summary?lang=vi", f"{pages}/ui/reports/{cycle}"),
        "field=education": (
            f"{reporting}/v1/cycles/{cycle}/summary?lang=vi&field=education",
            f"{pages}/ui/reports/{cycle}?field=education",
        ),
    }
    out: dict[str, dict[str, Any]] = {}
    with httpx.Client(timeout=120) as client:
        for view, (summary_url, page_url) in pairs.items():
            count = runs if not view else max(5, runs // 3)
            for _ in range(3):  # warm-up: connections, plans, caches, templates
                timed(client, summary_url, bearer)
                timed(client, page_url, bearer)
            base: list[float] = []
            page: list[float] = []
            signed = None
            for _ in range(count):  # taking turns, so both see the same machine
                elapsed, r = timed(client, summary_url, bearer)
                base.append(elapsed)
                signed = r.json()["headline"]["agreements_signed"]["value"]
                elapsed, r = timed(client, page_url, bearer)
                page.append(elapsed)
                assert f'id="headline-count" data-value="{signed}"' in r.text, "page != summary"
            suffix = f" ({view})" if view else ""
            out[f"summary JSON (baseline){suffix}"] = figures(base) | {"signed": signed}
            out[f"report page{suffix}"] = figures(page) | {"signed": signed}
        charts: list[float] = []
        for _ in range(max(3, runs // 5)):
            started = time.perf_counter()
            for chart in ("trend", "provinces", "countries"):
                timed(client, f"{pages}/ui/reports/{cycle}/charts/{chart}.svg", bearer)
            charts.append(time.perf_counter() - started)
        out["3 charts through the page (svg, one after another)"] = figures(charts)
    return out


def run(backend: str, rows: int, cycle: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-report-page-") as tmp:
        folder = Path(tmp)
        with databases(backend, folder) as (reporting_db, agreements_db):
            migrate_reporting(reporting_db)
            migrate_agreements(agreements_db)
            print(f"== {backend}: loading {rows:,} agreements into the reporting database ...")
            load = load_read_model(reporting_db, rows)
            print(
                "   inserted in {insert_s:.0f}s, re-counted in {recount_s:.0f}s, "
                "analyzed in {analyze_s:.0f}s".format(**load),
                flush=True,
            )
            with services(reporting_db, agreements_db, folder) as (reporting, pages):
                results = measure(pages, reporting, cycle, runs)
    signed = results["report page"]["signed"]
    print(
        f"   cycle {cycle} ({signed:,} agreements signed), one request at a time, {runs} runs; "
        "target: page under 1 s"
    )
    for name, r in results.items():
        verdict = ""
        if name.startswith("report page"):
            verdict = "  under 1 s" if (r["p95_ms"] or 0) < TARGET_MS else "  OVER 1 s"
        print(
            f"   {name:<52} median {r['median_ms']:>7.1f} ms  p95 {r['p95_ms']:>7.1f} ms"
            f"  max {r['max_ms']:>7.1f} ms{verdict}"
        )
    return {"backend": backend, "rows": rows, "cycle": cycle, "load": load, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cycle", type=int, default=21)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--json", type=Path, help="keep the figures in this file")
    args = parser.parse_args()
    backend = args.backend
    if backend == "postgresql" and not postgres_reachable():
        print(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: falling back to SQLite")
        backend = "sqlite"
    result = run(backend, args.rows, args.cycle, args.runs)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
