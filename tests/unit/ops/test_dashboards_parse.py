"""The PromQL helpers of tests/ops_support.py, and the shape of the Grafana provisioning and
dashboards in deploy/grafana (what Grafana needs to load them; the metric names are checked
against the running services by the integration tests)."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops_support import (
    dashboard_panels,
    dashboard_queries,
    load_dashboard,
    metric_names,
    recording_rule_names,
)

ROOT = Path(__file__).resolve().parents[3]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
RULES = ROOT / "deploy" / "prometheus" / "rules"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        ("up == 0", {"up"}),
        (
            "histogram_quantile(0.99, sum by (le, handler) (rate(x_bucket[5m])))",
            {"x_bucket"},
        ),
        # The grouping clause after the aggregated expression, and Grafana variables.
        (
            'sum(rate(http_requests_total{job=~"$job"}[$__rate_interval])) by (job, handler)',
            {"http_requests_total"},
        ),
        ("rate(x_total[${__rate_interval}])", {"x_total"}),
        ("rate(x_total[[[interval]]])", {"x_total"}),
        # Label matchers whose values look like names, functions or keywords.
        (
            'sum without (instance) (http_requests_total{status=~"5..|rate|sum", '
            "handler!=\"/v1/by/{id}\", method='GET'})",
            {"http_requests_total"},
        ),
        ('a{le=~"7|7\\\\.0", kind="CONSULTATION"}', {"a"}),
        # Binary operators with vector matching.
        (
            "job:http_requests_5xx:rate5m / on(job) group_left(version) job:http_requests:rate5m",
            {"job:http_requests_5xx:rate5m", "job:http_requests:rate5m"},
        ),
        ("a * ignoring (le) group_right b", {"a", "b"}),
        ("a > bool 0 and b or c unless d", {"a", "b", "c", "d"}),
        ("a atan2 b", {"a", "b"}),
        # Modifiers, subqueries, numbers, strings.
        ("max_over_time(deriv(g[10m])[1h:30s] offset 5m)", {"g"}),
        ("g @ start() - g @ 1700000000", {"g"}),
        ("topk(5, a) / 1e3 + 0x10 - Inf * NaN", {"a"}),
        ('count_values("value", build_info)', {"build_info"}),
        (
            'label_replace(sum(lag), "group", "notifications", "", "")',
            {"lag"},
        ),
        ("clamp_min(max(delta(dead[10m])), 0) or vector(0)", {"dead"}),
        ("SUM BY (kind) (MAX BY (org, kind) (tasks))", {"tasks"}),
        ("sum by (org) (x)\n# a comment naming not_a_metric\n", {"x"}),
        # The metric name as a matcher.
        ('{__name__="temporal_request", job="w"}', {"temporal_request"}),
        ('{__name__=~"temporal_.*"}', set()),
        # A name that is a function elsewhere is a metric when it is not called.
        ("rate + time()", {"rate"}),
        # Grafana variable queries.
        ("label_values(up, job)", {"up"}),
        ('label_values(up{job=~"a|b"}, instance)', {"up"}),
        ('label_values(sum by (org) (tasks{org=~"x(,"}), org)', {"tasks"}),
        ("label_values(job)", set()),
        ("query_result(topk(3, sum by (org) (tasks)))", {"tasks"}),
        ("metrics(agreements_.*)", set()),
        ("vector(7)", set()),
        ("", set()),
    ],
)
def test_metric_names(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_dashboard_queries_reads_rows_and_variables(tmp_path: Path) -> None:
    board = {
        "uid": "u",
        "title": "t",
        "templating": {
            "list": [
                {"type": "query", "name": "job", "query": "label_values(up, job)"},
                {"type": "query", "name": "org", "query": {"query": "label_values(x, org)"}},
                {"type": "custom", "name": "q", "query": "0.5,0.99"},
            ]
        },
        "panels": [
            {"type": "stat", "title": "A", "targets": [{"expr": "a"}, {"expr": "b"}]},
            {
                "type": "row",
                "title": "Collapsed",
                "collapsed": True,
                "panels": [{"type": "timeseries", "title": "C", "targets": [{"expr": "c"}]}],
            },
            {"type": "row", "title": "Open", "collapsed": False, "panels": []},
            {"type": "bargauge", "title": "D", "targets": [{"refId": "A"}]},
        ],
    }
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    assert dashboard_queries(path) == [
        ("$job", "label_values(up, job)"),
        ("$org", "label_values(x, org)"),
        ("A", "a"),
        ("A", "b"),
        ("C", "c"),
        ("D", ""),
    ]


def test_recording_rule_names(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "a.yml").write_text(
        yaml.safe_dump(
            {
                "groups": [
                    {
                        "name": "g",
                        "rules": [
                            {"record": "job:x:rate5m", "expr": "sum by (job) (rate(x[5m]))"},
                            {"alert": "XHigh", "expr": "job:x:rate5m > 1"},
                        ],
                    },
                    {"name": "empty", "rules": []},
                ]
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "nested" / "b.yml").write_text(
        "groups:\n  - name: h\n    rules:\n      - record: y:max\n        expr: max(y)\n",
        encoding="utf-8",
    )
    (tmp_path / "empty.yml").write_text("", encoding="utf-8")
    (tmp_path / "ignored.yaml").write_text("groups: [{rules: [{record: z}]}]", encoding="utf-8")
    assert recording_rule_names(tmp_path) == {"job:x:rate5m", "y:max"}


# --- the provisioning files ------------------------------------------------------------------


def test_datasource_provisioning() -> None:
    content = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    [source] = content["datasources"]
    assert {k: source[k] for k in ("type", "uid", "url", "isDefault", "editable")} == {
        **DATASOURCE,
        "url": "http://prometheus:9090",
        "isDefault": True,
        "editable": False,
    }


def test_dashboard_provisioning() -> None:
    content = yaml.safe_load((GRAFANA / "provisioning/dashboards/dashboards.yml").read_text())
    [provider] = content["providers"]
    assert provider["type"] == "file"
    # The provider reads the folder docker-compose.yml mounts the repository's dashboards at.
    compose = yaml.safe_load((GRAFANA.parents[1] / "docker-compose.yml").read_text())
    mounts = dict(v.split(":")[:2] for v in compose["services"]["grafana"]["volumes"])
    assert provider["options"]["path"] == mounts["./deploy/grafana/dashboards"]
    assert provider["folder"] == "Thỏa thuận quốc tế / International agreements"


# --- the dashboards --------------------------------------------------------------------------


def test_the_dashboards_are_there() -> None:
    assert {path.name for path in DASHBOARDS} >= {
        "agreement-pipeline.json",
        "consultations.json",
        "event-flow.json",
        "service-health.json",
        "temporal-worker.json",
    }


def test_dashboard_uids_are_unique() -> None:
    uids = [load_dashboard(path).get("uid") for path in DASHBOARDS]
    assert all(isinstance(uid, str) and 0 < len(uid) <= 40 for uid in uids), uids
    assert len(set(uids)) == len(uids), uids


def _content_panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in dashboard_panels(board) if panel.get("type") != "row"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_dashboard_shape(path: Path) -> None:
    board = load_dashboard(path)
    english, _, vietnamese = board.get("title", "").partition(" / ")
    assert english and vietnamese, "title: English / Vietnamese"
    assert board.get("id") is None, "provisioned dashboards have no id"
    assert isinstance(board.get("schemaVersion"), int)
    panels = _content_panels(board)
    assert panels
    ids = [panel.get("id") for panel in dashboard_panels(board)]
    assert len(set(ids)) == len(ids), "panel ids are unique"
    for panel in panels:
        title = panel.get("title", "")
        assert title, panel
        assert panel["type"] in {"timeseries", "stat", "table", "bargauge"}, title
        assert panel.get("datasource") == DATASOURCE, title
        assert panel.get("description"), title
        targets = panel.get("targets", [])
        assert targets, title
        for target in targets:
            assert target.get("expr", "").strip(), title
            assert target.get("datasource", DATASOURCE) == DATASOURCE, title
        ref_ids = [target.get("refId") for target in targets]
        assert len(set(ref_ids)) == len(ref_ids), title
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            assert variable.get("datasource") == DATASOURCE, variable.get("name")


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_panels_do_not_overlap(path: Path) -> None:
    boxes = []
    for panel in dashboard_panels(load_dashboard(path)):
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        assert grid["y"] >= 0 and grid["h"] > 0, panel["title"]
        boxes.append((panel["title"], grid))
    for (a, p), (b, q) in combinations(boxes, 2):
        apart = (
            p["x"] + p["w"] <= q["x"]
            or q["x"] + q["w"] <= p["x"]
            or p["y"] + p["h"] <= q["y"]
            or q["y"] + q["h"] <= p["y"]
        )
        assert apart, f"{a!r} overlaps {b!r}"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_queries_name_metrics(path: Path) -> None:
    queries = dashboard_queries(path)
    assert queries
    for title, expr in queries:
        assert metric_names(expr), (title, expr)


@pytest.mark.skipif(not RULES.is_dir(), reason="no deploy/prometheus/rules")
def test_recording_rules_used_by_the_dashboards_exist() -> None:
    # Recording rules are named level:metric:operations; metric names have no colon.
    used = {
        name
        for path in DASHBOARDS
        for _, expr in dashboard_queries(path)
        for name in metric_names(expr)
        if ":" in name
    }
    assert used <= recording_rule_names(RULES), used - recording_rule_names(RULES)
