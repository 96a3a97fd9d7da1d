"""Figures of Översikt, Mognad and Täckning: trace types, values, labels and empty data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.figures.coverage import coverage_bars
from dashboard.figures.maturity import (
    level_label,
    maturity_comparison_figure,
    maturity_heatmap,
    maturity_profile_figure,
    maturity_trend_figure,
)
from dashboard.figures.overview import funnel_figure, overdue_aging_figure


def _is_empty(fig) -> bool:
    return len(fig.data) == 0 and fig.layout.annotations[0].text


def test_funnel_has_five_stages_in_order_with_counts():
    df = pd.DataFrame(
        {
            "stage": ["assets", "classified", "risk_analysed", "action_planned", "on_time"],
            "label_sv": [
                "Informationstillgångar",
                "Aktuellt klassade",
                "…och riskanalyserade",
                "…och åtgärdsplanerade",
                "…och åtgärder i tid",
            ],
            "count": [9, 5, 3, 2, 1],
        }
    )
    fig = funnel_figure(df, "sv")
    assert [t.type for t in fig.data] == ["funnel"]
    assert list(fig.data[0].x) == [9, 5, 3, 2, 1]
    assert fig.data[0].y[0] == "Informationstillgångar"
    assert fig.layout.separators == ", "
    english = funnel_figure(df, "en")
    assert list(english.data[0].y) == [
        "Assets",
        "Classified (current)",
        "…and risk-analysed",
        "…and action-planned",
        "…and actions on time",
    ]


@pytest.mark.parametrize(
    "df",
    [
        None,
        pd.DataFrame(columns=["stage", "label_sv", "count"]),
        pd.DataFrame({"stage": ["assets"], "label_sv": ["x"], "count": [0]}),
    ],
)
def test_funnel_without_assets_is_an_empty_figure(df):
    fig = funnel_figure(df, "sv")
    assert _is_empty(fig) == "Inga uppgifter för det här urvalet."


def test_aging_stacks_four_buckets_per_administration():
    rows = [
        ("A", "Alfa", "1–30", 2),
        ("A", "Alfa", "31–90", 0),
        ("A", "Alfa", "91–180", 1),
        ("A", "Alfa", ">180", 0),
        ("B", "Beta", "1–30", 0),
        ("B", "Beta", "31–90", 3),
        ("B", "Beta", "91–180", 0),
        ("B", "Beta", ">180", 4),
    ]
    df = pd.DataFrame(
        rows, columns=["administration_code", "administration_name", "bucket", "count"]
    )
    fig = overdue_aging_figure(df, "sv")
    assert [t.type for t in fig.data] == ["bar"] * 4
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["1–30 dagar", "31–90 dagar", "91–180 dagar", ">180 dagar"]
    # Largest total (Beta, 7) last so it is on top of a horizontal bar chart.
    assert list(fig.data[0].y) == ["Alfa", "Beta"]
    assert list(fig.data[3].x) == [0, 4]
    assert fig.layout.xaxis.title.text == "Försenade åtgärder"
    assert overdue_aging_figure(df, "en").data[0].name == "1–30 days"


def test_aging_draws_only_the_administrations_with_most_overdue_actions(monkeypatch):
    """A national view would otherwise draw a bar for each of 1 356 administrations."""
    import dashboard.figures.overview as overview

    monkeypatch.setattr(overview, "AGING_ADMINISTRATIONS_SHOWN", 2)
    rows = [(f"K{i}", f"Förvaltning {i}", "1–30", i) for i in (5, 1, 7, 3)]
    df = pd.DataFrame(
        rows, columns=["administration_code", "administration_name", "bucket", "count"]
    )
    fig = overdue_aging_figure(df, "sv")
    assert list(fig.data[0].y) == ["Förvaltning 5", "Förvaltning 7"]
    assert list(fig.data[0].x) == [5, 7]
    title = fig.layout.title.text
    assert title == "De 2 förvaltningar av 4 som har flest försenade åtgärder"
    english = overdue_aging_figure(df, "en").layout.title.text
    assert english == "The 2 administrations of 4 with the most overdue actions"
    # As many as may be shown: all of them, under the plain title.
    monkeypatch.setattr(overview, "AGING_ADMINISTRATIONS_SHOWN", 4)
    fig = overdue_aging_figure(df, "sv")
    assert len(fig.data[0].y) == 4 and fig.layout.title.text == "Försenade åtgärder per förvaltning"


def test_aging_with_no_overdue_actions_is_empty():
    df = pd.DataFrame(
        [("A", "Alfa", "1–30", 0)],
        columns=["administration_code", "administration_name", "bucket", "count"],
    )
    assert _is_empty(overdue_aging_figure(df, "sv"))


def _matrix():
    rows = []
    for scope_id, name, levels in (
        ("1882-KLF", "Kommunledning", (2, 3, 4)),
        ("1882-SOC", "Social", (1, 2, 0)),
    ):
        for order, (area, level) in enumerate(zip(("Org", "Styr", "Klass"), levels, strict=True)):
            rows.append(
                (
                    "administration",
                    scope_id,
                    name,
                    area.lower(),
                    area,
                    order,
                    level,
                    dt.date(2026, 10, 1),
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "scope_type",
            "scope_id",
            "scope_name",
            "area_code",
            "area_name",
            "area_order",
            "level",
            "assessed_on",
        ],
    )


def test_heatmap_levels_with_swedish_labels():
    fig = maturity_heatmap(_matrix(), "sv")
    assert [t.type for t in fig.data] == ["heatmap"]
    heat = fig.data[0]
    assert list(heat.x) == ["Org", "Styr", "Klass"]
    assert list(heat.y) == ["Social", "Kommunledning"]
    assert [list(r) for r in heat.z] == [[1, 2, 0], [2, 3, 4]]
    assert heat.text[1][2] == "4 Styrd"
    assert heat.text[0][2] == "0 Saknas"
    assert (heat.zmin, heat.zmax) == (0, 5)
    assert maturity_heatmap(_matrix(), "en").data[0].text[1][2] == "4 Managed"


def test_level_label():
    assert level_label(3, "sv") == "3 Definierad"
    assert level_label(5, "en") == "5 Optimised"
    assert level_label(None) == "–"
    assert level_label(float("nan")) == "–"


def test_comparison_groups_self_and_evidence():
    df = pd.DataFrame(
        {
            "scope_name": ["Alfa", "Beta"],
            "maturity_self": [3.0, None],
            "maturity_evidence": [2.5, 1.25],
        }
    )
    fig = maturity_comparison_figure(df, "sv")
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert [t.name for t in fig.data] == ["Självskattad", "Belagd"]
    assert fig.layout.barmode == "group"
    beta_first = list(fig.data[1].y)
    assert beta_first == ["Beta", "Alfa"]
    assert list(fig.data[1].x) == [1.25, 2.5]
    assert _is_empty(maturity_comparison_figure(df.iloc[0:0], "sv"))


def test_trend_one_line_per_scope():
    df = pd.DataFrame(
        {
            "assessed_on": [dt.date(2025, 10, 1), dt.date(2026, 10, 1), dt.date(2026, 4, 1)],
            "scope_id": ["A", "A", "B"],
            "scope_name": ["Alfa", "Alfa", "Beta"],
            "mean_level": [1.0, 3.0, 1.0],
        }
    )
    fig = maturity_trend_figure(df, "sv")
    assert [t.type for t in fig.data] == ["scatter", "scatter"]
    assert fig.data[0].name == "Alfa"
    assert list(fig.data[0].x) == ["2025-10-01", "2026-10-01"]
    assert list(fig.data[0].y) == [1.0, 3.0]
    assert _is_empty(maturity_trend_figure(df.iloc[0:0], "sv"))


def test_profile_is_a_closed_radar():
    df = _matrix()
    df = df[df["scope_id"] == "1882-KLF"]
    fig = maturity_profile_figure(df, "Kommunledning", "sv")
    assert [t.type for t in fig.data] == ["scatterpolar"]
    assert list(fig.data[0].r) == [2, 3, 4, 2]
    assert list(fig.data[0].theta) == ["Org", "Styr", "Klass", "Org"]
    assert fig.layout.title.text == "Mognadsprofil: Kommunledning"
    assert _is_empty(maturity_profile_figure(df.iloc[0:0], "", "sv"))


def test_coverage_bars_grouped_by_metric_as_percent():
    df = pd.DataFrame(
        {
            "scope_name": ["Alfa", "Alfa", "Beta", "Beta"],
            "metric": ["classification_coverage", "gdpr_coverage"] * 2,
            "value": [0.5, None, 1.0, 0.25],
        }
    )
    labels = {"classification_coverage": "Klassningsgrad", "gdpr_coverage": "Registerförteckning"}
    fig = coverage_bars(df, labels, "unit", "sv")
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert [t.name for t in fig.data] == ["Klassningsgrad", "Registerförteckning"]
    assert list(fig.data[0].y) == ["Beta", "Alfa"]
    assert list(fig.data[0].x) == [1.0, 0.5]
    assert list(fig.data[1].x) == [0.25, None]
    assert list(fig.data[1].text) == ["25\u00a0%", "–"]
    assert fig.layout.title.text == "Täckning per enhet"
    assert fig.layout.xaxis.tickformat == ".0%"
    assert _is_empty(coverage_bars(df.iloc[0:0], labels, "unit", "sv"))


def test_same_names_in_two_municipalities_stay_apart():
    from dashboard.figures.coverage import scope_labels

    assert scope_labels(
        ["1882-SOC", "1861-SOC", "1882-KLF"], ["Social", "Social", "Kommunledning"]
    ) == {
        "1882-SOC": "Social (1882-SOC)",
        "1861-SOC": "Social (1861-SOC)",
        "1882-KLF": "Kommunledning",
    }
    aging = pd.DataFrame(
        [("1882-SOC", "Social", "1–30", 2), ("1861-SOC", "Social", "1–30", 5)],
        columns=["administration_code", "administration_name", "bucket", "count"],
    )
    fig = overdue_aging_figure(aging, "sv")
    assert dict(zip(fig.data[0].y, fig.data[0].x, strict=True)) == {
        "Social (1882-SOC)": 2,
        "Social (1861-SOC)": 5,
    }
    matrix = _matrix()
    matrix["scope_name"] = "Social"
    heat = maturity_heatmap(matrix, "sv").data[0]
    assert list(heat.y) == ["Social (1882-SOC)", "Social (1882-KLF)"]
    assert [list(r) for r in heat.z] == [[1, 2, 0], [2, 3, 4]]
    bars = coverage_bars(
        pd.DataFrame(
            {
                "scope_id": ["a", "b"],
                "scope_name": ["Kansli", "Kansli"],
                "metric": ["gdpr_coverage"] * 2,
                "value": [0.5, 1.0],
            }
        ),
        {"gdpr_coverage": "Registerförteckning"},
        "unit",
        "sv",
    )
    assert list(bars.data[0].y) == ["Kansli (b)", "Kansli (a)"]
    assert list(bars.data[0].x) == [1.0, 0.5]
