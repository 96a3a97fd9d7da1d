"""The cards' focus rows kept at load time (_headline_kept) give every role exactly the cards the
computed path gives.

Store: the generated Sydnärke set loaded with its snapshot, as a load does (tests/generated_store).
Each role's cards, for every filter and both dates the cards show, are built twice: from the kept
rows and with them removed (inside a transaction that is rolled back). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.queries.governance import object_kpis
from dashboard.queries.my_unit import UNIT_ROWS_KIND, unit_kpis
from dashboard.queries.overview import headline_kpis, overview_numbers
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.kpi import cache as _kpi_cache
from etl.kpi import headline_kept as _headline_kept
from etl.kpi.dates import previous_quarter
from etl.kpi.definitions import METRICS
from tests.generated_store import (
    BACKENDS,
    codes,
    kept_and_computed,
    loaded_generated_store,
    role_viewers,
)

TODAY = dt.date(2026, 11, 28)
ALL_METRICS = tuple(METRICS)


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("headline_kept")
    with loaded_generated_store(request.param, folder, TODAY) as (engine, files):
        yield engine


def _viewers(engine) -> list[Viewer]:
    """Every role, and a CISO of two municipalities."""
    first, second = codes(engine, m.Municipality)[:2]
    two = frozenset({first, second})
    return [*role_viewers(engine), Viewer("ciso", "c2", municipality_codes=two)]


def _filters(engine) -> list[tuple[str | None, str | None]]:
    first, second = codes(engine, m.Municipality)[:2]
    administrations = codes(engine, m.Administration)
    own = next(c for c in administrations if c.startswith(first))
    other = next(c for c in administrations if c.startswith(second))
    return [
        (None, None),
        (first, None),
        (second, None),  # outside the municipality roles' scope
        (first, own),
        (None, other),
        (first, other),  # a pair that selects nothing
        ("9999", None),  # no such municipality
    ]


def _cards(session, as_of, viewer, municipality, administration) -> pd.DataFrame:
    _kpi_cache.clear()
    return headline_kpis(
        session, as_of, viewer, municipality=municipality, administration=administration,
        metrics=ALL_METRICS,
    )  # fmt: skip


def test_the_load_keeps_the_rows_for_its_day_and_the_quarter_before(store):
    with Session(store) as s:
        kept = set(
            s.scalars(
                select(m.KpiFactFrame.as_of).where(m.KpiFactFrame.kind == _headline_kept.KIND)
            )
        )
    assert kept == {TODAY, previous_quarter(TODAY)}


@pytest.mark.parametrize("as_of", [TODAY, previous_quarter(TODAY)])
def test_every_role_gets_the_computed_cards_from_the_kept_rows(store, as_of):
    kept_taken = 0
    with Session(store) as s:
        for viewer in _viewers(store):
            for municipality, administration in _filters(store):
                kept, live = kept_and_computed(
                    s, _headline_kept.KIND, _cards, s, as_of, viewer, municipality, administration
                )
                pd.testing.assert_frame_equal(kept, live, check_dtype=False)
                _kpi_cache.clear()
                taken = _headline_kept.focus_rows(
                    s, as_of, viewer, "municipality", municipality, None
                )
                kept_taken += taken is not None and not taken.empty
    _kpi_cache.clear()
    # The kept path answered the municipality cards of the system, admin and municipality roles.
    assert kept_taken >= 12


def test_only_viewers_who_see_whole_municipalities_read_the_kept_rows(store):
    first = codes(store, m.Municipality)[0]
    with Session(store) as s:
        for viewer in _viewers(store):
            rows = _headline_kept.focus_rows(s, TODAY, viewer, "municipality", first, None)
            expected = viewer.sees_all or viewer.role in ("ciso", "committee", "dpo",
                                                          "protection_officer")  # fmt: skip
            assert (rows is not None) == expected, viewer.role
            if rows is not None:
                # one row per metric of a municipality: the assets count among them
                assets = rows.loc[rows["metric"] == "assets", "value"]
                assert len(assets) == 1 and assets.iloc[0] > 0
        # Another day, or a unit, is computed.
        assert _headline_kept.focus_rows(s, TODAY + dt.timedelta(days=1), SYSTEM,
                                         "municipality", first, None) is None  # fmt: skip
        assert _headline_kept.focus_rows(s, TODAY, SYSTEM, "unit", None, None) is None
    _kpi_cache.clear()


def test_every_role_gets_the_computed_unit_cards_from_the_kept_unit_rows(store):
    units = codes(store, m.Unit)
    sample = units[:3] + units[-3:]
    compared = 0
    with Session(store) as s:
        kept_kinds = set(
            s.scalars(select(m.KpiFactFrame.kind).where(m.KpiFactFrame.as_of == TODAY))
        )
        assert UNIT_ROWS_KIND in kept_kinds
        for viewer in _viewers(store):
            for unit in sample:
                kept, live = kept_and_computed(s, UNIT_ROWS_KIND, unit_kpis, s, TODAY, unit, viewer)
                pd.testing.assert_frame_equal(kept, live, check_dtype=False)
                # the cards show the values as they are: ints for counts, floats for rates
                assert [type(v) for v in kept["value"]] == [type(v) for v in live["value"]]
                compared += not kept.empty
    _kpi_cache.clear()
    assert compared >= 10  # visible units have rows: the comparison is not empty


def test_every_role_gets_the_computed_object_rows_from_the_kept_rows(store):
    compared = 0
    with Session(store) as s:
        for viewer in _viewers(store):
            for municipality, administration in _filters(store):
                kept, live = kept_and_computed(
                    s, _headline_kept.KIND, object_kpis, s, TODAY, viewer,
                    municipality=municipality, administration=administration,
                )  # fmt: skip
                pd.testing.assert_frame_equal(
                    kept.reset_index(drop=True), live.reset_index(drop=True), check_dtype=False
                )
                for column in ("value", "numerator", "denominator"):
                    assert [type(v) for v in kept[column]] == [type(v) for v in live[column]]
                compared += not kept.empty
        # The kept path is really taken (not the computed one twice).
        objects = pd.DataFrame(
            s.execute(
                select(
                    m.GovernanceObject.id, m.GovernanceObject.code, m.GovernanceObject.name
                ).order_by(m.GovernanceObject.code)
            ).all(),
            columns=["id", "code", "name"],
        )
        rows = _headline_kept.scope_rows(
            s, TODAY, SYSTEM, "governance_object", objects, ("assets",)
        )
        assert rows is not None and len(rows) == len(objects) > 0
    _kpi_cache.clear()
    assert compared >= 10  # the system, admin and municipality roles see objects


def test_every_role_gets_the_computed_overview_from_the_kept_rows(store):
    """The overview's cards and organisation table (overview_numbers) read the kept rows of
    every municipality and administration they show."""
    with Session(store) as s:
        for viewer in _viewers(store):
            for municipality, administration in _filters(store):
                kept, live = kept_and_computed(
                    s, _headline_kept.KIND, overview_numbers, s, TODAY, viewer,
                    municipality=municipality, administration=administration,
                )  # fmt: skip
                for kept_frame, live_frame in zip(kept, live, strict=True):
                    pd.testing.assert_frame_equal(
                        kept_frame.reset_index(drop=True),
                        live_frame.reset_index(drop=True),
                        check_dtype=False,
                    )
        # Taken for the system: every municipality and administration of the organisation table.
        _kpi_cache.clear()
        rows = _headline_kept.scope_frame(
            s, TODAY, SYSTEM, ["municipality", "administration"], None, None, ("org_ciso",)
        )
        assert rows is not None
        assert len(rows) == len(codes(store, m.Municipality)) + len(codes(store, m.Administration))
    _kpi_cache.clear()
