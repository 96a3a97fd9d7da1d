"""Figures of the Åtgärder page: overdue actions by aging bucket and open actions over time.

Pure functions: DataFrame in, Figure out; empty input gives an empty figure that says so. Built
as dicts on the cached themed layout (figures/_themed.py): the same JSON as the validated build,
without plotly's property checks (a tenth of the Åtgärder summary's time at a municipality).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures._themed import themed_figure
from dashboard.figures.theme import AGING_COLOURS, PALETTE, empty_figure
from dashboard.i18n import t, translate
from etl.formatting import format_month

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
SMALL_COUNT = 6  # below this many actions at most, the count axis ticks every whole action


def _tr(key: str, lang: str) -> str:
    return translate(TEXT, key, lang)


def _count_layout(title: str, x_title: str, lang: str, largest: float) -> dict:
    """A titled chart of action counts over ``x_title``, without legend, counting from 0.

    Up to a handful of actions the ticks are whole steps: plotly's own choice for a maximum of
    3 is every 0.5, which the integer format printed as 0, 1, 1, 2, 2, 3, 3."""
    yaxis = {"title": {"text": _tr("actions", lang)}, "rangemode": "tozero", "tickformat": "d"}
    if largest < SMALL_COUNT:
        yaxis["dtick"] = 1
    return {
        "title": {"text": title},
        "showlegend": False,
        "xaxis": {"title": {"text": x_title}},
        "yaxis": yaxis,
    }


def aging_figure(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """One bar per aging bucket (columns bucket, count); all four buckets always shown."""
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    counts = df.set_index("bucket")["count"].fillna(0)
    days = _tr("days", lang)
    labels = [f"{bucket} {days}" for bucket in AGING_ORDER]
    values = [int(counts.get(bucket, 0)) for bucket in AGING_ORDER]
    bars = {
        "type": "bar",
        "x": labels,
        "y": values,
        "text": [str(v) for v in values],
        "textposition": "auto",
        "marker": {"color": [AGING_COLOURS[b] for b in AGING_ORDER]},
        "hovertemplate": "%{x}: %{y}<extra></extra>",
        "name": _tr("actions", lang),
    }
    layout = _count_layout(_tr("aging_title", lang), _tr("overdue_by", lang), lang, max(values))
    return themed_figure([bars], layout, lang, height=300)


def open_trend_figure(df: pd.DataFrame, lang: str = "sv", *, estimate: bool = False) -> go.Figure:
    """Open actions per month (columns month, value). ``estimate`` says the values are derived
    from due and completion dates rather than monthly snapshots, and the title says so."""
    if df is None or df.empty or df["value"].dropna().empty:
        return empty_figure(t("no_data", lang), lang)
    months = [format_month(m, lang) for m in df["month"]]
    line = {
        "type": "scatter",
        "x": months,
        "y": df["value"].tolist(),
        "mode": "lines+markers",
        "line": {"color": PALETTE[0], "width": 2},
        "name": _tr("actions", lang),
        "hovertemplate": "%{x}: %{y}<extra></extra>",
    }
    title = _tr("trend_estimate" if estimate else "trend_snapshots", lang)
    layout = _count_layout(title, _tr("month", lang), lang, df["value"].max())
    layout["xaxis"]["type"] = "category"
    return themed_figure([line], layout, lang, height=300)
