"""Every chart's text alternative: a "Visa som tabell" view of the numbers the chart draws.

One component (``chart_with_table``) wraps a page's dcc.Graph in a <figure> with

- a caption that says what the chart shows (for screen readers; on screen the card's heading
  names the chart, and plotly's own title is not drawn again),
- a native <details>/<summary> toggle "Visa som tabell" (keyboard operable, announced as
  expanded or collapsed without any script), and
- the table itself: a caption, column headers and row headers (``scope``), in a focusable
  region that scrolls on its own on a narrow screen.

The table is built from the figure the graph was given, the one data both are drawn from, so
the table cannot say anything the chart does not: rows are the chart's categories (bars, funnel
stages, months, radar areas, heatmap rows) in the order they are drawn top to bottom, columns its
series. A figure travels back to the server only while its table is open (a clientside gate in
assets/chart_table.js), so a closed table costs nothing.

A page calls ``register_chart_tables(GRAPH_ID, ...)`` once at import for its charts (the gate is
per graph, because the graphs keep the plain ids their page callbacks fill); the table builder
is one pattern-matching callback for all of them (``register_table_builder``, on the app).
"""

from __future__ import annotations

import base64
import math
import re

import dash
import numpy as np
from dash import MATCH, ClientsideFunction, Input, Output, State, dcc, html

from dashboard.i18n import Texts, translate
from etl.formatting import format_number, format_percent

TOGGLE = "chart-table-toggle"
SOURCE = "chart-table-source"
TABLE = "chart-table"
SUMMARY = "chart-summary"
# Above this many series a table with one column per series is too wide to read: one row per
# (series, category) instead.
WIDE_SERIES_LIMIT = 8
# A cell computed from the chart's values (the funnel's share of its first stage), not one of them.
DERIVED = "derived"
LABEL = "label"  # a category named in a cell (the long form's second column)

TEXT: Texts = {
    "sv": {
        "show": "Visa som tabell",
        "category": "Kategori",
        "series": "Serie",
        "value": "Värde",
        "of_first": "Andel av första steget",
        "empty": "Diagrammet har inga värden för det här urvalet.",
        "table_of": "Tabell: {caption}",
    },
    "en": {
        "show": "Show as table",
        "category": "Category",
        "series": "Series",
        "value": "Value",
        "of_first": "Share of the first stage",
        "empty": "The chart has no values for this selection.",
        "table_of": "Table: {caption}",
    },
}


def _id(kind: str, graph_id: str) -> dict:
    return {"type": kind, "chart": graph_id}


def _graph_id(graph) -> str:
    """The id of the dcc.Graph in ``graph`` (a graph, or a dcc.Loading around one)."""
    while not isinstance(graph, dcc.Graph):
        graph = graph.children
    return graph.id


def chart_with_table(graph, caption: str, lang: str = "sv") -> html.Figure:
    """``graph`` (a dcc.Graph, maybe inside dcc.Loading) with its caption, toggle and table.

    ``caption`` is the chart's name as the card heading shows it; it heads the table too."""
    graph_id = _graph_id(graph)
    return html.Figure(
        [
            graph,
            # For screen readers, what the chart shows: its own title (hidden on screen, where
            # the card's heading names the chart and repeating it confused), its series and
            # values (assets/chart_table.js fills it from the figure).
            html.Figcaption(
                html.Span(id=_id(SUMMARY, graph_id)), className="chart-caption visually-hidden"
            ),
            html.Details(
                [
                    html.Summary(
                        translate(TEXT, "show", lang),
                        id=_id(TOGGLE, graph_id),
                        className="chart-table-toggle",
                    ),
                    html.Div(id=_id(TABLE, graph_id), className="chart-table-body"),
                ],
                className="chart-table-details",
            ),
            dcc.Store(id=_id(SOURCE, graph_id), data={"caption": caption}),
        ],
        className="chart-figure mb-0",
    )


def register_chart_tables(*graph_ids: str) -> None:
    """The gate of each chart (call at a page's import, as its own callbacks are): the figure goes
    to the table builder when the toggle opens and while it is open; the caption follows every
    figure."""
    for graph_id in graph_ids:
        dash.clientside_callback(
            ClientsideFunction(namespace="chartTable", function_name="gate"),
            Output(_id(SOURCE, graph_id), "data"),
            Output(_id(SUMMARY, graph_id), "children"),
            Input(graph_id, "figure"),
            Input(_id(TOGGLE, graph_id), "n_clicks"),
            State(_id(SOURCE, graph_id), "data"),
        )


def register_table_builder(app: dash.Dash) -> None:
    """One callback builds every chart's table (on ``app`` itself, as the shell's callbacks)."""
    app.callback(
        Output(_id(TABLE, MATCH), "children"),
        Input(_id(SOURCE, MATCH), "data"),
        prevent_initial_call=True,
    )(build_table)


