"""The overview's numbers, all taken from compute_kpis (one truth with ``infosak kpi``).

The overview shows one focus scope: the chosen administration, else the chosen municipality, else
every visible municipality together. "Together" adds the municipality rows of compute_kpis: counts
are summed, rates are Σ numerator / Σ denominator, levels are the mean of the municipalities'
values. A shared governance object counts for each participating municipality (DESIGN §4), so the
total is the sum of what each municipality sees, not a deduplicated count.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.queries.governance import shown_object_kpis, visible_object_list
from dashboard.queries.org import lists_municipalities_only, municipality_of_administrations
from dashboard.queries.viewer import SYSTEM, Viewer
from etl.kpi.compute import AGING_BUCKETS, FUNNEL_STAGES, compute_kpis, overdue_aging
from etl.kpi.dates import previous_quarter
from etl.kpi.definitions import METRICS
from etl.kpi.scope import build_scope
from etl.models import Administration

CARD_METRICS = (
    "classification_coverage",
    "risk_analysis_coverage",
    "actions_overdue",
    "risks_high_without_action",
    "gdpr_coverage",
    "follow_up_rate",
    "maturity_self",
    "maturity_evidence",
)
ORG_METRICS = (
    "org_ciso",
    "org_security_officer",
    "org_dpo",
    "org_protection_officer",
    "org_unit_managers",
    "org_checks_failed",
)
# The funnel's stages (compute.FUNNEL_STAGES, in order) as the catalogue's count metrics.
FUNNEL_METRICS = (
    "assets",
    "funnel_classified",
    "funnel_risk_analysed",
    "funnel_action_planned",
    "funnel_on_time",
)
# The aging buckets (compute.AGING_BUCKETS, in order) are count metrics of the same names.
AGING_METRICS = tuple(metric for metric, _ in AGING_BUCKETS)
AGING_COLUMNS = ["administration_code", "administration_name", "bucket", "count"]
HEADLINE_COLUMNS = ["metric", "kind", "value", "numerator", "denominator", "previous", "change"]
ORG_COLUMNS = ["scope_type", "scope_id", "scope_name", "municipality_code", "metric", "value",
               "numerator", "denominator"]  # fmt: skip


def focus_scope(
    municipality: str | None = None, administration: str | None = None, viewer: Viewer = SYSTEM
) -> tuple[str, str | None]:
    """(scope_type, scope_id) the cards describe; scope_id None = the sum of all visible scopes
    of that type. A viewer who cannot see the chosen level (a manager sees units only, a security
    officer administrations and units) gets the highest level they can see, within the filters."""
    visible = viewer.visible_scope_types
    if administration and "administration" in visible:
        return "administration", administration
    if municipality and not administration and "municipality" in visible:
        return "municipality", municipality
    levels = ("municipality", "administration", "unit")
    start = 2 if administration else 1 if municipality else 0
    for level in levels[start:]:
        if level in visible:
            return level, None
    return "municipality", None


def _clean(value) -> float | None:
    return (
        None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


class MetricRows(NamedTuple):
    """One metric's values, numerators and denominators over some compute_kpis rows, in order."""

    value: list
    numerator: list
    denominator: list


NO_ROWS = MetricRows([], [], [])


def combine_rows(rows: MetricRows, kind: str) -> tuple[float | None, float | None, float | None]:
    """(value, numerator, denominator) of one metric over ``rows`` (see the module docstring).
    One row is returned as it is, so a single scope shows exactly what compute_kpis says."""
    if not rows.value:
        return None, None, None
    if len(rows.value) == 1:
        return _clean(rows.value[0]), _clean(rows.numerator[0]), _clean(rows.denominator[0])
    present = [v for v in map(_clean, rows.value) if v is not None]
    if kind == "count":
        total = sum(present) if present else None
        return total, total, None
    if kind == "rate":
        numerator = sum(v for v in map(_clean, rows.numerator) if v is not None)
        denominator = sum(v for v in map(_clean, rows.denominator) if v is not None)
        return (numerator / denominator if denominator else None), numerator, denominator
    return (sum(present) / len(present) if present else None), None, None


