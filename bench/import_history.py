"""Benchmark of the historical import: a messy register of 10,000 rows (tests/messy_register.py:
countries and provinces in every form, repeats, dates on the cycle boundaries) sent to a real
agreements service (uvicorn, one worker): the preview (`dry_run=true`), then the import (all
rows in one transaction), then the same file again (every row already imported), then the
command line's `--dry-run` and import of another register. Target (issue #14): preview and
import each under 10 s on SQLite and PostgreSQL.

The baseline, in the same run and on the same database: the same number of rows read with the
csv module and inserted with SQLAlchemy Core into a table of the same width, the floor of any
import on this machine.

    .venv/bin/python bench/import_history.py                     # SQLite
    .venv/bin/python bench/import_history.py --backend postgresql
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.devservers import (  # noqa: E402
    free_port,
    scratch_postgres_database,
    serving,
)
from tests.messy_register import COLUMNS, messy_register  # noqa: E402

TARGET_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with ExitStack() as scratch:
        folder = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="bench-import-")))
        if args.backend == "postgresql":
            url = scratch.enter_context(scratch_postgres_database("bench_import"))
        else:
            url = f"sqlite:///{folder / 'agreements.db'}"
        measure(args, folder, url)


def baseline(url: str, content: bytes) -> float:
    """csv + one executemany of the same rows into a bare table: the floor."""
    engine = sa.create_engine(url)
    table = sa.Table(
        "bench_floor",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        *(sa.Column(c, sa.String(600)) for c in COLUMNS),
    )
    table.metadata.create_all(engine)
    started = time.perf_counter()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
    elapsed = time.perf_counter() - started
    table.metadata.drop_all(engine)
    engine.dispose()
    return elapsed


def verdict(seconds: float) -> str:
    return "ok" if seconds < TARGET_S else f"OVER the {TARGET_S:.0f} s target"


def measure(args: argparse.Namespace, folder: Path, url: str) -> None:
    port = free_port()
    env = dict(os.environ) | {
        "DATA_DIR": str(folder),
        "AGREEMENTS_DATABASE_URL": url,
        "AGREEMENTS_PORT": str(port),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    today = date.today()
    register = messy_register(args.rows, today=today, repeats=args.rows // 100, prefix="BENCH")
    content = register.csv()
    name = args.backend
    subprocess.run([sys.executable, "-m", "services.agreements", "migrate"], env=env, check=True)
    floor = baseline(url, content)
    print(f"{name}: baseline csv + bare insert of {len(register.rows):,} rows: {floor:.2f} s")
    with (
        serving("agreements", env, port),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client,
    ):
        token = client.post(
            "/v1/auth/token", data={"username": "registry@mofa", "password": "dev"}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for label, params in (
            ("preview", {"dry_run": "true"}),
            ("import", {}),
            ("same file again", {}),
        ):
            started = time.perf_counter()
            r = client.post(
                "/v1/agreements/import",
                params=params,
                files={"file": ("register.csv", content, "text/csv")},
                headers=headers,
            )
            elapsed = time.perf_counter() - started
            r.raise_for_status()
            body = r.json()
            assert body["to_import"] + body["already_imported"] == register.to_import
            print(
                f"{name}: {label}: {len(register.rows):,} rows ({len(content) / 1e6:.1f} MB)"
                f" in {elapsed:.2f} s ({elapsed / floor:.1f}x the baseline, "
                f"{verdict(elapsed)}): {body['imported']:,} imported, "
                f"{body['already_imported']:,} already imported, "
                f"{body['repeated_rows']:,} repeated, {body['rejected']} rejected"
            )

    more = messy_register(args.rows, today=today, seed=99, prefix="CLI")
    path = folder / "register-cli.csv"
    path.write_bytes(more.csv())
    for label, extra in (("--dry-run", ["--dry-run"]), ("import", [])):
        started = time.perf_counter()
        command = ["-m", "services.agreements", "import", str(path), "--as", "bench", *extra]
        subprocess.run(
            [sys.executable, *command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
        print(
            f"{name}: command line {label} of {len(more.rows):,} rows "
            f"(process start included) in {elapsed:.2f} s ({verdict(elapsed)})"
        )


if __name__ == "__main__":
    main()