def build_table(source):
    if not isinstance(source, dict) or not isinstance(source.get("figure"), dict):
        return dash.no_update
    caption = str(source.get("caption") or "")
    return figure_table(source["figure"], caption)


# --------------------------------------------------------------------------- figure → table


def figure_language(layout: dict) -> str:
    """The theme sets Swedish separators (decimal comma) for Swedish figures."""
    return "en" if str(layout.get("separators", ", ")).startswith(".") else "sv"


def decode(values) -> list:
    """A trace's array as a list: plotly sends numpy arrays as base64 ({dtype, bdata, shape})."""
    if values is None:
        return []
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        shape = values.get("shape")
        if shape:
            dims = [int(n) for n in str(shape).split(",")] if isinstance(shape, str) else shape
            array = array.reshape(dims)
        return array.tolist()
    if isinstance(values, list | tuple):
        return list(values)
    return [values]


def _text(value) -> str:
    """Plotly text as plain text: tags removed, entities of our escaping undone."""
    text = re.sub(r"<[^>]*>", "", str(value if value is not None else ""))
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _title(part: dict | None) -> str:
    title = (part or {}).get("title")
    if isinstance(title, dict):
        return _text(title.get("text") or "")
    return _text(title or "")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value, percent: bool, lang: str) -> str:
    if _missing(value):
        return "–"
    if percent:
        return format_percent(float(value), 0, lang)
    value = float(value)
    decimals = 0 if abs(value - round(value)) < 1e-9 else 1
    return format_number(value, decimals, lang)


def cell_text(value, text, percent: bool, lang: str) -> str:
    """The number as the chart shows it, with the chart's own label where that says more
    ("3,1 (3 Definierad)"); a label that begins with the number is shown alone."""
    number = _number(value, percent, lang)
    label = _text(text).strip() if text is not None else ""
    if not label or label == number or _missing(value):
        return number if not _missing(value) else (label or "–")
    plain = number.replace("\u00a0", " ")
    if label.replace("\u00a0", " ").startswith(plain + " "):
        return label
    return f"{number} ({label})"


def _tick_names(axis: dict) -> dict:
    values, texts = decode(axis.get("tickvals")), decode(axis.get("ticktext"))
    return {v: _text(t) for v, t in zip(values, texts, strict=False)}


def _category(value, axis: dict, names: dict) -> str:
    if value in names:
        return names[value]
    if axis.get("type") == "date" and isinstance(value, str):
        return value.split("T")[0].removesuffix(" 00:00:00")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value)


def _axis(layout: dict, trace: dict, letter: str) -> dict:
    ref = trace.get(f"{letter}axis", letter)
    return layout.get(ref.replace(letter, f"{letter}axis", 1), {}) or {}


def _percent_axis(axis: dict) -> bool:
    return "%" in str(axis.get("tickformat") or "")


class _Columns:
    """Column headers, rows of (header, cells) and each cell's raw value, as the table shows."""

    def __init__(self, corner: str, headers: list[str]):
        self.corner = corner
        self.headers = headers
        self.rows: list[tuple[str, list[tuple[str, object]]]] = []


def _series_table(traces: list[dict], layout: dict, lang: str) -> _Columns:
    """Bars, lines, funnels, radar: rows are categories, columns series."""
    first = traces[0]
    kind = first.get("type", "scatter")
    if kind == "scatterpolar":
        cat_key, val_key, cat_axis, val_axis = "theta", "r", {}, {}
    else:
        horizontal = first.get("orientation") == "h" or (
            kind == "funnel" and first.get("orientation") != "v"
        )
        cat_letter, val_letter = ("y", "x") if horizontal else ("x", "y")
        cat_key, val_key = cat_letter, val_letter
        cat_axis = _axis(layout, first, cat_letter)
        val_axis = _axis(layout, first, val_letter)
    percent = _percent_axis(val_axis)
    names = _tick_names(cat_axis)
    series = []
    for trace in traces:
        cats = decode(trace.get(cat_key))
        vals = decode(trace.get(val_key))
        texts = trace.get("text")
        texts = decode(texts) if isinstance(texts, list | dict) else [None] * len(vals)
        points = list(zip(cats, vals, texts + [None] * (len(vals) - len(texts)), strict=False))
        if kind == "scatterpolar" and len(points) > 1 and points[-1][0] == points[0][0]:
            points = points[:-1]  # the radar repeats its first point to close the shape
        name = _text(trace.get("name") or "") or _title(val_axis) or translate(TEXT, "value", lang)
        series.append((name, points))
    categories: list = []
    for _, points in series:
        for cat, _v, _t in points:
            if cat not in categories:
                categories.append(cat)
    # A category axis going up: the top bar is the first row. Plotly draws a funnel top down.
    upward = kind not in ("scatterpolar", "funnel") and cat_key == "y"
    if upward and cat_axis.get("autorange") != "reversed":
        categories.reverse()
    corner = _title(cat_axis) or translate(TEXT, "category", lang)
    if len(series) > WIDE_SERIES_LIMIT:
        table = _Columns(translate(TEXT, "series", lang), [corner, translate(TEXT, "value", lang)])
        for name, points in series:
            for cat, value, text in points:
                label = _category(cat, cat_axis, names)
                table.rows.append(
                    (name, [(label, LABEL), (cell_text(value, text, percent, lang), value)])
                )
        return table
    table = _Columns(corner, [name for name, _ in series])
    lookup = [{cat: (value, text) for cat, value, text in points} for _, points in series]
    funnel = kind == "funnel" and len(series) == 1
    if funnel:
        table.headers.append(translate(TEXT, "of_first", lang))
        first_value = next((v for _c, v, _t in series[0][1] if not _missing(v)), None)
    for cat in categories:
        cells = []
        for found in lookup:
            value, text = found.get(cat, (None, None))
            cells.append((cell_text(value, text, percent, lang), value))
        if funnel:
            value = lookup[0].get(cat, (None, None))[0]
            share = value / first_value if first_value and not _missing(value) else None
            cells.append((format_percent(share, 0, lang), DERIVED))
        table.rows.append((_category(cat, cat_axis, names), cells))
    return table


