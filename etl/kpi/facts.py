"""The SQL of the metrics: each query aggregates one kind of row per (unit, governance object),
which rolls up exactly (every asset, risk and action has at most one unit and one object). Rows
with an object but no unit (object-level analyses, provider actions) are ``shared``: they count
for each participant of the object. Every query runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased

from etl.kpi.dates import Cutoffs
from etl.kpi.frames import query_frame, where
from etl.kpi.page_aggregates import has_live_action
from etl.kpi.rules import (
    OVERDUE_BUCKETS,
    PERSONAL_DATA_CODES,
    action_is_open,
    action_is_overdue,
    action_open_sql,
    action_overdue_sql,
    classification_current_sql,
    classification_review_due_sql,
    days_overdue,
    high_risk_sql,
    high_risk_threshold_sql,
    latest_classification_sql,
    overdue_bucket,
    overdue_bucket_sql,
    risk_analysis_current_sql,
)
from etl.kpi.scope import Scope
from etl.models import (
    Action,
    Administration,
    Asset,
    AssetOwner,
    ClassificationParticipant,
    FollowUpReport,
    GovernanceParticipant,
    Municipality,
    Risk,
    RiskAnalysis,
    Unit,
)


def prepare_connection(conn) -> None:
    """PostgreSQL's JIT prices these queries (correlated EXISTS, many CASE sums) as huge and
    spent 15 of 17 s compiling them for one administration nationally: off for the transaction."""
    dialect = conn.dialect if hasattr(conn, "dialect") else conn.get_bind().dialect
    if dialect.name == "postgresql":
        conn.execute(text("SET LOCAL jit = off"))


def _flag(condition):
    """1 when ``condition`` holds, else 0 (NULL counts as not holding)."""
    return case((condition, 1), else_=0)


def _count_if(condition):
    return func.coalesce(func.sum(_flag(condition)), 0)


def _needed_object(object_column, scope: Scope):
    """Rows of an object whose facts are needed."""
    object_ids = scope.object_ids()
    return object_column.isnot(None) if object_ids is None else object_column.in_(object_ids)


def _scoped(unit_column, object_column, scope: Scope):
    """Rows of a visible unit, or of an object whose facts are needed (None = no restriction)."""
    unit_ids = scope.unit_ids()
    if unit_ids is None:
        return None
    return or_(unit_column.in_(unit_ids), _needed_object(object_column, scope))


def _needs_action():
    """A risk needs an action: treatment "reduce", or a score at the matrix's high threshold."""
    threshold = high_risk_threshold_sql(RiskAnalysis.matrix_size)
    return or_(Risk.treatment == "reduce", Risk.likelihood * Risk.consequence >= threshold)


# --------------------------------------------------------------------------- assets


def _personal_data():
    """The asset holds personal data (gdpr_coverage's denominator)."""
    return Asset.personal_data.in_(PERSONAL_DATA_CODES)


def _registered():
    """The asset holds personal data and names its entry in the record of processing."""
    return and_(
        _personal_data(), Asset.register_ref.isnot(None), func.trim(Asset.register_ref) != ""
    )


def _several_owners(owners):
    """An asset shared by several owners (shared_owner_participation counts only these)."""
    return owners.c.owners >= 2


def _scoped_assets(scope: Scope):
    """``(only_scoped, scoped_ids)`` for the assets in ``scope``: ``only_scoped(stmt, column)``
    narrows a statement to the rows whose ``column`` is a scoped asset, and ``scoped_ids``
    selects those assets (None: every asset). Inner queries reach their rows through the scoped
    assets (an index walk from the units) rather than testing every row against a subquery."""
    inner = aliased(Asset)
    inner_scope = _scoped(inner.primary_unit_id, inner.governance_object_id, scope)

    def only_scoped(stmt, asset_column):
        if inner_scope is None:
            return stmt
        return stmt.join(inner, inner.id == asset_column).where(inner_scope)

    return only_scoped, None if inner_scope is None else select(inner.id).where(inner_scope)


