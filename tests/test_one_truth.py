"""One truth: every number on Översikt and Täckning equals what compute_kpis (and so `infosak kpi`)
gives for the same as-of date and filters, on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.queries.coverage import coverage_by_scope, summary_counts
from dashboard.queries.overview import (
    CARD_METRICS,
    ORG_METRICS,
    focus_scope,
    funnel_stages,
    headline_kpis,
    org_check,
    overview_frames,
    previous_quarter,
)
from dashboard.queries.viewer import SYSTEM
from etl.db import session_factory
from etl.kpi.compute import compute_kpis, kpi_json, overdue_aging
from tests.kpi_data import AS_OF, build_store

# (municipality, administration): all, two municipalities, an administration with and without
# its municipality. Each test loops over them on one store (building a store per case is slow).
FILTER_CASES = [
    (None, None),
    ("1882", None),
    ("1861", None),
    ("1882", "1882-SOC"),
    (None, "1861-BUF"),
]
DATES = [AS_OF, previous_quarter(AS_OF)]
CASES = [(as_of, mun, adm) for as_of in DATES for mun, adm in FILTER_CASES]


@pytest.fixture
def session(engine):
    build_store(engine)
    with session_factory(engine)() as s:
        yield s


def _focus_rows(session, as_of, municipality, administration, metrics):
    scope_type, scope_id = focus_scope(municipality, administration)
    df = compute_kpis(
        session,
        as_of,
        SYSTEM,
        scope_types=[scope_type],
        municipality=municipality,
        administration=administration,
        metrics=list(metrics),
    )
    if scope_id is not None:
        df = df[df["scope_id"] == scope_id]
    return df


def _expected(rows: pd.DataFrame, metric: str, kind: str):
    part = rows[rows["metric"] == metric]
    if len(part) == 1:
        value = part.iloc[0]["value"]
        return None if pd.isna(value) else float(value)
    values = part["value"].dropna().astype(float)
    if kind == "count":
        return float(values.sum()) if len(values) else None
    if kind == "rate":
        den = part["denominator"].dropna().astype(float).sum()
        return float(part["numerator"].dropna().astype(float).sum() / den) if den else None
    return float(values.mean()) if len(values) else None


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, abs=1e-9)


def test_overview_cards_equal_compute_kpis(session):
    """Cards (filtered) equal the rows of one unfiltered compute_kpis, as `infosak kpi` prints."""
    dates = {*DATES, *(previous_quarter(d) for d in DATES)}
    unfiltered = {as_of: compute_kpis(session, as_of, SYSTEM) for as_of in dates}
    for as_of, municipality, administration in CASES:
        cards = headline_kpis(
            session, as_of, SYSTEM, municipality=municipality, administration=administration
        )
        rows = _scope_rows(unfiltered[as_of], municipality, administration)
        before = _scope_rows(unfiltered[previous_quarter(as_of)], municipality, administration)
        assert list(cards["metric"]) == list(CARD_METRICS)
        for card in cards.itertuples(index=False):
            case = (as_of, municipality, administration, card.metric)
            value = None if pd.isna(card.value) else card.value
            assert _same(value, _expected(rows, card.metric, card.kind)), case
            previous = None if pd.isna(card.previous) else card.previous
            assert _same(previous, _expected(before, card.metric, card.kind)), case


def _scope_rows(kpis, municipality, administration):
    scope_type, scope_id = focus_scope(municipality, administration)
    rows = kpis[kpis["scope_type"] == scope_type]
    return rows if scope_id is None else rows[rows["scope_id"] == scope_id]


def test_overview_frames_equal_the_separate_queries(session):
    for municipality, administration in FILTER_CASES:
        where = {"municipality": municipality, "administration": administration}
        frames = overview_frames(session, AS_OF, SYSTEM, **where)
        headline = headline_kpis(session, AS_OF, SYSTEM, **where)
        pd.testing.assert_frame_equal(frames.headline, headline)
        pd.testing.assert_frame_equal(frames.org, org_check(session, AS_OF, SYSTEM, **where))


def test_funnel_aging_and_org_equal_compute_kpis(session):
    for municipality, administration in FILTER_CASES:
        _check_funnel_aging_org(session, municipality, administration)


def _check_funnel_aging_org(session, municipality, administration):
    where = {"municipality": municipality, "administration": administration}
    metrics = [
        "assets",
        "funnel_classified",
        "funnel_risk_analysed",
        "funnel_action_planned",
        "funnel_on_time",
    ]
    rows = _focus_rows(session, AS_OF, municipality, administration, metrics)
    stages = funnel_stages(session, AS_OF, SYSTEM, **where)
    # Every asset belongs to exactly one municipality: the funnel adds up over them.
    expected = [int(rows.loc[rows["metric"] == m, "value"].sum()) for m in metrics]
    assert list(stages["count"]) == expected

    aging = overdue_aging(session, AS_OF, SYSTEM, **where)
    admin_rows = compute_kpis(
        session, AS_OF, SYSTEM, scope_types=["administration"], metrics=["actions_overdue"], **where
    )
    per_admin = aging.groupby("administration_code")["count"].sum().to_dict()
    for row in admin_rows.itertuples(index=False):
        assert per_admin.get(row.scope_id, 0) == row.value, row.scope_id

    org = org_check(session, AS_OF, SYSTEM, **where)
    kpis = compute_kpis(
        session,
        AS_OF,
        SYSTEM,
        scope_types=["municipality", "administration"],
        metrics=list(ORG_METRICS),
        **where,
    )
    if administration:
        kpis = kpis[kpis["scope_id"] == administration]
    merged = org.merge(kpis, on=["scope_type", "scope_id", "metric"], suffixes=("", "_kpi"))
    assert len(merged) == len(org) == len(kpis) > 0
    for row in merged.itertuples(index=False):
        assert _same(
            None if pd.isna(row.value) else row.value,
            None if pd.isna(row.value_kpi) else row.value_kpi,
        )


def test_coverage_lists_equal_compute_kpis(session):
    for as_of, municipality, administration in CASES:
        _check_coverage_lists(session, as_of, municipality, administration)


def _check_coverage_lists(session, as_of, municipality, administration):
    where = {"municipality": municipality, "administration": administration}
    metrics = [
        "assets",
        "classified_current",
        "classifications_expired",
        "risk_analysis_coverage",
        "gdpr_coverage",
        "shared_owner_participation",
    ]
    rows = _focus_rows(session, as_of, municipality, administration, metrics)

    def total(metric, column="value"):
        return int(rows.loc[rows["metric"] == metric, column].fillna(0).sum())

    counts, owners = summary_counts(session, as_of, SYSTEM, **where)
    assert counts["classification"] == total("assets") - total("classified_current")
    assert counts["expired"] == total("classifications_expired")
    assert counts["risk_analysis"] == (
        total("risk_analysis_coverage", "denominator")
        - total("risk_analysis_coverage", "numerator")
    )
    assert counts["register"] == (
        total("gdpr_coverage", "denominator") - total("gdpr_coverage", "numerator")
    )
    assert owners == (
        total("shared_owner_participation", "denominator")
        - total("shared_owner_participation", "numerator")
    )


def test_coverage_chart_rows_are_kpi_json_rows(session):
    """The chart's numbers are exactly the rows `infosak kpi --format json` prints."""
    printed = {
        (r["scope_type"], r["scope_id"], r["metric"]): r["value"]
        for r in kpi_json(session, AS_OF, SYSTEM)["rows"]
    }
    for level in ("administration", "unit", "governance_object"):
        df = coverage_by_scope(session, AS_OF, SYSTEM, level=level)
        assert len(df) > 0
        for row in df.itertuples(index=False):
            shown = None if pd.isna(row.value) else round(float(row.value), 6)
            assert shown == printed[(level, row.scope_id, row.metric)]


def test_overview_cards_equal_kpi_json_for_a_municipality(session):
    printed = {
        r["metric"]: r["value"]
        for r in kpi_json(session, AS_OF, SYSTEM)["rows"]
        if r["scope_type"] == "municipality" and r["scope_id"] == "1882"
    }
    cards = headline_kpis(session, AS_OF, SYSTEM, municipality="1882")
    for card in cards.itertuples(index=False):
        value = None if pd.isna(card.value) else round(float(card.value), 6)
        assert value == printed[card.metric], card.metric
