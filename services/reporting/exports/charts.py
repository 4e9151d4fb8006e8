"""Charts of a cycle (per province, per partner country) and of the trend across cycles, as PNG
or SVG. Matplotlib draws off screen with the DejaVu Sans font it ships, which has every
Vietnamese letter, and SVG text is drawn as paths so any viewer shows the same glyphs."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from services.reporting.domain import labels as L

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS: Final = {"png": "image/png", "svg": "image/svg+xml"}
TOP_COUNTRIES: Final = 15
_CURRENT, _PREVIOUS = "#1f5fa8", "#b8c7dc"
# Text layout caches in matplotlib are shared between figures: draw one chart at a time.
_LOCK = threading.Lock()


@cache
def _matplotlib() -> None:
    """Matplotlib set up for drawing off screen, on the first chart: it weighs about 50 MiB,
    which a process that draws none (most of them, most of the time) need not carry."""
    import matplotlib

    matplotlib.use("Agg")  # no display, ever
    matplotlib.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "svg.fonttype": "path",
            # Fixed ids: the same figures give byte-identical SVG.
            "svg.hashsalt": "reporting",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _integer_ticks(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _render(figure: Figure, fmt: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    figure.savefig(buffer, format=fmt, dpi=110, bbox_inches="tight", metadata=metadata)
    return buffer.getvalue()


def _cycle_names(summary: dict[str, Any], lang: str) -> tuple[str, str]:
    n = summary["cycle"]["number"]
    now = L.pick(L.COLUMNS["value"], lang) + f" ({n})"
    before = L.pick(L.COLUMNS["previous"], lang) + f" ({n - 1})"
    return now, before


def _bars(
    title: str,
    rows: list[tuple[str, int, int | None]],
    summary: dict[str, Any],
    lang: str,
    fmt: str,
) -> bytes:
    """Horizontal bars of this cycle, with the previous cycle's beside them when known."""
    height = max(3.0, 0.28 * len(rows) + 1.2)
    figure = _figure(8.5, height)
    ax = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    with_previous = any(p is not None for _, _, p in rows)
    width = 0.4 if with_previous else 0.7
    now_name, before_name = _cycle_names(summary, lang)
    ax.barh(
        [p + (width / 2 if with_previous else 0) for p in positions],
        [v for _, v, _ in rows],
        height=width,
        color=_CURRENT,
        label=now_name,
    )
    if with_previous:
        ax.barh(
            [p - width / 2 for p in positions],
            [prev or 0 for _, _, prev in rows],
            height=width,
            color=_PREVIOUS,
            label=before_name,
        )
        # Above the bars, right of the title: never over a bar, whatever the data.
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)
    ax.set_yticks(positions, [name for name, _, _ in rows], fontsize=8)
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel(L.pick(L.COLUMNS["count"], lang))
    _integer_ticks(ax.xaxis)
    if not rows:
        ax.text(0.5, 0.5, L.pick(L.REPORT_TEXTS["no_data"], lang), ha="center", va="center")
    return _render(figure, fmt)


def provinces_chart(summary: dict[str, Any], lang: str, fmt: str) -> bytes:
    rows = [(r["label"], r["value"], r["previous"]) for r in summary["by_province"]]
    return _bars(L.pick(L.REPORT_TEXTS["province_chart"], lang), rows, summary, lang, fmt)


def countries_chart(summary: dict[str, Any], lang: str, fmt: str) -> bytes:
    """The countries with most agreements this cycle; the rest as one bar."""
    ranked = [r for r in summary["by_country"] if r["value"] or r["previous"]]
    top, rest = ranked[:TOP_COUNTRIES], ranked[TOP_COUNTRIES:]
    rows: list[tuple[str, int, int | None]] = [(r["label"], r["value"], r["previous"]) for r in top]
    if rest:
        previous = None if rest[0]["previous"] is None else sum(r["previous"] or 0 for r in rest)
        rows.append(
            (L.pick(L.REPORT_TEXTS["other"], lang), sum(r["value"] for r in rest), previous)
        )
    return _bars(L.pick(L.REPORT_TEXTS["country_chart"], lang), rows, summary, lang, fmt)


def trend_chart(trend: list[tuple[int, int, bool]], lang: str, fmt: str) -> bytes:
    """Agreements signed per cycle: (cycle number, count, open cycle?)."""
    figure = _figure(8.5, 3.6)
    ax = figure.add_subplot()
    names = [str(n) for n, _, _ in trend]
    values = [v for _, v, _ in trend]
    colours = [_PREVIOUS if is_open else _CURRENT for _, _, is_open in trend]
    bars = ax.bar(names, values, color=colours)
    ax.bar_label(bars, fontsize=8)
    ax.set_title(L.pick(L.REPORT_TEXTS["trend_chart"], lang), fontsize=11, loc="left")
    ax.set_xlabel(L.pick(L.COLUMNS["cycle"], lang))
    ax.set_ylabel(L.pick(L.COLUMNS["count"], lang))
    _integer_ticks(ax.yaxis)
    return _render(figure, fmt)


def render(kind: str, fmt: str, **kwargs: Any) -> bytes:
    """One chart, drawn under the module's lock."""
    draw: dict[str, Callable[..., bytes]] = {
        "provinces": provinces_chart,
        "countries": countries_chart,
        "trend": trend_chart,
    }
    with _LOCK:
        _matplotlib()
        return draw[kind](fmt=fmt, **kwargs)
