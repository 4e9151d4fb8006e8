"""Starts one part of the embedded stack (a line of the Procfile), after what it depends on."""

from __future__ import annotations

import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from common.devservers import (
    EMBEDDED_READY_LINE,
    port_open,
    prometheus_binary,
    prometheus_command,
    prometheus_config,
    tansu_command,
    temporal_command,
    wait_for_port,
)

HOST = "127.0.0.1"
DATA_DIR = Path(os.environ.get("DATA_DIR", ".data")).resolve()
TEMPORAL_PORT = int(os.environ.get("TEMPORAL_PORT", "7233"))
TEMPORAL_UI_PORT = int(os.environ.get("TEMPORAL_UI_PORT", "8233"))
TEMPORAL_METRICS_PORT = int(os.environ.get("TEMPORAL_METRICS_PORT", "7235"))
KAFKA_PORT = int(os.environ.get("KAFKA_PORT", "9092"))
AGREEMENTS_PORT = int(os.environ.get("AGREEMENTS_PORT", "8001"))
RELAY_METRICS_PORT = int(os.environ.get("RELAY_METRICS_PORT", "9101"))
ACTIVITY_METRICS_PORT = int(os.environ.get("ACTIVITY_METRICS_PORT", "9103"))
BRIDGE_METRICS_PORT = int(os.environ.get("BRIDGE_METRICS_PORT", "9104"))
NOTIFICATIONS_PORT = int(os.environ.get("NOTIFICATIONS_PORT", "8002"))
REPORTING_PORT = int(os.environ.get("REPORTING_PORT", "8003"))
PROMETHEUS_PORT = int(os.environ.get("PROMETHEUS_PORT", "9090"))
# As deploy/prometheus/prometheus.yml: every scrape wakes all nine processes and reads the
# agreements database for the business gauges, and an idle stack should cost next to nothing.
PROMETHEUS_SCRAPE_INTERVAL_S = float(os.environ.get("PROMETHEUS_SCRAPE_INTERVAL_S", "15"))


def _service_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATA_DIR", str(DATA_DIR))
    env.setdefault("KAFKA_BOOTSTRAP_SERVERS", f"{HOST}:{KAFKA_PORT}")
    env.setdefault("TEMPORAL_ADDRESS", f"{HOST}:{TEMPORAL_PORT}")
    env.setdefault("AGREEMENTS_HOST", HOST)
    env.setdefault("AGREEMENTS_PORT", str(AGREEMENTS_PORT))
    env.setdefault("RELAY_METRICS_PORT", str(RELAY_METRICS_PORT))
    # Idle consumers wait for the relay's word that it published (common/wakeups.py).
    env.setdefault("EVENTS_WAKEUP_ADDRESS", f"{HOST}:{RELAY_METRICS_PORT}")
    env.setdefault("ACTIVITY_METRICS_PORT", str(ACTIVITY_METRICS_PORT))
    env.setdefault("BRIDGE_METRICS_PORT", str(BRIDGE_METRICS_PORT))
    env.setdefault("NOTIFICATIONS_HOST", HOST)
    env.setdefault("NOTIFICATIONS_PORT", str(NOTIFICATIONS_PORT))
    env.setdefault("PUBLIC_BASE_URL", f"http://{HOST}:{AGREEMENTS_PORT}")
    env.setdefault("REPORTING_HOST", HOST)
    env.setdefault("REPORTING_PORT", str(REPORTING_PORT))
    env.setdefault("AGREEMENTS_URL", f"http://{HOST}:{AGREEMENTS_PORT}")
    env.setdefault("REPORTING_URL", f"http://{HOST}:{REPORTING_PORT}")
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    return env


def _exec(cmd: list[str], env: dict[str, str] | None = None) -> None:
    sys.stdout.flush()
    os.execvpe(cmd[0], cmd, env or dict(os.environ))


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _wait_http(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not _http_ok(url):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not ready after {timeout_s:.0f}s")
        time.sleep(0.2)


def temporal() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _exec(
        temporal_command(
            TEMPORAL_PORT, TEMPORAL_UI_PORT, DATA_DIR / "temporal.db", TEMPORAL_METRICS_PORT
        )
    )


def broker() -> None:
    _exec(tansu_command(KAFKA_PORT))


def agreements() -> None:
    env = _service_env()
    import subprocess

    subprocess.run([sys.executable, "-m", "services.agreements", "migrate"], env=env, check=True)
    _exec([sys.executable, "-m", "services.agreements", "serve"], env)


def activities() -> None:
    """The agreements service's Temporal worker (the lifecycle workflow and its steps), its
    outbox relay and the workflow bridge (agreement.submitted events into signal-with-start
    of the workflow), in one process (three in the production stack: a Python process costs
    ~100 MB, and an idle stack should cost little; issue 17). Each keeps its metrics port.
    The worker and the relay need the migrated database: the API's liveness says it is."""
    wait_for_port(HOST, TEMPORAL_PORT, 60)
    wait_for_port(HOST, KAFKA_PORT, 60)
    _wait_http(f"http://{HOST}:{AGREEMENTS_PORT}/healthz")
    command = [sys.executable, "-m", "services.agreements", "worker", "--relay", "--bridge"]
    _exec(command, _service_env())


def runs_inside(host_part: str) -> None:
    """A part that now runs inside `host_part` (the relay, the workflow worker, the bridge,
    the reporting consumer): kept so a caller that starts parts by name still gets one; it
    only waits to be stopped."""
    print(f"runs inside the {host_part} part", flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})


