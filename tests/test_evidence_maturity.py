"""The evidence-based maturity model (etl.kpi.rules.EVIDENCE_CRITERIA, docs/metrics.md), pinned
at every threshold: each criterion at its threshold reaches the level, one count short does not.

The thresholds below are written out by hand (not read from the module): a change of the model
must change this table too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dashboard.queries.maturity import evidence_holdbacks
from etl import models as m
from etl.db import session_factory
from etl.kpi.compute import compute_kpis
from etl.kpi.definitions import SCOPE_TYPES
from etl.kpi.rules import EVIDENCE_CRITERIA, evidence_level, evidence_shortfalls
from etl.kpi.viewer import SYSTEM
from tests import kpi_data

# (criterion, level, numerator at the edge out of 20, whether the share must reach or stay under)
EDGES = [
    ("classification_coverage", 1, 2, "at_least"),
    ("classification_coverage", 2, 6, "at_least"),
    ("classification_coverage", 3, 12, "at_least"),
    ("classification_coverage", 4, 16, "at_least"),
    ("classification_coverage", 5, 19, "at_least"),
    ("classifications_expired_share", 2, 10, "at_most"),
    ("classifications_expired_share", 3, 4, "at_most"),
    ("classifications_expired_share", 4, 2, "at_most"),
    ("classifications_expired_share", 5, 1, "at_most"),
    ("risk_analysis_coverage", 2, 2, "at_least"),
    ("risk_analysis_coverage", 3, 8, "at_least"),
    ("risk_analysis_coverage", 4, 14, "at_least"),
    ("risk_analysis_coverage", 5, 18, "at_least"),
    ("action_plan_coverage", 3, 10, "at_least"),
    ("action_plan_coverage", 4, 15, "at_least"),
    ("action_plan_coverage", 5, 18, "at_least"),
    ("actions_overdue_share", 2, 10, "at_most"),
    ("actions_overdue_share", 3, 4, "at_most"),
    ("actions_overdue_share", 4, 2, "at_most"),
    ("actions_overdue_share", 5, 1, "at_most"),
    ("actions_on_time_rate", 3, 10, "at_least"),
    ("actions_on_time_rate", 4, 15, "at_least"),
    ("actions_on_time_rate", 5, 18, "at_least"),
    ("gdpr_coverage", 2, 10, "at_least"),
    ("gdpr_coverage", 3, 15, "at_least"),
    ("gdpr_coverage", 4, 18, "at_least"),
    ("gdpr_coverage", 5, 20, "at_least"),
    ("follow_up_rate", 3, 10, "at_least"),
    ("follow_up_rate", 4, 15, "at_least"),
    ("follow_up_rate", 5, 18, "at_least"),
]


def _perfect() -> dict[str, float]:
    """Every criterion at its best: 100 % where more is better, 0 % where less is."""
    return {c.code: (1.0 if c.at_least else 0.0) for c in EVIDENCE_CRITERIA}


def _level(shares: dict[str, float]) -> int:
    return int(evidence_level({k: np.array([v]) for k, v in shares.items()}, np.array([1]))[0])


def test_the_edges_table_covers_every_threshold_of_the_model():
    thresholds = {
        (c.code, level)
        for c in EVIDENCE_CRITERIA
        for level, t in enumerate(c.thresholds, start=1)
        if t is not None
    }
    assert {(code, level) for code, level, _, _ in EDGES} == thresholds
    assert {c.code: ("at_least" if c.at_least else "at_most") for c in EVIDENCE_CRITERIA} == {
        code: kind for code, _, _, kind in EDGES
    }


@pytest.mark.parametrize(("code", "level", "edge", "kind"), EDGES)
def test_a_criterion_at_its_threshold_reaches_the_level_and_one_count_short_does_not(
    code, level, edge, kind
):
    shares = _perfect()
    shares[code] = edge / 20
    assert _level(shares) == level
    # What keeps it from the next level is this criterion alone (level 5 has no next level).
    assert [c.code for c in evidence_shortfalls(shares, level)] == ([code] if level < 5 else [])
    short = edge - 1 if kind == "at_least" else edge + 1
    shares[code] = short / 20
    assert _level(shares) == level - 1
    assert code in [c.code for c in evidence_shortfalls(shares, level - 1)]


def test_a_share_without_denominator_neither_helps_nor_holds_back():
    shares = _perfect()
    shares["actions_overdue_share"] = float("nan")  # no open actions
    shares["gdpr_coverage"] = float("nan")  # no personal data
    assert _level(shares) == 5
    assert evidence_shortfalls(shares, 5) == []


def test_no_assets_no_level():
    level = evidence_level({k: np.array([v]) for k, v in _perfect().items()}, np.array([0]))
    assert np.isnan(level[0])


def test_most_actions_overdue_never_reads_managed():
    """Everything else perfect, 11 of 20 open actions overdue: level 1, not 4 Styrd."""
    shares = _perfect()
    shares["actions_overdue_share"] = 11 / 20
    assert _level(shares) == 1


def test_the_level_of_one_area_counts_only_its_own_criteria():
    shares = _perfect()
    shares["actions_overdue_share"] = 1.0
    arrays = {k: np.array([v]) for k, v in shares.items()}
    assert evidence_level(arrays, np.array([3]), "klassning")[0] == 5
    assert evidence_level(arrays, np.array([3]), "atgardsuppfoljning")[0] == 1
    assert evidence_level(arrays, np.array([3]))[0] == 1


# --------------------------------------------------------------------------- in a real store

NEW_UNIT = "1882-SOC-NY"


@pytest.fixture
def store(engine):
    """The hand-countable store plus a unit with 4 assets, all currently classified and none
    risk-analysed, and 4 open actions, all overdue (the case that used to score 3,1)."""
    kpi_data.build_store(engine)
    factory = session_factory(engine)
    with factory() as s, s.begin():
        admin = s.query(m.Administration).filter_by(code="1882-SOC").one()
        unit = m.Unit(code=NEW_UNIT, name="Ny enhet", administration=admin, manager_name="Ulf")
        s.add(unit)
        s.flush()
        source = s.query(m.Source).one()
        for i in range(4):
            asset = m.Asset(
                code=f"NY{i}",
                name=f"Tillgång NY{i}",
                carrier_type="it_system",
                primary_unit_id=unit.id,
                personal_data="no",
                security_protection=False,
                source_id=source.id,
            )
            s.add(asset)
            s.flush()
            s.add(m.AssetOwner(asset_id=asset.id, unit_id=unit.id, is_primary=True))
            s.add(
                m.Classification(
                    asset_id=asset.id,
                    classified_on=dt.date(2026, 1, 1),
                    confidentiality=1,
                    integrity=1,
                    availability=1,
                    source_id=source.id,
                )
            )
            s.add(
                m.Action(
                    code=f"NY-AC{i}",
                    title="Åtgärd",
                    owner_unit_id=unit.id,
                    due_on=dt.date(2026, 1, 1),
                    status="not_started",
                    source_id=source.id,
                )
            )
        s.add(
            m.FollowUpReport(unit_id=unit.id, period="2026-Q3", submitted=True, source_id=source.id)
        )
    yield factory


def test_no_risk_analysis_and_every_action_overdue_is_level_one(store):
    with store() as s:
        kpis = compute_kpis(s, kpi_data.AS_OF, scope_types=["unit"], metrics=["maturity_evidence"])
        evidence = evidence_holdbacks(s, kpi_data.AS_OF, SYSTEM, scope_types=("unit",))
    row = kpis[kpis["scope_id"] == NEW_UNIT].iloc[0]
    # Old model: 5 × mean(classified 1, risk-analysed 0, follow-up 1) = 3,3.
    assert (row.value, row.numerator, row.denominator) == (1.0, 1, 1)
    mine = next(e for e in evidence if e.scope_id == NEW_UNIT)
    assert mine.counts["risk_analysis_coverage"][:2] == (0, 4)
    assert mine.counts["actions_overdue_share"][:2] == (4, 4)
    assert mine.level == 1
    shares = _shares(mine)
    held_back_by = {c.code for c in evidence_shortfalls(shares, 1)}
    assert held_back_by == {"risk_analysis_coverage", "actions_overdue_share"}
    arrays = {code: np.array([share]) for code, share in shares.items()}
    assert evidence_level(arrays, np.array([4]), "klassning")[0] == 5
    assert evidence_level(arrays, np.array([4]), "riskhantering")[0] == 1


def test_evidence_criteria_give_the_level_compute_kpis_gives_for_every_scope(store):
    with store() as s:
        kpis = compute_kpis(s, kpi_data.AS_OF, metrics=["maturity_evidence"])
        evidence = evidence_holdbacks(s, kpi_data.AS_OF, SYSTEM, scope_types=tuple(SCOPE_TYPES))
    levels = {(e.scope_type, e.scope_id): e for e in evidence}
    assert set(levels) == set(zip(kpis["scope_type"], kpis["scope_id"], strict=True))
    for row in kpis.itertuples():
        scope = levels[(row.scope_type, row.scope_id)]
        assert scope.level == row.value, row
        if scope.level is not None:  # the level its criteria's shares give
            assert _level(_shares(scope)) == scope.level, row


def test_several_municipalities_in_one_pass_give_each_its_own_rows(store):
    """The country's Mognad counts its shown municipalities in one scope: each municipality's
    and administration's criteria are the ones it gets when counted alone."""
    types = ["municipality", "administration"]
    with store() as session:
        together = evidence_holdbacks(
            session, kpi_data.AS_OF, SYSTEM, scope_types=types, municipality=("1882", "1861")
        )
        alone = [
            scope
            for code in ("1882", "1861")
            for scope in evidence_holdbacks(
                session, kpi_data.AS_OF, SYSTEM, scope_types=types, municipality=code
            )
        ]

    def rows(scopes):
        return sorted(
            (s.scope_type, s.scope_id, s.level, code, str(counts))
            for s in scopes
            for code, counts in s.counts.items()
        )

    assert {s.scope_id for s in together} == {"1882", "1861", "1882-KLF", "1882-SOC", "1861-BUF"}
    assert rows(together) == rows(alone)


def _shares(scope) -> dict[str, float]:
    """A scope's share per criterion code, as the model reads them."""
    return {code: share for code, (_, _, share) in scope.counts.items()}
