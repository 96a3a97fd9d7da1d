"""Page queries rewritten for national scale, pinned on the hand-countable store (tests/kpi_data)
against hand counts and against the way they were computed before, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from dashboard.grid import fetch_block
from dashboard.queries.actions import (
    ActionFilters,
    action_grid_columns,
    action_grid_select,
    action_scope_condition,
    actions_block,
    control_options,
    default_order,
    open_actions_by_month,
    visible_objects,
    visible_units,
)
from dashboard.queries.coverage import (
    ASSET_GAP_FIELDS,
    GAPS,
    SHARED_OWNER_FIELDS,
    asset_gap_block,
    asset_gap_select,
    shared_owner_block,
    shared_owner_gap_select,
)
from dashboard.queries.list_walk import grid_columns
from dashboard.queries.risks import (
    high_risks_without_action,
    matrix_from_counts,
    risk_counts,
    risk_grid_columns,
    risk_list_select,
    risk_scope_condition,
    risks_block,
    treatments_from_counts,
)
from dashboard.queries.viewer import SYSTEM, Viewer
from etl.kpi.dates import last_month_ends
from etl.kpi.rules import action_open_sql, latest_classification_sql
from etl.models import (
    Action,
    Administration,
    Asset,
    AssetOwner,
    Classification,
    GovernanceObject,
    Risk,
    RiskAnalysis,
    Unit,
)
from tests.kpi_data import AS_OF, build_store

VIEWERS = [
    SYSTEM,
    Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"})),
    Viewer("security_officer", "Gus", administration_codes=frozenset({"1882-KLF"})),
    Viewer("manager", "Kim", unit_codes=frozenset({"1882-KLF-IT"})),
    Viewer("committee", "Com", municipality_codes=frozenset({"1861"})),
]
WHERE = [
    {},
    {"municipality": "1882"},
    {"municipality": "1861"},
    {"administration": "1882-KLF"},
    {"municipality": "1882", "administration": "1882-SOC"},
]


@pytest.fixture
def store(engine):
    build_store(engine)
    return engine


def _open_by_month_before(session, as_of, viewer, municipality=None, administration=None):
    """open_actions_by_month as it was computed before: a CASE per month over every action."""
    ends = last_month_ends(as_of, 12)
    columns = []
    for i, end in enumerate(ends):
        still_open = or_(
            action_open_sql(seek=True),
            and_(
                Action.status == "done", Action.completed_on.isnot(None), Action.completed_on > end
            ),
        )
        columns.append(func.coalesce(func.sum(case((still_open, 1), else_=0)), 0).label(f"m{i}"))
    row = session.execute(
        select(*columns).where(action_scope_condition(viewer, municipality, administration))
    ).one()
    return [int(v) for v in row]


def test_open_actions_by_month_by_hand(store):
    with Session(store) as session:
        df = open_actions_by_month(session, AS_OF, municipality="1861")
    # AC5 and AC6 open all year; AC4 done 2026-03-01, AC8 2026-06-10, AC9 2026-12-05.
    assert df["value"].tolist() == [5, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 3]
    assert [m.isoformat() for m in df["month"]][:2] == ["2025-11-01", "2025-12-01"]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role)
@pytest.mark.parametrize("where", WHERE, ids=str)
def test_open_actions_by_month_equals_before(store, viewer, where):
    with Session(store) as session:
        for as_of in (AS_OF, AS_OF.replace(year=2026, month=4, day=30)):
            df = open_actions_by_month(session, as_of, viewer, **where)
            assert df["value"].tolist() == _open_by_month_before(session, as_of, viewer, **where)


# --------------------------------------------------------------------------- actions grid

REQUESTS = [
    {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}},
    {"startRow": 2, "endRow": 5, "sortModel": [], "filterModel": {}},
    {"startRow": 4, "endRow": 4, "sortModel": [], "filterModel": {}},
    {"startRow": 50, "endRow": 60, "sortModel": [], "filterModel": {}},
    {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "title", "sort": "desc"}]},
    {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "bogus", "sort": "desc"}]},
    {
        "startRow": 1,
        "endRow": 3,
        "sortModel": [],
        "filterModel": {"status": {"filterType": "set", "values": ["Ej påbörjad", "Klar"]}},
    },
]
PAGE_FILTERS = [
    ActionFilters(),
    ActionFilters(statuses=("done",)),
    ActionFilters(overdue_only=True),
    ActionFilters(administration="1882-SOC", responsible="a"),
    ActionFilters(governance_object="GO-EK"),
]


def _actions_block_before(session, viewer, request, as_of, **where):
    """actions_block as it was: the full query counted and sorted (no shortcut)."""
    return fetch_block(
        session,
        action_grid_select(as_of, viewer, **where),
        action_grid_columns(as_of, "sv"),
        request,
        default_order=default_order(as_of),
        tiebreaker=Action.id,
    )


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role)
def test_actions_grid_shortcut_equals_full_query(store, viewer):
    with Session(store) as session:
        for where in WHERE:
            for filters in PAGE_FILTERS:
                for request in REQUESTS:
                    args = (session, viewer, request, AS_OF)
                    expected = _actions_block_before(*args, **where, filters=filters)
                    got = actions_block(*args, **where, filters=filters)
                    assert got == expected, (where, filters, request)


def test_actions_grid_first_block_by_hand(store):
    with Session(store) as session:
        got = actions_block(session, SYSTEM, REQUESTS[1], AS_OF)
    # Overdue first, oldest due date first: AC6, AC5, AC7, AC3, then the open AC1 (10 in all).
    assert got["rowCount"] == 10
    assert [r["code"] for r in got["rowData"]] == ["AC7", "AC3", "AC1"]


def _object_options_before(session, viewer, municipality=None, administration=None):
    """The objects dropdown as it was: every visible action's object collected with IN."""
    units = visible_units(viewer, municipality, administration)
    rows = session.execute(
        select(GovernanceObject.code, GovernanceObject.name)
        .where(
            or_(
                GovernanceObject.id.in_(visible_objects(viewer, municipality, administration)),
                GovernanceObject.id.in_(
                    select(Action.governance_object_id).where(Action.owner_unit_id.in_(units))
                ),
            )
        )
        .order_by(GovernanceObject.name)
    ).all()
    return [{"label": n, "value": c} for c, n in rows]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role)
