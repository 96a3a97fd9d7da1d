"""Figures built from unvalidated trace dicts (theme.with_traces) send exactly what plotly's
validated objects would: the same JSON as the same figure built with go.Scatter / go.Heatmap."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from dashboard.figures.maturity import (
    MATURITY_LEVELS_EN,
    TEXT,
    _level_axis,
    level_label,
    maturity_heatmap,
    maturity_trend_figure,
)
from dashboard.figures.theme import PALETTE, SEQUENTIAL, apply_theme, series_line, series_pattern
from dashboard.i18n import translate
from etl.formatting import format_date
from etl.vocab import MATURITY_LEVELS


def _json(fig: go.Figure) -> dict:
    return json.loads(to_json_plotly(fig))


def _history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "assessed_on": [
                dt.date(2024, 3, 1),
                dt.date(2024, 5, 2),
                dt.date(2025, 1, 9),
                dt.date(2025, 6, 30),
                dt.date(2026, 2, 1),
            ],
            "scope_id": ["B", "A", "B", "C", "A"],
            "scope_name": ["Beta", "Alfa", "Beta", "Alfa", "Alfa"],
            "mean_level": [1.0, 2.5, 3.0, 4.25, 2.0],
        }
    )


def _validated_trend(df: pd.DataFrame, lang: str) -> go.Figure:
    """The trend figure as it was built before: one validated go.Scatter per scope."""
    from dashboard.figures.coverage import scope_labels

    names = scope_labels(df["scope_id"], df["scope_name"])
    fig = go.Figure()
    for i, sid in enumerate(sorted(names, key=lambda s: names[s])):
        part = df[df["scope_id"] == sid].sort_values("assessed_on")
        fig.add_trace(
            go.Scatter(
                name=names[sid],
                x=[format_date(d) for d in part["assessed_on"]],
                y=part["mean_level"].astype(float),
                mode="lines+markers",
                **series_line(i, PALETTE[i % len(PALETTE)]),
                hovertemplate=f"{names[sid]}<br>%{{x}}: %{{y:.1f}}<extra></extra>",
            )
        )
    fig.update_layout(
        title=translate(TEXT, "trend_title", lang),
        yaxis=_level_axis(lang),
        xaxis={"title": translate(TEXT, "date", lang), "type": "date"},
    )
    return apply_theme(fig, lang, height=340)


def test_trend_figure_sends_what_validated_scatters_would():
    for lang in ("sv", "en"):
        fig = maturity_trend_figure(_history(), lang)
        assert _json(fig) == _json(_validated_trend(_history(), lang))
    fig = maturity_trend_figure(_history(), "sv")
    # Two scopes named Alfa are told apart; lines in name order; points by date.
    assert len(fig.data) == 3
    assert [list(t.y) for t in fig.data if t.x[0] == "2024-05-02"] == [[2.5, 2.0]]
    assert fig.layout.title.text == "Mognad över tid (medelnivå)"
    assert fig.layout.height == 340


def _matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope_id": ["K", "K", "S", "S"],
            "scope_name": ["Kommunledning", "Kommunledning", "Social", "Social"],
            "area_name": ["Org", "Styr", "Org", "Styr"],
            "area_order": [1, 2, 1, 2],
            "level": [2, 3, 1, None],
        }
    )


def _validated_heatmap(df: pd.DataFrame, lang: str) -> go.Figure:
    ids = ["S", "K"]
    grid = df.pivot_table(index="scope_id", columns="area_name", values="level", aggfunc="max")
    z = grid.reindex(index=ids, columns=["Org", "Styr"]).to_numpy(dtype=float).tolist()
    labels = MATURITY_LEVELS_EN if lang == "en" else MATURITY_LEVELS
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=["Org", "Styr"],
            y=["Social", "Kommunledning"],
            text=[[level_label(v, lang) for v in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            zmin=0,
            zmax=5,
            colorscale=[[i / (len(SEQUENTIAL) - 1), c] for i, c in enumerate(SEQUENTIAL)],
            colorbar={
                "tickvals": list(labels),
                "ticktext": [f"{n} {name}" for n, name in labels.items()],
            },
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(title=translate(TEXT, "heatmap_title", lang))
    fig.update_xaxes(tickangle=-35)
    return apply_theme(fig, lang, height=max(320, 160 + 34 * 2))


def test_heatmap_sends_what_a_validated_heatmap_would():
    for lang in ("sv", "en"):
        assert _json(maturity_heatmap(_matrix(), lang)) == _json(
            _validated_heatmap(_matrix(), lang)
        )
    heat = maturity_heatmap(_matrix(), "sv").data[0]
    assert heat.text[0] == ["1 Initial", "–"]


def test_aging_figure_sends_what_validated_bars_would():
    from dashboard.figures import overview

    df = pd.DataFrame(
        {
            "administration_code": ["A", "A", "B", "C", "C", "D"],
            "administration_name": ["Soc", "Soc", "Soc", "Bygg", "Bygg", "Kultur"],
            "bucket": ["1–30", ">180", "31–90", "1–30", "91–180", "1–30"],
            "count": [2, 1, 3, 0, 3, None],
        }
    )

    def validated(df, lang):
        """overdue_aging_figure as it was: one go.Bar per bucket, Series lookups."""
        from dashboard.figures.coverage import scope_labels

        labels = scope_labels(df["administration_code"], df["administration_name"])
        totals = df.groupby("administration_code")["count"].sum()
        codes = sorted(totals.index, key=lambda code: (totals[code], labels[code]))
        names = [labels[code] for code in codes]
        fig = go.Figure()
        days = translate(overview.TEXT, "days", lang)
        for i, bucket in enumerate(overview.AGING_ORDER):
            part = df[df["bucket"] == bucket].groupby("administration_code")["count"].sum()
            fig.add_trace(
                go.Bar(
                    name=f"{bucket} {days}",
                    y=names,
                    x=[int(part.get(code, 0)) for code in codes],
                    orientation="h",
                    marker={
                        "color": overview.AGING_COLOURS.get(bucket, PALETTE[0]),
                        "pattern": series_pattern(i),
                    },
                )
            )
        fig.update_layout(
            barmode="stack",
            title=translate(overview.TEXT, "aging_title", lang),
            xaxis_title=translate(overview.TEXT, "actions", lang),
        )
        return apply_theme(fig, lang, height=max(260, 80 + 28 * len(names)))

    for lang in ("sv", "en"):
        assert _json(overview.overdue_aging_figure(df, lang)) == _json(validated(df, lang))
