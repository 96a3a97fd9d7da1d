"""Figures of the maturity page: heatmap, self vs evidence, trend and one administration's profile.

Maturity levels are 0–5 with the labels of etl.vocab.MATURITY_LEVELS (Saknas … Optimerad).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures._themed import themed_figure
from dashboard.figures.coverage import scope_labels
from dashboard.figures.theme import PALETTE, SEQUENTIAL, empty_figure, series_line, series_pattern
from dashboard.i18n import t, translate
from dashboard.markup import plot_text, plot_texts
from etl.formatting import format_date
from etl.vocab import MATURITY_LEVELS

MATURITY_LEVELS_EN = {
    0: "Missing",
    1: "Initial",
    2: "Repeatable",
    3: "Defined",
    4: "Managed",
    5: "Optimised",
}
TEXT = {
    "sv": {
        "heatmap_title": "Självskattad mognad per område",
        "comparison_title": "Självskattad och belagd mognad",
        "trend_title": "Mognad över tid (medelnivå)",
        "profile_title": "Mognadsprofil",
        "self": "Självskattad",
        "evidence": "Belagd",
        "level": "Nivå (0–5)",
        "date": "Bedömd",
        "area": "Område",
    },
    "en": {
        "heatmap_title": "Self-assessed maturity per area",
        "comparison_title": "Self-assessed and evidence-based maturity",
        "trend_title": "Maturity over time (mean level)",
        "profile_title": "Maturity profile",
        "self": "Self-assessed",
        "evidence": "Evidence-based",
        "level": "Level (0–5)",
        "date": "Assessed",
        "area": "Area",
    },
}


def level_label(level, lang: str = "sv") -> str:
    """3 → "3 Definierad"; missing → "–"."""
    if level is None or pd.isna(level):
        return "–"
    labels = MATURITY_LEVELS_EN if lang == "en" else MATURITY_LEVELS
    number = int(round(float(level)))
    return f"{number} {labels.get(number, '')}".strip()


def _level_axis(lang: str) -> dict:
    labels = MATURITY_LEVELS_EN if lang == "en" else MATURITY_LEVELS
    return {
        "range": [0, 5.2],
        "tickvals": list(labels),
        "ticktext": [f"{n} {name}" for n, name in labels.items()],
        "title": {"text": translate(TEXT, "level", lang)},
    }


def maturity_heatmap(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Rows scopes, columns areas (columns scope_name, area_name, area_order, level)."""
    if df is None or df.empty:
        return empty_figure(t("no_data", lang), lang)
    areas = (
        df[["area_name", "area_order"]]
        .drop_duplicates("area_name")
        .sort_values(["area_order", "area_name"])["area_name"]
        .tolist()
    )
    # Keyed by code: two municipalities may both have a "Socialförvaltningen".
    id_column = "scope_id" if "scope_id" in df else "scope_name"
    names = scope_labels(df[id_column], df["scope_name"])
    ids = sorted(names, key=lambda sid: names[sid], reverse=True)  # top-down alphabetical
    scopes = [names[sid] for sid in ids]
    grid = df.pivot_table(index=id_column, columns="area_name", values="level", aggfunc="max")
    grid = grid.reindex(index=ids, columns=areas)
    z = grid.to_numpy(dtype=float).tolist()
    text = [[level_label(v, lang) for v in row] for row in z]
    labels = MATURITY_LEVELS_EN if lang == "en" else MATURITY_LEVELS
    heatmap = {
        "type": "heatmap",
        "z": z,
        "x": plot_texts(areas),  # names from the store: drawn, not read
        "y": plot_texts(scopes),
        "text": text,
        "texttemplate": "%{text}",
        "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>",
        "zmin": 0,
        "zmax": 5,
        "colorscale": [[i / (len(SEQUENTIAL) - 1), c] for i, c in enumerate(SEQUENTIAL)],
        "colorbar": {
            "tickvals": list(labels),
            "ticktext": [f"{n} {name}" for n, name in labels.items()],
        },
        "xgap": 2,
        "ygap": 2,
    }
    layout = {
        "title": {"text": translate(TEXT, "heatmap_title", lang)},
        "xaxis": {"tickangle": -35},
    }
    # A row per administration nationally: the cells are added unchecked (figures/_themed.py).
    return themed_figure([heatmap], layout, lang, height=max(320, 160 + 34 * len(scopes)))


