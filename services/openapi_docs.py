"""The three services' OpenAPI documents as committed under docs/openapi/: written by
`python -m services.openapi_docs`, checked by `--check` (the documents as the services publish
them, and no breaking change since the previous committed version without a new major
`info.version`). Built from the apps with development defaults, whatever this shell's
environment says, so every machine writes the same bytes."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from common.openapi_diff import breaking_changes, version_allows

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "openapi"
SERVICES = ("agreements", "notifications", "reporting")


@contextmanager
def _bare_environment(data_dir: str) -> Iterator[None]:
    """No setting from the caller's environment reaches the documents."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({"PATH": saved.get("PATH", ""), "ENV": "development", "DATA_DIR": data_dir})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _factories() -> dict[str, Callable[[], FastAPI]]:
    from services.agreements.app import create_app as agreements
    from services.agreements.settings import AgreementsSettings
    from services.notifications.app import create_app as notifications
    from services.notifications.settings import NotificationsSettings
    from services.reporting.app import create_app as reporting
    from services.reporting.settings import ReportingSettings

    return {
        "agreements": lambda: agreements(AgreementsSettings(watchdog_interval_s=0)),
        "notifications": lambda: notifications(
            NotificationsSettings(notifications_worker_enabled=False)
        ),
        "reporting": lambda: reporting(ReportingSettings()),
    }


def documents() -> dict[str, dict[str, Any]]:
    """Each service's document as it serves it at /openapi.json."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="openapi-") as data_dir, _bare_environment(data_dir):
        for name, factory in _factories().items():
            app = factory()
            try:
                out[name] = app.openapi()
            finally:
                app.state.db.dispose()
                if name == "agreements":
                    app.state.reports.close()
    return out


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def path_of(name: str) -> Path:
    return DOCS / f"{name}.json"


def previous_version(name: str, current: str) -> dict[str, Any] | None:
    """The newest committed version of the document that differs from `current` (the one a
    change is compared with); None without git or before the first such version."""
    relative = path_of(name).relative_to(ROOT).as_posix()
    try:
        commits = subprocess.run(
            ["git", "log", "--format=%H", "--", relative],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for commit in commits:
            text = subprocess.run(
                ["git", "show", f"{commit}:{relative}"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            if text != current:
                found: dict[str, Any] = json.loads(text)
                return found
    except (OSError, subprocess.CalledProcessError):
        return None
    return None


def unannounced_breaks(name: str, document: dict[str, Any]) -> list[str]:
    """Breaking changes of `document` since the previous committed version of `name`, unless
    its major version was raised."""
    previous = previous_version(name, render(document))
    if previous is None or version_allows(previous, document):
        return []
    return breaking_changes(previous, document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="compare with docs/openapi/ instead of writing"
    )
    args = parser.parse_args(argv)
    failed = False
    for name, document in documents().items():
        path, text = path_of(name), render(document)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path.relative_to(ROOT)} differs from what {name} publishes")
                failed = True
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({document['info']['version']})")
        for change in unannounced_breaks(name, document):
            print(f"{name}: breaking change without a new major info.version: {change}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