def rows_by_metric(rows: pd.DataFrame) -> dict[str, MetricRows]:
    """``rows``'s values split by metric in one pass, as lists (a boolean mask per metric
    scanned them all, and a frame per metric cost more than the sums)."""
    if rows.empty:
        return {}
    columns = [rows[column].tolist() for column in MetricRows._fields]
    positions: dict[str, list[int]] = {}
    for i, metric in enumerate(rows["metric"].tolist()):
        positions.setdefault(metric, []).append(i)
    return {
        metric: MetricRows(*([column[i] for i in p] for column in columns))
        for metric, p in positions.items()
    }


def _values(rows: pd.DataFrame, metrics: tuple[str, ...]) -> dict[str, tuple]:
    by_metric = rows_by_metric(rows)
    return {m: combine_rows(by_metric.get(m, NO_ROWS), METRICS[m].kind) for m in metrics}


def _kpis(session, day, viewer, scope_types, metrics, **where):
    return compute_kpis(session, day, viewer, scope_types=list(scope_types), metrics=list(metrics),
                        **where)  # fmt: skip


def _focus_rows(kpis: pd.DataFrame, viewer: Viewer, municipality=None, administration=None):
    """The compute_kpis rows of the focus scope (all its type's rows for "all")."""
    scope_type, scope_id = focus_scope(municipality, administration, viewer)
    if kpis.empty:
        return kpis
    rows = kpis[kpis["scope_type"] == scope_type]
    return rows if scope_id is None else rows[rows["scope_id"] == scope_id]


def _read_focus(session, day, viewer, metrics, **where) -> pd.DataFrame:
    """The focus scope's compute_kpis rows of ``metrics`` as of ``day``."""
    kpis = _kpis(session, day, viewer, [focus_scope(**where, viewer=viewer)[0]], metrics, **where)
    return _focus_rows(kpis, viewer, **where)


def _headline_frame(now: pd.DataFrame, before: pd.DataFrame, metrics) -> pd.DataFrame:
    now_values, before_values = _values(now, metrics), _values(before, metrics)
    rows = []
    for metric in metrics:
        value, numerator, denominator = now_values[metric]
        previous = before_values[metric][0]
        change = None if value is None or previous is None else value - previous
        rows.append((metric, METRICS[metric].kind, value, numerator, denominator, previous, change))
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def headline_kpis(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    metrics: tuple[str, ...] = CARD_METRICS,
    **where: str | None,
) -> pd.DataFrame:
    """One row per card metric: its value as of ``as_of``, one quarter earlier, and the change."""
    now, before = (
        _read_focus(session, day, viewer, metrics, **where)
        for day in (as_of, previous_quarter(as_of))
    )
    return _headline_frame(now, before, metrics)


class OverviewFrames(NamedTuple):
    """Everything update_overview draws from the KPIs (overview_frames)."""

    headline: pd.DataFrame
    org: pd.DataFrame
    funnel: pd.DataFrame
    aging: pd.DataFrame
    # The scope type of the aging chart's bars: "administration", or "municipality" where the
    # organisation check lists municipalities only (the country).
    aging_level: str


