"""The numbers of DESIGN §4 for every scope the viewer may see, as of a given date.

Everything heavy happens in SQL (one aggregated query per kind of row, see _kpi_facts); pandas only
rolls the aggregated rows up the organisation and turns them into one row per (scope, metric).
Definitions: docs/metrics.md. The as-of date is always a parameter.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from etl.kpi import facts, mart
from etl.kpi.dates import Cutoffs
from etl.kpi.definitions import METRIC_ORDER, METRICS, SCOPE_TYPES, metrics_for_scope
from etl.kpi.maturity import self_assessed_sums, visible_analyses
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

KPI_COLUMNS = [
    "scope_type",
    "scope_id",
    "scope_name",
    "metric",
    "value",
    "numerator",
    "denominator",
]
# evidence_criteria's rows: what each scope's evidence-based maturity rests on.
EVIDENCE_COLUMNS = [
    "scope_type",
    "scope_id",
    "scope_name",
    "criterion",
    "area",
    "numerator",
    "denominator",
    "share",
    "level",
    "area_level",
]
# The fact queries the evidence-based maturity model reads (rules.EVIDENCE_CRITERIA).
_EVIDENCE_SOURCES = {"asset", "risk", "action", "follow_up"}
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
_ASSET_METRICS = {
    "assets",
    "classified_current",
    "classification_coverage",
    "classifications_expired",
    "assets_unclassified",
    "reviews_due_90d",
    "risk_analysis_coverage",
    "funnel_classified",
    "funnel_risk_analysed",
    "funnel_action_planned",
    "funnel_on_time",
    "gdpr_coverage",
    "shared_owner_participation",
}
# The fact queries each metric's numerator and denominator come from (see _metric_columns); a
# request runs only the queries its metrics need: the Risker cards need no asset or action facts.
_RISK_METRICS = {"risks", "risks_high", "risks_high_without_action", "action_plan_coverage"}
_FOLLOW_UP_METRICS = {"follow_up_rate", "training_completion", "access_review_current"}


def _sources(metric: str) -> set[str]:
    if metric == "maturity_evidence":  # the criteria of rules.EVIDENCE_CRITERIA
        return set(_EVIDENCE_SOURCES)
    if metric in _ASSET_METRICS:
        return {"asset"}
    if metric in _RISK_METRICS:
        return {"risk"}
    if metric.startswith("actions_"):
        return {"action"}
    if metric in _FOLLOW_UP_METRICS:
        return {"follow_up"}
    if metric == "maturity_self":
        return {"maturity"}
    if metric.startswith("org_"):
        return {"organisation"}
    raise ValueError(f"No fact source for metric {metric}")


def _entities(org: Org, scope_type: str) -> pd.DataFrame:
    """id-indexed code and name of the loaded entities of ``scope_type``."""
    frame = {
        "municipality": org.municipalities,
        "administration": org.administrations,
        "unit": org.units,
        "governance_object": org.objects,
    }[scope_type]
    return frame.set_index("id")[["code", "name"]]


def _metric_columns(
    wide: dict[str, np.ndarray], n: int
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """(numerator, denominator) per metric from the wide per-entity sums of ``n`` entities
    (a column without facts → NaN).

    Plain arrays: a pandas Series per metric cost more than the numbers themselves."""
    arrays: dict[str, np.ndarray] = {}

    def col(name: str) -> np.ndarray:
        if name not in arrays:
            arrays[name] = wide[name] if name in wide else np.full(n, np.nan)
        return arrays[name]

    def count(name: str) -> tuple[np.ndarray, None]:
        return col(name), None

    # A count metric is the fact column of its name unless given below.
    columns = {name: count(name) for name, metric in METRICS.items() if metric.kind == "count"}
    return columns | {
        "classification_coverage": (col("classified_current"), col("assets")),
        "classifications_expired": (col("classified") - col("classified_current"), None),
        "assets_unclassified": (col("assets") - col("classified"), None),
        "risk_analysis_coverage": (col("risk_analysed"), col("assets")),
        "action_plan_coverage": (col("risks_needing_action_planned"), col("risks_needing_action")),
        "funnel_classified": count("classified_current"),
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
    """Plain Python values with None for missing (ints where the metric is a whole count).

    Pure numpy: a national store gives close to a million rows, a small one many tiny calls.
    """
    missing = np.isnan(values)
    present = values[~missing]
    if integral and np.all(np.mod(present, 1) == 0):
        out = np.where(missing, 0, values).astype(np.int64).astype(object)
    else:
        out = values.astype(object)
    out[missing] = None
    return out


def _fact_column(wide: dict[str, np.ndarray], name: str, n: int) -> np.ndarray:
    """A fact column of ``wide`` (NaN when absent); ``classified_expired`` = classified minus
    classified_current (assets whose latest classification has expired)."""
    if name == "classified_expired":
        return _fact_column(wide, "classified", n) - _fact_column(wide, "classified_current", n)
    return wide[name] if name in wide else np.full(n, np.nan)


def evidence_shares(
    wide: dict[str, np.ndarray], n: int
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(numerator, denominator, share) per evidence criterion of ``n`` entities; the share is
    NaN where the denominator is 0 or missing."""
    shares = {}
    for criterion in EVIDENCE_CRITERIA:
        num = _fact_column(wide, criterion.numerator, n)
        den = _fact_column(wide, criterion.denominator, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
        shares[criterion.code] = (num, den, share)
    return shares


def _evidence_rows(
    scope_type: str, entities: pd.DataFrame, wide: dict[str, np.ndarray], wanted: set[str]
) -> pd.DataFrame | None:
    """One row per (entity, evidence criterion): numerator, denominator, share, and the
    entity's evidence level and its level within the criterion's area."""
    n = len(entities)
    if n == 0 or "maturity_evidence" not in metrics_for_scope(scope_type):
        return None
    measured = evidence_shares(wide, n)
    shares = {code: share for code, (_, _, share) in measured.items()}
    assets = _fact_column(wide, "assets", n)
    level = evidence_level(shares, assets)
    frames = []
    for criterion in EVIDENCE_CRITERIA:
        num, den, share = measured[criterion.code]
        frames.append(
            pd.DataFrame(
                {
                    "scope_type": scope_type,
                    "scope_id": entities["code"].to_numpy(dtype=object),
                    "scope_name": entities["name"].to_numpy(dtype=object),
                    "criterion": criterion.code,
                    "area": criterion.area,
                    "numerator": num,
                    "denominator": den,
                    "share": share,
                    "level": level,
                    "area_level": evidence_level(shares, assets, criterion.area),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _long_rows(
    scope_type: str, entities: pd.DataFrame, wide: dict[str, np.ndarray], wanted: set[str]
) -> pd.DataFrame | None:
    """One row per (entity, wanted metric) of ``scope_type``, metrics in catalogue order."""
    n = len(entities)
    columns = _metric_columns(wide, n)
    applicable = metrics_for_scope(scope_type)
    chunks: list[tuple[str, np.ndarray, np.ndarray, np.ndarray | None]] = []
    for name in applicable:
        if name == "maturity_evidence" or name not in wanted:
            continue
        num_s, den_s = columns[name]
        num = np.asarray(num_s, dtype="float64")
        if den_s is None:
            num = np.nan_to_num(num, nan=0.0)
            value, den = num, None
        else:
            den = np.asarray(den_s, dtype="float64")
            num = np.where(np.isnan(den), np.nan, num)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
        chunks.append((name, value, num, den))
    if "maturity_evidence" in wanted and "maturity_evidence" in applicable:
        # A level 0–5 of the model in etl.kpi.rules (numerator the level, denominator 1; no
        # assets: None over 0).
        shares = {code: share for code, (_, _, share) in evidence_shares(wide, n).items()}
        level = evidence_level(shares, _fact_column(wide, "assets", n))
        has_level = ~np.isnan(level)
        chunks.append(("maturity_evidence", level, level, has_level.astype("float64")))
    if not chunks or n == 0:
        return None
    chunks.sort(key=lambda c: METRIC_ORDER[c[0]])
    nothing = np.full(n, None, dtype=object)
    columns = {
        "value": [_to_python(v, METRICS[name].kind == "count") for name, v, _, _ in chunks],
        "numerator": [_to_python(num, True) for _, _, num, _ in chunks],
        "denominator": [nothing if d is None else _to_python(d, True) for _, _, _, d in chunks],
    }
    return _kpi_frame(scope_type, entities, [c[0] for c in chunks], columns)


def _kpi_frame(
    scope_type: str, entities: pd.DataFrame, names: list[str], columns: dict[str, list]
) -> pd.DataFrame:
    """KPI_COLUMNS' rows of ``entities`` from one array (per entity) per metric of ``names`` for
    each of value, numerator and denominator. Built metric by metric; rows go entity by entity
    (sort_rows's order: entities sorted by code, metrics by catalogue order), so no sort is
    needed afterwards."""
    k, n = len(names), len(entities)
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
    """self_sum and self_count (float) over each node's latest assessment of every area,
    indexed by node id."""
    sums = self_assessed_sums(assessments, node_column)
    return pd.DataFrame(
        {
            "self_sum": sums["level_sum"].to_numpy(dtype="float64"),
            "self_count": sums["level_count"].to_numpy(dtype="float64"),
        },
        index=pd.Index(int_ids(sums.index.to_series()), name=node_column),
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
    mun = sums_by_key(
        municipality,
        np.column_stack([means[counted], np.ones(int(counted.sum()))]),
        ["self_sum", "self_count"],
        "municipality_id",
    )
    return {"administration": admin, "governance_object": obj, "municipality": mun}


def _wanted_metrics(metrics: Iterable[str] | None) -> set[str]:
    if metrics is None:
        return set(METRICS)
    wanted = set(metrics)
    unknown = wanted - set(METRICS)
    if unknown:
        raise ValueError(f"Okända mått: {', '.join(sorted(unknown))}")
    return wanted


_FACT_QUERIES = {
    "asset": facts.asset_facts,
    "risk": facts.risk_facts,
    "action": facts.action_facts,
    "follow_up": facts.follow_up_facts,
}


def _facts(conn, kind: str, cut: Cutoffs, scope: Scope) -> pd.DataFrame:
    """One fact query's rows (per unit and governance object) under ``scope``."""
    return _FACT_QUERIES[kind](conn, cut, scope)


# Which fact rows reach the municipalities and administrations that share an object through
# participation (docs/metrics.md, "Scopes and membership"): (share_municipalities,
# share_administrations).
_FACT_SHARING = {"asset": (False, False), "risk": (True, False), "action": (True, True)}


def _nan_as_zero(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), 0.0, values)


def _follow_up_per_unit(follow: pd.DataFrame, org: Org) -> dict[str, np.ndarray]:
    """The follow-up sums' terms per unit of ``org`` (in its order; no report → 0)."""
    position = pd.Index(int_ids(follow["unit_id"])).get_indexer(org.unit_arrays[0])
    reported = position >= 0

    def per_unit(column: str) -> np.ndarray:
        values = pd.to_numeric(follow[column]).to_numpy(dtype="float64", na_value=np.nan)
        return (
            np.where(reported, values[np.where(reported, position, 0)], np.nan)
            if len(values)
            else np.full(len(position), np.nan)
        )

    training = per_unit("training")
    return {
        "units": np.ones(len(position)),
        "submitted": _nan_as_zero(per_unit("submitted")),
        "training_sum": _nan_as_zero(training),
        "training_count": (~np.isnan(training)).astype(float),
        "access_review_current": _nan_as_zero(per_unit("access_review_current")),
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
            column = values[:, j]
            if name.startswith(("org_", "so_", "um_")):
                column[missing] = np.nan
            else:
                column[missing | np.isnan(column)] = 0.0
            wide[name] = column
    return wide


def _compute(conn, as_of: dt.date, scope: Scope, wanted: set[str], rows=None) -> pd.DataFrame:
    """The KPI rows (``rows``: the builder of one scope type's rows, _long_rows by default)."""
    rows_of = rows or _long_rows
    cut = Cutoffs(as_of)
    facts.prepare_connection(conn)
    org = load_org(conn, scope)
    sources = set().union(*(_sources(m) for m in wanted)) if wanted else set()
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in SCOPE_TYPES}

    def add(distributed: dict[str, pd.DataFrame]) -> None:
        for scope_type, frame in distributed.items():
            parts[scope_type].append(frame)

    for source, (share_municipalities, share_administrations) in _FACT_SHARING.items():
        if source in sources:
            add(
                distribute(
                    _facts(conn, source, cut, scope),
                    org,
                    share_municipalities=share_municipalities,
                    share_administrations=share_administrations,
                )
            )
    if "follow_up" in sources:
        follow = _facts(conn, "follow_up", cut, scope)
        add(distribute_units(_follow_up_per_unit(follow, org), org))
    if "maturity" in sources:
        add(_maturity_self(visible_analyses(conn, scope, as_of), org))
    if "organisation" in sources:
        add(organisation_check(role_assignments(conn, scope), org))

    frames = []
    for scope_type in scope.types:
        entities = _entities(org, scope_type).sort_values("code")
        # No facts for an entity: its counts are 0, its rates None (a missing column: see
        # _metric_columns)
        wide = _wide(parts[scope_type], entities.index)
        built = rows_of(scope_type, entities, wide, wanted)
        if built is not None:
            frames.append(built)
    columns = KPI_COLUMNS if rows is None else EVIDENCE_COLUMNS
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def compute_kpis(
    session_or_connection,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    scope_types: Iterable[str] | None = None,
    municipality: str | None = None,
    administration: str | None = None,
    metrics: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per (visible scope, applicable metric), sorted by scope type, code, metric order.

    Columns: scope_type, scope_id (org code), scope_name, metric, value, numerator, denominator.
    Rates are fractions 0..1 (None when the denominator is 0); counts have numerator = value.
    """
    wanted = _wanted_metrics(metrics)
    scope = build_scope(viewer, scope_types, municipality, administration)
    if not scope.types:
        return pd.DataFrame(columns=KPI_COLUMNS)
    conn = session_or_connection
    if mart.stands_for(viewer) and mart.holds(conn, as_of):
        kept = _from_mart(conn, as_of, scope, wanted)
        if kept is not None:
            return kept
    # In sort_rows's order as built (_long_rows), so not sorted again.
    result = _compute(conn, as_of, scope, wanted)
    log.debug("computed %d KPI rows as of %s for %s", len(result), as_of, viewer.role)
    return result.reset_index(drop=True)


def compute_scope(session_or_connection, as_of: dt.date, scope: Scope) -> pd.DataFrame:
    """compute_kpis's rows (every metric) for the entities under ``scope``'s conditions, as a
    system viewer sees them, never read from the mart: etl.kpi.mart_update recomputes the
    scopes a load touched with it. The numbers of an entity are exact when the scope holds all
    it counts (for a municipality or administration: every unit and administration under it)."""
    result = _compute(session_or_connection, as_of, scope, set(METRICS))
    return result.reset_index(drop=True)


def _from_mart(conn, as_of: dt.date, scope: Scope, wanted: set[str]) -> pd.DataFrame | None:
    """compute_kpis's rows for ``scope`` read from the mart (etl.kpi.mart): the same entities
    in the same order, the same Python values as _long_rows gives them; None when a row is
    missing (then the caller computes)."""
    frames = []
    for scope_type in scope.types:
        condition = getattr(scope, scope_type)
        entities = mart.entities(conn, scope_type, condition)
        names = [m for m in metrics_for_scope(scope_type) if m in wanted]
        names.sort(key=METRIC_ORDER.__getitem__)
        if not names or entities.empty:
            continue
        codes = pd.Index(entities["code"])
        blocks = mart.numbers(conn, as_of, scope_type, condition, codes, names)
        if blocks is None:
            return None
        n, k = len(codes), len(names)
        # Converted per metric over the same entities as _long_rows converts them.
        columns = {
            "value": [_to_python(blocks["value"][:, j], METRICS[m].kind == "count")
                      for j, m in enumerate(names)],
            "numerator": [_to_python(blocks["numerator"][:, j], True) for j in range(k)],
            "denominator": [
                np.full(n, None, dtype=object)
                if METRICS[m].kind == "count"
                else _to_python(blocks["denominator"][:, j], True)
                for j, m in enumerate(names)
            ],
        }  # fmt: skip
        frames.append(_kpi_frame(scope_type, entities, names, columns))
    if not frames:
        return pd.DataFrame(columns=KPI_COLUMNS)
    return pd.concat(frames, ignore_index=True)[KPI_COLUMNS]


def evidence_criteria(
    session_or_connection,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    scope_types: Iterable[str] | None = None,
    municipality: str | tuple[str, ...] | None = None,
    administration: str | None = None,
) -> pd.DataFrame:
    """What the evidence-based maturity of each visible scope rests on: one row per (scope,
    criterion of rules.EVIDENCE_CRITERIA) with its numerator, denominator and share, the scope's
    level and its level within the criterion's area (EVIDENCE_COLUMNS). The same facts and the
    same model as compute_kpis' ``maturity_evidence``."""
    scope = build_scope(viewer, scope_types, municipality, administration)
    if not scope.types:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    conn = session_or_connection
    rows = _compute(conn, as_of, scope, {"maturity_evidence"}, rows=_evidence_rows)
    return rows.reset_index(drop=True)


def sort_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Sorted by scope type (catalogue order), scope id, metric (catalogue order)."""
    type_order = {t: i for i, t in enumerate(SCOPE_TYPES)}
    keyed = frame.assign(
        _t=frame["scope_type"].map(type_order), _m=frame["metric"].map(METRIC_ORDER)
    )
    return keyed.sort_values(["_t", "scope_id", "_m"]).drop(columns=["_t", "_m"])


def _json_number(value):
    if isinstance(value, float):
        return round(value, 6)
    return value


def kpi_json(
    session, as_of: dt.date, viewer: Viewer = SYSTEM, *, scope_types: Iterable[str] | None = None
) -> dict:
    """{"as_of": "YYYY-MM-DD", "rows": [...]} sorted; floats rounded to 6 decimals."""
    frame = compute_kpis(session, as_of, viewer, scope_types=scope_types)
    rows = [
        {
            "scope_type": r.scope_type,
            "scope_id": r.scope_id,
            "scope_name": r.scope_name,
            "metric": r.metric,
            "value": _json_number(r.value),
            "numerator": _json_number(r.numerator),
            "denominator": _json_number(r.denominator),
        }
        for r in frame.itertuples(index=False)
    ]
    return {"as_of": as_of.isoformat(), "rows": rows}


def funnel(
    session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
    governance_object: str | None = None,
) -> pd.DataFrame:
    """The coverage funnel (5 stages, each a subset of the previous) over the visible assets.

    With ``governance_object`` the assets of that object (if the viewer may see it); otherwise the
    assets of the visible units, narrowed to ``municipality``/``administration``.
    """
    scope = build_scope(viewer, None, municipality, administration)
    cut = Cutoffs(as_of)
    facts.prepare_connection(session)
    org = load_org(session, scope)
    rows = _facts(session, "asset", cut, scope)
    rows = rows.assign(
        unit_id=pd.array(rows["unit_id"].tolist(), dtype="Int64"),
        object_id=pd.array(rows["object_id"].tolist(), dtype="Int64"),
    )
    if governance_object is not None:
        ids = org.objects.loc[org.objects["code"] == governance_object, "id"]
        if "governance_object" not in scope.types:
            ids = ids.iloc[0:0]
        rows = rows[rows["object_id"].isin(ids.tolist())]
    else:
        rows = rows[rows["unit_id"].isin(org.units["id"].tolist())]
    columns = (
        "assets",
        "classified_current",
        "funnel_risk_analysed",
        "funnel_action_planned",
        "funnel_on_time",
    )
    counts = [int(rows[c].astype("int64").sum()) for c in columns]
    return pd.DataFrame(
        {
            "stage": [s for s, _ in FUNNEL_STAGES],
            "label_sv": [label for _, label in FUNNEL_STAGES],
            "count": counts,
        }
    )


def overdue_aging(
    session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> pd.DataFrame:
    """Overdue actions per administration and aging bucket (all four buckets, zeros included).

    Counts the actions of the visible units by their administration, plus provider actions of
    shared objects for administrations that the viewer may see and that take part explicitly.
    """
    scope = build_scope(viewer, None, municipality, administration)
    cut = Cutoffs(as_of)
    facts.prepare_connection(session)
    org = load_org(session, scope)
    # Administrations of the visible units, named from the units (a manager sees only these).
    admins = (
        org.units[["administration_id", "administration_code", "administration_name"]]
        .drop_duplicates("administration_id")
        .set_index("administration_id")
    )
    visible_admins = org.administrations.set_index("id")
    org_for_admins = Org(
        units=org.units,
        administrations=org.administrations,
        municipalities=org.municipalities,
        objects=org.objects,
        participants=org.participants[
            org.participants["administration_id"].isin(visible_admins.index.tolist())
        ],
    )
    sums = distribute(
        _facts(session, "action", cut, scope),
        org_for_admins,
        share_municipalities=False,
        share_administrations=True,
    )["administration"]
    extra = visible_admins.loc[~visible_admins.index.isin(admins.index), ["code", "name"]]
    extra = extra.rename(columns={"code": "administration_code", "name": "administration_name"})
    names = pd.concat([admins, extra]).sort_values("administration_code")
    # One row per (administration, bucket), buckets in order; whole columns, not a row loop
    # (a national store has some 1 700 administrations).
    counts = np.column_stack(
        [
            sums[column].reindex(names.index).fillna(0).to_numpy(dtype=float)
            if column in sums
            else np.zeros(len(names))
            for column, _ in AGING_BUCKETS
        ]
    )
    per_admin = len(AGING_BUCKETS)
    return pd.DataFrame(
        {
            "administration_code": np.repeat(
                names["administration_code"].to_numpy(dtype=object), per_admin
            ),
            "administration_name": np.repeat(
                names["administration_name"].to_numpy(dtype=object), per_admin
            ),
            "bucket": np.tile(np.array([b for _, b in AGING_BUCKETS], dtype=object), len(names)),
            "count": counts.reshape(-1).astype(np.int64),
        },
        columns=["administration_code", "administration_name", "bucket", "count"],
    )