def asset_facts(conn, cut: Cutoffs, scope: Scope) -> pd.DataFrame:
    """Per (unit_id, object_id): the asset counts behind every asset-based metric."""
    as_of = cut.as_of
    only_scoped, scoped_ids = _scoped_assets(scope)
    # Each asset's latest classification as "no later one exists": one index search per
    # classification, where a window sorted every classification first (and ran twice, for
    # took_part too): 1.2 s of the national store's 2.6 s, now 0.4 s.
    latest = latest_classification_sql(as_of, scoped_ids)

    last_analysis = only_scoped(
        select(RiskAnalysis.asset_id, func.max(RiskAnalysis.analysed_on).label("analysed_on"))
        .where(RiskAnalysis.asset_id.isnot(None), RiskAnalysis.analysed_on <= as_of)
        .group_by(RiskAnalysis.asset_id),
        RiskAnalysis.asset_id,
    ).subquery("last_analysis")

    needs = _needs_action()
    has_overdue = exists().where(Action.risk_id == Risk.id, action_overdue_sql(as_of))
    risk_state = only_scoped(
        select(
            RiskAnalysis.asset_id,
            _count_if(and_(needs, ~has_live_action())).label("unplanned"),
            _count_if(has_overdue).label("overdue"),
        )
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        # (a scoped query joins the assets, which already excludes object-level analyses; an
        # explicit IS NOT NULL would lead SQLite to scan every analysis)
        .where(
            *(() if scoped_ids is not None else (RiskAnalysis.asset_id.isnot(None),)),
            RiskAnalysis.analysed_on <= as_of,
        )
        .group_by(RiskAnalysis.asset_id),
        RiskAnalysis.asset_id,
    ).subquery("risk_state")

    owners = only_scoped(
        select(AssetOwner.asset_id, func.count().label("owners")).group_by(AssetOwner.asset_id),
        AssetOwner.asset_id,
    ).subquery("owners")
    took_part = (
        select(AssetOwner.asset_id, func.count().label("took_part"))
        .join(latest, latest.c.asset_id == AssetOwner.asset_id)
        .join(
            ClassificationParticipant,
            and_(
                ClassificationParticipant.classification_id == latest.c.classification_id,
                ClassificationParticipant.unit_id == AssetOwner.unit_id,
            ),
        )
        .group_by(AssetOwner.asset_id)
        .subquery("took_part")
    )

    classified = latest.c.classification_id.isnot(None)
    current = classification_current_sql(
        latest.c.classification_id, latest.c.classified_on, latest.c.next_review_on, as_of
    )
    due_90 = classification_review_due_sql(
        latest.c.classification_id, latest.c.classified_on, latest.c.next_review_on, as_of
    )
    analysed = risk_analysis_current_sql(last_analysis.c.analysed_on, as_of)
    planned = func.coalesce(risk_state.c.unplanned, 0) == 0
    on_time = func.coalesce(risk_state.c.overdue, 0) == 0
    personal = _personal_data()
    registered = _registered()
    multi_owner = _several_owners(owners)
    # Grouping by the bare columns lets SQLite (without statistics) walk the whole asset index in
    # group order instead of only the scoped assets by primary key: "+ 0" takes the index away,
    # so one municipality reads its own assets (0.19 s → 0.05 s on the national store).
    unit_key, object_key = Asset.primary_unit_id, Asset.governance_object_id
    if scoped_ids is not None:
        unit_key = Asset.primary_unit_id + literal_column("0")
        object_key = Asset.governance_object_id + literal_column("0")

    stmt = (
        select(
            unit_key.label("unit_id"),
            object_key.label("object_id"),
            literal(False).label("shared"),
            func.count().label("assets"),
            _count_if(classified).label("classified"),
            _count_if(current).label("classified_current"),
            _count_if(due_90).label("reviews_due_90d"),
            _count_if(analysed).label("risk_analysed"),
            _count_if(and_(current, analysed)).label("funnel_risk_analysed"),
            _count_if(and_(current, analysed, planned)).label("funnel_action_planned"),
            _count_if(and_(current, analysed, planned, on_time)).label("funnel_on_time"),
            _count_if(personal).label("personal_data"),
            _count_if(registered).label("personal_data_registered"),
            func.coalesce(
                func.sum(case((multi_owner, func.coalesce(took_part.c.took_part, 0)), else_=0)), 0
            ).label("owners_took_part"),
            func.coalesce(func.sum(case((multi_owner, owners.c.owners), else_=0)), 0).label(
                "owners_of_shared"
            ),
        )
        .select_from(Asset)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(last_analysis, last_analysis.c.asset_id == Asset.id)
        .outerjoin(risk_state, risk_state.c.asset_id == Asset.id)
        .outerjoin(owners, owners.c.asset_id == Asset.id)
        .outerjoin(took_part, took_part.c.asset_id == Asset.id)
        .group_by(unit_key, object_key)
    )
    # Driving the outer query by primary key lets SQLite walk only the scoped assets.
    scoped = None if scoped_ids is None else Asset.id.in_(scoped_ids)
    return query_frame(conn, where(stmt, scoped))


