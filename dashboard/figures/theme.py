"""The look shared by every figure: Swedish separators, accessible colours, empty figures."""

from __future__ import annotations

import functools
import json

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

# Colour-blind-safe palette (Okabe–Ito) and semantic colours with AA contrast on white.
PALETTE = ["#1f4e79", "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#cc79a7", "#0072b2", "#f0e442"]
GOOD = "#1e6b35"
WARN = "#b35c00"
BAD = "#a4161a"
NEUTRAL = "#6c757d"
# Sequential scale for maturity 0–5 and counts (light → dark blue), readable when printed.
SEQUENTIAL = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
AGING_COLOURS = {"1–30": "#f2c14e", "31–90": "#e07b39", "91–180": "#c0392b", ">180": "#7b1e1e"}
# Fill patterns for bar series told apart by colour (grouped or stacked bars): series differ by
# pattern too, in the bars and in the legend's swatches, so that colour is not the only cue
# (WCAG 1.4.1) and the chart survives a grey-scale print.
PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]


def series_pattern(index: int) -> dict:
    """The bar marker's pattern for the ``index``-th series (the first is solid)."""
    return {"shape": PATTERNS[index % len(PATTERNS)], "solidity": 0.3}


# Line series likewise differ by dash and marker symbol, not by colour alone.
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "pentagon"]


def series_line(index: int, colour: str) -> dict:
    """The line and marker of the ``index``-th line series: its colour, dash and symbol."""
    return {
        "line": {"color": colour, "dash": DASHES[index % len(DASHES)]},
        "marker": {"color": colour, "symbol": SYMBOLS[index % len(SYMBOLS)], "size": 7},
    }


_GRID = "#EBF0F8"
_AXIS = {
    "gridcolor": _GRID,
    "linecolor": _GRID,
    "zerolinecolor": _GRID,
    "automargin": True,
    "ticks": "",  # labels only, no tick marks (as plotly_white)
}
_COLORBAR = {"outlinewidth": 0, "ticks": ""}
# Built once at import: naming a stock template ("plotly_white") per figure made plotly copy and
# validate its whole tree (about 100 ms a figure) and send 6.5 kB of unused trace defaults along.
# This carries only what the figures use: a white background with light grid lines, our fonts,
# palette, margins and legend placement.
TEMPLATE = go.layout.Template(
    data={"heatmap": [go.Heatmap(colorbar=_COLORBAR)]},
    layout={
        # As plotly_white: labels that look like numbers ("1882") stay categories.
        "autotypenumbers": "strict",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {
            "family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            "size": 13,
            "color": "#2a3f5f",
        },
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "colorway": PALETTE,
        "coloraxis": {"colorbar": _COLORBAR},
        # Left-aligned, so that the mode bar at the top right never covers the title.
        "title": {"x": 0.01, "xanchor": "left"},
        "hovermode": "closest",
        # No zoom or pan by dragging: without the mode bar there is no button to undo it, and a
        # report is read, not explored (clicks, as on the risk matrix, still work).
        "dragmode": False,
        "hoverlabel": {"align": "left"},
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "polar": {
            "bgcolor": "white",
            "angularaxis": {"gridcolor": _GRID, "linecolor": _GRID, "ticks": ""},
            "radialaxis": {"gridcolor": _GRID, "linecolor": _GRID, "ticks": ""},
        },
        # At the foot of the figure, measured from its edge rather than from the plot area, so
        # that a short chart's legend does not climb onto the x-axis title.
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0},
    },
)


def apply_theme(fig: go.Figure, lang: str = "sv", height: int | None = None) -> go.Figure:
    """Swedish decimal comma and space grouping; compact margins; readable fonts."""
    layout = {"separators": ", " if lang == "sv" else ".,", "template": TEMPLATE}
    if height:
        layout["height"] = height
    fig.update_layout(**layout)
    return fig


def with_traces(fig: go.Figure, traces: list[dict]) -> go.Figure:
    """``fig`` (its layout built and themed as usual) with ``traces`` added unvalidated.

    Plotly checks every property of every trace on the way in; nationally a chart has thousands
    of traces (one line per administration) and the checks cost seconds. The traces here are
    built by our own code, as dicts with a ``type`` and the values plotly's checks would have
    produced (lists of strings, float arrays), so the figure sent is the same.
    """
    return go.Figure(data=[*fig.data, *traces], layout=fig.layout, _validate=False)


def empty_figure(message: str, lang: str = "sv") -> go.Figure:
    """A blank figure that says why it is blank (no data for the selection)."""
    built = json.loads(_empty_figure_json(message, lang))
    return go.Figure(data=built.get("data", []), layout=built["layout"], _validate=False)


@functools.lru_cache(maxsize=32)
def _empty_figure_json(message: str, lang: str) -> str:
    # Built and validated once per message: a page shows it for every empty selection, and
    # apply_theme's template check costs milliseconds each time.
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        showarrow=False,
        font={"size": 14, "color": NEUTRAL},
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return to_json_plotly(apply_theme(fig, lang, height=260))
