"""The table behind "Visa som tabell" (dashboard/chart_table.py), built from figures as the page
sends them (JSON, numpy arrays base64-encoded): rows in the order the chart draws them top to
bottom, one column per series, the numbers as the chart shows them."""

from __future__ import annotations

import json

import pandas as pd
from dash import html
from plotly.io.json import to_json_plotly

from dashboard.chart_table import figure_columns, figure_table
from dashboard.figures.maturity import maturity_comparison_figure, maturity_profile_figure
from dashboard.figures.overview import funnel_figure, overdue_aging_figure
from dashboard.figures.risks import risk_heatmap
from dashboard.figures.theme import empty_figure

NBSP = "\u00a0"


def sent(fig) -> dict:
    """The figure as the browser holds it and sends it back."""
    return json.loads(to_json_plotly(fig))


def test_stacked_bars_top_bar_first_one_column_per_series():
    df = pd.DataFrame(
        {
            "administration_code": ["KLF", "KLF", "SOC"],
            "administration_name": ["Kommunledning", "Kommunledning", "Social"],
            "bucket": ["1–30", ">180", "1–30"],
            "count": [3, 4, 1],
        }
    )
    table = figure_columns(sent(overdue_aging_figure(df, "sv")))
    assert table.headers == ["1–30 dagar", "31–90 dagar", "91–180 dagar", ">180 dagar"]
    # The administration with most overdue actions is drawn on top, so it is the first row.
    assert [(row, [text for text, _ in cells]) for row, cells in table.rows] == [
        ("Kommunledning", ["3", "0", "0", "4"]),
        ("Social", ["1", "0", "0", "0"]),
    ]


def test_base64_levels_keep_their_decimal_and_label():
    df = pd.DataFrame(
        {
            "scope_id": ["A", "B"],
            "scope_name": ["Alfa", "Beta"],
            "maturity_self": [3.09, 2.0],
            "maturity_evidence": [1.5, None],
        }
    )
    figure = sent(maturity_comparison_figure(df, "sv"))
    assert "bdata" in figure["data"][0]["x"]  # numpy arrays travel base64-encoded
    table = figure_columns(figure)
    assert table.headers == ["Självskattad", "Belagd"]
    assert table.rows == [
        ("Alfa", [("3,1 (3 Definierad)", 3.09), ("1,5 (2 Upprepbar)", 1.5)]),
        ("Beta", [("2 Upprepbar", 2.0), ("–", table.rows[1][1][1][1])]),
    ]


def test_funnel_top_down_with_share_of_first_stage():
    df = pd.DataFrame(
        {
            "stage": ["funnel_assets", "funnel_classified"],
            "label_sv": ["Tillgångar", "Klassade"],
            "count": [1200, 612],
        }
    )
    table = figure_columns(sent(funnel_figure(df, "sv")))
    assert table.headers[-1] == "Andel av första steget"
    assert [(row, [text for text, _ in cells]) for row, cells in table.rows] == [
        ("Tillgångar", [f"1{NBSP}200", f"100{NBSP}%"]),
        ("Klassade", ["612", f"51{NBSP}%"]),
    ]


def test_heatmap_rows_top_down_with_axis_labels():
    df = pd.DataFrame({"likelihood": [1, 4], "consequence": [2, 4], "count": [5, 2]})
    table = figure_columns(sent(risk_heatmap(df, "en")))
    assert table.corner == "Likelihood / Consequence"
    assert len(table.headers) == 4 and table.headers[1].startswith("2 ")
    assert table.rows[0][0].startswith("4 ")  # the highest likelihood is drawn on top
    assert [text for text, _ in table.rows[0][1]] == ["0", "0", "0", "2"]
    assert [text for text, _ in table.rows[-1][1]] == ["0", "5", "0", "0"]


def test_radar_lists_each_area_once():
    df = pd.DataFrame(
        {"area_name": ["Styrning", "Incidenthantering"], "area_order": [1, 2], "level": [3, 2]}
    )
    table = figure_columns(sent(maturity_profile_figure(df, "Alfa", "sv")))
    assert [row for row, _ in table.rows] == ["Styrning", "Incidenthantering"]


def test_table_markup_caption_and_scoped_headers():
    df = pd.DataFrame({"area_name": ["Styrning", "Risk"], "area_order": [1, 2], "level": [3, 4]})
    component = figure_table(sent(maturity_profile_figure(df, "Alfa", "sv")), "Profil")
    assert component.role == "region" and component.tabIndex == "0"
    table = component.children
    caption, head, body = table.children
    assert isinstance(caption, html.Caption) and caption.children == "Profil"
    assert {th.scope for th in head.children.children} == {"col"}
    assert all(row.children[0].scope == "row" for row in body.children)


def test_empty_figure_says_so():
    component = figure_table(sent(empty_figure("Inga uppgifter.", "sv")), "Tratten")
    assert isinstance(component, html.P)
    assert "inga värden" in component.children
