"""The production-like stack (docker-compose.yml) stays valid.

No Docker engine runs on these machines, but `docker-compose config` (Debian's docker-compose
1.29) validates and interpolates the file without one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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
    "workflow-worker",
    "workflow-bridge",
    "notifications",
    "reporting",
    "reporting-consumer",
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
