"""Figures of the overview page: the coverage funnel and overdue actions by aging bucket.

Pure functions: DataFrame in, Figure out. Empty input gives an empty figure that says so.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures._themed import themed_figure
from dashboard.figures.coverage import scope_labels
from dashboard.figures.theme import AGING_COLOURS, PALETTE, empty_figure, series_pattern
from dashboard.i18n import t, translate
from dashboard.markup import plot_text, plot_texts
from etl.formatting import format_number

TEXT = {
    "sv": {
        "funnel_title": "Täckningstratten",
        "aging_title": "Försenade åtgärder per förvaltning",
        "aging_title_most": "De {shown} förvaltningar av {total} som har flest försenade åtgärder",
        "aging_title_municipality": "Försenade åtgärder per kommun",
        "aging_title_most_municipality": "De {shown} kommuner av {total} som har flest "
        "försenade åtgärder",
        "actions": "Försenade åtgärder",
        "days": "dagar",
    },
    "en": {
        "funnel_title": "Coverage funnel",
        "aging_title": "Overdue actions per administration",
        "aging_title_most": "The {shown} administrations of {total} with the most overdue actions",
        "aging_title_municipality": "Overdue actions per municipality",
        "aging_title_most_municipality": "The {shown} municipalities of {total} with the most "
        "overdue actions",
        "actions": "Overdue actions",
        "days": "days",
    },
}
# English names of the funnel stages (the query layer gives the Swedish label).
FUNNEL_LABELS_EN = {
    "assets": "Assets",
    "classified": "Classified (current)",
    "risk_analysed": "…and risk-analysed",
    "action_planned": "…and action-planned",
    "on_time": "…and actions on time",
}
AGING_ORDER = ("1–30", "31–90", "91–180", ">180")
# The aging chart draws at most this many administrations (or municipalities), those with the most
# overdue actions:
# the whole country's 1 356 were 5 400 bar segments in a chart 38 000 pixels high, which took
# the browser minutes to draw and nobody could read.
AGING_ADMINISTRATIONS_SHOWN = 30


def funnel_label(stage: str, label_sv: str, lang: str) -> str:
    if lang == "en":
        key = str(stage).removeprefix("funnel_")
        return FUNNEL_LABELS_EN.get(key, label_sv)
    return label_sv


def funnel_figure(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """The five funnel stages, widest first (columns stage, label_sv, count)."""
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    labels = [
        plot_text(funnel_label(s, lab, lang))
        for s, lab in zip(df["stage"], df["label_sv"], strict=True)
    ]
    trace = {
        "type": "funnel",
        "y": labels,
        "x": [int(v) for v in df["count"].fillna(0)],
        "textinfo": "value+percent initial",
        "marker": {"color": PALETTE[0]},
        "connector": {"line": {"color": "#c6dbef"}},
    }
    layout = {"title": {"text": translate(TEXT, "funnel_title", lang)}}
    return themed_figure([trace], layout, lang, height=320)


def overdue_aging_figure(
    df: pd.DataFrame, lang: str = "sv", level: str = "administration"
) -> go.Figure:
    """Overdue actions per administration (or per municipality: ``level`` "municipality", the
    codes and names then in the same columns), stacked by days overdue
    (columns administration_code, administration_name, bucket, count)."""
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    # Keyed by code: two municipalities may both have a "Socialförvaltningen".
    labels = scope_labels(df["administration_code"], df["administration_name"])
    # Sums looked up in dicts, bars added unchecked (theme.with_traces): nationally a bar per
    # administration, and Series lookups and plotly's checks per value cost a third of a second.
    totals = df.groupby("administration_code")["count"].sum().to_dict()
    codes = sorted(totals, key=lambda code: (totals[code], labels[code]))
    total = len(codes)
    codes = codes[-AGING_ADMINISTRATIONS_SHOWN:]  # sorted ascending: the largest are drawn on top
    names = plot_texts(labels[code] for code in codes)  # names from the store: drawn, not read
    days = translate(TEXT, "days", lang)
    sums = df.groupby(["bucket", "administration_code"])["count"].sum().to_dict()
    traces = [
        {
            "type": "bar",
            "name": f"{bucket} {days}",
            "y": names,
            "x": [int(sums.get((bucket, code), 0)) for code in codes],
            "orientation": "h",
            "marker": {
                "color": AGING_COLOURS.get(bucket, PALETTE[0]),
                "pattern": series_pattern(i),
            },
        }
        for i, bucket in enumerate(AGING_ORDER)
    ]
    suffix = "_municipality" if level == "municipality" else ""
    layout = {
        "barmode": "stack",
        "title": {
            "text": translate(TEXT, f"aging_title{suffix}", lang)
            if total == len(codes)
            else translate(TEXT, f"aging_title_most{suffix}", lang).format(
                shown=len(codes), total=format_number(total, 0, lang)
            )
        },  # fmt: skip
        "xaxis": {"title": {"text": translate(TEXT, "actions", lang)}},
    }
    return themed_figure(traces, layout, lang, height=max(260, 80 + 28 * len(names)))
