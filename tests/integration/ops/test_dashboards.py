"""Every query of every Grafana dashboard names a metric that a process of the running
embedded stack really exposes (read from each process's /metrics), or a recording rule."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import until
from tests.integration.ops.conftest import PORTS, Embedded, give_opinion, submit_agreement
from tests.ops_support import dashboard_queries, metric_names, recording_rule_names

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
# The Temporal SDK creates these counters at the first failure, so a healthy stack does not
# expose them yet (names from the SDK's metric list; the alerts' unit tests cover them).
CREATED_ON_FIRST_FAILURE = {
    "temporal_workflow_task_execution_failed",
    "temporal_activity_execution_failed",
    "temporal_local_activity_execution_failed",
}
# Activity tasks on the agreements queue: only runs started before the workflow's steps became
# local activities (workflows/lifecycle/patches.py, LOCAL_STEPS) schedule them, so a new
# stack's SDK never creates these; the dashboards show them beside the local ones.
ONLY_FROM_OLDER_RUNS = {
    "temporal_activity_execution_latency_bucket",
    "temporal_activity_schedule_to_start_latency_bucket",
    "temporal_activity_task_received",
}
METRICS_PORTS = [
    name for name in PORTS if name not in {"TEMPORAL_PORT", "TEMPORAL_UI_PORT", "KAFKA_PORT"}
]


def _exposed(text: str) -> set[str]:
    """Every series name a /metrics page can produce, including families without samples yet."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.add(f"{family.name}_total")
        if family.type in {"histogram", "summary"}:
            names.update(f"{family.name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
    return names


def test_every_dashboard_query_names_an_exposed_metric(embedded: Embedded) -> None:
    # The SDK creates its histograms when the first task runs: run the procedure's first steps.
    with httpx.Client(base_url=embedded.api, timeout=20) as client:
        give_opinion(client, submit_agreement(client))
    until(
        lambda: (
            "temporal_local_activity_execution_latency" in embedded.scrape("ACTIVITY_METRICS_PORT")
        ),
        30,
        "the worker's first step",
    )
    exposed = {"up"} | CREATED_ON_FIRST_FAILURE | ONLY_FROM_OLDER_RUNS
    for port in METRICS_PORTS:
        exposed |= _exposed(embedded.scrape(port))
    exposed |= recording_rule_names(ROOT / "deploy" / "prometheus" / "rules")

    assert len(DASHBOARDS) >= 5
    unknown: list[str] = []
    for path in DASHBOARDS:
        queries = dashboard_queries(path)
        assert queries, f"{path.name} has no queries"
        for title, expr in queries:
            names = metric_names(expr)
            assert names, f"{path.name} / {title}: no metric in {expr!r}"
            unknown += [f"{path.name} / {title}: {name}" for name in sorted(names - exposed)]
    assert not unknown, "metrics no process exposes:\n" + "\n".join(unknown)


def test_every_dashboard_query_runs_in_prometheus(embedded: Embedded) -> None:
    """Prometheus parses and evaluates each query (template variables filled in)."""
    for path in DASHBOARDS:
        for title, expr in dashboard_queries(path):
            if title.startswith("$"):
                continue  # label_values(...) is Grafana's, not PromQL
            promql = (
                expr.replace("$__rate_interval", "1m")
                .replace("$__interval", "1m")
                .replace("$__range", "1h")
                .replace("$job", "agreements")
                .replace("$worker", "agreements-worker")
            )
            embedded.query(promql)