def notifications() -> None:
    # Its consumer rides out a missing broker, but starting after it avoids a noisy first minute.
    env = _service_env()
    import subprocess

    wait_for_port(HOST, KAFKA_PORT, 60)
    subprocess.run([sys.executable, "-m", "services.notifications", "migrate"], env=env, check=True)
    _exec([sys.executable, "-m", "services.notifications", "serve"], env)


def reporting() -> None:
    """The reporting API and its consumer in one process (two in the production stack)."""
    env = _service_env()
    import subprocess

    subprocess.run([sys.executable, "-m", "services.reporting", "migrate"], env=env, check=True)
    _exec([sys.executable, "-m", "services.reporting", "serve", "--consume"], env)


def prometheus_targets() -> dict[str, str]:
    """The jobs of deploy/prometheus/prometheus.yml, on this stack's ports."""
    return {
        "prometheus": f"{HOST}:{PROMETHEUS_PORT}",
        "agreements": f"{HOST}:{AGREEMENTS_PORT}",
        "agreements-relay": f"{HOST}:{RELAY_METRICS_PORT}",
        "agreements-worker": f"{HOST}:{ACTIVITY_METRICS_PORT}",
        "workflow-bridge": f"{HOST}:{BRIDGE_METRICS_PORT}",
        "notifications": f"{HOST}:{NOTIFICATIONS_PORT}",
        "reporting": f"{HOST}:{REPORTING_PORT}",
        "temporal": f"{HOST}:{TEMPORAL_METRICS_PORT}",
    }


def prometheus() -> None:
    """Prometheus with the production rules, when Debian's package is installed; otherwise
    this part only waits (honcho stops the whole stack when one part exits)."""
    if prometheus_binary() is None:
        print("prometheus is not installed (apt-get install prometheus): not started", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        return
    import yaml

    folder = DATA_DIR / "prometheus"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "prometheus.yml"
    config.write_text(
        yaml.safe_dump(prometheus_config(prometheus_targets(), PROMETHEUS_SCRAPE_INTERVAL_S))
    )
    _exec(prometheus_command(config, folder / "data", PROMETHEUS_PORT))


def ready() -> None:
    """Wait for every part, then say where things are and how to sign in."""
    wait_for_port(HOST, TEMPORAL_PORT, 60)
    wait_for_port(HOST, KAFKA_PORT, 60)
    _wait_http(f"http://{HOST}:{AGREEMENTS_PORT}/readyz", 90)
    metrics = {
        "relay": RELAY_METRICS_PORT,
        "agreements worker (workflows and their steps)": ACTIVITY_METRICS_PORT,
        "bridge": BRIDGE_METRICS_PORT,
    }
    for port in metrics.values():
        wait_for_port(HOST, port, 60)
    metrics_line = ", ".join(f"{name} :{port}" for name, port in metrics.items())
    _wait_http(f"http://{HOST}:{NOTIFICATIONS_PORT}/readyz", 90)
    _wait_http(f"http://{HOST}:{REPORTING_PORT}/readyz", 90)
    ui = f"http://{HOST}:{TEMPORAL_UI_PORT}" if port_open(HOST, TEMPORAL_UI_PORT) else "(headless)"
    if prometheus_binary() is not None:
        _wait_http(f"http://{HOST}:{PROMETHEUS_PORT}/-/ready", 60)
        prom = f"http://{HOST}:{PROMETHEUS_PORT}   (alerts: /alerts, rules: deploy/prometheus/)"
    else:
        prom = "not installed (apt-get install prometheus)"
    password = os.environ.get("DEV_PASSWORD", "dev")
    print(
        f"""
  {EMBEDDED_READY_LINE} (data in {DATA_DIR}).
    Web pages        http://{HOST}:{AGREEMENTS_PORT}/ui   (Vietnamese; English in the header)
    Agreements API   http://{HOST}:{AGREEMENTS_PORT}/docs   (OpenAPI: /openapi.json)
    Metrics          http://{HOST}:<port>/metrics   {metrics_line}
    Notifications    http://{HOST}:{NOTIFICATIONS_PORT}/docs   (inbox, webhooks, /metrics)
    Mail (maildir)   {DATA_DIR / "mail"}   (unless SMTP_HOST is set)
    Reporting API    http://{HOST}:{REPORTING_PORT}/docs   (cycles, summaries, exports)
    Temporal         {HOST}:{TEMPORAL_PORT}   UI {ui}   metrics :{TEMPORAL_METRICS_PORT}
    Kafka broker     {HOST}:{KAFKA_PORT}   topic agreements.events
    Prometheus       {prom}
  Development logins (password '{password}'), e.g.:
    officer@ha-noi, leader@ha-noi    (any of the 34 provinces: officer@<code>, leader@<code>)
    reviewer@mofa, reviewer@ha-noi.police   (any consulted body: reviewer@ or supervisor@<body>)
    pm@office, registry@mofa, ops@system, admin@system
  Press Ctrl-C to stop everything.
""",
        flush=True,
    )
    signal.sigwait({signal.SIGINT, signal.SIGTERM})


if __name__ == "__main__":
    {
        "temporal": temporal,
        "broker": broker,
        "agreements": agreements,
        "relay": lambda: runs_inside("activities"),
        "activities": activities,
        "workflows": lambda: runs_inside("activities"),
        "bridge": lambda: runs_inside("activities"),
        "notifications": notifications,
        "reporting": reporting,
        "reporting-consumer": lambda: runs_inside("reporting"),
        "prometheus": prometheus,
        "ready": ready,
    }[sys.argv[1]]()
