"""Mognad's evidence read through compute_kpis (the KPI mart where it holds the date) is the
evidence the model's criteria count from the facts (FACTS, below): every scope's level and each
criterion's numerator, denominator and share, for each kind of viewer, with and without the mart;
and one profile's area levels counted for its node alone are those of the whole list.

The store is tests/kpi_data.py (Askersund 1882 with two administrations and their units,
Hallsberg 1861 with one, the shared object Ekonomisystem GO-EK), as of 2026-11-28.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.queries.maturity import (
    EVIDENCE_METRICS,
    area_evidence_levels,
    evidence_holdbacks,
)
from etl.db import session_factory
from etl.kpi import mart
from etl.kpi.compute import compute_kpis
from etl.kpi.definitions import METRICS
from etl.kpi.rules import EVIDENCE_CRITERIA, EVIDENCE_CRITERION_METRICS, evidence_level
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


# Per scope: its evidence level, then numerator/denominator of each criterion in the order of
# EVIDENCE_CRITERIA (classification coverage, expired share, risk-analysis coverage, action-plan
# coverage, overdue share, on-time rate, GDPR coverage, follow-up; "-": no denominator at all),
# as the criteria count them from the facts. Every viewer sees these numbers for the scopes it
# sees: a scope's evidence does not depend on who looks.
FACTS = [
    "municipality 1861 1 2/3 0/2 2/3 2/2 2/2 1/2 1/1 1/2",
    "municipality 1882 1 3/6 2/5 3/6 3/5 4/5 0/0 1/3 2/3",
    "administration 1861-BUF 3 2/3 0/2 2/3 1/1 0/0 1/2 1/1 1/2",
    "administration 1882-KLF 1 1/2 1/2 1/2 1/2 2/3 0/0 1/2 1/1",
    "administration 1882-SOC 1 2/4 1/3 2/4 1/2 2/2 0/0 0/1 1/2",
    "unit 1861-BUF-FS 2 1/2 0/1 1/2 0/0 0/0 0/0 0/0 1/1",
    "unit 1861-BUF-GR 2 1/1 0/1 1/1 1/1 0/0 1/2 1/1 0/1",
    "unit 1882-KLF-IT 2 1/2 1/2 1/2 1/2 0/1 0/0 1/2 1/1",
    "unit 1882-SOC-AO 1 1/1 0/1 1/1 1/1 1/1 0/0 0/0 0/1",
    "unit 1882-SOC-IFO 1 1/3 1/2 1/3 0/1 1/1 0/0 0/1 1/1",
    "governance_object GO-EK 1 2/2 0/2 2/2 2/3 2/2 0/0 1/2 -",
]


def _counts(pair: str) -> tuple[float, float, float]:
    if pair == "-":
        return (math.nan, math.nan, math.nan)
    numerator, denominator = (float(x) for x in pair.split("/"))
    return numerator, denominator, numerator / denominator if denominator > 0 else math.nan


FACT_COUNTS = {
    (scope_type, scope_id): {
        "level": int(level),
        **{c.code: _counts(p) for c, p in zip(EVIDENCE_CRITERIA, pairs, strict=True)},
    }
    for scope_type, scope_id, level, *pairs in (line.split() for line in FACTS)
}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


def _from_facts(session, viewer, **narrow) -> dict:
    """FACT_COUNTS of the scopes that compute_kpis gives the viewer an evidence level for."""
    kpis = compute_kpis(
        session, AS_OF, viewer, scope_types=SCOPE_TYPES, metrics=["maturity_evidence"], **narrow
    )
    return {
        (t, i): {"name": name, **FACT_COUNTS[(t, i)]}
        for t, i, name in zip(kpis["scope_type"], kpis["scope_id"], kpis["scope_name"], strict=True)
    }


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
    """area_evidence_levels counts an administration alone; the levels are those the model
    gives its criteria's shares among all of the viewer's administrations and objects."""
    areas = {c.area for c in EVIDENCE_CRITERIA}
    with sessions() as session:
        for scope_type in ("administration", "governance_object"):
            scopes = evidence_holdbacks(session, AS_OF, SYSTEM, scope_types=(scope_type,))
            assert scopes
            for scope in scopes:
                shares = {code: np.array([share]) for code, share in _shares(scope).items()}
                assets = np.array([0 if scope.level is None else 1])
                expected = {}
                for area in areas:
                    level = evidence_level(shares, assets, area)[0]
                    expected[area] = None if math.isnan(level) else int(level)
                got = area_evidence_levels(session, AS_OF, SYSTEM, scope_type, scope.scope_id)
                assert got == expected, (scope_type, scope.scope_id)
        # A node the viewer may not see gets nothing.
        ciso = Viewer("ciso", "c", municipality_codes=frozenset({"1861"}))
        assert area_evidence_levels(session, AS_OF, ciso, "administration", "1882-SOC") == {}


def _shares(scope) -> dict[str, float]:
    """A scope's share per criterion code, as the model reads them."""
    return {code: share for code, (_, _, share) in scope.counts.items()}
