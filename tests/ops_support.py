"""Reading the monitoring configuration the tests check: the PromQL of the Grafana dashboards
(deploy/grafana/dashboards) and the recording rules of Prometheus (deploy/prometheus/rules).

`metric_names` is a small PromQL tokenizer, not a parser: it finds the identifiers that name
series (`up`, `http_requests_total`, `job:http_requests:rate5m`) and leaves out functions,
aggregations, keywords, label names (in `{...}`, `by (...)`, `on (...)`, ...), strings,
numbers, durations and Grafana variables (`$job`, `${job}`, `[[job]]`, `$__rate_interval`).
It is meant for expressions that Prometheus accepts; on others it does its best.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import yaml

# Aggregation operators: keywords of the PromQL lexer, whether or not a `(` follows.
AGGREGATIONS = frozenset(
    {
        "avg",
        "bottomk",
        "count",
        "count_values",
        "group",
        "limit_ratio",
        "limitk",
        "max",
        "min",
        "quantile",
        "stddev",
        "stdvar",
        "sum",
        "topk",
    }
)

# Keywords followed by a list of label names in parentheses.
GROUPING_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})

# Other keywords: set operators, `bool`, `offset`, `atan2`, and the special numbers.
KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"})

_TOKEN = re.compile(
    r"""
      (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
    | (?P<comment>\#[^\n]*)
    | (?P<variable>\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\])
    | (?P<number>(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\w*)
    | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    kind: str
    text: str


def tokens(expr: str) -> list[Token]:
    """The tokens of a PromQL expression, without whitespace and comments."""
    found = []
    for match in _TOKEN.finditer(expr):
        kind = match.lastgroup
        assert kind is not None
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group()))
    return found


def _closing(toks: list[Token], start: int, opening: str, closing: str) -> int:
    """The index of the token closing the bracket at `start` (the last index if unbalanced)."""
    depth = 0
    for i in range(start, len(toks)):
        if toks[i].text == opening:
            depth += 1
        elif toks[i].text == closing:
            depth -= 1
            if depth == 0:
                return i
    return len(toks) - 1


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    if literal.startswith("`"):
        return body
    return re.sub(r"\\(.)", r"\1", body)


def _selector_names(toks: list[Token]) -> set[str]:
    """Metric names given as `__name__="x"` inside one label matcher list."""
    return {
        _unquote(toks[i + 2].text)
        for i in range(len(toks) - 2)
        if toks[i].text == "__name__" and toks[i + 1].text == "=" and toks[i + 2].kind == "string"
    }


def _grafana_variable_query(expr: str) -> str | None:
    """The PromQL inside a Grafana variable query (`label_values(up, job)` -> `up`); '' when it
    has none (`label_values(job)`, `metrics(...)`); None when `expr` is plain PromQL."""
    match = re.fullmatch(
        r"\s*(label_values|label_names|metrics|query_result)\s*\((.*)\)\s*", expr, re.DOTALL
    )
    if match is None:
        return None
    function, inner = match.groups()
    if function in ("query_result", "label_names"):
        return inner
    if function == "metrics":
        return ""
    # label_values([series selector,] label): the label comes after the last top-level comma.
    depth, last_comma = 0, -1
    for match in _TOKEN.finditer(inner):  # tokens, so that brackets in strings do not count
        text = match.group()
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
        elif text == "," and depth == 0:
            last_comma = match.start()
    return inner[:last_comma] if last_comma >= 0 else ""


def metric_names(expr: str) -> set[str]:
    """The names of the series (metrics and recording rules) a PromQL expression reads.

    An identifier is a series name unless it is a keyword or an aggregation (`sum`, `by`,
    `group_left`, `bool`, `offset`, `and`, ...; case-insensitive as in PromQL), or is followed
    by `(` (a function call: PromQL has no other use of a name before a parenthesis), or stands
    in a label matcher list `{...}`, a grouping list `by (...)`/`on (...)`/..., or a range
    `[...]`. Grafana variable queries (`label_values(up, job)`) are understood too.
    """
    inner = _grafana_variable_query(expr)
    if inner is not None:
        return metric_names(inner) if inner.strip() else set()
    toks = tokens(expr)
    names: set[str] = set()
    i = 0
    while i < len(toks):
        tok = toks[i]
        following = toks[i + 1].text if i + 1 < len(toks) else ""
        if tok.text == "{":
            end = _closing(toks, i, "{", "}")
            names |= _selector_names(toks[i + 1 : end])
            i = end + 1
            continue
        if tok.text == "[":  # a range or a subquery: durations and Grafana variables
            i = _closing(toks, i, "[", "]") + 1
            continue
        if tok.kind == "ident":
            word = tok.text.lower()
            if word in GROUPING_KEYWORDS and following == "(":
                i = _closing(toks, i + 1, "(", ")") + 1
                continue
            if not (
                word in GROUPING_KEYWORDS
                or word in AGGREGATIONS
                or word in KEYWORDS
                or following == "("
            ):
                names.add(tok.text)
        i += 1
    return names


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def dashboard_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel of a dashboard, rows and the panels inside rows (collapsed or not) included."""
    return list(_panels(dashboard.get("panels", [])))


def load_dashboard(path: Path) -> dict[str, Any]:
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(dashboard, dict):
        raise ValueError(f"{path}: a dashboard is a JSON object")
    return dashboard


def dashboard_queries(path: Path) -> list[tuple[str, str]]:
    """(panel title, expr) for every target of every panel, and (`$name`, query) for every
    query variable, of a Grafana dashboard file. A target without an expr gives ''."""
    dashboard = load_dashboard(path)
    queries: list[tuple[str, str]] = []
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query", "")
        if isinstance(query, dict):  # Grafana 10+: {"query": ..., "refId": ...}
            query = query.get("query", "")
        queries.append((f"${variable.get('name', '')}", str(query)))
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            queries.append((str(panel.get("title", "")), str(target.get("expr", ""))))
    return queries


def recording_rule_names(rules_dir: Path) -> set[str]:
    """The `record:` names of every rule group in the `*.yml` files under `rules_dir`."""
    names: set[str] = set()
    for path in sorted(rules_dir.rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for group in content.get("groups") or []:
            for rule in group.get("rules") or []:
                if "record" in rule:
                    names.add(str(rule["record"]))
    return names
