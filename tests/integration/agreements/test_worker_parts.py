"""The agreements worker with the parts the embedded stack runs inside it (`worker --relay`,
`worker --relay --bridge`): each part serves its own series on its own metrics port, and no
series is served by two ports (each port is its own Prometheus job)."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from common.devservers import free_port, stop_process, wait_for_port
from services.agreements.__main__ import migrate_database
from tests.conftest import Broker, Temporal

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def _families(port: int) -> set[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as page:
        text = page.read().decode()
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


@pytest.mark.parametrize("flags", [["--relay"], ["--relay", "--bridge"]], ids=" ".join)
def test_each_part_of_the_worker_serves_its_own_series_once(
    flags: list[str], broker: Broker, temporal: Temporal, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'agreements.db'}"
    migrate_database(url)
    ports = {name: free_port() for name in ("relay", "bridge", "activities")}
    env = dict(os.environ) | {
        "PYTHONPATH": str(ROOT),
        "ENV": "development",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(tmp_path),
        "AGREEMENTS_DATABASE_URL": url,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "TEMPORAL_ADDRESS": temporal.address,
        "RELAY_METRICS_PORT": str(ports["relay"]),
        "BRIDGE_METRICS_PORT": str(ports["bridge"]),
        "ACTIVITY_METRICS_PORT": str(ports["activities"]),
    }
    log = (tmp_path / "worker.log").open("ab")
    worker = subprocess.Popen(
        [sys.executable, "-m", "services.agreements", "worker", *flags],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port("127.0.0.1", ports["relay"], 60)
        relay = _families(ports["relay"])
        assert any(name.startswith("agreements_relay_") for name in relay)
        if "--bridge" in flags:
            wait_for_port("127.0.0.1", ports["bridge"], 60)
            bridge = _families(ports["bridge"])
            assert any(name.startswith("workflow_bridge_") for name in bridge)
            assert any(name.startswith("event_consumer_") for name in bridge)
            assert relay.isdisjoint(bridge)
        # The bridge's own series never under the relay's job (with no bridge running, they
        # would be zeros there).
        assert not any(name.startswith("workflow_bridge_") for name in relay)
    finally:
        stop_process(worker, 20)
        log.close()
