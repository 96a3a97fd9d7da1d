"""Invariants with hypothesis (issue 7.5): parsers and validator never crash, issues point at real
cells, and the numbers obey their definitions for any as-of date and any loading order.

Example counts are kept small (CI has 2 cores); the whole file runs in well under a minute.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from etl import models
from etl.db import make_engine, migrate
from etl.generate import generate
from etl.kpi.compute import compute_kpis, kpi_json
from etl.load import ACCEPTED, load_paths, looks_like_organisation
from etl.parsing import CellError, parse_cell
from etl.reader import RawRow, RawSheet, RawWorkbook
from etl.sandboxed_read import read_source
from etl.schema import ColumnType
from etl.validate import load_known_codes, validate
from tests.workbooks import TODAY, write_admin, write_object, write_org

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))

cell_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["", " ", "Ja", "nej", "3 Allvarlig", "Klar", "2026-02-30", "46037", "1e308",
                     "nan", "inf", "-0", "2026-Q3", "Q5 2026", "1 234,5", "85 %", "\u00a0", "٣"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)  # fmt: skip


# --------------------------------------------------------------------------- parsers


@FAST
@given(column_type=st.sampled_from(list(ColumnType)), raw=cell_values,
       matrix=st.integers(min_value=2, max_value=10))  # fmt: skip
def test_parsers_return_a_value_or_a_cell_error(column_type, raw, matrix):
    try:
        value = parse_cell(column_type, raw, matrix_size=matrix)
    except CellError as exc:
        assert exc.message_sv and exc.message_en
        return
    if value is None:
        return
    expected = {
        ColumnType.DATE: dt.date, ColumnType.BOOL: bool, ColumnType.INT: int,
        ColumnType.PERCENT: float, ColumnType.TEXT: str, ColumnType.CODE: str,
        ColumnType.CODE_LIST: list, ColumnType.CLASS_LEVEL: int, ColumnType.MATURITY_LEVEL: int,
        ColumnType.LIKELIHOOD: int, ColumnType.CONSEQUENCE: int,
    }.get(column_type, str)  # fmt: skip
    assert isinstance(value, expected), (column_type, raw, value)
    if column_type is ColumnType.PERCENT:
        assert 0 <= value <= 100
    if column_type in (ColumnType.LIKELIHOOD, ColumnType.CONSEQUENCE):
        assert 1 <= value <= matrix
    if column_type is ColumnType.CLASS_LEVEL:
        assert 0 <= value <= 4
    if column_type is ColumnType.MATURITY_LEVEL:
        assert 0 <= value <= 5


# --------------------------------------------------------------------------- validator


@pytest.fixture(scope="module")
def valid_admin(tmp_path_factory):
    """(raw 1882-SOC workbook, the codes its store knows)."""
    d = tmp_path_factory.mktemp("validator")
    engine = make_engine(f"sqlite:///{d / 'store.db'}")
    migrate(engine)
    assert load_paths(engine, [write_org(d)], today=TODAY, snapshot=False).ok
    raw = read_source(write_admin(d))
    with Session(engine) as s:
        known = load_known_codes(s, raw)
    engine.dispose()
    parsed, issues = validate(raw, known, today=TODAY)
    assert parsed is not None and issues == []
    return raw, known


def _mutate(raw: RawWorkbook, changes) -> RawWorkbook:
    sheets = dict(raw.sheets)
    for sheet_index, row_index, column_index, value in changes:
        key = sorted(sheets)[sheet_index % len(sheets)]
        sheet = sheets[key]
        if not sheet.rows:
            continue
        rows = list(sheet.rows)
        row = rows[row_index % len(rows)]
        values = list(row.values)
        values[column_index % len(values)] = value
        rows[row_index % len(rows)] = RawRow(row.number, tuple(values))
        sheets[key] = dataclasses.replace(sheet, rows=rows)
    return dataclasses.replace(raw, sheets=sheets)


@FAST
@given(changes=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50),
                                  cell_values), min_size=1, max_size=4))  # fmt: skip
def test_validator_never_raises_and_names_real_cells(valid_admin, changes):
    raw, known = valid_admin
    mutated = _mutate(raw, changes)
    parsed, issues = validate(mutated, known, today=TODAY)
    assert (parsed is None) == bool(issues)
    names = {s.name: s for s in mutated.sheets.values()}
    for issue in issues:
        assert issue.file == "1882-SOC.xlsx"
        assert issue.message_sv and issue.message_en
        if issue.sheet is None:
            continue
        assert issue.sheet in names, issue
        sheet: RawSheet = names[issue.sheet]
        if issue.row is not None:
            assert issue.row in {r.number for r in sheet.rows} | {sheet.header_row}, issue
        if issue.column is not None:
            headers = {c.header for c in sheet.schema.columns} | {"Kod", "Typ"}
            assert issue.column in headers, issue


# --------------------------------------------------------------------------- the numbers


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The generated Sydnärke sample set, and a SQLite store holding all of it."""
    d = tmp_path_factory.mktemp("numbers")
    files = d / "files"
    generate(files, municipalities=4, seed=1882, fmt="xlsx", today=TODAY)
    engine = make_engine(f"sqlite:///{d / 'store.db'}")
    migrate(engine)
    assert load_paths(engine, [files], today=TODAY, snapshot=False).ok
    yield files, engine
    engine.dispose()


