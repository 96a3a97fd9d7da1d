"""Figures built as dicts on the cached themed layout (figures/_themed.py) send exactly what the
validated build sends: the same JSON as go.Figure + update_layout + apply_theme."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from dashboard.figures.coverage import scope_labels
from dashboard.figures.overview import (
    AGING_ORDER,
    TEXT,
    funnel_figure,
    funnel_label,
    overdue_aging_figure,
)
from dashboard.figures.theme import AGING_COLOURS, PALETTE, apply_theme, series_pattern
from dashboard.i18n import translate


def _json(fig: go.Figure) -> dict:
    return json.loads(to_json_plotly(fig))


FUNNEL = pd.DataFrame(
    {
        "stage": ["assets", "classified", "risk_analysed", "action_planned", "on_time"],
        "label_sv": [
            "Informationstillgångar",
            "Aktuellt klassade",
            "Riskanalyserade",
            "Åtgärdsplanerade",
            "Åtgärder i tid",
        ],  # fmt: skip
        "count": [9, 5, 4, 3, 2],
    }
)
AGING = pd.DataFrame(
    {
        "administration_code": ["A", "A", "A", "A", "B", "B", "B", "B"],
        "administration_name": ["Soc", "Soc", "Soc", "Soc", "Soc", "Soc", "Soc", "Soc"],
        "bucket": list(AGING_ORDER) * 2,
        "count": [1, 0, 2, 0, 0, 3, 0, 1],
    }
)


def _validated_funnel(df: pd.DataFrame, lang: str) -> go.Figure:
    labels = [
        funnel_label(s, lab, lang) for s, lab in zip(df["stage"], df["label_sv"], strict=True)
    ]
    fig = go.Figure(
        go.Funnel(
            y=labels,
            x=[int(v) for v in df["count"]],
            textinfo="value+percent initial",
            marker={"color": PALETTE[0]},
            connector={"line": {"color": "#c6dbef"}},
        )
    )
    fig.update_layout(title=translate(TEXT, "funnel_title", lang))
    return apply_theme(fig, lang, height=320)


def _validated_aging(df: pd.DataFrame, lang: str) -> go.Figure:
    labels = scope_labels(df["administration_code"], df["administration_name"])
    totals = df.groupby("administration_code")["count"].sum().to_dict()
    codes = sorted(totals, key=lambda code: (totals[code], labels[code]))
    sums = df.groupby(["bucket", "administration_code"])["count"].sum().to_dict()
    fig = go.Figure()
    for i, bucket in enumerate(AGING_ORDER):
        fig.add_trace(
            go.Bar(
                name=f"{bucket} {translate(TEXT, 'days', lang)}",
                y=[labels[code] for code in codes],
                x=[int(sums.get((bucket, code), 0)) for code in codes],
                orientation="h",
                marker={"color": AGING_COLOURS[bucket], "pattern": series_pattern(i)},
            )
        )
    fig.update_layout(
        barmode="stack",
        title=translate(TEXT, "aging_title", lang),
        xaxis_title=translate(TEXT, "actions", lang),
    )
    return apply_theme(fig, lang, height=max(260, 80 + 28 * len(codes)))


def test_overview_figures_send_what_the_validated_build_sends():
    for lang in ("sv", "en"):
        assert _json(funnel_figure(FUNNEL, lang)) == _json(_validated_funnel(FUNNEL, lang))
        assert _json(overdue_aging_figure(AGING, lang)) == _json(_validated_aging(AGING, lang))


def test_themed_figures_do_not_share_their_layout():
    first = funnel_figure(FUNNEL, "sv")
    first.update_layout(height=999, title="ändrad")
    again = _json(funnel_figure(FUNNEL, "sv"))
    assert again["layout"]["height"] == 320
    assert again["layout"]["title"]["text"] == translate(TEXT, "funnel_title", "sv")


def _validated_comparison(df: pd.DataFrame, lang: str) -> go.Figure:
    from dashboard.figures.maturity import TEXT as MTEXT
    from dashboard.figures.maturity import _level_axis, level_label

    names = scope_labels(df["scope_id"], df["scope_name"])
    df = df.assign(_label=[names[s] for s in df["scope_id"]]).sort_values("_label", ascending=False)
    fig = go.Figure()
    for i, (column, key, colour) in enumerate(
        (("maturity_self", "self", PALETTE[0]), ("maturity_evidence", "evidence", PALETTE[1]))
    ):
        values = df[column].astype(float)
        fig.add_trace(
            go.Bar(
                name=translate(MTEXT, key, lang),
                y=df["_label"],
                x=values,
                orientation="h",
                marker={"color": colour, "pattern": series_pattern(i)},
                text=[level_label(v, lang) if pd.notna(v) else "–" for v in values],
                hovertemplate="%{y}: %{x:.1f}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group", title=translate(MTEXT, "comparison_title", lang), xaxis=_level_axis(lang)
    )
    return apply_theme(fig, lang, height=max(300, 120 + 44 * len(df)))


def _validated_profile(df: pd.DataFrame, scope_name: str, lang: str) -> go.Figure:
    from dashboard.figures.maturity import TEXT as MTEXT
    from dashboard.figures.maturity import level_label

    df = df.sort_values(["area_order", "area_name"])
    areas = df["area_name"].tolist()
    levels = df["level"].astype(float).tolist()
    fig = go.Figure(
        go.Scatterpolar(
            r=levels + levels[:1],
            theta=areas + areas[:1],
            fill="toself",
            name=scope_name or translate(MTEXT, "self", lang),
            line={"color": PALETTE[0]},
            text=[level_label(v, lang) for v in levels + levels[:1]],
            hovertemplate="%{theta}: %{text}<extra></extra>",
        )
    )
    title = translate(MTEXT, "profile_title", lang)
    fig.update_layout(
        title=f"{title}: {scope_name}" if scope_name else title,
        polar={
            "radialaxis": {"range": [0, 5], "tickvals": [0, 1, 2, 3, 4, 5]},
            "domain": {"x": [0.25, 0.75]},
        },
        showlegend=False,
        margin={"l": 20, "r": 20, "t": 40, "b": 40},
    )
    return apply_theme(fig, lang, height=420)


def test_maturity_figures_send_what_the_validated_build_sends():
    from dashboard.figures.maturity import maturity_comparison_figure, maturity_profile_figure

    comparison = pd.DataFrame(
        {
            "scope_id": ["1882-SOC", "1861-SOC", "1882-KLF"],
            "scope_name": ["Socialförvaltningen", "Socialförvaltningen", "Kommunledning"],
            "maturity_self": [2.5, None, 4.0],
            "maturity_evidence": [1.25, 3.0, None],
        }
    )
    profile = pd.DataFrame(
        {
            "area_name": ["Styrning", "Klassning", "Risk"],
            "area_order": [1, 0, 2],
            "level": [2, 4, 3],
        }
    )
    for lang in ("sv", "en"):
        assert _json(maturity_comparison_figure(comparison, lang)) == _json(
            _validated_comparison(comparison, lang)
        )
        for name in ("Socialförvaltningen", ""):
            assert _json(maturity_profile_figure(profile, name, lang)) == _json(
                _validated_profile(profile, name, lang)
            )


def _validated_coverage(df: pd.DataFrame, lang: str) -> go.Figure:
    from dashboard.figures.governance import SHOWN_METRICS
    from dashboard.figures.governance import TEXT as GTEXT
    from etl.formatting import format_percent
    from etl.kpi.definitions import METRICS

    df = df[df["metric"].isin(SHOWN_METRICS)]
    named = df.drop_duplicates("scope_id")
    labels = scope_labels(named["scope_id"], named["scope_name"])
    order = sorted(labels, key=lambda sid: (labels[sid], sid), reverse=True)
    names = [labels[sid] for sid in order]
    fig = go.Figure()
    for i, (colour, metric) in enumerate(zip(PALETTE, SHOWN_METRICS, strict=False)):
        part = df[df["metric"] == metric]
        by_id = dict(zip(part["scope_id"], part["value"], strict=True))
        values = [by_id.get(sid) for sid in order]
        values = [None if v is None or pd.isna(v) else float(v) for v in values]
        label = METRICS[metric].label_en if lang == "en" else METRICS[metric].label_sv
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                name=label,
                orientation="h",
                marker={"color": colour, "pattern": series_pattern(i)},
                text=[format_percent(v, 0, lang) if v is not None else "–" for v in values],
                textposition="auto",
                hovertemplate=f"{label}: %{{text}}<extra>%{{y}}</extra>",
            )
        )
    fig.update_layout(title=translate(GTEXT, "title", lang), barmode="group")
    fig.update_xaxes(title=translate(GTEXT, "share", lang), range=[0, 1], tickformat=".0%")
    return apply_theme(fig, lang, height=max(260, 90 + 60 * len(names)))


def test_governance_figure_sends_what_the_validated_build_sends():
    from dashboard.figures.governance import coverage_figure

    kpis = pd.DataFrame(
        {
            "scope_id": ["GO-A", "GO-A", "GO-B", "GO-B", "GO-C"],
            "scope_name": ["E-tjänst", "E-tjänst", "E-tjänst", "E-tjänst", "Ekonomi"],
            "metric": ["classification_coverage", "shared_owner_participation"] * 2
            + ["classification_coverage"],
            "value": [0.5, None, 1.0, 0.25, 0.0],
        }
    )
    for lang in ("sv", "en"):
        assert _json(coverage_figure(kpis, lang)) == _json(_validated_coverage(kpis, lang))


def test_report_figures_send_what_the_validated_build_sends(sqlite_engine):
    import datetime as dt
    from types import SimpleNamespace

    from dashboard import store
    from tests.pages import build_app, page_module

    build_app(sqlite_engine)
    report = page_module("/rapport")
    store.configure(None)
    report_funnel, trend_figure, maturity_figure = (
        report.funnel_figure,
        report.trend_figure,
        report.maturity_figure,
    )
    content = SimpleNamespace(
        funnel=[("Informationstillgångar", 9), ("Aktuellt klassade", 5), ("Åtgärder i tid", 2)],
        overdue_trend=[(dt.date(2026, 9, 30), 4), (dt.date(2026, 10, 31), 6)],
        maturity=[("Soc", 2.5, None), ("KLF", None, None), ("BUF", 1.0, 3.25)],
    )
    labels = [label for label, _ in content.funnel][::-1]
    counts = [count for _, count in content.funnel][::-1]
    funnel = go.Figure(
        go.Bar(x=counts, y=labels, orientation="h", text=counts, marker_color=PALETTE[0])
    )
    trend = go.Figure(
        go.Scatter(
            x=[d for d, _ in content.overdue_trend],
            y=[v for _, v in content.overdue_trend],
            mode="lines+markers",
            name="Försenade åtgärder",
            line={"color": PALETTE[4]},
        )
    )
    trend.update_layout(yaxis={"rangemode": "tozero", "tickformat": "d"})
    rows = [r for r in content.maturity if r[1] is not None or r[2] is not None]
    names = [r[0] for r in rows]
    maturity = go.Figure(
        [
            go.Bar(name="Självskattad", x=names, y=[r[1] for r in rows], marker_color=PALETTE[0]),
            go.Bar(
                name="Belagd",
                x=names,
                y=[r[2] for r in rows],
                marker={"color": PALETTE[2], "pattern": series_pattern(1)},
            ),
        ]
    )
    maturity.update_layout(barmode="group", yaxis={"range": [0, 5]})
    assert _json(report_funnel(content)) == _json(apply_theme(funnel, height=260))
    assert _json(trend_figure(content)) == _json(apply_theme(trend, height=260))
    assert _json(maturity_figure(content)) == _json(apply_theme(maturity, height=300))


def _validated_action_aging(df: pd.DataFrame, lang: str) -> go.Figure:
    from dashboard.figures.actions import AGING_ORDER as ORDER
    from dashboard.figures.actions import _tr

    counts = df.set_index("bucket")["count"].fillna(0)
    labels = [f"{bucket} {_tr('days', lang)}" for bucket in ORDER]
    values = [int(counts.get(bucket, 0)) for bucket in ORDER]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            text=values,
            textposition="auto",
            marker={"color": [AGING_COLOURS[b] for b in ORDER]},
            hovertemplate="%{x}: %{y}<extra></extra>",
            name=_tr("actions", lang),
        )
    )
    fig.update_layout(title=_tr("aging_title", lang), showlegend=False)
    fig.update_xaxes(title=_tr("overdue_by", lang))
    fig.update_yaxes(title=_tr("actions", lang), rangemode="tozero", tickformat="d")
    if max(values) < 6:
        fig.update_yaxes(dtick=1)
    return apply_theme(fig, lang, height=300)


def _validated_open_trend(df: pd.DataFrame, lang: str, estimate: bool) -> go.Figure:
    from dashboard.figures.actions import _tr
    from etl.formatting import format_month

    fig = go.Figure(
        go.Scatter(
            x=[format_month(m, lang) for m in df["month"]],
            y=df["value"].tolist(),
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2},
            name=_tr("actions", lang),
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_layout(
        title=_tr("trend_estimate" if estimate else "trend_snapshots", lang), showlegend=False
    )
    fig.update_xaxes(title=_tr("month", lang), type="category")
    fig.update_yaxes(title=_tr("actions", lang), rangemode="tozero", tickformat="d")
    if df["value"].max() < 6:
        fig.update_yaxes(dtick=1)
    return apply_theme(fig, lang, height=300)


def test_action_figures_send_what_the_validated_build_sends():
    import datetime as dt

    from dashboard.figures.actions import aging_figure, open_trend_figure

    aging = pd.DataFrame({"bucket": ["31–90", "1–30", ">180"], "count": [4, 0, None]})
    trend = pd.DataFrame(
        {"month": [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)],
         "value": [12, None, 7]}
    )  # fmt: skip
    many = aging.assign(count=[40, 0, 7])
    for lang in ("sv", "en"):
        for frame in (aging, many):
            assert _json(aging_figure(frame, lang)) == _json(_validated_action_aging(frame, lang))
        for estimate in (False, True):
            assert _json(open_trend_figure(trend, lang, estimate=estimate)) == _json(
                _validated_open_trend(trend, lang, estimate)
            )
    # A handful of actions: whole ticks (0, 1, 2 ... rather than 0, 0.5, 1 printed as 0, 1, 1)
    assert _json(aging_figure(aging))["layout"]["yaxis"]["dtick"] == 1
    assert "dtick" not in _json(aging_figure(many))["layout"]["yaxis"]


def _validated_coverage_bars(df: pd.DataFrame, metric_labels: dict, level: str, lang: str):
    from dashboard.figures.coverage import LEVEL_WORDS
    from dashboard.figures.coverage import TEXT as CTEXT
    from etl.formatting import format_percent

    labels = scope_labels(df["scope_id"], df["scope_name"])
    order = sorted(labels, key=lambda sid: labels[sid], reverse=True)
    fig = go.Figure()
    for i, (metric, label) in enumerate(metric_labels.items()):
        part = df[df["metric"] == metric]
        by_id = dict(zip(part["scope_id"], part["value"], strict=True))
        values = [by_id.get(sid) for sid in order]
        values = [None if v is None or pd.isna(v) else float(v) for v in values]
        fig.add_trace(
            go.Bar(
                name=label,
                y=[labels[sid] for sid in order],
                x=values,
                orientation="h",
                marker={"color": PALETTE[i % len(PALETTE)], "pattern": series_pattern(i)},
                text=[format_percent(v, 0, lang) for v in values],
                textposition="auto",
                hovertemplate="%{y}: %{text}<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        title=translate(CTEXT, "title", lang).format(level=LEVEL_WORDS[lang][level]),
        xaxis={"range": [0, 1.02], "tickformat": ".0%", "title": translate(CTEXT, "share", lang)},
    )
    height = 120 + len(order) * (14 * max(1, len(metric_labels)) + 10)
    return apply_theme(fig, lang, height=max(300, height))


def test_coverage_bars_send_what_the_validated_build_sends():
    from dashboard.figures.coverage import coverage_bars

    df = pd.DataFrame(
        {
            "scope_id": ["1882-SOC", "1882-SOC", "1861-SOC", "1861-SOC", "1882-KLF"],
            "scope_name": ["Socialförvaltningen"] * 4 + ["Kommunledning"],
            "metric": ["classification_coverage", "risk_coverage"] * 2 + ["risk_coverage"],
            "value": [0.5, None, 0.25, 1.0, 0.125],
        }
    )
    metric_labels = {"classification_coverage": "Klassade", "risk_coverage": "Riskanalyserade"}
    for lang in ("sv", "en"):
        for level in ("administration", "unit"):
            assert _json(coverage_bars(df, metric_labels, level, lang)) == _json(
                _validated_coverage_bars(df, metric_labels, level, lang)
            )


def test_empty_figures_are_fresh_copies_of_one_build():
    from dashboard.figures.theme import empty_figure

    first = empty_figure("Inga data", "sv")
    first.update_layout(height=999)
    again = _json(empty_figure("Inga data", "sv"))
    assert again["layout"]["height"] == 260
    assert again["layout"]["annotations"][0]["text"] == "Inga data"
    assert again["layout"]["separators"] == ", "
    assert again["layout"]["xaxis"]["visible"] is False
    assert _json(empty_figure("No data", "en"))["layout"]["separators"] == ".,"
