"""Figures of the Risker page: the likelihood × consequence heatmap and risks by treatment.

Pure functions: DataFrame in, Figure out; empty input gives an empty figure that says so.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import PALETTE, SEQUENTIAL, TEMPLATE, empty_figure
from dashboard.i18n import t, translate
from dashboard.markup import plot_texts
from dashboard.queries.risks import CONSEQUENCE_LABELS, LIKELIHOOD_LABELS

TEXT = {
    "sv": {
        "matrix_title": "Riskmatris: antal risker",
        "likelihood": "Sannolikhet",
        "consequence": "Konsekvens",
        "risks": "Risker",
        "treatment_title": "Risker efter hantering",
        "hover": "Sannolikhet %{y}, konsekvens %{x}: %{z} risker<extra></extra>",
    },
    "en": {
        "matrix_title": "Risk matrix: number of risks",
        "likelihood": "Likelihood",
        "consequence": "Consequence",
        "risks": "Risks",
        "treatment_title": "Risks by treatment",
        "hover": "Likelihood %{y}, consequence %{x}: %{z} risks<extra></extra>",
    },
}


# The theme's template as the dict a validated figure carries, built once.
_TEMPLATE_JSON = TEMPLATE.to_plotly_json()


def _tr(key: str, lang: str) -> str:
    return translate(TEXT, key, lang)


def _tick(level: int, labels: dict[int, str]) -> str:
    return f"{level} {labels[level]}" if level in labels else str(level)


def _figure(trace: dict, layout: dict, lang: str, height: int) -> go.Figure:
    """One trace with its layout and the theme's (apply_theme), unvalidated: plotly checked
    every property of the trace, the layout and the whole template on the way in (about
    10 ms a figure). The dicts hold what those checks would have produced, so the figure
    sent is the same (tests/test_risk_figures.py pins it against the validated build)."""
    themed = {
        **layout,
        "separators": ", " if lang == "sv" else ".,",
        "template": _TEMPLATE_JSON,
        "height": height,
    }
    return go.Figure(data=[trace], layout=themed, _validate=False)


def risk_heatmap(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Counts per (likelihood, consequence) cell: likelihood up, consequence to the right.

    Axis values are the numeric levels so that a click's point gives the cell directly."""
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    size = int(max(df["likelihood"].max(), df["consequence"].max()))
    levels = list(range(1, size + 1))
    counts = df.set_index(["likelihood", "consequence"])["count"]
    z = [[int(counts.get((lik, con), 0)) for con in levels] for lik in levels]
    likelihood_labels = LIKELIHOOD_LABELS.get(lang, LIKELIHOOD_LABELS["sv"])
    consequence_labels = CONSEQUENCE_LABELS.get(lang, CONSEQUENCE_LABELS["sv"])
    trace = {
        "type": "heatmap",
        "x": levels,
        "y": levels,
        "z": z,
        "text": [[str(v) for v in row] for row in z],
        "texttemplate": "%{text}",
        "textfont": {"size": 16},
        "colorscale": [[i / (len(SEQUENTIAL) - 1), c] for i, c in enumerate(SEQUENTIAL)],
        "showscale": False,
        "xgap": 3,
        "ygap": 3,
        "hovertemplate": _tr("hover", lang),
        "name": _tr("risks", lang),
    }
    layout = {
        "title": {"text": _tr("matrix_title", lang)},
        "xaxis": {
            "title": {"text": _tr("consequence", lang)},
            "tickvals": levels,
            "ticktext": [_tick(v, consequence_labels) for v in levels],
            "fixedrange": True,
        },
        "yaxis": {
            "title": {"text": _tr("likelihood", lang)},
            "tickvals": levels,
            "ticktext": [_tick(v, likelihood_labels) for v in levels],
            "fixedrange": True,
        },
    }
    return _figure(trace, layout, lang, height=380)


def treatment_figure(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Risks per treatment (columns treatment, label, count)."""
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    counts = [int(v) for v in df["count"].fillna(0)]
    trace = {
        "type": "bar",
        "x": plot_texts(df["label"]),
        "y": counts,
        "text": [str(v) for v in counts],
        "textposition": "auto",
        "marker": {"color": PALETTE[0]},
        "hovertemplate": "%{x}: %{y}<extra></extra>",
        "name": _tr("risks", lang),
    }
    layout = {
        "title": {"text": _tr("treatment_title", lang)},
        "showlegend": False,
        "yaxis": {"title": {"text": _tr("risks", lang)}, "rangemode": "tozero", "tickformat": "d"},
    }
    return _figure(trace, layout, lang, height=300)