def maturity_comparison_figure(
    df: pd.DataFrame, lang: str = "sv", title: str | None = None
) -> go.Figure:
    """Self-assessed beside evidence-based per scope (columns scope_name, maturity_self,
    maturity_evidence); ``title`` in place of the usual one (which scopes are shown)."""
    if df is None or df.empty or df[["maturity_self", "maturity_evidence"]].isna().all().all():
        return empty_figure(t("no_data", lang), lang)
    id_column = "scope_id" if "scope_id" in df else "scope_name"
    names = scope_labels(df[id_column], df["scope_name"])
    df = df.assign(_label=[names[s] for s in df[id_column]]).sort_values("_label", ascending=False)
    traces = []
    for i, (column, key, colour) in enumerate(
        (("maturity_self", "self", PALETTE[0]), ("maturity_evidence", "evidence", PALETTE[1]))
    ):
        values = df[column].to_numpy(dtype=float)
        traces.append(
            {
                "type": "bar",
                "name": translate(TEXT, key, lang),
                "y": plot_texts(df["_label"]),  # names from the store: drawn, not read
                "x": values,
                "orientation": "h",
                "marker": {"color": colour, "pattern": series_pattern(i)},
                "text": [level_label(v, lang) if pd.notna(v) else "–" for v in values],
                "hovertemplate": "%{y}: %{x:.1f}<extra></extra>",
            }
        )
    layout = {
        "barmode": "group",
        "title": {"text": title or translate(TEXT, "comparison_title", lang)},
        "xaxis": _level_axis(lang),
    }
    return themed_figure(traces, layout, lang, height=max(300, 120 + 44 * len(df)))


def maturity_trend_figure(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """One line per scope over its assessments (columns assessed_on, scope_name, mean_level)."""
    if df is None or df.empty:
        return empty_figure(t("no_data", lang), lang)
    id_column = "scope_id" if "scope_id" in df else "scope_name"
    names = scope_labels(df[id_column], df["scope_name"])
    # Two stable sorts (by scope, then date within it) and slices of whole columns, not a sort
    # and a filter per scope (1 600 scopes nationally).
    ordered = df.sort_values("assessed_on", kind="stable").sort_values(id_column, kind="stable")
    ids = ordered[id_column].tolist()
    dates = ordered["assessed_on"].tolist()
    levels = ordered["mean_level"].to_numpy(dtype=float)
    parts: dict = {}
    start = 0
    for end in range(1, len(ids) + 1):
        if end == len(ids) or ids[end] != ids[start]:
            parts[ids[start]] = (dates[start:end], levels[start:end])
            start = end
    traces = []
    for i, sid in enumerate(sorted(names, key=lambda s: names[s])):
        scope_dates, scope_levels = parts[sid]
        name = plot_text(names[sid])  # drawn in the legend and the hover template
        traces.append(
            {
                "type": "scatter",
                "name": name,
                "x": [format_date(d) for d in scope_dates],
                "y": scope_levels,
                "mode": "lines+markers",
                **series_line(i, PALETTE[i % len(PALETTE)]),
                "hovertemplate": f"{name}<br>%{{x}}: %{{y:.1f}}<extra></extra>",
            }
        )
    layout = {
        "title": {"text": translate(TEXT, "trend_title", lang)},
        "yaxis": _level_axis(lang),
        "xaxis": {"title": {"text": translate(TEXT, "date", lang)}, "type": "date"},
    }
    # Thousands of lines nationally: added without plotly's per-property checks (_themed.py).
    return themed_figure(traces, layout, lang, height=340)


def maturity_profile_figure(df: pd.DataFrame, scope_name: str = "", lang: str = "sv") -> go.Figure:
    """One scope's level per area as a radar (columns area_name, area_order, level)."""
    if df is None or df.empty:
        return empty_figure(t("no_data", lang), lang)
    df = df.sort_values(["area_order", "area_name"])
    areas = df["area_name"].tolist()
    levels = df["level"].astype(float).tolist()
    trace = {
        "type": "scatterpolar",
        "r": levels + levels[:1],
        "theta": plot_texts(areas + areas[:1]),  # names from the store: drawn, not read
        "fill": "toself",
        "name": plot_text(scope_name) or translate(TEXT, "self", lang),
        "line": {"color": PALETTE[0]},
        "text": [level_label(v, lang) for v in levels + levels[:1]],
        "hovertemplate": "%{theta}: %{text}<extra></extra>",
    }
    title = translate(TEXT, "profile_title", lang)
    layout = {
        "title": {"text": f"{title}: {plot_text(scope_name)}" if scope_name else title},
        # The radar in the middle half of the width, the sides left for the area names: drawn
        # edge to edge with the theme's 10 px margins it cut "Incidenthantering" off.
        "polar": {
            "radialaxis": {"range": [0, 5], "tickvals": [0, 1, 2, 3, 4, 5]},
            "domain": {"x": [0.25, 0.75]},
        },
        "showlegend": False,
        "margin": {"l": 20, "r": 20, "t": 40, "b": 40},
    }
    return themed_figure([trace], layout, lang, height=420)
