"""Benchmark of the historical import: a generated register of 10,000 signed agreements sent to
POST /v1/agreements/import of a real agreements service (uvicorn, one worker), timed from the
upload to the answer, then the same file again (every reference skipped), then the command line
import of another 10,000 rows. Target (issue #5): 10,000 rows in under 60 s.

    .venv/bin/python bench/import_history.py                     # SQLite
    .venv/bin/python bench/import_history.py --backend postgresql
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.devservers import (  # noqa: E402
    free_port,
    scratch_postgres_database,
    stop_process,
    wait_for_port,
)
from tests.integration.reporting.history import generate, to_csv  # noqa: E402


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


def measure(args: argparse.Namespace, folder: Path, url: str) -> None:
    port = free_port()
    env = dict(os.environ) | {
        "DATA_DIR": str(folder),
        "AGREEMENTS_DATABASE_URL": url,
        "AGREEMENTS_PORT": str(port),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    third = max(1, args.rows // 3)
    records = generate({19: third, 20: third, 21: args.rows - 2 * third})
    register = to_csv(records)
    subprocess.run([sys.executable, "-m", "services.agreements", "migrate"], env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "services.agreements", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port("127.0.0.1", port, 60)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            token = client.post(
                "/v1/auth/token", data={"username": "admin@system", "password": "dev"}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            for label in ("first import", "same file again"):
                started = time.perf_counter()
                r = client.post(
                    "/v1/agreements/import",
                    files={"file": ("register.csv", register, "text/csv")},
                    headers=headers,
                )
                elapsed = time.perf_counter() - started
                r.raise_for_status()
                body = r.json()
                print(
                    f"{args.backend}: {label}: {len(records):,} rows "
                    f"({len(register) / 1e6:.1f} MB) in {elapsed:.1f} s: "
                    f"{body['imported']:,} imported, "
                    f"{body['skipped_existing']:,} skipped, {body['rejected']} rejected"
                )
        more = generate({19: third, 20: third, 21: args.rows - 2 * third}, seed=99)
        for record in more:
            record.row["reference"] = "CLI-" + record.row["reference"]
        path = folder / "register-cli.csv"
        path.write_bytes(to_csv(more))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "services.agreements", "import", str(path), "--as", "bench"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(
            f"{args.backend}: command line import of {len(more):,} rows "
            f"(process start included) in {time.perf_counter() - started:.1f} s"
        )
    finally:
        stop_process(server, 20)


if __name__ == "__main__":
    main()
