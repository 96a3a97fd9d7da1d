"""The Risker page's figures, built from dicts without plotly's checks, are the figures plotly's
validated build gives (the build they replaced is kept here as the reference)."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard.figures import risks as figures
from dashboard.figures.theme import PALETTE, SEQUENTIAL, apply_theme, empty_figure
from dashboard.i18n import t
from dashboard.queries.risks import (
    CONSEQUENCE_LABELS,
    LIKELIHOOD_LABELS,
    matrix_from_counts,
    treatments_from_counts,
)

_tr, _tick = figures._tr, figures._tick


def _validated_heatmap(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    size = int(max(df["likelihood"].max(), df["consequence"].max()))
    levels = list(range(1, size + 1))
    counts = df.set_index(["likelihood", "consequence"])["count"]
    z = [[int(counts.get((lik, con), 0)) for con in levels] for lik in levels]
    likelihood_labels = LIKELIHOOD_LABELS.get(lang, LIKELIHOOD_LABELS["sv"])
    consequence_labels = CONSEQUENCE_LABELS.get(lang, CONSEQUENCE_LABELS["sv"])
    fig = go.Figure(
        go.Heatmap(
            x=levels,
            y=levels,
            z=z,
            text=[[str(v) for v in row] for row in z],
            texttemplate="%{text}",
            textfont={"size": 16},
            colorscale=[[i / (len(SEQUENTIAL) - 1), c] for i, c in enumerate(SEQUENTIAL)],
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate=_tr("hover", lang),
            name=_tr("risks", lang),
        )
    )
    fig.update_layout(title=_tr("matrix_title", lang))
    fig.update_xaxes(
        title=_tr("consequence", lang),
        tickvals=levels,
        ticktext=[_tick(v, consequence_labels) for v in levels],
        fixedrange=True,
    )
    fig.update_yaxes(
        title=_tr("likelihood", lang),
        tickvals=levels,
        ticktext=[_tick(v, likelihood_labels) for v in levels],
        fixedrange=True,
    )
    return apply_theme(fig, lang, height=380)


def _validated_treatments(df: pd.DataFrame, lang: str = "sv") -> go.Figure:
    if df is None or df.empty or not df["count"].fillna(0).any():
        return empty_figure(t("no_data", lang), lang)
    fig = go.Figure(
        go.Bar(
            x=df["label"].tolist(),
            y=[int(v) for v in df["count"].fillna(0)],
            text=[int(v) for v in df["count"].fillna(0)],
            textposition="auto",
            marker={"color": PALETTE[0]},
            hovertemplate="%{x}: %{y}<extra></extra>",
            name=_tr("risks", lang),
        )
    )
    fig.update_layout(title=_tr("treatment_title", lang), showlegend=False)
    fig.update_yaxes(title=_tr("risks", lang), rangemode="tozero", tickformat="d")
    return apply_theme(fig, lang, height=300)


COUNTS = pd.DataFrame(
    [(4, 4, "reduce", 3), (1, 2, "accept", 5), (2, 2, "transfer", 12_345), (6, 1, "avoid", 1)],
    columns=["likelihood", "consequence", "treatment", "count"],
)
CASES = {
    "6x6": COUNTS,
    "4x4": COUNTS.iloc[:3],
    "one": COUNTS.iloc[:1],
    "empty": COUNTS.iloc[:0],
    "zeros": COUNTS.iloc[:2].assign(count=0),
}


def _json(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig))


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures_are_the_validated_builds(case, lang):
    counts = CASES[case]
    matrix = matrix_from_counts(counts)
    treatments = treatments_from_counts(counts, lang)
    assert _json(figures.risk_heatmap(matrix, lang)) == _json(_validated_heatmap(matrix, lang))
    assert _json(figures.treatment_figure(treatments, lang)) == _json(
        _validated_treatments(treatments, lang)
    )


def test_the_shared_template_is_not_changed_by_a_figure():
    before = json.dumps(figures._TEMPLATE_JSON, sort_keys=True)
    fig = figures.risk_heatmap(matrix_from_counts(COUNTS), "sv")
    fig.update_layout(template={"layout": {"font": {"size": 30}}})
    assert json.dumps(figures._TEMPLATE_JSON, sort_keys=True) == before