def _heatmap_table(trace: dict, layout: dict, lang: str) -> _Columns:
    """A heatmap: its rows top to bottom, its columns left to right, each cell's value."""
    x_axis, y_axis = _axis(layout, trace, "x"), _axis(layout, trace, "y")
    x_names, y_names = _tick_names(x_axis), _tick_names(y_axis)
    z = decode(trace.get("z"))
    xs = decode(trace.get("x")) or list(range(len(z[0]) if z else 0))
    ys = decode(trace.get("y")) or list(range(len(z)))
    texts = decode(trace.get("text")) if isinstance(trace.get("text"), list | dict) else []
    corner = _title(y_axis) or translate(TEXT, "category", lang)
    x_title = _title(x_axis)
    if x_title:
        corner = f"{corner} / {x_title}"
    table = _Columns(corner, [_category(x, x_axis, x_names) for x in xs])
    order = range(len(ys))
    if y_axis.get("autorange") != "reversed":
        order = reversed(order)  # the top row first
    for i in order:
        row = z[i] if i < len(z) else []
        row_texts = texts[i] if i < len(texts) and isinstance(texts[i], list) else []
        cells = []
        for j in range(len(xs)):
            value = row[j] if j < len(row) else None
            text = row_texts[j] if j < len(row_texts) else None
            cells.append((cell_text(value, text, False, lang), value))
        table.rows.append((_category(ys[i], y_axis, y_names), cells))
    return table


def figure_columns(figure: dict) -> _Columns | None:
    """The figure's numbers as table columns and rows; None when it draws no data."""
    layout = figure.get("layout") or {}
    lang = figure_language(layout)
    traces = [
        t
        for t in figure.get("data") or []
        if isinstance(t, dict) and t.get("visible", True) is not False
    ]
    if not traces:
        return None
    heatmaps = [t for t in traces if t.get("type") == "heatmap"]
    if heatmaps:
        return _heatmap_table(heatmaps[0], layout, lang)
    return _series_table(traces, layout, lang)


def _cell(text: str, value) -> html.Td:
    """A value cell; ``data-value`` holds the chart's own number (empty for a missing value or a
    label) so that a test can hold the table to the figure."""
    if value is DERIVED:
        return html.Td(text, **{"data-derived": "true"})
    if value is LABEL:
        return html.Td(text)
    raw = "" if _missing(value) or isinstance(value, str) else repr(float(value))
    return html.Td(text, **{"data-value": raw})


def figure_table(figure: dict, caption: str):
    """The accessible table of ``figure``'s numbers (or a sentence when it has none)."""
    lang = figure_language(figure.get("layout") or {})
    table = figure_columns(figure)
    if table is None:
        return html.P(translate(TEXT, "empty", lang), className="text-muted small mb-0")
    head = html.Thead(
        html.Tr(
            [html.Th(table.corner, scope="col")] + [html.Th(h, scope="col") for h in table.headers]
        )
    )
    body = html.Tbody(
        [
            html.Tr([html.Th(header, scope="row")] + [_cell(text, value) for text, value in cells])
            for header, cells in table.rows
        ]
    )
    name = caption or _title(figure.get("layout"))
    return html.Div(
        html.Table(
            [html.Caption(name), head, body],
            className="table table-sm table-striped chart-table mb-0",
        ),
        className="table-responsive chart-table-region",
        tabIndex="0",
        role="region",
        **{"aria-label": translate(TEXT, "table_of", lang).format(caption=name)},
    )
