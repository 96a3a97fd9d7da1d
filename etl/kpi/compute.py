"""The numbers of DESIGN §4 for every scope the viewer may see, as of a given date.

The fact queries (etl.kpi.facts) aggregate in SQL; numpy rolls their few rows up the organisation
and turns them into one row per (scope, metric). Definitions: docs/metrics.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from etl.kpi import facts, mart
from etl.kpi.dates import Cutoffs
from etl.kpi.definitions import METRICS, metrics_for_scope
from etl.kpi.maturity import latest_per_area, visible_analyses
from etl.kpi.rollup import (
    distribute,
    distribute_units,
    organisation_check,
    role_assignments,
    sums_by_key,
)
from etl.kpi.rules import EVIDENCE_CRITERIA, evidence_level
from etl.kpi.scope import Org, Scope, build_scope, int_ids, load_org
from etl.kpi.viewer import SYSTEM, Viewer

log = logging.getLogger(__name__)

KPI_COLUMNS = ["scope_type", "scope_id", "scope_name", "metric", "value", "numerator",
               "denominator"]  # fmt: skip
FUNNEL_STAGES = (
    ("assets", "Informationstillgångar"),
    ("classified", "Aktuellt klassade"),
    # Each stage is a subset of the one before: the labels say so, so that "…och
    # riskanalyserade" (classified and risk-analysed, a count) never reads as the card
    # "Andel riskanalyserade" (risk-analysed, a share of all assets).
    ("risk_analysed", "…och riskanalyserade"),
    ("action_planned", "…och åtgärdsplanerade"),
    ("on_time", "…och åtgärder i tid"),
)
AGING_BUCKETS = (
    ("actions_overdue_1_30", "1–30"),
    ("actions_overdue_31_90", "31–90"),
    ("actions_overdue_91_180", "91–180"),
    ("actions_overdue_over_180", ">180"),
)
# The fact queries each metric's numerator and denominator come from (see _metric_columns); a
# request runs only the queries its metrics need: the Risker cards need no asset or action facts.
_SOURCE_OF = {
    name: source
    for source, names in {
        "asset": ("assets", "classified_current", "classification_coverage",
                  "classifications_expired", "assets_unclassified", "reviews_due_90d",
                  "risk_analysis_coverage", "funnel_classified", "funnel_risk_analysed",
                  "funnel_action_planned", "funnel_on_time", "gdpr_coverage",
                  "shared_owner_participation"),
        "risk": ("risks", "risks_high", "risks_high_without_action", "action_plan_coverage"),
        "follow_up": ("follow_up_rate", "training_completion", "access_review_current"),
        "maturity": ("maturity_self",),
    }.items()
    for name in names
}  # fmt: skip
# The fact queries distributed over the organisation, and which of their rows reach the
# municipalities and administrations that share an object through participation
# (docs/metrics.md, "Scopes and membership"): (query, share_municipalities, share_administrations).
_DISTRIBUTED = {
    "asset": (facts.asset_facts, False, False),
    "risk": (facts.risk_facts, True, False),
    "action": (facts.action_facts, True, True),
}


def _sources(metric: str) -> set[str]:
    if metric == "maturity_evidence":  # the criteria of rules.EVIDENCE_CRITERIA
        return {"asset", "risk", "action", "follow_up"}
    if metric in _SOURCE_OF:
        return {_SOURCE_OF[metric]}
    if metric.startswith("actions_"):
        return {"action"}
    if metric.startswith("org_"):
        return {"organisation"}
    raise ValueError(f"No fact source for metric {metric}")


def _column(wide: dict[str, np.ndarray], name: str, n: int) -> np.ndarray:
    """A fact column of ``wide`` (NaN when absent); ``classified_expired`` = classified minus
    classified_current (assets whose latest classification has expired)."""
    if name == "classified_expired":
        return _column(wide, "classified", n) - _column(wide, "classified_current", n)
    return wide[name] if name in wide else np.full(n, np.nan)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where the denominator is 0 or missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _metric_columns(
    wide: dict[str, np.ndarray], n: int
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """(numerator, denominator) per metric from the wide per-entity sums of ``n`` entities;
    a count metric is the fact column of its name unless given here."""

    def col(name: str) -> np.ndarray:
        return _column(wide, name, n)

    columns = {name: (col(name), None) for name, m in METRICS.items() if m.kind == "count"}
    return columns | {
        "classification_coverage": (col("classified_current"), col("assets")),
        "classifications_expired": (col("classified_expired"), None),
        "assets_unclassified": (col("assets") - col("classified"), None),
        "risk_analysis_coverage": (col("risk_analysed"), col("assets")),
        "action_plan_coverage": (col("risks_needing_action_planned"), col("risks_needing_action")),
        "funnel_classified": (col("classified_current"), None),
        "actions_on_time_rate": (col("actions_done_on_time"), col("actions_done")),
        "gdpr_coverage": (col("personal_data_registered"), col("personal_data")),
        "shared_owner_participation": (col("owners_took_part"), col("owners_of_shared")),
        "follow_up_rate": (col("submitted"), col("units")),
        "training_completion": (col("training_sum"), col("training_count")),
        "access_review_current": (col("access_review_current"), col("units")),
        "maturity_self": (col("self_sum"), col("self_count")),
        "org_security_officer": (col("so_num"), col("so_den")),
        "org_unit_managers": (col("um_num"), col("um_den")),
    }


def _to_python(values: np.ndarray, integral: bool) -> np.ndarray:
    """Plain Python values with None for missing (ints where the metric is a whole count), in
    pure numpy: a national store gives close to a million rows."""
    missing = np.isnan(values)
    if integral and np.all(np.mod(values[~missing], 1) == 0):
        out = np.where(missing, 0, values).astype(np.int64).astype(object)
    else:
        out = values.astype(object)
    out[missing] = None
    return out


def _long_rows(scope_type: str, entities: pd.DataFrame, wide: dict[str, np.ndarray], wanted):
    """One row per (entity, wanted metric) of ``scope_type``, metrics in catalogue order."""
    n = len(entities)
    if n == 0:
        return None
    columns = _metric_columns(wide, n)
    chunks = []
    for name in metrics_for_scope(scope_type):  # catalogue order
        if name not in wanted:
            continue
        if name == "maturity_evidence":
            # A level 0–5 of the model in etl.kpi.rules (numerator the level, denominator 1;
            # no assets: None over 0).
            shares = {
                c.code: _ratio(_column(wide, c.numerator, n), _column(wide, c.denominator, n))
                for c in EVIDENCE_CRITERIA
            }
            num = value = evidence_level(shares, _column(wide, "assets", n))
            den = (~np.isnan(num)).astype("float64")
        else:
            num, den = columns[name]
            num = np.asarray(num, dtype="float64")
            if den is None:
                value = num = np.nan_to_num(num, nan=0.0)
            else:
                num = np.where(np.isnan(den), np.nan, num)
                value = _ratio(num, den)
        chunks.append((name, value, num, den))
    return _kpi_frame(scope_type, entities, *zip(*chunks, strict=True)) if chunks else None


def _kpi_frame(scope_type: str, entities: pd.DataFrame, names, values, nums, dens):
    """KPI_COLUMNS' rows of ``entities`` from one float array (per entity) per metric of
    ``names`` for each of value, numerator and denominator, entity by entity, metrics in the
    order given (no sort needed afterwards)."""
    k, n = len(names), len(entities)
    count = [METRICS[name].kind == "count" for name in names]
    nothing = np.full(n, None, dtype=object)
    columns = {
        "value": [_to_python(v, c) for v, c in zip(values, count, strict=True)],
        "numerator": [_to_python(num, True) for num in nums],
        "denominator": [
            nothing if c else _to_python(d, True) for d, c in zip(dens, count, strict=True)
        ],
    }
    return pd.DataFrame(
        {
            "scope_type": scope_type,
            "scope_id": np.repeat(entities["code"].to_numpy(dtype=object), k),
            "scope_name": np.repeat(entities["name"].to_numpy(dtype=object), k),
            "metric": np.tile(np.array(names, dtype=object), n),
            **{c: np.column_stack(parts).reshape(-1) for c, parts in columns.items()},
        }
    )


def _self_sums(assessments: pd.DataFrame, node_column: str) -> pd.DataFrame:
    """self_sum and self_count over each node's latest assessment of every area, by node id."""
    sums = latest_per_area(assessments, node_column).groupby(node_column)["level"]
    sums = sums.agg(["sum", "count"]).astype("float64")
    index = pd.Index(int_ids(sums.index.to_series()), name=node_column)
    return pd.DataFrame(
        {"self_sum": sums["sum"].to_numpy(), "self_count": sums["count"].to_numpy()}, index=index
    )


