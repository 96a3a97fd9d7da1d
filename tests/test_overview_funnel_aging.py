"""The overview's funnel and aging chart (and the report's funnel) summed from the KPI rows.

funnel_stages and aging_rows read compute_kpis's rows of the focus scope (the KPI mart's, when
the load built the date) instead of every asset and action of the store. They must give exactly
what the asset facts and compute.overdue_aging count from the detail rows, for every role and
filter, on a date the mart holds and on one it does not, on SQLite and PostgreSQL; and for the
whole country on a held date they must not read the detail tables at all.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from dashboard.queries.overview import aging_rows, funnel_stages
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.kpi import mart
from etl.kpi.compute import FUNNEL_STAGES, overdue_aging
from etl.kpi.dates import Cutoffs
from etl.kpi.facts import asset_facts, prepare_connection
from etl.kpi.scope import build_scope, load_org
from tests.generated_store import BACKENDS, codes, loaded_generated_store, role_viewers

TODAY = dt.date(2026, 11, 28)
NOT_HELD = TODAY - dt.timedelta(days=10)
DETAIL_TABLES = ("asset", "classification", "risk", "risk_analysis", "action")


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("funnel_aging")
    with loaded_generated_store(request.param, folder, TODAY) as (engine, _):
        yield engine


def _filters(engine) -> list[tuple[str | None, str | None]]:
    first, second = codes(engine, m.Municipality)[:2]
    administrations = codes(engine, m.Administration)
    own = next(c for c in administrations if c.startswith(first))
    other = next(c for c in administrations if c.startswith(second))
    return [(None, None), (first, None), (second, None), (first, own), (None, other)]


def _funnel_of_the_assets(session, as_of, viewer, municipality, administration) -> pd.DataFrame:
    """The funnel counted from the asset facts of the visible units (each asset once)."""
    scope = build_scope(viewer, None, municipality, administration)
    prepare_connection(session)
    rows = asset_facts(session, Cutoffs(as_of), scope)
    rows = rows.assign(unit_id=pd.array(rows["unit_id"].tolist(), dtype="Int64"))
    rows = rows[rows["unit_id"].isin(load_org(session, scope).units["id"].tolist())]
    columns = ["assets", "classified_current", "funnel_risk_analysed", "funnel_action_planned"]
    counts = [int(rows[c].astype("int64").sum()) for c in (*columns, "funnel_on_time")]
    return pd.DataFrame(
        {
            "stage": [stage for stage, _ in FUNNEL_STAGES],
            "label_sv": [label for _, label in FUNNEL_STAGES],
            "count": counts,
        }
    )


def test_funnel_and_aging_equal_the_counts_from_the_detail_rows(store):
    viewers = [
        *role_viewers(store),
        Viewer("ciso", "c2", municipality_codes=frozenset(codes(store, m.Municipality)[:2])),
    ]
    with Session(store) as session:
        for as_of in (TODAY, NOT_HELD):
            for viewer in viewers:
                for municipality, administration in _filters(store):
                    where = {"municipality": municipality, "administration": administration}
                    case = (as_of, viewer.role, municipality, administration)
                    expected = _funnel_of_the_assets(session, as_of, viewer, **where)
                    got = funnel_stages(session, as_of, viewer, **where)
                    pd.testing.assert_frame_equal(got, expected, obj=str(case))
                    expected = overdue_aging(session, as_of, viewer, **where)
                    got = aging_rows(session, as_of, viewer, **where)
                    pd.testing.assert_frame_equal(
                        got.reset_index(drop=True),
                        expected.reset_index(drop=True),
                        check_dtype=False,
                        obj=str(case),
                    )
                    assert got["count"].sum() == expected["count"].sum(), case


def _detail_reads(engine, run) -> list[str]:
    """The SQL statements ``run()`` sends that read a detail table (other than the store
    version's max ids, which tell whether the mart is current)."""
    found: list[str] = []
    tables = "|".join(DETAIL_TABLES)
    pattern = re.compile(rf"\b(FROM|JOIN)\s+({tables})\b", re.IGNORECASE)

    def seen(conn, cursor, statement, parameters, context, executemany):
        if pattern.search(statement) and statement != str(mart.VERSION_SQL):
            found.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return found


def test_the_country_funnel_and_aging_read_the_mart_not_the_detail_rows(store):
    with Session(store) as session:
        for viewer in (SYSTEM, Viewer("admin", "a")):
            stages = _detail_reads(store, lambda v=viewer: funnel_stages(session, TODAY, v))
            aging = _detail_reads(store, lambda v=viewer: aging_rows(session, TODAY, v))
            assert stages == [] and aging == [], viewer.role
            # The numbers themselves are not all zero: the chart has something to show.
            assert funnel_stages(session, TODAY, viewer)["count"].iloc[0] > 0
            assert aging_rows(session, TODAY, viewer)["count"].sum() > 0


def test_org_check_lists_administrations_only_for_a_few_municipalities(store, monkeypatch):
    from dashboard.queries import org, overview

    first = codes(store, m.Municipality)[0]
    ciso = Viewer("ciso", "c", municipality_codes=frozenset({first}))
    with Session(store) as session:
        everything = overview.org_check(session, TODAY, SYSTEM)
        assert set(everything["scope_type"]) == {"municipality", "administration"}
        monkeypatch.setattr(org, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 3)  # 4 loaded
        few = overview.org_check(session, TODAY, SYSTEM)
        pd.testing.assert_frame_equal(
            few, everything[everything["scope_type"] == "municipality"].reset_index(drop=True)
        )
        pd.testing.assert_frame_equal(overview.overview_frames(session, TODAY, SYSTEM).org, few)
        # A chosen municipality, or a viewer of one, still gets its administrations.
        chosen = overview.org_check(session, TODAY, SYSTEM, municipality=first)
        own = overview.org_check(session, TODAY, ciso)
        for frame in (chosen, own):
            assert set(frame["scope_type"]) == {"municipality", "administration"}
            assert set(frame["municipality_code"]) == {first}