def overview_frames(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    **where: str | None,
) -> OverviewFrames:
    """The overview's cards, organisation check, funnel and aging chart.

    The cards and the organisation check share one compute_kpis call for ``as_of``. Where the
    check lists municipalities only (the country), the funnel and the aging chart (a bar per
    municipality) share it too: the country's 1 356 administrations were read to draw 30 bars."""
    focus_type = focus_scope(**where, viewer=viewer)[0]
    org_types = _org_scope_types(session, viewer, **where)
    country = org_types == ["municipality"] and focus_type == "municipality"
    extra = (*FUNNEL_METRICS, *AGING_METRICS) if country else ()
    scope_types = sorted({focus_type, *org_types})
    now = _kpis(session, as_of, viewer, scope_types, (*CARD_METRICS, *ORG_METRICS, *extra), **where)
    before = _read_focus(session, previous_quarter(as_of), viewer, CARD_METRICS, **where)
    focus_now = _focus_rows(now, viewer, **where)
    org_rows = now[now["scope_type"].isin(org_types)] if not now.empty else now
    org = _org_frame(session, org_rows, where.get("administration"))
    headline = _headline_frame(focus_now, before, CARD_METRICS)
    if country:
        funnel = funnel_from_rows(focus_now, viewer, **where)
        return OverviewFrames(headline, org, funnel, _aging_frame(now), "municipality")
    funnel = funnel_stages(session, as_of, viewer, **where)
    return OverviewFrames(headline, org, funnel, aging_rows(session, as_of, viewer, **where),
                          "administration")  # fmt: skip


def funnel_stages(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    **where: str | None,
) -> pd.DataFrame:
    """The coverage funnel (columns stage, label_sv, count) of the focus scope, summed from
    compute_kpis's rows of the focus scope: an asset belongs to exactly one unit, so the scopes'
    counts add up. Nationally this reads 290 x 5 numbers instead of every asset of the country."""
    rows = _read_focus(session, as_of, viewer, FUNNEL_METRICS, **where)
    return funnel_from_rows(rows, viewer, **where)


def funnel_from_rows(
    kpis: pd.DataFrame,
    viewer: Viewer = SYSTEM,
    **where: str | None,
) -> pd.DataFrame:
    """funnel_stages from compute_kpis rows already read as of the date (they must hold
    FUNNEL_METRICS of the focus scope type): the report reads them with its own rows."""
    values = _values(_focus_rows(kpis, viewer, **where), FUNNEL_METRICS)
    return pd.DataFrame(
        {
            "stage": [stage for stage, _ in FUNNEL_STAGES],
            "label_sv": [label for _, label in FUNNEL_STAGES],
            "count": [int(values[metric][0] or 0) for metric in FUNNEL_METRICS],
        }
    )


def aging_rows(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    **where: str | None,
) -> pd.DataFrame:
    """Overdue actions per administration and aging bucket (AGING_COLUMNS, every bucket, zeros
    included, administrations by code): the administrations' compute_kpis rows. A viewer who
    sees no administration (a unit manager) gets compute.overdue_aging, which names the
    administrations of their units."""
    if "administration" not in viewer.visible_scope_types:
        return overdue_aging(session, as_of, viewer, **where)
    return _aging_frame(_kpis(session, as_of, viewer, ["administration"], AGING_METRICS, **where))


def _aging_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """AGING_COLUMNS from compute_kpis rows of one scope type (the codes and names of those
    scopes in the administration columns)."""
    if not rows.empty:
        rows = rows[rows["metric"].isin(AGING_METRICS)]
    if rows.empty:
        return pd.DataFrame(columns=AGING_COLUMNS)
    # One row per (scope, bucket): scopes by code, buckets in their order.
    rows = rows.assign(_bucket=rows["metric"].map({m: i for i, m in enumerate(AGING_METRICS)}))
    rows = rows.sort_values(["scope_id", "_bucket"], kind="stable")
    return pd.DataFrame(
        {
            "administration_code": rows["scope_id"].to_numpy(dtype=object),
            "administration_name": rows["scope_name"].to_numpy(dtype=object),
            "bucket": rows["metric"].map(dict(AGING_BUCKETS)).to_numpy(dtype=object),
            "count": [int(v or 0) for v in rows["value"]],
        },
        columns=AGING_COLUMNS,
    )


def _org_scope_types(
    session: Session,
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
) -> list[str]:
    """The scope types of the organisation check: the chosen administration, else the
    municipalities with their administrations, or the municipalities only when none is chosen
    and the viewer sees too many of them (org.lists_municipalities_only)."""
    if administration:
        return ["administration"]
    if municipality is None and lists_municipalities_only(session, viewer):
        return ["municipality"]
    return ["municipality", "administration"]


