"""The printable HTML report of a cycle (Vietnamese by default, English with ?lang=en), with
its charts inline as SVG so it prints and archives as one self-contained file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from services.reporting.domain import labels as L
from services.reporting.exports.tabular import tables

_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_env = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _svg(data: bytes) -> Markup:
    """Our own chart, drawn by matplotlib: safe to inline (its XML prologue dropped)."""
    text = data.decode("utf-8")
    return Markup(text[text.index("<svg") :])


def render_report(
    summary: dict[str, Any], charts: dict[str, bytes], lang: str, generated_at: str
) -> str:
    cycle = summary["cycle"]
    texts = {k: L.pick(v, lang) for k, v in L.REPORT_TEXTS.items()}
    period = texts["period"].format(start=cycle["start_after"], end=cycle["end"])
    if cycle["open"]:
        period += " " + texts["open"].format(end=cycle["end"])
    columns = {k: L.pick(v, lang) for k, v in L.COLUMNS.items()}
    filters = {k: v for k, v in summary["filters"].items() if v}
    return _env.get_template("report.html").render(
        lang=lang,
        texts=texts,
        heading=L.cycle_heading(cycle["number"], lang),
        period=period,
        columns=columns,
        filters=filters,
        generated_at=generated_at,
        tables=list(tables(summary, lang)),
        has_previous=summary["previous_cycle"] is not None,
        charts={name: _svg(data) for name, data in charts.items()},
    )