def _maturity_self(analyses: pd.DataFrame, org: Org) -> dict[str, pd.DataFrame]:
    admin = _self_sums(analyses, "administration_id")
    obj = _self_sums(analyses, "governance_object_id")
    # A municipality: the mean of its loaded administrations' means (an administration whose
    # mean is undefined does not count, as in a pandas group mean).
    with np.errstate(divide="ignore", invalid="ignore"):
        means = admin["self_sum"].to_numpy() / admin["self_count"].to_numpy()
    position = pd.Index(int_ids(org.administrations["id"])).get_indexer(admin.index)
    counted = (position >= 0) & ~np.isnan(means)
    municipality = int_ids(org.administrations["municipality_id"])[position[counted]]
    rows = np.column_stack([means[counted], np.ones(int(counted.sum()))])
    mun = sums_by_key(municipality, rows, ["self_sum", "self_count"], "municipality_id")
    return {"administration": admin, "governance_object": obj, "municipality": mun}


def _follow_up_per_unit(follow: pd.DataFrame, org: Org) -> dict[str, np.ndarray]:
    """The follow-up sums' terms per unit of ``org`` (in its order; no report → 0)."""
    position = pd.Index(int_ids(follow["unit_id"])).get_indexer(org.unit_arrays[0])
    reported = position >= 0

    def per_unit(column: str) -> np.ndarray:
        values = pd.to_numeric(follow[column]).to_numpy(dtype="float64", na_value=np.nan)
        if not len(values):
            return np.full(len(position), np.nan)
        return np.where(reported, values[np.where(reported, position, 0)], np.nan)

    training = per_unit("training")
    return {
        "units": np.ones(len(position)),
        "submitted": np.nan_to_num(per_unit("submitted"), nan=0.0),
        "training_sum": np.nan_to_num(training, nan=0.0),
        "training_count": (~np.isnan(training)).astype(float),
        "access_review_current": np.nan_to_num(per_unit("access_review_current"), nan=0.0),
    }