def _since(column, days: list):
    """The index of the first of ``days`` (sorted) on or after ``column``'s date; len(days) when
    none is."""
    return case(*((column <= d, i) for i, d in enumerate(days)), else_=len(days))


def _classification_state(latest, as_of: dt.date):
    """0 unclassified, 1 classified but expired, 2 current, 3 current and due for review within
    90 days: the latest-classification row ``latest`` as of ``as_of`` through the rules."""
    columns = (latest.c.classification_id, latest.c.classified_on, latest.c.next_review_on)
    return case(
        (classification_review_due_sql(*columns, as_of), 3),
        (classification_current_sql(*columns, as_of), 2),
        (latest.c.classification_id.isnot(None), 1),
        else_=0,
    )


def asset_facts_by_day(conn, cuts: list[Cutoffs], scope: Scope) -> dict:
    """asset_facts as of each of ``cuts`` (as_of -> frame with the same groups and sums) from
    one statement.

    asset_facts's time is the risk state of each asset: two correlated searches of the actions
    per risk, once per date. Here each risk is read once (_risk_state_by_day). Each asset's
    latest classification per date (the rule's own subquery, per date), its analyses, owners and
    risk state become small integers; the assets are counted per combination of them in SQL and
    the sums per date taken in numpy."""
    if not cuts:
        return {}
    days = sorted({cut.as_of for cut in cuts})
    never = len(days)
    only_scoped, scoped_ids = _scoped_assets(scope)
    analysed = only_scoped(_analysed_by_day(days), RiskAnalysis.asset_id).subquery("analysed")
    risk_state = only_scoped(
        _risk_state_by_day(days, scoped=scoped_ids is not None), RiskAnalysis.asset_id
    ).subquery("risk_state")
    owners = only_scoped(
        select(AssetOwner.asset_id, func.count().label("owners")).group_by(AssetOwner.asset_id),
        AssetOwner.asset_id,
    ).subquery("owners")
    multi_owner = _several_owners(owners)
    latest_of = [
        latest_classification_sql(as_of, scoped_ids).alias(f"latest_{i}")
        for i, as_of in enumerate(days)
    ]
    keys = [
        Asset.primary_unit_id.label("unit_id"),
        Asset.governance_object_id.label("object_id"),
        _flag(_personal_data()).label("personal"),
        _flag(_registered()).label("registered"),
        case((multi_owner, owners.c.owners), else_=0).label("owners_of_shared"),
        func.coalesce(risk_state.c.unplanned_from, never).label("unplanned_from"),
        func.coalesce(risk_state.c.overdue_from, never).label("overdue_from"),
    ]
    for i, (as_of, latest) in enumerate(zip(days, latest_of, strict=True)):
        keys += [
            _classification_state(latest, as_of).label(f"state_{i}"),
            func.coalesce(analysed.c[f"analysed_{i}"], 0).label(f"analysed_{i}"),
            case((multi_owner, _took_part(latest)), else_=0).label(f"took_part_{i}"),
        ]
    counted = (
        select(Asset.id)
        .outerjoin(analysed, analysed.c.asset_id == Asset.id)
        .outerjoin(risk_state, risk_state.c.asset_id == Asset.id)
        .outerjoin(owners, owners.c.asset_id == Asset.id)
    )
    for latest in latest_of:
        counted = counted.outerjoin(latest, latest.c.asset_id == Asset.id)
    scoped = None if scoped_ids is None else Asset.id.in_(scoped_ids)
    stmt = where(counted.with_only_columns(*keys, func.count().label("n")), scoped).group_by(*keys)
    return _asset_sums_by_day(query_frame(conn, stmt), days)


