"""The committee report's title says whose numbers these are, as every page does
(dashboard.scope_text): a committee that covers Askersund gets "Askersund kommun", never "alla
kommuner", and only a viewer who sees every municipality gets "alla kommuner tillsammans"."""

from __future__ import annotations

import pytest

from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.content import build_content
from dashboard.report.gather import gather_report
from etl.db import session_factory
from tests import kpi_data
from tests.kpi_data import AS_OF

ASKERSUND = frozenset({"1882"})


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from etl.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('title') / 'store.db'}")
    migrate(engine)
    kpi_data.build_store(engine)
    yield session_factory(engine)
    engine.dispose()


def _title(store, viewer, scope=None) -> str:
    with store() as session:
        return build_content(gather_report(session, AS_OF, viewer, scope=scope)).title


@pytest.mark.parametrize(
    ("viewer", "scope", "expected"),
    [
        (Viewer("committee", "Nämnd", municipality_codes=ASKERSUND), None, "Askersund kommun"),
        (Viewer("ciso", "Eva", municipality_codes=ASKERSUND), None, "Askersund kommun"),
        (Viewer("ciso", "Eva", municipality_codes=ASKERSUND), "1882-SOC", "Socialförvaltningen"),
        (SYSTEM, None, "alla kommuner tillsammans"),
        (Viewer("admin", "root"), "1861", "Hallsberg kommun"),
    ],
)
def test_the_title_names_the_viewers_scope(store, viewer, scope, expected):
    title = _title(store, viewer, scope)
    assert title.startswith("Informationssäkerhet – lägesrapport för ")
    assert expected in title, title
    if expected != "alla kommuner tillsammans":
        assert "alla kommuner" not in title


def test_a_report_frozen_before_the_scope_text_keeps_its_own_words(store):
    with store() as session:
        data = gather_report(session, AS_OF, SYSTEM)
    del data["scope_text"]
    assert build_content(data).title.endswith("lägesrapport för alla kommuner")