def _wide(parts: list[pd.DataFrame], ids: pd.Index) -> dict[str, np.ndarray]:
    """Each column of ``parts`` (frames indexed by entity id) as a float array aligned to
    ``ids``; an entity missing from a part counts 0, except in the organisation check's columns
    (org_*, so_*, um_*), where it stays NaN."""
    wide: dict[str, np.ndarray] = {}
    for part in parts:
        if part.shape[1] == 0:
            continue
        if len(part.index):
            position = part.index.get_indexer(ids)
            missing = position < 0
            values = part.to_numpy(dtype="float64")[np.where(missing, 0, position)]
        else:
            missing = np.ones(len(ids), dtype=bool)
            values = np.zeros((len(ids), part.shape[1]))
        for j, name in enumerate(part.columns):
            column = wide[name] = values[:, j]
            if name.startswith(("org_", "so_", "um_")):
                column[missing] = np.nan
            else:
                column[missing | np.isnan(column)] = 0.0
    return wide


def _compute(
    conn, as_of: dt.date, scope: Scope, wanted: set[str], known: dict | None = None
) -> pd.DataFrame:
    cut = Cutoffs(as_of)
    facts.prepare_connection(conn)
    org = load_org(conn, scope)
    sources = set().union(*(_sources(m) for m in wanted))
    known = known or {}
    found = [
        distribute(
            known[source] if source in known else query(conn, cut, scope),
            org,
            share_municipalities=m,
            share_administrations=a,
        )
        for source, (query, m, a) in _DISTRIBUTED.items()
        if source in sources
    ]
    if "follow_up" in sources:
        per_unit = _follow_up_per_unit(facts.follow_up_facts(conn, cut, scope), org)
        found.append(distribute_units(per_unit, org))
    if "maturity" in sources:
        found.append(_maturity_self(visible_analyses(conn, scope, as_of), org))
    if "organisation" in sources:
        found.append(organisation_check(role_assignments(conn, scope), org))
    frames = []
    for scope_type in scope.types:
        entities = org.table(scope_type).set_index("id")[["code", "name"]].sort_values("code")
        # No facts for an entity: its counts are 0, its rates None (see _metric_columns).
        wide = _wide([sums[scope_type] for sums in found if scope_type in sums], entities.index)
        built = _long_rows(scope_type, entities, wide, wanted)
        if built is not None:
            frames.append(built)
    if not frames:
        return pd.DataFrame(columns=KPI_COLUMNS)
    return pd.concat(frames, ignore_index=True)[KPI_COLUMNS]


