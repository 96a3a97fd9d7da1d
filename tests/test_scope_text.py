"""Whose numbers a page shows, in words (dashboard.scope_text), for every kind of viewer on the
hand-countable store (tests/kpi_data.py: Askersund 1882 with 1882-KLF and 1882-SOC, Hallsberg
1861 with 1861-BUF)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dashboard.queries.org import administration_options, municipality_options
from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.scope_text import filter_placeholder, scope_line, scope_text
from tests.kpi_data import build_store

CISO = Viewer("ciso", municipality_codes=frozenset({"1882"}))
COMMITTEE = Viewer("committee", municipality_codes=frozenset({"1882"}))
OFFICER = Viewer("security_officer", administration_codes=frozenset({"1882-KLF"}))
MANAGER = Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"}))
TWO_UNITS = Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO", "1882-SOC-AO"}))


@pytest.fixture
def session(sqlite_engine):
    build_store(sqlite_engine)
    with Session(sqlite_engine) as s:
        yield s


@pytest.mark.parametrize(
    ("viewer", "municipality", "administration", "expected"),
    [
        (SYSTEM, None, None, "Alla kommuner tillsammans"),
        (SYSTEM, "1861", None, "Hallsberg kommun"),
        (SYSTEM, "1882", "1882-SOC", "Socialförvaltningen, Askersund kommun"),
        (CISO, None, None, "Askersund kommun"),
        (COMMITTEE, None, None, "Askersund kommun"),
        (CISO, "1882", "1882-KLF", "Kommunledningsförvaltningen, Askersund kommun"),
        (OFFICER, None, None, "Kommunledningsförvaltningen, Askersund kommun"),
        # A filter outside the role's scope narrows nothing: the text stays the role's own.
        (OFFICER, None, "1882-SOC", "Kommunledningsförvaltningen, Askersund kommun"),
        # A forged filter naming another municipality or its administration names nothing of it.
        (CISO, "1861", None, "Askersund kommun"),
        (COMMITTEE, "1861", "1861-BUF", "Askersund kommun"),
        (MANAGER, None, None, "Din enhet: Individ och familj (Socialförvaltningen)"),
        (MANAGER, "1882", None, "Din enhet: Individ och familj (Socialförvaltningen)"),
        (TWO_UNITS, None, None, "Dina enheter: Individ och familj och Äldreomsorg"),
        (Viewer("manager"), None, None, "Inget att visa för ditt konto"),
    ],
)
def test_scope_text_names_the_selection(session, viewer, municipality, administration, expected):
    assert scope_text(session, viewer, municipality, administration) == expected


def test_scope_line_in_english(session):
    assert scope_line(session, CISO, lang="en") == "The numbers cover: Askersund municipality"
    assert scope_line(session, MANAGER) == (
        "Siffrorna gäller: Din enhet: Individ och familj (Socialförvaltningen)"
    )


def test_filter_bar_names_a_single_choice(session):
    """A manager covers one unit: the filters name its municipality and administration instead
    of "Alla kommuner / Alla förvaltningar"; the system has several of each to choose from."""
    mun = municipality_options(session, MANAGER)
    adm = administration_options(session, MANAGER, None)
    assert filter_placeholder(mun, "Alla kommuner") == "Askersund (1882)"
    assert filter_placeholder(adm, "Alla förvaltningar") == "Socialförvaltningen"
    everything = municipality_options(session, SYSTEM)
    assert filter_placeholder(everything, "Alla kommuner") == "Alla kommuner"