def test_control_options_objects_equal_before(store, viewer):
    with Session(store) as session:
        # An object only reachable through an action of a visible unit.
        session.add(GovernanceObject(code="GO-X", name="Extra"))
        session.flush()
        extra = session.scalar(select(GovernanceObject.id).where(GovernanceObject.code == "GO-X"))
        unit = session.scalar(select(Action.owner_unit_id).where(Action.code == "AC1"))
        session.execute(
            update(Action).where(Action.code == "AC1").values(governance_object_id=extra)
        )
        assert unit is not None
        for where in WHERE:
            got = control_options(session, viewer, **where)["objects"]
            assert got == _object_options_before(session, viewer, **where), where
        assert {"label": "Extra", "value": "GO-X"} in control_options(session, SYSTEM)["objects"]


# --------------------------------------------------------------------------- risks


def _risk_groups_before(session, as_of, viewer, column_names, **where):
    """Counts as the matrix and the treatment chart made them: Risk.id IN (the scoped risks)."""
    scoped = (
        select(Risk.id)
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
        .where(
            risk_scope_condition(
                viewer, as_of, where.get("municipality"), where.get("administration")
            )
        )
    )
    columns = [getattr(Risk, name) for name in column_names]
    rows = session.execute(
        select(*columns, func.count()).where(Risk.id.in_(scoped)).group_by(*columns)
    ).all()
    return {tuple(r[:-1]): int(r[-1]) for r in rows}


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role)
def test_risk_matrix_and_treatments_equal_before(store, viewer):
    with Session(store) as session:
        for where in WHERE:
            counts = risk_counts(session, AS_OF, viewer, **where)
            matrix = matrix_from_counts(counts)
            cells = _risk_groups_before(
                session, AS_OF, viewer, ["likelihood", "consequence"], **where
            )
            assert {
                (r.likelihood, r.consequence): r.count
                for r in matrix.itertuples(index=False)
                if r.count
            } == cells
            assert len(matrix) == 16  # 4 × 4, zeros included
            treatments = treatments_from_counts(counts, lang="en")
            before = _risk_groups_before(session, AS_OF, viewer, ["treatment"], **where)
            assert dict(zip(treatments["treatment"], treatments["count"], strict=True)) == {
                k: before.get((k,), 0) for k in treatments["treatment"]
            }
            assert treatments["label"].tolist() == ["Reduce", "Accept", "Transfer", "Avoid"]


def _risks_block_before(session, viewer, request, as_of, **where):
    """risks_block as it was: the full list query counted and sorted (no shortcut)."""
    order = ((Risk.likelihood * Risk.consequence).desc(), Risk.code.asc())
    return fetch_block(
        session,
        risk_list_select(as_of, viewer, lang="sv", **where),
        risk_grid_columns("sv"),
        request,
        default_order=order,
        tiebreaker=Risk.id,
    )


RISK_REQUESTS = [
    {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}},
    {"startRow": 1, "endRow": 3, "sortModel": [], "filterModel": {}},
    {"startRow": 40, "endRow": 50, "sortModel": [], "filterModel": {}},
    {"startRow": 0, "endRow": 4, "sortModel": [{"colId": "analysed_on", "sort": "asc"}]},
    {
        "startRow": 0,
        "endRow": 100,
        "filterModel": {"has_action": {"filterType": "set", "values": ["Nej"]}},
    },
]