def _analysed_by_day(days: list):
    """Per asset with an analysis: analysed_<i> 1 when it has a current risk analysis as of the
    i-th of ``days`` (one as of it exactly when its latest one on or before it is)."""
    analysed_on = RiskAnalysis.analysed_on
    return (
        select(
            RiskAnalysis.asset_id,
            *(
                func.max(
                    _flag(and_(analysed_on <= d, risk_analysis_current_sql(analysed_on, d)))
                ).label(f"analysed_{i}")
                for i, d in enumerate(days)
            ),
        )
        .where(RiskAnalysis.asset_id.isnot(None), analysed_on <= days[-1])
        .group_by(RiskAnalysis.asset_id)
    )


def _risk_state_by_day(days: list, *, scoped: bool):
    """Per asset with risks: the index in ``days`` of the first date on which one of its risks
    counts without a planned action (unplanned_from) and of the first on which one counts with
    an overdue action (overdue_from); len(days) for never. Both states, once reached, hold for
    every later date (the analysis stays on or before the date, a due date stays before it), so
    each risk is read once, with one search of its actions for each, not two per date."""
    never = len(days)
    analysed_on = RiskAnalysis.analysed_on
    overdue_from = (
        select(
            func.min(
                case(
                    *(
                        (and_(analysed_on <= d, action_overdue_sql(d)), i)
                        for i, d in enumerate(days)
                    ),
                    else_=never,
                )
            )
        )
        .where(Action.risk_id == Risk.id)
        .scalar_subquery()
    )
    unplanned = and_(_needs_action(), ~has_live_action())
    return (
        select(
            RiskAnalysis.asset_id,
            func.min(case((unplanned, _since(analysed_on, days)), else_=never)).label(
                "unplanned_from"
            ),
            func.min(func.coalesce(overdue_from, never)).label("overdue_from"),
        )
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        # (a scoped query joins the assets, which already excludes object-level analyses; an
        # explicit IS NOT NULL would lead SQLite to scan every analysis)
        .where(*(() if scoped else (RiskAnalysis.asset_id.isnot(None),)), analysed_on <= days[-1])
        .group_by(RiskAnalysis.asset_id)
    )


def _took_part(latest):
    """The asset's owners that took part in its classification ``latest`` (0 without one): a
    correlated count, asked only for assets with several owners, where a grouped join per date
    cost more than the rest of asset_facts_by_day."""
    took = (
        select(func.count())
        .select_from(ClassificationParticipant)
        .join(
            AssetOwner,
            and_(
                AssetOwner.unit_id == ClassificationParticipant.unit_id,
                AssetOwner.asset_id == Asset.id,
            ),
        )
        .where(ClassificationParticipant.classification_id == latest.c.classification_id)
        .correlate(Asset, latest)
        .scalar_subquery()
    )
    return case((latest.c.classification_id.isnot(None), took), else_=0)


