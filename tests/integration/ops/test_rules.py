"""The Prometheus configuration, recording rules and alerts, checked by Debian's promtool:
`check config`, `check rules` and `test rules` (a unit test firing and not firing per alert);
and each alert's severity, summary and runbook entry."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.devservers import PROMETHEUS_RULES, prometheus_config

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RUNBOOK = ROOT / "deploy" / "RUNBOOK.md"
SEVERITIES = {"critical", "warning", "ticket"}

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="Debian's prometheus package (promtool) is missing"
)


def _promtool(*args: str | Path) -> str:
    run = subprocess.run(
        ["promtool", *map(str, args)], capture_output=True, text=True, cwd=PROMETHEUS
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout + run.stderr


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS / "rules" / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def _embedded_jobs() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "deploy" / "local"))
    try:
        import launch
    finally:
        sys.path.pop(0)
    return dict(launch.prometheus_targets())


def test_the_compose_configuration_with_its_rules_is_valid(tmp_path: Path) -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    # In the container the rules are mounted at /etc/prometheus/rules; here, point at ours.
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    config["rule_files"] = [str(PROMETHEUS_RULES / "*.yml")]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    out = _promtool("check", "config", path)
    assert "alerts.yml" in out and "recording.yml" in out


def test_the_embedded_configuration_is_valid_and_scrapes_the_same_jobs(tmp_path: Path) -> None:
    targets = _embedded_jobs()
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(prometheus_config(targets)))
    _promtool("check", "config", path)
    compose = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert {job["job_name"] for job in compose["scrape_configs"]} == set(targets)
    # The Temporal server's large page is read at a quarter of the rate, the others at it.
    intervals = {
        job["job_name"]: job.get("scrape_interval")
        for job in prometheus_config(targets, 15)["scrape_configs"]
    }
    assert intervals.pop("temporal") == "60000ms"
    assert set(intervals.values()) == {None}


def test_the_rules_pass_promtool_check_and_their_unit_tests() -> None:
    _promtool("check", "rules", *sorted((PROMETHEUS / "rules").glob("*.yml")))
    for path in sorted((PROMETHEUS / "tests").glob("*_test.yml")):
        assert "SUCCESS" in _promtool("test", "rules", f"tests/{path.name}")


def test_every_alert_has_a_severity_a_summary_and_a_runbook_entry() -> None:
    headings = {
        re.sub(r"[^a-z0-9-]", "", line[3:].strip().lower().replace(" ", "-"))
        for line in RUNBOOK.read_text().splitlines()
        if line.startswith("## ")
    }
    for alert in _alerts():
        name = alert["alert"]
        assert alert["labels"]["severity"] in SEVERITIES, name
        assert alert["annotations"]["summary"].strip(), name
        runbook = alert["annotations"]["runbook"]
        assert runbook == f"deploy/RUNBOOK.md#{name.lower()}", name
        assert name.lower() in headings, f"no '## {name}' section in deploy/RUNBOOK.md"


def test_every_alert_is_unit_tested_firing_and_not_firing() -> None:
    tests = [
        test
        for path in sorted((PROMETHEUS / "tests").glob("*_test.yml"))
        for test in yaml.safe_load(path.read_text())["tests"]
    ]
    fired: set[str] = set()
    quiet: set[str] = set()
    for test in tests:
        for case in test["alert_rule_test"]:
            (fired if case["exp_alerts"] else quiet).add(case["alertname"])
    names = {alert["alert"] for alert in _alerts()}
    assert names - fired == set(), "alerts never tested firing"
    assert names - quiet == set(), "alerts never tested not firing"