def _org_frame(session: Session, df: pd.DataFrame, administration: str | None) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=ORG_COLUMNS)
    df = df[df["metric"].isin(ORG_METRICS)].copy()
    if administration:
        df = df[df["scope_id"] == administration]
    admin_codes = sorted(df.loc[df["scope_type"] == "administration", "scope_id"].unique())
    parents = municipality_of_administrations(session, admin_codes)
    df["municipality_code"] = [
        sid if st == "municipality" else parents.get(sid, "")
        for st, sid in zip(df["scope_type"], df["scope_id"], strict=True)
    ]
    df["_level"] = (df["scope_type"] != "municipality").astype(int)
    df["_metric_order"] = df["metric"].map({m: i for i, m in enumerate(ORG_METRICS)})
    df = df.sort_values(["municipality_code", "_level", "scope_name", "_metric_order"])
    return df[ORG_COLUMNS].reset_index(drop=True)


def org_check(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    **where: str | None,
) -> pd.DataFrame:
    """The organisation check per municipality and administration (long format, ORG_COLUMNS),
    ordered municipality first, then its administrations by name."""
    scope_types = _org_scope_types(session, viewer, **where)
    kpis = _kpis(session, as_of, viewer, scope_types, ORG_METRICS, **where)
    return _org_frame(session, kpis, where.get("administration"))


# The CISO's glance: maturity, coverage and overdue actions per administration and per shared
# governance object, one table on Översikt. Every value is a compute_kpis row: the administrations
# the viewer may see within the filters, and the objects whose numbers it may see (governance.py).
GLANCE_METRICS = (
    "maturity_self",
    "maturity_evidence",
    "classification_coverage",
    "risk_analysis_coverage",
    "actions_overdue",
)
GLANCE_COLUMNS = ["scope_type", "code", "name", *GLANCE_METRICS]
# More administrations than this (a region's or the country's view) make no glance: the page
# asks for a municipality instead.
MAX_GLANCE_ADMINISTRATIONS = 60


def _glance_wide(kpis: pd.DataFrame, scope_type: str) -> pd.DataFrame:
    """One row per scope of ``scope_type`` with one column per GLANCE_METRICS value."""
    rows = kpis[kpis["scope_type"] == scope_type] if not kpis.empty else kpis
    if rows.empty:
        return pd.DataFrame(columns=GLANCE_COLUMNS)
    wide = rows.pivot_table(
        index=["scope_id", "scope_name"], columns="metric", values="value", aggfunc="first"
    ).reset_index()
    wide = wide.rename(columns={"scope_id": "code", "scope_name": "name"})
    for metric in GLANCE_METRICS:
        if metric not in wide.columns:
            wide[metric] = None
    wide["scope_type"] = scope_type
    return wide[GLANCE_COLUMNS].sort_values("name").reset_index(drop=True)


def glance_rows(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    **where: str | None,
) -> pd.DataFrame | None:
    """Administrations (by name), then shared objects (by name), columns GLANCE_COLUMNS; None
    when the selection holds more than MAX_GLANCE_ADMINISTRATIONS administrations."""
    # Counted before anything is computed: the country's 1 356 administrations are not read.
    scope = build_scope(viewer, ["administration"], **where)
    counted = select(func.count(Administration.id))
    if scope.administration is not None:
        counted = counted.where(scope.administration)
    if (
        "administration" in scope.types
        and (session.scalar(counted) or 0) > MAX_GLANCE_ADMINISTRATIONS
    ):
        return None
    administrations = _glance_wide(
        _kpis(session, as_of, viewer, ["administration"], GLANCE_METRICS, **where),
        "administration",
    )
    objects, _total = visible_object_list(session, viewer, **where)
    object_kpis = shown_object_kpis(
        session, as_of, viewer, objects, metrics=GLANCE_METRICS, **where
    )
    object_rows = _glance_wide(object_kpis, "governance_object")
    frames = [f for f in (administrations, object_rows) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=GLANCE_COLUMNS)
    return pd.concat(frames, ignore_index=True)
