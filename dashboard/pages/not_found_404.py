"""The page for unknown paths."""

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.i18n import t

dash.register_page(__name__, path="/404", name="Sidan finns inte", name_en="Not found")


def layout(sprak: str = "sv", **_query):
    return dbc.Alert(
        [
            html.P(t("not_found", sprak)),
            dbc.Button(t("back_home", sprak), href="/", color="primary"),
        ],
        color="secondary",
    )