def compute_kpis(
    session_or_connection,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    scope_types: Iterable[str] | None = None,
    municipality: str | None = None,
    administration: str | None = None,
    metrics: Iterable[str] | None = None,
    known_facts: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per (visible scope, applicable metric), sorted by scope type, code, metric order.

    Columns: scope_type, scope_id (org code), scope_name, metric, value, numerator, denominator.
    Rates are fractions 0..1 (None when the denominator is 0); counts have numerator = value.
    ``known_facts`` (source -> frame for ``as_of`` and the same scope, e.g. facts_by_day's) are
    used instead of running that source's fact query.
    """
    wanted = set(METRICS if metrics is None else metrics)
    unknown = wanted - set(METRICS)
    if unknown:
        raise ValueError(f"Okända mått: {', '.join(sorted(unknown))}")
    scope = build_scope(viewer, scope_types, municipality, administration)
    if not scope.types:
        return pd.DataFrame(columns=KPI_COLUMNS)
    conn = session_or_connection
    if mart.stands_for(viewer) and mart.holds(conn, as_of):
        kept = _from_mart(conn, as_of, scope, wanted)
        if kept is not None:
            return kept
    result = _compute(conn, as_of, scope, wanted, known_facts)  # built in order: not sorted again
    log.debug("computed %d KPI rows as of %s for %s", len(result), as_of, viewer.role)
    return result.reset_index(drop=True)


# The distributed fact queries that read several dates in one pass (facts_by_day).
_BY_DAY = {
    "asset": facts.asset_facts_by_day,
    "action": facts.action_facts_by_day,
    "risk": facts.risk_facts_by_day,
}
SHARED_SOURCES = tuple(_BY_DAY)


def facts_by_day(
    session_or_connection, days: Iterable[dt.date], sources: Iterable[str] = SHARED_SOURCES
) -> dict[dt.date, dict]:
    """The system viewer's facts of ``sources`` (of SHARED_SOURCES) as of each of ``days``, each
    kind from one pass (as_of -> {source: frame}): compute_kpis's ``known_facts`` when several
    dates are computed together."""
    scope = build_scope(SYSTEM, None, None, None)
    cuts = [Cutoffs(d) for d in days]
    facts.prepare_connection(session_or_connection)
    read = {source: _BY_DAY[source](session_or_connection, cuts, scope) for source in sources}
    return {cut.as_of: {source: read[source][cut.as_of] for source in read} for cut in cuts}


def compute_scope(session_or_connection, as_of: dt.date, scope: Scope) -> pd.DataFrame:
    """compute_kpis's rows (every metric) for the entities under ``scope``'s conditions, as a
    system viewer sees them, never read from the mart (etl.kpi.mart_update recomputes the
    scopes a load touched). An entity's numbers are exact when the scope holds all it counts."""
    return _compute(session_or_connection, as_of, scope, set(METRICS)).reset_index(drop=True)


def _from_mart(conn, as_of: dt.date, scope: Scope, wanted: set[str]) -> pd.DataFrame | None:
    """compute_kpis's rows for ``scope`` read from the mart: the same entities in the same
    order and the same Python values as _long_rows; None when a row is missing."""
    frames = []
    for scope_type in scope.types:
        condition = getattr(scope, scope_type)
        entities = mart.entities(conn, scope_type, condition)
        names = [m for m in metrics_for_scope(scope_type) if m in wanted]  # catalogue order
        if not names or entities.empty:
            continue
        blocks = mart.numbers(conn, as_of, scope_type, condition, pd.Index(entities["code"]), names)
        if blocks is None:
            return None
        value, num, den = (
            [blocks[part][:, j] for j in range(len(names))]
            for part in ("value", "numerator", "denominator")
        )
        frames.append(_kpi_frame(scope_type, entities, names, value, num, den))
    if not frames:
        return pd.DataFrame(columns=KPI_COLUMNS)
    return pd.concat(frames, ignore_index=True)[KPI_COLUMNS]


def _json_number(value):
    return round(value, 6) if isinstance(value, float) else value


def kpi_json(
    session, as_of: dt.date, viewer: Viewer = SYSTEM, *, scope_types: Iterable[str] | None = None
) -> dict:
    """{"as_of": "YYYY-MM-DD", "rows": [...]} sorted; floats rounded to 6 decimals."""
    frame = compute_kpis(session, as_of, viewer, scope_types=scope_types)
    rows = [
        {c: _json_number(v) for c, v in zip(KPI_COLUMNS, row, strict=True)}
        for row in frame[KPI_COLUMNS].itertuples(index=False, name=None)
    ]
    return {"as_of": as_of.isoformat(), "rows": rows}


def overdue_aging(
    session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> pd.DataFrame:
    """Overdue actions per administration and aging bucket (all four buckets, zeros included):
    the actions of the visible units by their administration, plus provider actions of shared
    objects for visible administrations that take part explicitly."""
    scope = build_scope(viewer, None, municipality, administration)
    facts.prepare_connection(session)
    org = load_org(session, scope)
    # Administrations of the visible units, named from the units (a manager sees only these).
    admins = org.units[["administration_id", "administration_code", "administration_name"]]
    admins = admins.drop_duplicates("administration_id").set_index("administration_id")
    visible = org.administrations.set_index("id")
    participants = org.participants
    participants = participants[participants["administration_id"].isin(visible.index.tolist())]
    sums = distribute(
        facts.action_facts(session, Cutoffs(as_of), scope),
        dataclasses.replace(org, participants=participants),
        share_municipalities=False,
        share_administrations=True,
    )["administration"]
    extra = visible.loc[~visible.index.isin(admins.index), ["code", "name"]]
    extra = extra.rename(columns={"code": "administration_code", "name": "administration_name"})
    names = pd.concat([admins, extra]).sort_values("administration_code")
    # One row per (administration, bucket), buckets in order; whole columns, not a row loop
    # (a national store has some 1 700 administrations).
    wide = _wide([sums], names.index)
    counts = [wide.get(column, np.zeros(len(names))) for column, _ in AGING_BUCKETS]
    k = len(AGING_BUCKETS)
    aging = pd.DataFrame(
        {c: np.repeat(names[c].to_numpy(dtype=object), k) for c in names.columns[:2]}
    )
    aging["bucket"] = np.tile(np.array([b for _, b in AGING_BUCKETS], dtype=object), len(names))
    aging["count"] = np.column_stack(counts).reshape(-1).astype(np.int64)
    return aging