def _by_scope(frame) -> dict[tuple[str, str], dict[str, object]]:
    result: dict[tuple[str, str], dict[str, object]] = {}
    for r in frame.itertuples(index=False):
        result.setdefault((r.scope_type, r.scope_id), {})[r.metric] = r
    return result


FUNNEL = ("assets", "funnel_classified", "funnel_risk_analysed", "funnel_action_planned",
          "funnel_on_time")  # fmt: skip
BUCKETS = ("actions_overdue_1_30", "actions_overdue_31_90", "actions_overdue_91_180",
           "actions_overdue_over_180")  # fmt: skip
RATES = ("classification_coverage", "risk_analysis_coverage", "action_plan_coverage",
         "actions_on_time_rate", "gdpr_coverage", "shared_owner_participation",
         "follow_up_rate", "training_completion", "access_review_current",
         "org_security_officer", "org_unit_managers")  # fmt: skip


@SLOW
@given(as_of=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2029, 12, 31)))
def test_numbers_obey_their_definitions(sample, as_of):
    _, engine = sample
    with Session(engine) as s:
        scopes = _by_scope(compute_kpis(s, as_of))
    assert scopes
    for key, metrics in scopes.items():
        value = {m: r.value for m, r in metrics.items()}
        for rate in RATES:
            if rate in metrics and value[rate] is not None:
                r = metrics[rate]
                assert 0 <= r.value <= 1, (key, rate, r)
                assert math.isclose(r.value, r.numerator / r.denominator), (key, rate)
        if "actions_open" in value:
            assert value["actions_overdue"] <= value["actions_open"], key
            assert sum(value[b] for b in BUCKETS) == value["actions_overdue"], key
        if "funnel_on_time" in value:
            stages = [value[s] for s in FUNNEL]
            assert stages == sorted(stages, reverse=True), (key, stages)
        if "risks_high" in value:
            assert value["risks_high_without_action"] <= value["risks_high"] <= value["risks"]


def _org(engine):
    with Session(engine) as s:
        units = dict(s.execute(select(models.Unit.code, models.Administration.code)
                               .join(models.Administration)).all())  # fmt: skip
        admins = dict(s.execute(select(models.Administration.code, models.Municipality.code)
                                .join(models.Municipality)).all())  # fmt: skip
    return units, admins


