"""Mognad's evidence read through compute_kpis (the KPI mart where it holds the date) is the
evidence etl.kpi.compute.evidence_criteria counts from the facts: every scope's level and each
criterion's numerator, denominator and share, for each kind of viewer, with and without the mart;
and one profile's area levels counted for its node alone are those of the whole list.

The store is tests/kpi_data.py (Askersund 1882 with two administrations and their units,
Hallsberg 1861 with one, the shared object Ekonomisystem GO-EK), as of 2026-11-28.
"""

from __future__ import annotations

import math

import pytest

from dashboard.queries.maturity import (
    EVIDENCE_METRICS,
    area_evidence_levels,
    evidence_holdbacks,
)
from etl.db import session_factory
from etl.kpi import mart
from etl.kpi.compute import compute_kpis, evidence_criteria
from etl.kpi.definitions import METRICS
from etl.kpi.rules import EVIDENCE_CRITERIA, EVIDENCE_CRITERION_METRICS
from etl.kpi.viewer import SYSTEM, Viewer
from tests.kpi_data import AS_OF, build_store

SCOPE_TYPES = ("municipality", "administration", "governance_object", "unit")
VIEWERS = [
    SYSTEM,
    Viewer("admin", "a"),
    Viewer("ciso", "c", municipality_codes=frozenset({"1882"})),
    Viewer("committee", "k", municipality_codes=frozenset({"1861"})),
    Viewer("security_officer", "s", administration_codes=frozenset({"1882-SOC"})),
    Viewer("manager", "m", unit_codes=frozenset({"1882-SOC-IFO"})),
]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


def _from_facts(session, viewer, **narrow) -> dict:
    rows = evidence_criteria(session, AS_OF, viewer, scope_types=list(SCOPE_TYPES), **narrow)
    found: dict = {}
    for r in rows.itertuples(index=False):
        entry = found.setdefault(
            (r.scope_type, r.scope_id),
            {"name": r.scope_name, "level": None if math.isnan(r.level) else int(r.level)},
        )
        entry[r.criterion] = (float(r.numerator), float(r.denominator), float(r.share))
    return found


def _through_kpis(session, viewer, **narrow) -> dict:
    found = {}
    for scope in evidence_holdbacks(session, AS_OF, viewer, scope_types=SCOPE_TYPES, **narrow):
        found[(scope.scope_type, scope.scope_id)] = {
            "name": scope.scope_name,
            "level": scope.level,
            **scope.counts,
        }
    return found


def _assert_equal(expected: dict, got: dict) -> None:
    assert set(got) == set(expected)
    for key, entry in expected.items():
        assert got[key]["name"] == entry["name"], key
        assert got[key]["level"] == entry["level"], key
        if entry["level"] is None:
            continue  # no assets: no shares to speak of (no shortfalls either)
        for criterion in EVIDENCE_CRITERIA:
            want, have = entry[criterion.code], got[key][criterion.code]
            assert all(_same(w, h) for w, h in zip(want, have, strict=True)), (
                key,
                criterion.code,
                want,
                have,
            )


@pytest.fixture
def sessions(sqlite_engine):
    build_store(sqlite_engine)
    return session_factory(sqlite_engine)


def test_every_metric_read_is_in_the_catalogue():
    assert set(EVIDENCE_METRICS) <= set(METRICS)


def test_every_criterion_is_read_from_the_kpis():
    assert set(EVIDENCE_CRITERION_METRICS) == {c.code for c in EVIDENCE_CRITERIA}


@pytest.mark.parametrize("with_mart", [False, True], ids=["computed", "mart"])
def test_evidence_through_the_kpis_is_the_evidence_of_the_facts(sessions, with_mart):
    if with_mart:
        with sessions() as session, session.begin():
            assert mart.build(session, {AS_OF: compute_kpis(session, AS_OF, SYSTEM)}) > 0
    with sessions() as session:
        assert mart.holds(session, AS_OF) is with_mart
        for viewer in VIEWERS:
            for narrow in ({}, {"municipality": "1882"}, {"administration": "1882-SOC"}):
                expected = _from_facts(session, viewer, **narrow)
                _assert_equal(expected, _through_kpis(session, viewer, **narrow))
        # The hand-counted anchor (tests/test_page_maturity.py, "what holds each scope back"):
        # Socialförvaltningen at level 1, held back by 2 of its 2 open actions overdue and 0 of
        # its 1 personal-data asset in the record of processing.
        held = {
            h.scope_id: h for h in evidence_holdbacks(session, AS_OF, SYSTEM, municipality="1882")
        }
        social = held["1882-SOC"]
        assert social.level == 1
        assert [(s.criterion.code, s.numerator, s.denominator) for s in social.shortfalls] == [
            ("actions_overdue_share", 2.0, 2.0),
            ("gdpr_coverage", 0.0, 1.0),
        ]


def test_one_profiles_area_levels_are_those_of_the_whole_list(sessions):
    """area_evidence_levels counts an administration alone; the levels are those that
    evidence_criteria gives it among all of the viewer's administrations and objects."""
    with sessions() as session:
        for scope_type in ("administration", "governance_object"):
            rows = evidence_criteria(session, AS_OF, SYSTEM, scope_types=[scope_type])
            assert not rows.empty
            for scope_id, own in rows.groupby("scope_id"):
                own = own.drop_duplicates("area")
                expected = {
                    a: (None if math.isnan(v) else int(v))
                    for a, v in zip(own["area"], own["area_level"], strict=True)
                }
                got = area_evidence_levels(session, AS_OF, SYSTEM, scope_type, scope_id)
                assert got == expected, (scope_type, scope_id)
        # A node the viewer may not see gets nothing.
        ciso = Viewer("ciso", "c", municipality_codes=frozenset({"1861"}))
        assert area_evidence_levels(session, AS_OF, ciso, "administration", "1882-SOC") == {}