def _asset_sums_by_day(rows: pd.DataFrame, days: list) -> dict:
    """asset_facts's frame per date from asset_facts_by_day's counted combinations."""
    n = rows["n"].to_numpy(dtype=np.int64)

    def column(name: str) -> np.ndarray:
        return rows[name].to_numpy(dtype=np.int64)

    personal, registered = column("personal"), column("registered")
    keys = rows[["unit_id", "object_id"]]
    frames = {}
    for i, as_of in enumerate(days):
        state = column(f"state_{i}")
        current = state >= 2
        analysed = column(f"analysed_{i}") == 1
        planned = column("unplanned_from") > i
        on_time = column("overdue_from") > i
        terms = pd.DataFrame(
            {
                "assets": n,
                "classified": n * (state >= 1),
                "classified_current": n * current,
                "reviews_due_90d": n * (state == 3),
                "risk_analysed": n * analysed,
                "funnel_risk_analysed": n * (current & analysed),
                "funnel_action_planned": n * (current & analysed & planned),
                "funnel_on_time": n * (current & analysed & planned & on_time),
                "personal_data": n * personal,
                "personal_data_registered": n * registered,
                "owners_took_part": n * column(f"took_part_{i}"),
                "owners_of_shared": n * column("owners_of_shared"),
            }
        )
        summed = (
            pd.concat([keys.reset_index(drop=True), terms], axis=1)
            .groupby(["unit_id", "object_id"], dropna=False, sort=False, as_index=False)
            .sum()
        )
        summed.insert(2, "shared", False)
        frames[as_of] = summed
    return frames


# --------------------------------------------------------------------------- risks


def _risk_keys():
    """risk_facts's group keys: (unit_id, object_id, shared); object-level analyses are shared."""
    object_id = case(
        (RiskAnalysis.asset_id.is_(None), RiskAnalysis.governance_object_id),
        else_=Asset.governance_object_id,
    )
    return Asset.primary_unit_id, object_id, RiskAnalysis.asset_id.is_(None)


def _scoped_risks(stmt, scope: Scope):
    """Analyses of scoped assets, or object-level analyses of needed objects (index-friendly)."""
    inner = aliased(Asset)
    inner_scope = _scoped(inner.primary_unit_id, inner.governance_object_id, scope)
    if inner_scope is None:
        return stmt
    return stmt.where(
        or_(
            RiskAnalysis.asset_id.in_(select(inner.id).where(inner_scope)),
            and_(
                RiskAnalysis.asset_id.is_(None),
                _needed_object(RiskAnalysis.governance_object_id, scope),
            ),
        )
    )


def risk_facts(conn, cut: Cutoffs, scope: Scope) -> pd.DataFrame:
    """Per (unit_id, object_id, shared): risk counts. Object-level analyses are shared."""
    high = high_risk_sql(Risk.likelihood, Risk.consequence, RiskAnalysis.matrix_size)
    needs = _needs_action()
    has_action = has_live_action()
    unit_id, object_id, shared = _risk_keys()
    stmt = (
        select(
            unit_id.label("unit_id"),
            object_id.label("object_id"),
            shared.label("shared"),
            func.count().label("risks"),
            _count_if(high).label("risks_high"),
            _count_if(and_(high, ~has_action)).label("risks_high_without_action"),
            _count_if(needs).label("risks_needing_action"),
            _count_if(and_(needs, has_action)).label("risks_needing_action_planned"),
        )
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
        .where(RiskAnalysis.analysed_on <= cut.as_of)
        .group_by(unit_id, object_id, shared)
    )
    return query_frame(conn, _scoped_risks(stmt, scope))


