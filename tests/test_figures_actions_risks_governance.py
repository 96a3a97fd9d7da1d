"""Figures of Åtgärder, Risker and Förvaltningsobjekt: trace types, values, labels, empty data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.figures.actions import aging_figure, open_trend_figure
from dashboard.figures.governance import coverage_figure
from dashboard.figures.risks import risk_heatmap, treatment_figure

NO_DATA_SV = "Inga uppgifter för det här urvalet."


def is_empty(fig) -> bool:
    return not fig.data and fig.layout.annotations[0].text in (
        NO_DATA_SV,
        "No data for this selection.",
    )


def test_aging_bars_in_bucket_order():
    df = pd.DataFrame({"bucket": [">180", "1–30", "31–90"], "count": [2, 1, 0]})
    fig = aging_figure(df, "sv")
    assert fig.data[0].type == "bar"
    assert list(fig.data[0].x) == ["1–30 dagar", "31–90 dagar", "91–180 dagar", ">180 dagar"]
    assert list(fig.data[0].y) == [1, 0, 0, 2]
    assert fig.layout.separators == ", "
    assert aging_figure(df, "en").data[0].x[0] == "1–30 days"


def test_open_trend_is_labelled_honestly():
    df = pd.DataFrame({"month": [dt.date(2026, 9, 1), dt.date(2026, 10, 1)], "value": [5, 4]})
    estimate = open_trend_figure(df, "sv", estimate=True)
    assert estimate.data[0].type == "scatter"
    assert list(estimate.data[0].x) == ["sep. 2026", "okt. 2026"]
    assert "uppskattning" in estimate.layout.title.text
    assert "uppskattning" not in open_trend_figure(df, "sv").layout.title.text


def test_risk_heatmap_cells_and_labels():
    df = pd.DataFrame(
        [
            {"likelihood": lik, "consequence": con, "count": 3 if (lik, con) == (4, 2) else 0}
            for lik in range(1, 5)
            for con in range(1, 5)
        ]
    )
    fig = risk_heatmap(df, "sv")
    heat = fig.data[0]
    assert heat.type == "heatmap"
    assert heat.z[3][1] == 3 and sum(map(sum, heat.z)) == 3
    assert list(fig.layout.xaxis.ticktext) == ["1 Liten", "2 Måttlig", "3 Betydande", "4 Allvarlig"]
    assert fig.layout.yaxis.title.text == "Sannolikhet"


def test_treatment_bars():
    df = pd.DataFrame(
        {"treatment": ["reduce", "accept"], "label": ["Reducera", "Acceptera"], "count": [4, 1]}
    )
    fig = treatment_figure(df, "sv")
    assert fig.data[0].type == "bar" and list(fig.data[0].y) == [4, 1]


def test_coverage_figure_groups_two_rates():
    df = pd.DataFrame(
        {
            "scope_name": ["A", "A", "B", "B", "A"],
            "metric": [
                "classification_coverage",
                "shared_owner_participation",
                "classification_coverage",
                "shared_owner_participation",
                "assets",
            ],
            "value": [0.5, 1.0, None, 0.25, 10],
        }
    )
    fig = coverage_figure(df, "sv")
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert list(fig.data[0].y) == ["B", "A"]
    assert list(fig.data[0].x) == [None, 0.5]
    assert list(fig.data[1].text) == ["25\u00a0%", "100\u00a0%"]


def test_coverage_figure_keeps_objects_with_the_same_name_apart():
    # Nationally many municipalities' objects share a name; each must keep its own bars.
    df = pd.DataFrame(
        {
            "scope_id": ["GO-1", "GO-1", "GO-2", "GO-2", "GO-3", "GO-3"],
            "scope_name": ["E-tjänst", "E-tjänst", "E-tjänst", "E-tjänst", "Ärende", "Ärende"],
            "metric": ["classification_coverage", "shared_owner_participation"] * 3,
            "value": [0.5, 1.0, 0.25, None, 0.75, 0.5],
        }
    )
    fig = coverage_figure(df, "sv")
    assert list(fig.data[0].y) == ["Ärende", "E-tjänst (GO-2)", "E-tjänst (GO-1)"]
    assert list(fig.data[0].x) == [0.75, 0.25, 0.5]
    assert list(fig.data[1].x) == [0.5, None, 1.0]


@pytest.mark.parametrize(
    "figure",
    [
        lambda: aging_figure(pd.DataFrame({"bucket": ["1–30"], "count": [0]})),
        lambda: aging_figure(None),
        lambda: open_trend_figure(pd.DataFrame({"month": [], "value": []})),
        lambda: risk_heatmap(pd.DataFrame({"likelihood": [1], "consequence": [1], "count": [0]})),
        lambda: treatment_figure(pd.DataFrame(columns=["treatment", "label", "count"])),
        lambda: coverage_figure(None),
        lambda: coverage_figure(
            pd.DataFrame(
                {"scope_name": ["A"], "metric": ["classification_coverage"], "value": [None]}
            )
        ),
    ],
)
def test_empty_data_gives_an_empty_figure(figure):
    assert is_empty(figure())