def _provider_actions(engine, as_of: dt.date) -> dict[str, list[tuple[int, str | None, str]]]:
    """Open and overdue provider actions (no owner unit) with the participants of their object:
    metric -> [(action id, participating administration code or None, municipality code)]."""
    with Session(engine) as s:
        rows = s.execute(
            select(models.Action.id, models.Action.due_on, models.Administration.code,
                   models.Municipality.code)
            .join(models.GovernanceParticipant, models.GovernanceParticipant.governance_object_id
                  == models.Action.governance_object_id)
            .join(models.Municipality,
                  models.Municipality.id == models.GovernanceParticipant.municipality_id)
            .outerjoin(models.Administration,
                       models.Administration.id == models.GovernanceParticipant.administration_id)
            .where(models.Action.owner_unit_id.is_(None),
                   models.Action.status.not_in(["done", "cancelled"]))
        ).all()  # fmt: skip
    return {
        "actions_open": [(i, a, m) for i, _, a, m in rows],
        "actions_overdue": [(i, a, m) for i, due, a, m in rows if due < as_of],
    }


@SLOW
@given(as_of=st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2028, 12, 31)))
def test_counts_roll_up_by_the_documented_membership(sample, as_of):
    """unit → administration → municipality (docs/metrics.md): assets exactly; actions exactly
    plus the provider actions of the shared objects an administration (explicitly) or a
    municipality takes part in, each counted once per participant."""
    _, engine = sample
    units, admins = _org(engine)
    with Session(engine) as s:
        rows = _by_scope(compute_kpis(s, as_of, metrics=["assets", "actions_open",
                                                         "actions_overdue"]))  # fmt: skip
    shared = _provider_actions(engine, as_of)
    assert shared["actions_open"], "the sample set has provider actions of shared objects"

    def value(scope_type: str, code: str, metric: str) -> int:
        row = rows.get((scope_type, code), {}).get(metric)
        return row.value if row is not None else 0

    for metric in ("assets", "actions_open", "actions_overdue"):
        extra = shared.get(metric, [])
        for admin in admins:
            units_sum = sum(value("unit", u, metric) for u, a in units.items() if a == admin)
            provider = len({i for i, a, _ in extra if a == admin})
            assert value("administration", admin, metric) == units_sum + provider, (admin, metric)
        for municipality in set(admins.values()):
            units_sum = sum(value("unit", u, metric) for u, a in units.items()
                            if admins[a] == municipality)  # fmt: skip
            provider = len({i for i, _, m in extra if m == municipality})
            assert value("municipality", municipality, metric) == units_sum + provider, (
                municipality,
                metric,
            )


def test_loading_order_does_not_change_the_numbers(sample, tmp_path):
    files, engine = sample
    with Session(engine) as s:
        reference = kpi_json(s, TODAY)
    paths = sorted(p for p in files.iterdir() if p.suffix == ".xlsx")
    org = [p for p in paths if looks_like_organisation(p)]
    others = [p for p in paths if p not in org]

    @SLOW
    @given(order=st.permutations(others))
    def load_in(order):
        store = tmp_path / f"order-{random.getrandbits(32)}.db"
        eng = make_engine(f"sqlite:///{store}")
        migrate(eng)
        for path in [*org, *order]:  # one run per file, in this order
            run = load_paths(eng, [path], today=TODAY, snapshot=False)
            assert [f.outcome for f in run.files] == [ACCEPTED], run.files[0].issues[:3]
        with Session(eng) as s:
            assert kpi_json(s, TODAY) == reference
        eng.dispose()
        store.unlink()

    load_in()
    # All files given at once, in reverse: the loader itself puts the organisation first.
    store = tmp_path / "reversed.db"
    eng = make_engine(f"sqlite:///{store}")
    migrate(eng)
    assert load_paths(eng, list(reversed(paths)), today=TODAY, snapshot=False).ok
    with Session(eng) as s:
        assert kpi_json(s, TODAY) == reference
    eng.dispose()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_small_set_in_any_order_after_the_organisation(tmp_path):
    """The hand-countable set: object before administration or after gives the same numbers."""
    org, admin, obj = write_org(tmp_path), write_admin(tmp_path), write_object(tmp_path)
    results = []
    for order in ([org, admin, obj], [org, obj, admin], [obj, admin, org]):
        eng = make_engine(f"sqlite:///{tmp_path / f'{len(results)}.db'}")
        migrate(eng)
        assert load_paths(eng, order, today=TODAY, snapshot=False).ok
        with Session(eng) as s:
            results.append(kpi_json(s, TODAY))
        eng.dispose()
    assert results[0] == results[1] == results[2]