def risk_facts_by_day(conn, cuts: list[Cutoffs], scope: Scope) -> dict:
    """risk_facts as of each of ``cuts`` (as_of -> frame with the same groups and sums) from one
    pass over the risks: each risk's flags (high, needs an action, has one: two correlated
    searches of its actions) are found once, not once per date, and it is counted into the
    group of its flags and of the first date its analysis counts for."""
    if not cuts:
        return {}
    days = sorted({cut.as_of for cut in cuts})
    unit_id, object_id, shared = _risk_keys()
    since = _since(RiskAnalysis.analysed_on, days)
    flagged = (
        select(
            unit_id.label("unit_id"),
            object_id.label("object_id"),
            shared.label("shared"),
            since.label("since"),
            _flag(high_risk_sql(Risk.likelihood, Risk.consequence, RiskAnalysis.matrix_size)).label(
                "high"
            ),
            _flag(_needs_action()).label("needs"),
            _flag(has_live_action()).label("planned"),
        )
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
        .where(RiskAnalysis.analysed_on <= days[-1])
    )
    flagged = _scoped_risks(flagged, scope).subquery("flagged")
    keys = [flagged.c[name] for name in ("unit_id", "object_id", "shared", "since", "high",
                                         "needs", "planned")]  # fmt: skip
    rows = query_frame(conn, select(*keys, func.count().label("n")).group_by(*keys))
    frames = {}
    for i, as_of in enumerate(days):
        counted = rows[rows["since"].astype(np.int64) <= i]
        n = counted["n"].to_numpy(dtype=np.int64)
        high, needs, planned = (counted[c].astype(bool).to_numpy() for c in ("high", "needs", "planned"))  # fmt: skip
        terms = pd.DataFrame(
            {
                "risks": n,
                "risks_high": n * high,
                "risks_high_without_action": n * (high & ~planned),
                "risks_needing_action": n * needs,
                "risks_needing_action_planned": n * (needs & planned),
            }
        )
        group_keys = counted[["unit_id", "object_id", "shared"]].reset_index(drop=True)
        group_keys["shared"] = group_keys["shared"].astype(bool)
        summed = (
            pd.concat([group_keys, terms], axis=1)
            .groupby(["unit_id", "object_id", "shared"], dropna=False, sort=False, as_index=False)
            .sum()
        )
        frames[as_of] = summed
    return frames


# --------------------------------------------------------------------------- actions


def overdue_by_day(
    conn, days: list, scope: Scope, scope_type: str, code: str | None = None
) -> list[int]:
    """``actions_overdue`` summed over the ``scope_type`` entities ("municipality" or
    "administration") of ``scope``, or only the one with ``code``, as of each of ``days``: the
    sums compute_kpis's roll-up gives (an owned action once, for its unit's entity; a shared one
    once per distinct participating entity), from one aggregated statement. Only actions overdue
    on the latest day are read: nationally the covering index over owner, object, status and
    due date, not the table."""
    if not days:
        return []
    if scope_type == "administration":
        entity, condition = Administration, scope.administration
        participant, unit_entity = GovernanceParticipant.administration_id, Unit.administration_id
    else:
        entity, condition = Municipality, scope.municipality
        participant, unit_entity = (
            GovernanceParticipant.municipality_id,
            Administration.municipality_id,
        )
    entity_ids = where(select(entity.id), condition)
    if code is not None:
        entity_ids = entity_ids.where(entity.code == code)
    latest = action_overdue_sql(max(days))
    owned = (
        select(Action.status, Action.due_on)
        .join(Unit, Unit.id == Action.owner_unit_id)
        .join(Administration, Administration.id == Unit.administration_id)
        .where(latest, unit_entity.in_(entity_ids))
    )
    owned = where(owned, scope.unit)
    pairs = (
        select(GovernanceParticipant.governance_object_id.label("object_id"), participant)
        .where(participant.in_(entity_ids))
        .distinct()
        .subquery("pairs")
    )
    shared = (
        select(Action.status, Action.due_on)
        .join(pairs, pairs.c.object_id == Action.governance_object_id)
        .where(Action.owner_unit_id.is_(None), latest)
    )
    rows = union_all(owned, shared).subquery("overdue")
    # One row per (status, due date), not a CASE per action and day: on a national store the
    # per-row CASEs cost four times the read itself. The rule is then applied per group.
    groups = conn.execute(
        select(rows.c.status, rows.c.due_on, func.count()).group_by(rows.c.status, rows.c.due_on)
    ).all()
    return [
        sum(n for status, due_on, n in groups if action_is_overdue(status, due_on, day))
        for day in days
    ]


