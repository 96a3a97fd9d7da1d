"""Every metric pinned on the hand-countable store of tests/kpi_data.py, on both back ends."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from dashboard.queries.overview import funnel_stages
from dashboard.queries.viewer import SYSTEM, Viewer
from etl.db import session_factory
from etl.kpi.compute import compute_kpis, kpi_json, overdue_aging
from etl.kpi.definitions import METRIC_ORDER, METRICS, SCOPE_TYPES, metrics_for_scope
from tests import kpi_data
from tests.kpi_data import AS_OF

ASSET_KEYS = [
    "assets",
    "classified_current",
    "classification_coverage",
    "classifications_expired",
    "assets_unclassified",
    "reviews_due_90d",
    "risk_analysis_coverage",
    "risks",
    "risks_high",
    "risks_high_without_action",
    "action_plan_coverage",
    "funnel_classified",
    "funnel_risk_analysed",
    "funnel_action_planned",
    "funnel_on_time",
    "actions_open",
    "actions_overdue",
    "actions_overdue_1_30",
    "actions_overdue_31_90",
    "actions_overdue_91_180",
    "actions_overdue_over_180",
    "actions_on_time_rate",
    "gdpr_coverage",
    "shared_owner_participation",
]
FOLLOW_KEYS = ["follow_up_rate", "training_completion", "access_review_current"]
ORG_KEYS = [
    "org_ciso",
    "org_security_officer",
    "org_dpo",
    "org_protection_officer",
    "org_unit_managers",
    "org_checks_failed",
]


def _row(values, follow=None, maturity_self=None, evidence=None, org=None):
    expected = dict(zip(ASSET_KEYS, values, strict=True))
    if follow is not None:
        expected.update(zip(FOLLOW_KEYS, follow, strict=True))
    if maturity_self is not None:
        expected["maturity_self"] = maturity_self
    if evidence is not None:
        expected["maturity_evidence"] = evidence
    if org is not None:
        expected.update(zip(ORG_KEYS, org, strict=True))
    return expected


NONE = (0, 0)  # a rate without denominator: value None
# maturity_evidence: (level, 1), each level counted by hand in tests/test_evidence_maturity.py.
# Counts are ints; rates and levels are (numerator, denominator).
EXPECTED = {
    ("unit", "1882-KLF-IT"): _row(
        [
            2,
            1,
            (1, 2),
            1,
            0,
            1,
            (1, 2),
            3,
            2,
            1,
            (1, 2),
            1,
            1,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            NONE,
            (1, 2),
            (1, 2),
        ],
        follow=[(1, 1), (0.8, 1), (1, 1)],
        evidence=(2, 1),
    ),
    ("unit", "1882-SOC-IFO"): _row(
        [
            3,
            1,
            (1, 3),
            1,
            1,
            0,
            (1, 3),
            1,
            1,
            1,
            (0, 1),
            1,
            1,
            0,
            0,
            1,
            1,
            0,
            1,
            0,
            0,
            NONE,
            (0, 1),
            (2, 2),
        ],
        follow=[(1, 1), (0.6, 1), (0, 1)],
        evidence=(1, 1),
    ),
    ("unit", "1882-SOC-AO"): _row(
        [
            1,
            1,
            (1, 1),
            0,
            0,
            1,
            (1, 1),
            1,
            0,
            0,
            (1, 1),
            1,
            1,
            1,
            0,
            1,
            1,
            1,
            0,
            0,
            0,
            NONE,
            NONE,
            NONE,
        ],
        follow=[(0, 1), NONE, (1, 1)],
        evidence=(1, 1),
    ),
    ("unit", "1861-BUF-GR"): _row(
        [
            1,
            1,
            (1, 1),
            0,
            0,
            0,
            (1, 1),
            1,
            1,
            0,
            (1, 1),
            1,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            (1, 2),
            (1, 1),
            NONE,
        ],
        follow=[(0, 1), NONE, (0, 1)],
        evidence=(2, 1),
    ),
    ("unit", "1861-BUF-FS"): _row(
        [
            2,
            1,
            (1, 2),
            0,
            1,
            1,
            (1, 2),
            1,
            0,
            0,
            NONE,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            NONE,
            NONE,
            (0, 3),
        ],
        follow=[(1, 1), NONE, (0, 1)],
        evidence=(2, 1),
    ),
    ("administration", "1882-KLF"): _row(
        [
            2,
            1,
            (1, 2),
            1,
            0,
            1,
            (1, 2),
            3,
            2,
            1,
            (1, 2),
            1,
            1,
            1,
            1,
            3,
            2,
            0,
            0,
            1,
            1,
            NONE,
            (1, 2),
            (1, 2),
        ],
        follow=[(1, 1), (0.8, 1), (1, 1)],
        maturity_self=(9, 3),
        evidence=(1, 1),
        org=[1, (1, 1), 1, 0, (1, 1), 1],
    ),
    ("administration", "1882-SOC"): _row(
        [
            4,
            2,
            (2, 4),
            1,
            1,
            1,
            (2, 4),
            2,
            1,
            1,
            (1, 2),
            2,
            2,
            1,
            0,
            2,
            2,
            1,
            1,
            0,
            0,
            NONE,
            (0, 1),
            (2, 2),
        ],
        follow=[(1, 2), (0.6, 1), (1, 2)],
        maturity_self=(3, 3),
        evidence=(1, 1),
        org=[1, (0, 1), 1, 0, (1, 2), 3],
    ),
    ("administration", "1861-BUF"): _row(
        [
            3,
            2,
            (2, 3),
            0,
            1,
            1,
            (2, 3),
            2,
            1,
            0,
            (1, 1),
            2,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            (1, 2),
            (1, 1),
            (0, 3),
        ],
        follow=[(1, 2), NONE, (0, 2)],
        maturity_self=NONE,
        evidence=(3, 1),
        org=[1, (1, 1), 0, 1, (2, 2), 1],
    ),
    ("municipality", "1882"): _row(
        [
            6,
            3,
            (3, 6),
            2,
            1,
            2,
            (3, 6),
            7,
            4,
            2,
            (3, 5),
            3,
            3,
            2,
            1,
            5,
            4,
            1,
            1,
            1,
            1,
            NONE,
            (1, 3),
            (3, 4),
        ],
        follow=[(2, 3), (1.4, 2), (2, 3)],
        maturity_self=(4, 2),
        evidence=(1, 1),
        org=[1, (1, 2), 1, 0, (2, 3), 3],
    ),
    ("municipality", "1861"): _row(
        [
            3,
            2,
            (2, 3),
            0,
            1,
            1,
            (2, 3),
            4,
            2,
            0,
            (2, 2),
            2,
            1,
            1,
            1,
            2,
            2,
            0,
            0,
            1,
            1,
            (1, 2),
            (1, 1),
            (0, 3),
        ],
        follow=[(1, 2), NONE, (0, 2)],
        maturity_self=NONE,
        evidence=(1, 1),
        org=[1, (1, 1), 0, 1, (2, 2), 1],
    ),
    ("governance_object", "GO-EK"): _row(
        [
            2,
            2,
            (2, 2),
            0,
            0,
            1,
            (2, 2),
            5,
            3,
            1,
            (2, 3),
            2,
            2,
            1,
            1,
            2,
            2,
            0,
            0,
            1,
            1,
            NONE,
            (1, 2),
            (3, 4),
        ],
        maturity_self=(6, 3),
        evidence=(1, 1),
    ),
}


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    return session_factory(engine)


def _by_key(frame):
    return {(r.scope_type, r.scope_id, r.metric): r for r in frame.itertuples(index=False)}


def _assert_metric(row, expected, where):
    kind = METRICS[row.metric].kind
    if isinstance(expected, tuple):
        num, den = expected
        assert row.numerator == pytest.approx(num), where
        assert row.denominator == pytest.approx(den), where
        if den == 0:
            assert row.value is None, where
        else:
            assert row.value == pytest.approx(num / den), where
    else:
        assert kind == "count", where
        assert row.value == expected and isinstance(row.value, int), where
        assert row.numerator == expected and row.denominator is None, where


def test_every_metric_at_every_scope_is_pinned(store):
    with store() as s:
        frame = compute_kpis(s, AS_OF)
    rows = _by_key(frame)
    for (scope_type, scope_id), metrics in EXPECTED.items():
        for metric, expected in metrics.items():
            _assert_metric(
                rows[(scope_type, scope_id, metric)], expected, f"{scope_type} {scope_id} {metric}"
            )
    # Every applicable metric is present exactly once per scope, and nothing else.
    expected_keys = {(t, sid, m) for (t, sid) in EXPECTED for m in metrics_for_scope(t)}
    assert set(rows) == expected_keys
    assert len(frame) == len(expected_keys)
    assert list(frame.columns) == [
        "scope_type",
        "scope_id",
        "scope_name",
        "metric",
        "value",
        "numerator",
        "denominator",
    ]


def test_scope_names_and_sort_order(store):
    with store() as s:
        frame = compute_kpis(s, AS_OF)
    assert frame["scope_type"].drop_duplicates().tolist() == list(SCOPE_TYPES)
    units = frame[frame["scope_type"] == "unit"]
    assert units["scope_id"].drop_duplicates().tolist() == sorted(
        ["1882-KLF-IT", "1882-SOC-IFO", "1882-SOC-AO", "1861-BUF-GR", "1861-BUF-FS"]
    )
    first_unit = units[units["scope_id"] == "1861-BUF-FS"]
    assert first_unit["metric"].tolist() == metrics_for_scope("unit")
    assert set(first_unit["scope_name"]) == {"Förskola"}
    # Built in this order (entity by entity, metrics in catalogue order), never sorted after.
    pd.testing.assert_frame_equal(frame, _sorted(frame))
    with store() as s:
        some = compute_kpis(s, AS_OF, metrics=["risks", "assets", "org_dpo", "follow_up_rate"])
    pd.testing.assert_frame_equal(some, _sorted(some))


def _sorted(frame):
    """By scope type (catalogue order), scope id, metric (catalogue order)."""
    keyed = frame.assign(
        _t=frame["scope_type"].map(SCOPE_TYPES.index), _m=frame["metric"].map(METRIC_ORDER)
    )
    return (
        keyed.sort_values(["_t", "scope_id", "_m"])
        .drop(columns=["_t", "_m"])
        .reset_index(drop=True)
    )


def _value(frame, scope_type, scope_id, metric):
    hit = frame[
        (frame.scope_type == scope_type) & (frame.scope_id == scope_id) & (frame.metric == metric)
    ]
    assert len(hit) == 1, (scope_type, scope_id, metric)
    return hit.iloc[0]["value"]


ROLLED_UP_ASSET_COUNTS = [
    "assets",
    "classified_current",
    "classifications_expired",
    "assets_unclassified",
    "reviews_due_90d",
    "funnel_classified",
    "funnel_risk_analysed",
    "funnel_action_planned",
    "funnel_on_time",
]
UNIT_OWNED_COUNTS = ROLLED_UP_ASSET_COUNTS + ["risks", "risks_high", "risks_high_without_action"]


def test_counts_roll_up_unit_to_administration_to_municipality(store):
    with store() as s:
        frame = compute_kpis(s, AS_OF)
    units = {
        "1882-KLF": ["1882-KLF-IT"],
        "1882-SOC": ["1882-SOC-IFO", "1882-SOC-AO"],
        "1861-BUF": ["1861-BUF-GR", "1861-BUF-FS"],
    }
    admins = {"1882": ["1882-KLF", "1882-SOC"], "1861": ["1861-BUF"]}
    for metric in UNIT_OWNED_COUNTS:
        for admin, codes in units.items():
            assert _value(frame, "administration", admin, metric) == sum(
                _value(frame, "unit", c, metric) for c in codes
            ), (metric, admin)
    for metric in ROLLED_UP_ASSET_COUNTS:
        for mun, codes in admins.items():
            assert _value(frame, "municipality", mun, metric) == sum(
                _value(frame, "administration", c, metric) for c in codes
            ), (metric, mun)
    # A shared object's risks count for each participating municipality: 7 + 4 = 9 + 2 shared.
    total_unit_risks = sum(_value(frame, "unit", c, "risks") for cs in units.values() for c in cs)
    assert total_unit_risks == 7
    assert (
        _value(frame, "municipality", "1882", "risks")
        + _value(frame, "municipality", "1861", "risks")
    ) == total_unit_risks + 2 * 2


def test_funnel_is_monotone_and_matches_the_metrics(store):
    with store() as s:
        everything = funnel_stages(s, AS_OF)
        soc = funnel_stages(s, AS_OF, administration="1882-SOC")
        m1 = funnel_stages(s, AS_OF, municipality="1882")
        stages = [
            "assets",
            "funnel_classified",
            "funnel_risk_analysed",
            "funnel_action_planned",
            "funnel_on_time",
        ]
        go = compute_kpis(s, AS_OF, scope_types=["governance_object"], metrics=stages)
    go = go[go["scope_id"] == "GO-EK"].set_index("metric").loc[stages, "value"].rename("count")
    assert list(everything.columns) == ["stage", "label_sv", "count"]
    assert everything["stage"].tolist() == [
        "assets",
        "classified",
        "risk_analysed",
        "action_planned",
        "on_time",
    ]
    assert everything["count"].tolist() == [9, 5, 4, 3, 2]
    assert soc["count"].tolist() == [4, 2, 2, 1, 0]
    assert go.tolist() == [2, 2, 2, 1, 1]
    assert m1["count"].tolist() == [6, 3, 3, 2, 1]
    for f in (everything, soc, go.to_frame(), m1):
        counts = f["count"].tolist()
        assert counts == sorted(counts, reverse=True)


def test_overdue_aging_per_administration(store):
    with store() as s:
        aging = overdue_aging(s, AS_OF)
        manager = overdue_aging(s, AS_OF, Viewer("manager", unit_codes=frozenset({"1882-SOC-AO"})))
    table = {(r.administration_code, r.bucket): r.count for r in aging.itertuples()}
    assert table == {
        ("1861-BUF", "1–30"): 0,
        ("1861-BUF", "31–90"): 0,
        ("1861-BUF", "91–180"): 0,
        ("1861-BUF", ">180"): 0,
        ("1882-KLF", "1–30"): 0,
        ("1882-KLF", "31–90"): 0,
        ("1882-KLF", "91–180"): 1,
        ("1882-KLF", ">180"): 1,
        ("1882-SOC", "1–30"): 1,
        ("1882-SOC", "31–90"): 1,
        ("1882-SOC", "91–180"): 0,
        ("1882-SOC", ">180"): 0,
    }
    assert list(aging.columns) == ["administration_code", "administration_name", "bucket", "count"]
    # A manager sees only their own unit's actions, under its administration.
    assert {(r.administration_code, r.bucket): r.count for r in manager.itertuples()} == {
        ("1882-SOC", "1–30"): 1,
        ("1882-SOC", "31–90"): 0,
        ("1882-SOC", "91–180"): 0,
        ("1882-SOC", ">180"): 0,
    }


def _scopes(frame):
    return sorted(set(zip(frame["scope_type"], frame["scope_id"], strict=True)))


def test_manager_sees_only_own_unit_rows(store):
    viewer = Viewer("manager", "Bo", unit_codes=frozenset({"1882-SOC-IFO"}))
    with store() as s:
        frame = compute_kpis(s, AS_OF, viewer)
    assert _scopes(frame) == [("unit", "1882-SOC-IFO")]
    assert _value(frame, "unit", "1882-SOC-IFO", "assets") == 3


def test_security_officer_sees_own_administration_and_its_units(store):
    viewer = Viewer("security_officer", administration_codes=frozenset({"1882-SOC"}))
    with store() as s:
        frame = compute_kpis(s, AS_OF, viewer)
    assert _scopes(frame) == [
        ("administration", "1882-SOC"),
        ("unit", "1882-SOC-AO"),
        ("unit", "1882-SOC-IFO"),
    ]
    assert _value(frame, "administration", "1882-SOC", "actions_open") == 2


def test_security_officer_of_a_participant_gets_the_provider_actions(store):
    viewer = Viewer("admin_head", administration_codes=frozenset({"1882-KLF"}))
    with store() as s:
        frame = compute_kpis(s, AS_OF, viewer)
    assert _value(frame, "administration", "1882-KLF", "actions_open") == 3
    assert _value(frame, "administration", "1882-KLF", "org_ciso") == 1


def test_ciso_sees_its_municipality_and_its_shared_objects(store):
    viewer = Viewer("ciso", municipality_codes=frozenset({"1861"}))
    with store() as s:
        frame = compute_kpis(s, AS_OF, viewer)
    assert _scopes(frame) == [
        ("administration", "1861-BUF"),
        ("governance_object", "GO-EK"),
        ("municipality", "1861"),
        ("unit", "1861-BUF-FS"),
        ("unit", "1861-BUF-GR"),
    ]
    # The object's numbers are the whole object's, not just this municipality's part.
    assert _value(frame, "governance_object", "GO-EK", "assets") == 2
    assert _value(frame, "municipality", "1861", "risks") == 4


def test_committee_gets_municipality_and_administration_rows_only(store):
    viewer = Viewer("committee", municipality_codes=frozenset({"1882"}))
    with store() as s:
        frame = compute_kpis(s, AS_OF, viewer)
    assert _scopes(frame) == [
        ("administration", "1882-KLF"),
        ("administration", "1882-SOC"),
        ("municipality", "1882"),
    ]


@pytest.mark.parametrize(
    "viewer",
    [
        Viewer("manager"),  # no codes
        Viewer("ciso", administration_codes=frozenset({"1882-KLF"})),  # wrong kind of codes
        Viewer("stranger", municipality_codes=frozenset({"1882"})),
        Viewer("manager", unit_codes=frozenset({"NO-SUCH-UNIT"})),
    ],
)
def test_a_viewer_without_scope_sees_nothing(store, viewer):
    with store() as s:
        frame = compute_kpis(s, AS_OF, viewer)
        assert frame.empty
        assert funnel_stages(s, AS_OF, viewer)["count"].tolist() == [0, 0, 0, 0, 0]
        assert overdue_aging(s, AS_OF, viewer).empty


def test_narrowing_returns_the_same_numbers_as_the_full_run(store):
    with store() as s:
        full = _by_key(compute_kpis(s, AS_OF))
        narrowed = compute_kpis(s, AS_OF, administration="1882-SOC")
        by_municipality = compute_kpis(s, AS_OF, municipality="1861")
    assert _scopes(narrowed) == [
        ("administration", "1882-SOC"),
        ("unit", "1882-SOC-AO"),
        ("unit", "1882-SOC-IFO"),
    ]
    assert _scopes(by_municipality) == [
        ("administration", "1861-BUF"),
        ("governance_object", "GO-EK"),
        ("municipality", "1861"),
        ("unit", "1861-BUF-FS"),
        ("unit", "1861-BUF-GR"),
    ]
    for frame in (narrowed, by_municipality):
        for key, row in _by_key(frame).items():
            expected = full[key]
            for column in ("value", "numerator", "denominator"):
                a, b = getattr(row, column), getattr(expected, column)
                assert (a is None and b is None) or math.isclose(a, b), (key, column)


def test_scope_types_and_metrics_filters(store):
    with store() as s:
        frame = compute_kpis(
            s, AS_OF, scope_types=["municipality"], metrics=["assets", "org_ciso", "follow_up_rate"]
        )
        with pytest.raises(ValueError, match="Okända mått"):
            compute_kpis(s, AS_OF, metrics=["no_such_metric"])
    assert frame[["scope_id", "metric"]].values.tolist() == [
        ["1861", "assets"],
        ["1861", "follow_up_rate"],
        ["1861", "org_ciso"],
        ["1882", "assets"],
        ["1882", "follow_up_rate"],
        ["1882", "org_ciso"],
    ]


def test_each_metric_alone_gives_the_numbers_of_the_full_run(store):
    """A request runs only the fact queries its metrics need; each metric on its own (and the
    evidence-based level, which needs several) must still be exactly what the full run says."""
    with store() as s:
        full = compute_kpis(s, AS_OF)
        for metric in METRICS:
            alone = compute_kpis(s, AS_OF, metrics=[metric])
            expected = full[full["metric"] == metric].reset_index(drop=True)
            assert _by_key(alone).keys() == _by_key(expected).keys(), metric
            for key, row in _by_key(alone).items():
                other = _by_key(expected)[key]
                for column in ("value", "numerator", "denominator"):
                    a, b = getattr(row, column), getattr(other, column)
                    assert (a is None and b is None) or math.isclose(a, b), (key, column)


def test_as_of_moves_the_numbers(store):
    """A day later X9's review date (2026-11-28) has passed; earlier, less was classified."""
    with store() as s:
        next_day = compute_kpis(
            s,
            dt.date(2026, 11, 29),
            scope_types=["unit"],
            metrics=["classified_current", "classifications_expired"],
        )
        earlier = compute_kpis(
            s,
            dt.date(2025, 1, 1),
            scope_types=["unit"],
            metrics=["classified_current", "assets_unclassified"],
        )
    assert _value(next_day, "unit", "1861-BUF-FS", "classified_current") == 0
    assert _value(next_day, "unit", "1861-BUF-FS", "classifications_expired") == 1
    # 2025-01-01: X1 (2025-01-10) and X9 (2025-05-05) not yet classified; X2 (2022-06-01, no
    # review date) is still valid until 2025-06-01.
    assert _value(earlier, "unit", "1882-KLF-IT", "classified_current") == 1
    assert _value(earlier, "unit", "1861-BUF-FS", "assets_unclassified") == 2


def test_kpi_json_shape(store):
    with store() as s:
        data = kpi_json(s, AS_OF)
    assert data["as_of"] == "2026-11-28"
    assert len(data["rows"]) == sum(len(metrics_for_scope(t)) for (t, _) in EXPECTED)
    first = data["rows"][0]
    assert list(first) == [
        "scope_type",
        "scope_id",
        "scope_name",
        "metric",
        "value",
        "numerator",
        "denominator",
    ]
    assert first == {
        "scope_type": "municipality",
        "scope_id": "1861",
        "scope_name": "Hallsberg",
        "metric": "assets",
        "value": 3,
        "numerator": 3,
        "denominator": None,
    }
    rate = next(
        r
        for r in data["rows"]
        if r["scope_id"] == "1861" and r["metric"] == "classification_coverage"
    )
    assert rate["value"] == 0.666667


def test_empty_store_gives_no_rows(engine):
    with session_factory(engine)() as s:
        assert compute_kpis(s, AS_OF).empty
        assert kpi_json(s, AS_OF, SYSTEM) == {"as_of": "2026-11-28", "rows": []}
        assert funnel_stages(s, AS_OF)["count"].tolist() == [0, 0, 0, 0, 0]
