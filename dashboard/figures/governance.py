"""Figure of the Förvaltningsobjekt page: classification coverage and owner participation per
shared object, side by side.

Pure function: DataFrame in, Figure out; empty input gives an empty figure that says so.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import PALETTE, apply_theme, empty_figure
from dashboard.formatting import format_percent
from dashboard.i18n import t, translate
from dashboard.queries.metrics import METRICS

TEXT = {
    "sv": {"title": "Klassning och delägares medverkan per objekt", "share": "Andel"},
    "en": {"title": "Classification and owner participation per object", "share": "Share"},
}
SHOWN_METRICS = ("classification_coverage", "shared_owner_participation")


def coverage_figure(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Grouped horizontal bars (columns scope_name, metric, value; rates 0..1)."""
    if df is None or df.empty:
        return empty_figure(t("no_data", lang), lang)
    df = df[df["metric"].isin(SHOWN_METRICS)]
    if df["value"].dropna().empty:
        return empty_figure(t("no_data", lang), lang)
    names = sorted(df["scope_name"].unique(), reverse=True)  # first name on top
    fig = go.Figure()
    for colour, metric in zip(PALETTE, SHOWN_METRICS, strict=False):
        part = df[df["metric"] == metric].set_index("scope_name")["value"]
        values = [None if pd.isna(part.get(n)) else float(part.get(n)) for n in names]
        label = METRICS[metric].label_en if lang == "en" else METRICS[metric].label_sv
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                name=label,
                orientation="h",
                marker={"color": colour},
                text=[format_percent(v, 0, lang) if v is not None else "–" for v in values],
                textposition="auto",
                hovertemplate=f"{label}: %{{text}}<extra>%{{y}}</extra>",
            )
        )
    fig.update_layout(title=translate(TEXT, "title", lang), barmode="group")
    fig.update_xaxes(title=translate(TEXT, "share", lang), range=[0, 1], tickformat=".0%")
    return apply_theme(fig, lang, height=max(260, 90 + 60 * len(names)))
