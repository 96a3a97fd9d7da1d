"""dashboard.cells builds the same components as html.Td/Th/Tr, and the report's administration
labels (their several-municipalities check kept per list) read as before."""

from __future__ import annotations

import json

import plotly
import pytest
from dash import html

from dashboard.cells import td, th, tr
from dashboard.report.content import administration_label


def _json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def test_cells_are_the_same_components_as_dash_builds():
    fast = tr(
        [th(html.Strong("Askersund"), scope="row"), td("56 %", className="status-ok"), td(None)]
    )
    dash_built = html.Tr(
        [
            html.Th(html.Strong("Askersund"), scope="row"),
            html.Td("56 %", className="status-ok"),
            html.Td(None),
        ]
    )
    assert _json(fast) == _json(dash_built)
    assert type(fast.children[1]) is html.Td and fast.children[1].className == "status-ok"
    # Copies of the prototype: setting one cell leaves the others alone.
    assert td("a").children == "a" and not hasattr(td("b"), "className")


def test_cells_refuse_what_the_component_does_not_have():
    with pytest.raises(TypeError):
        td("x", scope="row")  # a Td has no scope (an unexpected keyword)


def test_administration_label_per_report():
    one = {"administrations": [{"name": "Soc", "municipality_name": "Laxå"}]}
    two = {
        "administrations": [
            {"name": "Soc", "municipality_name": "Laxå"},
            {"name": "Soc", "municipality_name": "Lekeberg"},
        ]
    }
    for _ in range(2):  # asked again with the same lists: the kept answers still hold
        assert administration_label(one["administrations"][0], one) == "Soc"
        assert administration_label(two["administrations"][1], two) == "Soc, Lekeberg"
    one["administrations"].append({"name": "Bygg", "municipality_name": "Askersund"})
    assert administration_label(one["administrations"][0], one) == "Soc, Laxå"
