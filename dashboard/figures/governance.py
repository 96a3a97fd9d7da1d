"""Figure of the Förvaltningsobjekt page: classification coverage and owner participation per
shared object, side by side.

Pure function: DataFrame in, Figure out; empty input gives an empty figure that says so.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures._themed import themed_figure
from dashboard.figures.coverage import scope_labels
from dashboard.figures.theme import PALETTE, empty_figure, series_pattern
from dashboard.i18n import t, translate
from dashboard.markup import plot_texts
from etl.formatting import format_percent
from etl.kpi.definitions import METRICS

TEXT = {
    "sv": {"title": "Klassning och delägares medverkan per objekt", "share": "Andel"},
    "en": {"title": "Classification and owner participation per object", "share": "Share"},
}
SHOWN_METRICS = ("classification_coverage", "shared_owner_participation")


def coverage_figure(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Grouped horizontal bars (columns scope_id, scope_name, metric, value; rates 0..1).

    Keyed by the object's code: objects of different municipalities often share a name
    ("Gemensam e-tjänstplattform"); a shared name gets its code added to tell them apart."""
    if df is None or df.empty:
        return empty_figure(t("no_data", lang), lang)
    df = df[df["metric"].isin(SHOWN_METRICS)]
    if df["value"].dropna().empty:
        return empty_figure(t("no_data", lang), lang)
    id_column = "scope_id" if "scope_id" in df else "scope_name"
    named = df.drop_duplicates(id_column)
    labels = scope_labels(named[id_column], named["scope_name"])
    order = sorted(labels, key=lambda sid: (labels[sid], sid), reverse=True)  # first on top
    names = plot_texts(labels[sid] for sid in order)  # names from the store: drawn, not read
    traces = []
    for i, (colour, metric) in enumerate(zip(PALETTE, SHOWN_METRICS, strict=False)):
        part = df[df["metric"] == metric]
        by_id = dict(zip(part[id_column], part["value"], strict=True))
        values = [by_id.get(sid) for sid in order]
        values = [None if v is None or pd.isna(v) else float(v) for v in values]
        label = METRICS[metric].label_en if lang == "en" else METRICS[metric].label_sv
        traces.append(
            {
                "type": "bar",
                "y": names,
                "x": values,
                "name": label,
                "orientation": "h",
                "marker": {"color": colour, "pattern": series_pattern(i)},
                "text": [format_percent(v, 0, lang) if v is not None else "–" for v in values],
                "textposition": "auto",
                "hovertemplate": f"{label}: %{{text}}<extra>%{{y}}</extra>",
            }
        )
    layout = {
        "title": {"text": translate(TEXT, "title", lang)},
        "barmode": "group",
        "xaxis": {"title": {"text": translate(TEXT, "share", lang)}, "range": [0, 1],
                  "tickformat": ".0%"},
    }  # fmt: skip
    return themed_figure(traces, layout, lang, height=max(260, 90 + 60 * len(names)))