def action_facts(conn, cut: Cutoffs, scope: Scope) -> pd.DataFrame:
    """Per (unit_id, object_id, shared): action counts. Actions without an owner unit in a
    shared object's workbook (the provider's) are shared."""
    is_open = action_open_sql()
    overdue = action_overdue_sql(cut.as_of)
    done = and_(
        Action.status == "done", Action.completed_on.isnot(None), Action.completed_on <= cut.as_of
    )
    shared = and_(Action.owner_unit_id.is_(None), Action.governance_object_id.isnot(None))
    stmt = select(
        Action.owner_unit_id.label("unit_id"),
        Action.governance_object_id.label("object_id"),
        shared.label("shared"),
        _count_if(is_open).label("actions_open"),
        _count_if(overdue).label("actions_overdue"),
        *(
            _count_if(overdue_bucket_sql(cut.as_of, low, high)).label(metric)
            for low, high, metric in OVERDUE_BUCKETS
        ),
        _count_if(done).label("actions_done"),
        _count_if(and_(done, Action.completed_on <= Action.due_on)).label("actions_done_on_time"),
    ).group_by(Action.owner_unit_id, Action.governance_object_id, shared)
    condition = _scoped(Action.owner_unit_id, Action.governance_object_id, scope)
    return query_frame(conn, where(stmt, condition))


def _due_starts(days: list) -> list:
    """The due dates at which some date's overdue state or bucket changes (sorted): between two
    neighbours every action's state is the same as of each of ``days``."""
    starts = set()
    for as_of in days:
        starts.add(as_of)  # due on the day: not overdue yet
        for low, high, _metric in OVERDUE_BUCKETS:
            starts.add(as_of - dt.timedelta(days=low - 1))
            if high is not None:
                starts.add(as_of - dt.timedelta(days=high))
    return sorted(starts)


