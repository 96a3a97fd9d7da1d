"""The KPI mart the load builds gives every role exactly the numbers computed on demand.

Store: the generated Sydnärke set loaded as a load does (tests/generated_store). Each role's
numbers, for every filter and the dates the mart holds, are read twice: from the mart and with
the mart emptied (inside a transaction that is rolled back). On SQLite and PostgreSQL.

A role's calls are made in one pass each way (``_both_ways``): every call from the mart, then
the mart emptied once and every call again. Roles whose numbers compute_kpis never reads from
the mart (``mart.stands_for`` false: below a municipality) are left out of the comparison, since
both ways run the same code for them; ``test_viewers_below_a_municipality_do_not_read_the_mart``
pins which roles those are, and a role that starts reading the mart is compared at once.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from dashboard.queries.governance import object_kpis
from dashboard.queries.my_unit import unit_kpis
from dashboard.queries.overview import headline_kpis, overview_frames
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.kpi import mart
from etl.kpi.compute import compute_kpis, kpi_json
from etl.kpi.definitions import METRICS
from tests.generated_store import (
    BACKENDS,
    codes,
    from_mart_and_computed,
    loaded_generated_store,
    role_viewers,
)

TODAY = dt.date(2026, 11, 28)
HELD = mart.mart_dates(TODAY)  # 2026-06-30, 2026-08-28, 2026-09-30, 2026-11-28
ALL_METRICS = tuple(METRICS)


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("kpi_mart")
    with loaded_generated_store(request.param, folder, TODAY) as (engine, files):
        yield engine


def _viewers(engine) -> list[Viewer]:
    """Every role that may read the mart, and a CISO of two municipalities (see the module
    docstring for the roles that never do)."""
    first, second = codes(engine, m.Municipality)[:2]
    viewers = [
        *role_viewers(engine),
        Viewer("ciso", "c2", municipality_codes=frozenset({first, second})),
    ]
    return [v for v in viewers if mart.stands_for(v)]


def _both_ways(session, calls: list[tuple]) -> list[tuple]:
    """[(label, from the mart, computed)] for ``calls`` [(label, function, args, kwargs)]: every
    call with the mart the load built, then, inside one transaction that empties the mart and
    is rolled back, every call again."""
    kept = [function(*args, **kwargs) for _, function, args, kwargs in calls]
    with session.begin_nested():
        session.execute(delete(m.KpiMartDate))
        session.execute(delete(m.KpiMart))
        computed = [function(*args, **kwargs) for _, function, args, kwargs in calls]
        session.rollback()
    return [(call[0], a, b) for call, a, b in zip(calls, kept, computed, strict=True)]


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


def test_mart_dates_are_the_load_day_the_quarter_before_and_the_last_two_quarter_ends():
    assert [dt.date(2026, 6, 30), dt.date(2026, 8, 28), dt.date(2026, 9, 30), TODAY] == HELD
    # On a quarter's last day that quarter is the latest one ended; the day after, still it.
    assert mart.quarter_end_on_or_before(dt.date(2026, 9, 30)) == dt.date(2026, 9, 30)
    assert mart.quarter_end_on_or_before(dt.date(2026, 9, 29)) == dt.date(2026, 6, 30)
    assert mart.quarter_end_on_or_before(dt.date(2026, 10, 1)) == dt.date(2026, 9, 30)
    assert mart.quarter_end_on_or_before(dt.date(2027, 1, 1)) == dt.date(2026, 12, 31)
    assert mart.mart_dates(dt.date(2026, 12, 31)) == [
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ]


def test_the_load_builds_every_scope_for_its_dates_at_the_current_version(store):
    with Session(store) as s:
        held = dict(s.execute(select(m.KpiMartDate.as_of, m.KpiMartDate.store_version)).all())
        assert sorted(held) == HELD
        assert set(held.values()) == {mart.store_version(s)}
        per_date = dict(
            s.execute(select(m.KpiMart.as_of, func.count()).group_by(m.KpiMart.as_of)).all()
        )
        for day in HELD:
            with s.begin_nested():  # the rows computed on demand, the mart emptied
                s.execute(m.KpiMartDate.__table__.delete())
                computed = compute_kpis(s, day, SYSTEM)
                s.rollback()
            assert per_date[day] == len(computed)
            stored = pd.DataFrame(
                s.execute(
                    select(
                        m.KpiMart.scope_type,
                        m.KpiMart.scope_id,
                        m.KpiMart.metric,
                        m.KpiMart.value,
                        m.KpiMart.numerator,
                        m.KpiMart.denominator,
                    ).where(m.KpiMart.as_of == day)
                ).all()
            )
            stored.columns = ["scope_type", "scope_id", "metric", "value", "numerator", "denom"]
            key = ["scope_type", "scope_id", "metric"]
            joined = computed.merge(stored, on=key, how="outer", validate="1:1", indicator=True)
            assert set(joined["_merge"]) == {"both"}
            for mine, theirs in (("value", "value"), ("numerator", "numerator")):
                a = pd.to_numeric(joined[f"{mine}_x"]).to_numpy(dtype=float, na_value=float("nan"))
                b = pd.to_numeric(joined[f"{theirs}_y"]).to_numpy(
                    dtype=float, na_value=float("nan")
                )
                assert ((a == b) | (pd.isna(a) & pd.isna(b))).all(), (day, mine)
    assert set(joined["scope_type"]) == {"municipality", "administration", "unit",
                                         "governance_object"}  # fmt: skip


def test_infosak_kpi_from_the_mart_is_byte_for_byte_the_computed_output(store):
    with Session(store) as s:
        for day in (TODAY, HELD[0]):
            kept, computed = from_mart_and_computed(s, kpi_json, s, day)
            assert json.dumps(kept) == json.dumps(computed)


@pytest.mark.parametrize("as_of", [TODAY, HELD[1]], ids=["load-day", "quarter-before"])
def test_every_role_and_filter_gets_the_computed_numbers_from_the_mart(store, as_of):
    viewers, filters = _viewers(store), _filters(store)
    with Session(store) as s:
        for viewer in viewers:
            calls = []
            for municipality, administration in filters:
                where = {"municipality": municipality, "administration": administration}
                # Every scope type where the filter leaves many (the units above all), the
                # municipalities and administrations elsewhere: the cards read those.
                wide = administration is None and municipality in (None, filters[1][0])
                types = None if wide else ["municipality", "administration", "governance_object"]
                calls.append((f"{viewer.role} {where}", compute_kpis, (s, as_of, viewer),
                              {"scope_types": types, **where}))  # fmt: skip
                # The cards read their day and the quarter before: on the load day both are
                # held. On the quarter before, its own rows are the load day's "before" column,
                # compared here already, and the quarter before it is not held (computed both
                # ways alike), so its cards are not compared again.
                if as_of == TODAY:
                    calls.append((f"cards {viewer.role} {where}", headline_kpis,
                                  (s, as_of, viewer), {"metrics": ALL_METRICS, **where}))  # fmt: skip
            for label, kept, computed in _both_ways(s, calls):
                pd.testing.assert_frame_equal(kept, computed, obj=label)


def test_every_role_gets_the_computed_overview_objects_and_units_from_the_mart(store):
    viewers, filters = _viewers(store), _filters(store)
    units = codes(store, m.Unit)
    with Session(store) as s:
        for viewer in viewers:
            calls = [
                (f"{compute.__name__} {viewer.role} {where}", compute, (s, TODAY, viewer), where)
                for municipality, administration in filters
                for where in [{"municipality": municipality, "administration": administration}]
                for compute in (overview_frames, object_kpis)
            ]
            calls += [(f"unit_kpis {viewer.role} {unit}", unit_kpis, (s, TODAY, unit, viewer), {})
                      for unit in (units[0], units[-1])]  # fmt: skip
            for label, kept, computed in _both_ways(s, calls):
                if isinstance(kept, tuple):
                    for a, b in zip(kept, computed, strict=True):
                        if isinstance(a, str):  # overview_frames' aging_level
                            assert a == b, label
                        else:
                            pd.testing.assert_frame_equal(a, b, obj=label)
                else:
                    pd.testing.assert_frame_equal(kept, computed, obj=label)


def test_the_mart_is_read_only_at_the_version_it_was_built_on(store):
    """A stored number shows while the store is unchanged; a rejected file's load row leaves
    the version alone, an accepted load moves it and the numbers are computed again."""
    municipality = codes(store, m.Municipality)[0]

    def assets(session) -> int:
        rows = compute_kpis(session, TODAY, SYSTEM, scope_types=["municipality"],
                            municipality=municipality, metrics=["assets"])  # fmt: skip
        return int(rows["value"].iloc[0])

    with Session(store) as s:
        true_count = assets(s)
        # Mark the stored number, so that reading it shows.
        s.execute(
            update(m.KpiMart)
            .where(m.KpiMart.as_of == TODAY, m.KpiMart.scope_id == municipality,
                   m.KpiMart.metric == "assets")
            .values(value=-7.0, numerator=-7.0)
        )  # fmt: skip
        assert assets(s) == -7
        probe = {"run_id": "probe", "file_name": "probe.csv", "sha256": "0" * 64,
                 "started_at": dt.datetime(2026, 11, 28, 12)}  # fmt: skip
        s.add(m.Load(**probe, outcome="rejected"))
        s.flush()
        assert assets(s) == -7
        s.add(m.Load(**probe, outcome="accepted"))
        s.flush()
        assert assets(s) == true_count
        # A date the mart does not hold is computed too.
        assert not mart.holds(s, TODAY + dt.timedelta(days=1))
        s.rollback()


def test_viewers_below_a_municipality_do_not_read_the_mart():
    """Their administration's row would miss the shared objects they do not see."""
    assert mart.stands_for(SYSTEM) and mart.stands_for(Viewer("admin", "a"))
    assert mart.stands_for(Viewer("ciso", "c", municipality_codes=frozenset({"1882"})))
    assert not mart.stands_for(Viewer("ciso", "c"))  # no municipality: nothing to stand for
    for role, scope in (
        ("security_officer", {"administration_codes": frozenset({"1882-SOC"})}),
        ("admin_head", {"administration_codes": frozenset({"1882-SOC"})}),
        ("manager", {"unit_codes": frozenset({"1882-SOC-01"})}),
    ):
        assert not mart.stands_for(Viewer(role, "x", **scope))
