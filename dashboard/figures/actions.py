"""Figures of the Åtgärder page: overdue actions by aging bucket and open actions over time.

Pure functions: DataFrame in, Figure out; empty input gives an empty figure that says so.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import AGING_COLOURS, PALETTE, apply_theme, empty_figure
from dashboard.formatting import format_month
from dashboard.i18n import t, translate

TEXT = {
    "sv": {
        "aging_title": "Försenade åtgärder efter antal dagar",
        "days": "dagar",
        "actions": "Åtgärder",
        "overdue_by": "Dagar efter slutdatum",
        "trend_snapshots": "Öppna åtgärder per månad",
        "trend_estimate": "Ej slutförda åtgärder vid månadsskiftet (uppskattning)",
        "month": "Månad",
    },
    "en": {
        "aging_title": "Overdue actions by days overdue",
        "days": "days",
        "actions": "Actions",
        "overdue_by": "Days past due",
        "trend_snapshots": "Open actions per month",
        "trend_estimate": "Actions not completed at month end (estimate)",
        "month": "Month",
    },
}
AGING_ORDER = ("1–30", "31–90", "91–180", ">180")


def _tr(key: str, lang: str) -> str:
    return translate(TEXT, key, lang)


def aging_figure(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """One bar per aging bucket (columns bucket, count); all four buckets always shown."""
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    counts = df.set_index("bucket")["count"].fillna(0)
    days = _tr("days", lang)
    labels = [f"{bucket} {days}" for bucket in AGING_ORDER]
    values = [int(counts.get(bucket, 0)) for bucket in AGING_ORDER]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            text=values,
            textposition="auto",
            marker={"color": [AGING_COLOURS[b] for b in AGING_ORDER]},
            hovertemplate="%{x}: %{y}<extra></extra>",
            name=_tr("actions", lang),
        )
    )
    fig.update_layout(title=_tr("aging_title", lang), showlegend=False)
    fig.update_xaxes(title=_tr("overdue_by", lang))
    fig.update_yaxes(title=_tr("actions", lang), rangemode="tozero", tickformat="d")
    return apply_theme(fig, lang, height=300)


def open_trend_figure(df: pd.DataFrame, lang: str = "sv", *, estimate: bool = False) -> go.Figure:
    """Open actions per month (columns month, value). ``estimate`` says the values are derived
    from due and completion dates rather than monthly snapshots, and the title says so."""
    if df is None or df.empty or df["value"].dropna().empty:
        return empty_figure(t("no_data", lang), lang)
    months = [format_month(m, lang) for m in df["month"]]
    fig = go.Figure(
        go.Scatter(
            x=months,
            y=df["value"].tolist(),
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2},
            name=_tr("actions", lang),
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    title = _tr("trend_estimate" if estimate else "trend_snapshots", lang)
    fig.update_layout(title=title, showlegend=False)
    fig.update_xaxes(title=_tr("month", lang), type="category")
    fig.update_yaxes(title=_tr("actions", lang), rangemode="tozero", tickformat="d")
    return apply_theme(fig, lang, height=300)