def action_facts_by_day(conn, cuts: list[Cutoffs], scope: Scope) -> dict:
    """action_facts as of each of ``cuts`` (as_of -> frame with the same groups and sums) from
    one scan of the actions.

    SQLite's time in action_facts is the aggregate steps (nine per action, each a function call
    per row), not the scan: here each action is counted once, into its group's status and the
    stretch of due dates (completion dates for done actions) it falls in, and the rules are
    applied to those few rows in Python. The grouping follows the covering index's order up to
    the status, so the sort is of the last two keys only."""
    if not cuts:
        return {}
    days = sorted({cut.as_of for cut in cuts})
    starts = _due_starts(days)
    due_stretch = case(*((Action.due_on < t, i) for i, t in enumerate(starts)), else_=len(starts))
    done_by = case(
        (Action.completed_on.is_(None), -1),
        *((Action.completed_on <= d, i) for i, d in enumerate(days)),
        else_=len(days),
    )
    is_done = Action.status == "done"
    stretch = case((is_done, done_by), else_=due_stretch).label("stretch")
    on_time = case((is_done, _flag(Action.completed_on <= Action.due_on))).label("on_time")
    stmt = select(
        Action.owner_unit_id.label("unit_id"),
        Action.governance_object_id.label("object_id"),
        Action.status,
        stretch,
        on_time,
        func.count().label("n"),
    ).group_by(Action.owner_unit_id, Action.governance_object_id, Action.status, stretch, on_time)
    condition = _scoped(Action.owner_unit_id, Action.governance_object_id, scope)
    rows = query_frame(conn, where(stmt, condition))
    keys = rows[["unit_id", "object_id"]]
    group = keys.groupby(["unit_id", "object_id"], dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(rows)), dtype=np.int64).groupby(group).first().to_numpy()
    unit_id = keys["unit_id"].to_numpy(dtype=object)[first]
    object_id = keys["object_id"].to_numpy(dtype=object)[first]
    shared = pd.isna(unit_id) & pd.notna(object_id)  # as action_facts's ``shared``
    # A stretch's first due date stands for all of it (the one before the first starts: the day
    # before). The rules (Python's twins of the SQL ones) are asked once per (status, stretch).
    firsts = [starts[0] - dt.timedelta(days=1), *starts]
    kinds = pd.MultiIndex.from_arrays([rows["status"], rows["stretch"].astype(np.int64)])
    kind, pairs = kinds.factorize()
    n = rows["n"].to_numpy(dtype=np.int64)
    timely = rows["on_time"].fillna(0).astype(bool).to_numpy()

    def summed(per_pair: list, rows_too: np.ndarray | None = None) -> np.ndarray:
        chosen = np.asarray(per_pair, dtype=bool)[kind]
        if rows_too is not None:
            chosen &= rows_too
        return np.bincount(group, weights=np.where(chosen, n, 0), minlength=len(first)).astype(
            np.int64
        )

    is_open = [action_is_open(status) for status, _ in pairs]
    frames = {}
    for i, as_of in enumerate(days):
        overdue = [
            action_is_open(status) and action_is_overdue(status, firsts[k], as_of)
            for status, k in pairs
        ]
        bucket = [
            overdue_bucket(days_overdue(firsts[k], as_of)) if late else None
            for (_, k), late in zip(pairs, overdue, strict=True)
        ]
        done = [status == "done" and 0 <= k <= i for status, k in pairs]
        columns = {
            "unit_id": unit_id,
            "object_id": object_id,
            "shared": shared,
            "actions_open": summed(is_open),
            "actions_overdue": summed(overdue),
        }
        for _low, _high, metric in OVERDUE_BUCKETS:
            columns[metric] = summed([b == metric for b in bucket])
        columns["actions_done"] = summed(done)
        columns["actions_done_on_time"] = summed(done, timely)
        frames[as_of] = pd.DataFrame(columns)
    return frames


# --------------------------------------------------------------------------- follow-up


def follow_up_facts(conn, cut: Cutoffs, scope: Scope) -> pd.DataFrame:
    """Per unit: submitted this period, training sum/count, access review current (0/1)."""
    unit_ids = scope.unit_ids()

    def only_scoped(stmt):
        return stmt if unit_ids is None else stmt.where(FollowUpReport.unit_id.in_(unit_ids))

    this_period = query_frame(
        conn,
        only_scoped(
            select(
                FollowUpReport.unit_id,
                _flag(FollowUpReport.submitted.is_(True)).label("submitted"),
                case(
                    (
                        and_(
                            FollowUpReport.submitted.is_(True),
                            FollowUpReport.training_completion_pct.isnot(None),
                        ),
                        FollowUpReport.training_completion_pct / 100.0,
                    )
                ).label("training"),
            ).where(FollowUpReport.period == cut.period)
        ),
    )
    ranked = only_scoped(
        select(
            FollowUpReport.unit_id,
            FollowUpReport.last_access_review_on,
            func.row_number()
            .over(partition_by=FollowUpReport.unit_id, order_by=FollowUpReport.period.desc())
            .label("rank"),
        ).where(FollowUpReport.submitted.is_(True), FollowUpReport.period <= cut.period)
    ).subquery("ranked")
    reviewed = ranked.c.last_access_review_on
    access = query_frame(
        conn,
        select(
            ranked.c.unit_id,
            _flag(and_(reviewed >= cut.access_review_from, reviewed <= cut.as_of)).label(
                "access_review_current"
            ),
        ).where(ranked.c.rank == 1),
    )
    return this_period.merge(access, on="unit_id", how="outer")
