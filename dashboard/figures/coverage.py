"""Figures of the coverage page: coverage rates per administration, unit or governance object."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures._themed import themed_figure
from dashboard.figures.theme import PALETTE, empty_figure, series_pattern
from dashboard.i18n import t, translate
from dashboard.markup import plot_text, plot_texts
from etl.formatting import format_percent

TEXT = {
    "sv": {"title": "Täckning per {level}", "share": "Andel"},
    "en": {"title": "Coverage per {level}", "share": "Share"},
}
LEVEL_WORDS = {
    "sv": {
        "administration": "förvaltning",
        "unit": "enhet",
        "governance_object": "förvaltningsobjekt",
        "municipality": "kommun",
    },
    "en": {
        "administration": "administration",
        "unit": "unit",
        "governance_object": "governance object",
        "municipality": "municipality",
    },
}


def scope_labels(ids, names) -> dict:
    """Scope id → a display name that is unique: a name shared by several scopes (e.g. two
    municipalities' Socialförvaltningen) gets its code added."""
    pairs = dict(zip(ids, names, strict=True))
    counts: dict[str, int] = {}
    for name in pairs.values():
        counts[name] = counts.get(name, 0) + 1
    return {sid: (f"{name} ({sid})" if counts[name] > 1 else name) for sid, name in pairs.items()}


def coverage_bars(
    df: pd.DataFrame, metric_labels: dict[str, str], level: str, lang: str = "sv"
) -> go.Figure:
    """Grouped horizontal bars: one group per scope, one bar per rate metric
    (columns scope_name, metric, value with value a fraction 0..1 or missing).
    ``metric_labels`` gives the legend name of each metric, in display order."""
    if df is None or df.empty or df["value"].isna().all():
        return empty_figure(t("no_data", lang), lang)
    id_column = "scope_id" if "scope_id" in df else "scope_name"
    labels = scope_labels(df[id_column], df["scope_name"])
    order = sorted(labels, key=lambda sid: labels[sid], reverse=True)
    names = plot_texts(labels[sid] for sid in order)  # names from the store: drawn, not read
    traces = []
    for i, (metric, label) in enumerate(metric_labels.items()):
        label = plot_text(label)
        part = df[df["metric"] == metric]
        by_id = dict(zip(part[id_column], part["value"], strict=True))
        values = [by_id.get(sid) for sid in order]
        values = [None if v is None or pd.isna(v) else float(v) for v in values]
        traces.append(
            {
                "type": "bar",
                "name": label,
                "y": names,
                "x": values,
                "orientation": "h",
                "marker": {"color": PALETTE[i % len(PALETTE)], "pattern": series_pattern(i)},
                "text": [format_percent(v, 0, lang) for v in values],
                "textposition": "auto",
                "hovertemplate": "%{y}: %{text}<extra>" + label + "</extra>",
            }
        )
    words = LEVEL_WORDS.get(lang, LEVEL_WORDS["sv"])
    layout = {
        "barmode": "group",
        "title": {"text": translate(TEXT, "title", lang).format(level=words.get(level, level))},
        "xaxis": {"range": [0, 1.02], "tickformat": ".0%",
                  "title": {"text": translate(TEXT, "share", lang)}},
    }  # fmt: skip
    height = 120 + len(order) * (14 * max(1, len(metric_labels)) + 10)
    return themed_figure(traces, layout, lang, height=max(300, height))