@pytest.mark.parametrize(
    "viewer",
    [*VIEWERS, Viewer("protection_officer", "Jon", administration_codes=frozenset({"1861-BUF"}))],
    ids=lambda v: v.role,
)
def test_risk_grid_and_high_list_equal_before(store, viewer):
    with Session(store) as session:
        for where in WHERE:
            for cell in (None, (3, 4), (1, 1)):
                for request in RISK_REQUESTS:
                    expected = _risks_block_before(
                        session, viewer, request, AS_OF, **where, cell=cell
                    )
                    assert (
                        risks_block(session, viewer, request, AS_OF, **where, cell=cell) == expected
                    )
            frame, total = high_risks_without_action(session, AS_OF, viewer, limit=2, **where)
            full = risk_list_select(AS_OF, viewer, **where, high_without_action=True)
            rows = session.execute(
                full.order_by((Risk.likelihood * Risk.consequence).desc(), Risk.code)
            ).all()
            assert total == len(rows)
            assert frame.to_dict("records") == [dict(r._mapping) for r in rows[:2]]


# --------------------------------------------------------------------------- coverage lists


def _latest_by_window(as_of):
    """The latest classification per asset as it was computed: a row_number() window."""
    ranked = select(
        Classification.asset_id,
        Classification.id.label("classification_id"),
        Classification.classified_on,
        Classification.next_review_on,
        func.row_number()
        .over(
            partition_by=Classification.asset_id,
            order_by=(Classification.classified_on.desc(), Classification.id.desc()),
        )
        .label("rank"),
    ).where(Classification.classified_on <= as_of)
    ranked = ranked.subquery()
    return select(
        ranked.c.asset_id,
        ranked.c.classification_id,
        ranked.c.classified_on,
        ranked.c.next_review_on,
    ).where(ranked.c.rank == 1)


def _add_tied_classifications(session):
    """Two classifications of one asset on one day (the higher id wins), one in the future."""
    source = session.scalar(select(Classification.source_id).limit(1))
    asset_id = session.scalar(select(Asset.id).order_by(Asset.id).limit(1))
    on = AS_OF  # the latest as of AS_OF: three on one day
    for review in (None, AS_OF.replace(year=AS_OF.year + 1), None):
        session.add(
            Classification(
                asset_id=asset_id,
                classified_on=on,
                next_review_on=review,
                confidentiality=1,
                integrity=1,
                availability=1,
                source_id=source,
            )
        )
    session.add(
        Classification(
            asset_id=asset_id,
            classified_on=AS_OF.replace(year=AS_OF.year + 1),
            confidentiality=1,
            integrity=1,
            availability=1,
            source_id=source,
        )
    )
    session.flush()


def test_latest_classification_equals_the_window(store):
    with Session(store) as session:
        _add_tied_classifications(session)
        for as_of in (AS_OF, AS_OF.replace(year=2024), AS_OF.replace(year=2028)):
            got = session.execute(select(latest_classification_sql(as_of))).all()
            expected = session.execute(_latest_by_window(as_of)).all()
            assert sorted(map(tuple, got)) == sorted(map(tuple, expected))
            assert len(got) == len({r[0] for r in got})  # one per asset
        latest = latest_classification_sql(AS_OF)
        tied = session.execute(select(latest).where(latest.c.classified_on == AS_OF)).all()
        assert len(tied) == 1


def _block_without_shortcut(session, query, fields, request, order, tiebreaker):
    return fetch_block(
        session,
        query,
        grid_columns(query, fields),
        request,
        id_field="id",
        default_order=order,
        tiebreaker=tiebreaker,
    )


COVERAGE_REQUESTS = [
    {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}},
    {"startRow": 1, "endRow": 2, "sortModel": [], "filterModel": {}},
    {"startRow": 3, "endRow": 3, "sortModel": [], "filterModel": {}},
    {"startRow": 70, "endRow": 80, "sortModel": [], "filterModel": {}},
    {"startRow": 0, "endRow": 5, "sortModel": [{"colId": "asset_name", "sort": "desc"}]},
    {
        "startRow": 0,
        "endRow": 100,
        "filterModel": {"asset_code": {"filterType": "text", "type": "contains", "filter": "a"}},
    },
]
PROTECTION = Viewer("protection_officer", "Jon", administration_codes=frozenset({"1861-BUF"}))


@pytest.mark.parametrize("viewer", [*VIEWERS, PROTECTION], ids=lambda v: v.role)
def test_coverage_grids_equal_the_full_queries(store, viewer):
    with Session(store) as session:
        _add_tied_classifications(session)
        for where in WHERE:
            for request in COVERAGE_REQUESTS:
                for gap in GAPS:
                    query = asset_gap_select(AS_OF, viewer, gap=gap, **where)
                    expected = _block_without_shortcut(
                        session,
                        query,
                        ASSET_GAP_FIELDS,
                        request,
                        (Administration.name, Unit.name, Asset.code),
                        Asset.id,
                    )
                    got = asset_gap_block(session, AS_OF, viewer, request, gap=gap, **where)
                    assert got == expected, (where, request, gap)
                query = shared_owner_gap_select(AS_OF, viewer, **where)
                expected = _block_without_shortcut(
                    session, query, SHARED_OWNER_FIELDS, request, (Asset.code,), AssetOwner.id
                )
                assert shared_owner_block(session, AS_OF, viewer, request, **where) == expected
