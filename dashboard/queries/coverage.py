"""Coverage: rates per administration/unit/object (from compute_kpis) and the asset lists behind
them (which assets lack a current classification, a risk analysis or a registerförteckning
reference; which shared assets had an owner missing from the latest classification).

The lists use the metric definitions of docs/metrics.md through the same rules as
compute_kpis (etl.kpi.rules), so a list's length equals the number the
metric reports (tests/test_one_truth.py checks it). Säkerhetsskydd assets are left out of every
list unless the viewer may see them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from dashboard.grid import GridColumn, Shortcut, fetch_block
from dashboard.queries.viewer import SYSTEM, Viewer, unit_scope_condition, visible_units
from etl.kpi import cache
from etl.kpi import kept as materialized
from etl.kpi.compute import compute_kpis
from etl.kpi.definitions import METRICS
from etl.kpi.frames import query_frame
from etl.kpi.rules import (
    AGGREGATE_ONLY_ROLES,
    PERSONAL_DATA_CODES,
    classification_current_sql,
    latest_classification_sql,
    risk_analysis_current_sql,
)
from etl.models import (
    Administration,
    Asset,
    AssetOwner,
    ClassificationParticipant,
    GovernanceObject,
    Municipality,
    RiskAnalysis,
    Unit,
)
from etl.visibility import shown_asset

log = logging.getLogger(__name__)

COVERAGE_LEVELS = ("administration", "unit", "governance_object")
COVERAGE_METRICS = (
    "classification_coverage",
    "risk_analysis_coverage",
    "gdpr_coverage",
    "shared_owner_participation",
)
COVERAGE_CARD_METRICS = (
    "assets",
    "classification_coverage",
    "classifications_expired",
    "assets_unclassified",
    "risk_analysis_coverage",
    "gdpr_coverage",
    "shared_owner_participation",
)
# What the asset list can show: the gap an asset has.
GAPS = ("any", "classification", "expired", "risk_analysis", "register")

STATUS_LABELS = {
    "sv": {"current": "Aktuell", "expired": "Förfallen", "missing": "Saknas"},
    "en": {"current": "Current", "expired": "Expired", "missing": "Missing"},
}
PERSONAL_DATA_LABELS = {
    "sv": {"no": "Nej", "yes": "Ja", "sensitive": "Känsliga"},
    "en": {"no": "No", "yes": "Yes", "sensitive": "Sensitive"},
}
YES_NO = {"sv": ("Ja", "Nej"), "en": ("Yes", "No")}


def coverage_by_scope(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    level: str = "administration",
    municipality: str | None = None,
    administration: str | None = None,
    metrics: tuple[str, ...] = COVERAGE_METRICS,
) -> pd.DataFrame:
    """Coverage rates per scope of ``level`` (columns of compute_kpis), straight from it."""
    if level not in COVERAGE_LEVELS:
        level = "administration"
    df = compute_kpis(
        session,
        as_of,
        viewer,
        scope_types=[level],
        municipality=municipality,
        administration=administration,
        metrics=list(metrics),
    )
    if df.empty:
        return df
    return df[df["metric"].isin(metrics)].reset_index(drop=True)


# --------------------------------------------------------------------------- asset lists


def _scoped_asset_ids(conditions: list[ColumnElement[bool]]) -> Select | None:
    """Ids of the assets the list may show (None = all), so that the per-asset subqueries
    below only rank the classifications and analyses of those assets."""
    if not conditions:
        return None
    query = (
        select(Asset.id)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
    )
    for condition in conditions:
        query = query.where(condition)
    return query


def _only(query: Select, column, asset_ids: Select | None) -> Select:
    return query if asset_ids is None else query.where(column.in_(asset_ids))


def _latest_classification(as_of: dt.date, asset_ids: Select | None = None):
    return latest_classification_sql(as_of, asset_ids)


def _last_risk_analysis(as_of: dt.date, asset_ids: Select | None = None):
    return _only(
        select(RiskAnalysis.asset_id, func.max(RiskAnalysis.analysed_on).label("analysed_on"))
        .where(RiskAnalysis.asset_id.isnot(None), RiskAnalysis.analysed_on <= as_of)
        .group_by(RiskAnalysis.asset_id),
        RiskAnalysis.asset_id,
        asset_ids,
    ).subquery("last_risk_analysis")


def _is_current(latest, as_of: dt.date) -> ColumnElement[bool]:
    return classification_current_sql(
        latest.c.classification_id, latest.c.classified_on, latest.c.next_review_on, as_of
    )


def _org_conditions(
    viewer: Viewer, municipality: str | None, administration: str | None
) -> list[ColumnElement[bool]]:
    """Viewer scope, global filters and säkerhetsskydd on a query joined to Unit/Administration.
    The committee sees aggregates only (DESIGN §5): asset lists give it no rows at all."""
    conditions = []
    if viewer.role in AGGREGATE_ONLY_ROLES:
        conditions.append(false())
    scope = unit_scope_condition(viewer)
    if scope is not None:
        conditions.append(scope)
    if administration:
        conditions.append(Administration.code == administration)
    if municipality:
        conditions.append(
            Administration.municipality_id.in_(
                select(Municipality.id).where(Municipality.code == municipality)
            )
        )
    shown = shown_asset(viewer.role)
    if shown is not None:
        conditions.append(shown)
    return conditions


def _label_case(column, labels: dict[str, str]):
    return case(*[(column == code, literal(label)) for code, label in labels.items()], else_=column)


def _gap_sources(
    as_of: dt.date,
    viewer: Viewer,
    municipality: str | None,
    administration: str | None,
    narrower: tuple[ColumnElement[bool], ...] = (),
) -> tuple:
    """(the org conditions, latest classification, last risk analysis) of the asset lists;
    ``narrower`` conditions on Asset restrict the list and the per-asset subqueries alike."""
    conditions = [*_org_conditions(viewer, municipality, administration), *narrower]
    asset_ids = _scoped_asset_ids(conditions)
    return (
        conditions,
        _latest_classification(as_of, asset_ids),
        _last_risk_analysis(as_of, asset_ids),
    )


def _asset_gap_parts(
    as_of: dt.date,
    viewer: Viewer,
    lang: str,
    municipality: str | None,
    administration: str | None,
) -> tuple[Select, dict[str, ColumnElement[bool]]]:
    """The scoped asset list (every visible asset) and the SQL condition of each gap."""
    query, lacks, _ = _asset_gap_sources(as_of, viewer, lang, municipality, administration)
    return query, lacks


def _asset_gap_sources(
    as_of: dt.date,
    viewer: Viewer,
    lang: str,
    municipality: str | None,
    administration: str | None,
    narrower: tuple[ColumnElement[bool], ...] = (),
) -> tuple[Select, dict[str, ColumnElement[bool]], tuple]:
    """The scoped asset list (every visible asset), the SQL condition of each gap and the
    sources they read (_gap_sources)."""
    sources = _gap_sources(as_of, viewer, municipality, administration, narrower)
    conditions, latest, analysis = sources
    current = _is_current(latest, as_of)
    classified = latest.c.classification_id.isnot(None)
    analysed = and_(
        analysis.c.analysed_on.isnot(None), risk_analysis_current_sql(analysis.c.analysed_on, as_of)
    )
    personal = Asset.personal_data.in_(PERSONAL_DATA_CODES)
    registered = and_(Asset.register_ref.isnot(None), func.trim(Asset.register_ref) != "")
    lacks_register = and_(personal, not_(registered))
    lacks = {
        "classification": not_(current),
        "expired": and_(classified, not_(current)),
        "risk_analysis": not_(analysed),
        "register": lacks_register,
    }
    lacks["any"] = or_(lacks["classification"], lacks["risk_analysis"], lacks["register"])
    status_labels = STATUS_LABELS.get(lang, STATUS_LABELS["sv"])
    yes, no = YES_NO.get(lang, YES_NO["sv"])
    status = case(
        (current, literal(status_labels["current"])),
        (classified, literal(status_labels["expired"])),
        else_=literal(status_labels["missing"]),
    )
    personal_labels = PERSONAL_DATA_LABELS.get(lang, PERSONAL_DATA_LABELS["sv"])
    query = (
        select(
            Asset.id.label("id"),
            Asset.code.label("asset_code"),
            Asset.name.label("asset_name"),
            Asset.carrier_name.label("carrier_name"),
            Administration.name.label("administration_name"),
            Unit.name.label("unit_name"),
            GovernanceObject.name.label("governance_object_name"),
            status.label("classification_status"),
            latest.c.classified_on.label("classified_on"),
            latest.c.next_review_on.label("next_review_on"),
            analysis.c.analysed_on.label("risk_analysed_on"),
            _label_case(Asset.personal_data, personal_labels).label("personal_data"),
            case((lacks_register, literal(yes)), else_=literal(no)).label("register_missing"),
        )
        .select_from(Asset)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
        .outerjoin(GovernanceObject, Asset.governance_object_id == GovernanceObject.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(analysis, analysis.c.asset_id == Asset.id)
    )
    for condition in conditions:
        query = query.where(condition)
    return query, lacks, sources


def _asset_gap_ids(
    as_of: dt.date,
    viewer: Viewer,
    gap: str,
    municipality: str | None,
    administration: str | None,
    narrower: tuple[ColumnElement[bool], ...] = (),
) -> Select:
    """Ids of asset_gap_select's rows with only the joins its conditions and default order need
    (no object names, no shown columns): the grid counts and orders on these."""
    _, lacks, (conditions, latest, analysis) = _asset_gap_sources(
        as_of, viewer, "sv", municipality, administration, narrower
    )
    ids = (
        select(Asset.id)
        .select_from(Asset)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(analysis, analysis.c.asset_id == Asset.id)
        .where(*conditions)
    )
    return ids.where(lacks.get(gap, lacks["any"]))


def asset_gap_select(
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    gap: str = "any",
    lang: str = "sv",
    municipality: str | None = None,
    administration: str | None = None,
    asset_ids: list[int] | None = None,
) -> Select:
    """Visible assets with the chosen gap, one row each, labelled columns (see ASSET_GAP_FIELDS).

    gap: "classification" (no current classification: missing or expired), "expired" (the latest
    classification is expired), "risk_analysis" (no risk analysis within 36 months),
    "register" (personal data without a registerförteckning reference) or "any" of the first,
    third and fourth. An unknown gap means "any". ``asset_ids`` narrows to those assets (a
    grid block's rows), the per-asset subqueries included."""
    narrower = () if asset_ids is None else (Asset.id.in_(asset_ids),)
    query, lacks, _ = _asset_gap_sources(
        as_of, viewer, lang, municipality, administration, narrower
    )
    return query.where(lacks.get(gap, lacks["any"]))


def gap_counts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> dict[str, int]:
    """How many visible assets have each gap, in one aggregated query, or from the gap counts
    kept at load time."""
    kept = kept_gap_units(session, as_of, viewer, municipality, administration)
    if kept is not None:
        return {gap: int(listed_by_unit(kept, gap, viewer).sum()) for gap in GAPS}
    query, lacks = _asset_gap_parts(as_of, viewer, "sv", municipality, administration)
    sums = [func.coalesce(func.sum(case((lacks[gap], 1), else_=0)), 0).label(gap) for gap in GAPS]
    row = session.execute(query.with_only_columns(*sums)).one()
    return {gap: int(row._mapping[gap] or 0) for gap in GAPS}


# Field → (type, Swedish header, English header) of the asset list, in display order.
ASSET_GAP_FIELDS: dict[str, tuple[str, str, str]] = {
    "asset_code": ("text", "Id", "Id"),
    "asset_name": ("text", "Informationstillgång", "Information asset"),
    "carrier_name": ("text", "Informationsbärare", "Carrier"),
    "administration_name": ("text", "Förvaltning", "Administration"),
    "unit_name": ("text", "Enhet", "Unit"),
    "governance_object_name": ("text", "Förvaltningsobjekt", "Governance object"),
    "classification_status": ("text", "Klassning", "Classification"),
    "classified_on": ("date", "Klassad", "Classified"),
    "next_review_on": ("date", "Nästa översyn", "Next review"),
    "risk_analysed_on": ("date", "Senaste riskanalys", "Latest risk analysis"),
    "personal_data": ("text", "Personuppgifter", "Personal data"),
    "register_missing": ("text", "Saknar registerförteckning", "Missing from register"),
}


def shared_owner_gap_select(
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> Select:
    """One row per (shared asset, owner unit that did not take part in the asset's latest
    classification); an unclassified shared asset lists every owner. The row count equals
    denominator − numerator of shared_owner_participation for the same scope."""
    conditions = _org_conditions(viewer, municipality, administration)
    asset_ids = _scoped_asset_ids(conditions)
    latest = _latest_classification(as_of, asset_ids)
    owner_unit = aliased(Unit, name="owner_unit")
    owner_administration = aliased(Administration, name="owner_administration")
    # Owners counted for the scoped assets only (counting every owner of the country cost most
    # of a one-municipality list).
    owners = _only(
        select(AssetOwner.asset_id, func.count().label("owners")).group_by(AssetOwner.asset_id),
        AssetOwner.asset_id,
        asset_ids,
    ).subquery("owner_counts")
    took_part = (
        select(ClassificationParticipant.id)
        .where(
            ClassificationParticipant.classification_id == latest.c.classification_id,
            ClassificationParticipant.unit_id == AssetOwner.unit_id,
        )
        .exists()
    )
    query = (
        select(
            AssetOwner.id.label("id"),
            Asset.code.label("asset_code"),
            Asset.name.label("asset_name"),
            GovernanceObject.name.label("governance_object_name"),
            Unit.name.label("primary_unit_name"),
            owner_unit.name.label("owner_unit_name"),
            owner_administration.name.label("owner_administration_name"),
            owners.c.owners.label("owners"),
            latest.c.classified_on.label("classified_on"),
        )
        .select_from(AssetOwner)
        .join(Asset, AssetOwner.asset_id == Asset.id)
        .join(owners, owners.c.asset_id == Asset.id)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
        .join(owner_unit, AssetOwner.unit_id == owner_unit.id)
        .join(owner_administration, owner_unit.administration_id == owner_administration.id)
        .outerjoin(GovernanceObject, Asset.governance_object_id == GovernanceObject.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .where(owners.c.owners >= 2, not_(took_part))
    )
    for condition in conditions:
        query = query.where(condition)
    return query


SHARED_OWNER_FIELDS: dict[str, tuple[str, str, str]] = {
    "asset_code": ("text", "Id", "Id"),
    "asset_name": ("text", "Informationstillgång", "Information asset"),
    "governance_object_name": ("text", "Förvaltningsobjekt", "Governance object"),
    "primary_unit_name": ("text", "Primär ägare", "Primary owner"),
    "owner_unit_name": ("text", "Ägare som inte deltog", "Owner who did not take part"),
    "owner_administration_name": ("text", "Ägarens förvaltning", "Owner's administration"),
    "owners": ("number", "Antal ägare", "Owners"),
    "classified_on": ("date", "Senaste klassning", "Latest classification"),
}


def grid_columns(query: Select, fields: dict[str, tuple[str, str, str]]) -> dict[str, GridColumn]:
    """Grid field → the SQL expression of that labelled column, to filter and sort on."""
    selected = query.selected_columns
    return {field: GridColumn(selected[field], kind) for field, (kind, _, _) in fields.items()}


def asset_gap_block(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    request: object,
    *,
    gap: str = "any",
    lang: str = "sv",
    municipality: str | None = None,
    administration: str | None = None,
) -> dict:
    """One block of the asset-gap grid (dash-ag-grid infinite row model)."""
    query = asset_gap_select(
        as_of, viewer, gap=gap, lang=lang, municipality=municipality, administration=administration
    )
    order = (Administration.name, Unit.name, Asset.code)
    ids = _asset_gap_ids(as_of, viewer, gap, municipality, administration)
    where = {"municipality": municipality, "administration": administration}

    def rows_of_keys(keys: list) -> Select:
        return asset_gap_select(as_of, viewer, gap=gap, lang=lang, asset_ids=keys, **where)

    shortcut = Shortcut(
        ids, ids.order_by(*order, Asset.id), count_with_keys=True, rows_of_keys=rows_of_keys
    )
    wide = unit_scope_condition(viewer) is None and not municipality and not administration
    kept = kept_gap_units(session, as_of, viewer) if wide else None
    if kept is not None:
        # Counted from the kept gap counts; a block's keys sought among the assets of the
        # units that hold its rows (in the order's unit-name groups), not among all of them.
        per_unit = dict(
            zip(kept["unit_id"].tolist(), listed_by_unit(kept, gap, viewer).tolist(), strict=True)
        )

        def block_keys(session: Session, start: int, limit: int) -> list:
            units = _units_of_block(_unit_name_groups(session), per_unit, start, limit)
            if units is None:
                return []
            unit_ids, before = units
            narrower = (Asset.primary_unit_id.in_(unit_ids),)
            picked = _asset_gap_ids(as_of, viewer, gap, None, None, narrower)
            picked = picked.order_by(*order, Asset.id).limit(limit).offset(start - before)
            return list(session.scalars(picked))

        shortcut = replace(shortcut, total=sum(per_unit.values()), block_keys=block_keys)
    return fetch_block(
        session,
        query,
        grid_columns(query, ASSET_GAP_FIELDS),
        request,
        id_field="id",
        default_order=order,
        tiebreaker=Asset.id,
        shortcut=shortcut,
    )


def _unit_name_groups(session: Session) -> list[list[int]]:
    """Unit ids (of units with an administration) in the asset list's order: groups of equal
    (administration name, unit name), in that order."""

    def compute() -> list[list[int]]:
        rows = (
            session.connection()
            .execute(  # plain columns: Core, not the ORM's rows
                select(Unit.id, Administration.name, Unit.name)
                .join(Administration, Unit.administration_id == Administration.id)
                .order_by(Administration.name, Unit.name, Unit.id)
            )
            .all()
        )
        groups: list[list[int]] = []
        previous = None
        for unit_id, administration_name, unit_name in rows:
            if (administration_name, unit_name) != previous:
                groups.append([])
                previous = (administration_name, unit_name)
            groups[-1].append(int(unit_id))
        return groups

    return cache.cached(session, ("unit_name_groups",), compute)


def _units_of_block(
    groups: list[list[int]], per_unit: dict[int, int], start: int, limit: int
) -> tuple[list[int], int] | None:
    """(the units whose assets hold rows [start, start + limit), the rows before the first of
    them) given each unit's row count; None when the block holds no row."""
    before = 0
    units: list[int] = []
    taken = 0
    for group in groups:
        rows = sum(per_unit.get(unit, 0) for unit in group)
        if not rows:
            continue
        if not units and before + rows <= start:
            before += rows
            continue
        if units and before + taken >= start + limit:
            break
        units.extend(unit for unit in group if per_unit.get(unit, 0))
        taken += rows
    return (units, before) if units else None


# --------------------------------------------------------------------------- kept gap counts

GAPS_KIND = "asset_gaps"
# One bit per gap an asset can have; "any" is the first, third or fourth.
_GAP_BITS = {"classification": 1, "expired": 2, "risk_analysis": 4, "register": 8}
_ANY_BITS = 1 | 4 | 8
_GAP_PREFIX = "g|"
# The owners' list is kept beside the gaps as gap 0 with its own prefix.
_OWNER_PREFIX = "o|0|"
OWNERS = "owners"


def _gap_bits(gap: str) -> int:
    return _GAP_BITS.get(gap, _ANY_BITS)


def national_asset_gaps(session, as_of: dt.date) -> pd.DataFrame:
    """Per unit (unit_id): the assets per combination of gaps (as of ``as_of``) and
    säkerhetsskydd, one column each (``g|5|0``: lacking a classification and a risk analysis,
    not under säkerhetsskydd), and the owners who did not take part in their shared asset's
    classification (``o|0|0``, ``o|0|1``), as the lists count them; by the assets' unit."""
    gaps = _national_gap_rows(session, as_of)
    owners = _national_owner_rows(session, as_of)
    long = pd.concat([gaps, owners], ignore_index=True)
    if long.empty:
        return pd.DataFrame({"unit_id": np.array([], dtype=np.int32)})
    wide = long.pivot_table(
        index="unit_id", columns="column", values="n", aggfunc="sum", fill_value=0
    ).reset_index()
    wide.columns.name = None
    return wide.astype({c: materialized.smallest_int_type(wide[c]) for c in wide.columns})


def _national_owner_rows(session, as_of: dt.date) -> pd.DataFrame:
    query = shared_owner_gap_select(as_of, SYSTEM)
    protected = case((Asset.security_protection.is_(True), 1), else_=0)
    stmt = query.with_only_columns(
        Asset.primary_unit_id.label("unit_id"), protected.label("protected"), func.count()
    ).group_by(Asset.primary_unit_id, protected)
    rows = session.execute(stmt).all()
    return pd.DataFrame(
        [(unit, f"{_OWNER_PREFIX}{int(p)}", n) for unit, p, n in rows],
        columns=["unit_id", "column", "n"],
    )


def _national_gap_rows(session, as_of: dt.date) -> pd.DataFrame:
    query, lacks = _asset_gap_parts(as_of, SYSTEM, "sv", None, None)
    mask = sum(
        (case((lacks[gap], bit), else_=0) for gap, bit in _GAP_BITS.items()), start=literal(0)
    )
    protected = case((Asset.security_protection.is_(True), 1), else_=0)
    stmt = query.with_only_columns(
        Asset.primary_unit_id.label("unit_id"),
        mask.label("mask"),
        protected.label("protected"),
        func.count().label("n"),
    ).group_by(Asset.primary_unit_id, mask, protected)
    long = query_frame(session, stmt)
    columns = [
        f"{_GAP_PREFIX}{int(m)}|{int(p)}"
        for m, p in zip(long["mask"], long["protected"], strict=True)
    ]
    return pd.DataFrame({"unit_id": long["unit_id"], "column": columns, "n": long["n"]})


def keep_asset_gaps(session, as_of: dt.date) -> int:
    """Keep the national gap counts as of ``as_of`` for the store version the session sees, in
    the caller's transaction (beside the load's other kept frames); returns frames written."""
    return materialized.keep_frames(
        session, as_of, {GAPS_KIND: lambda: national_asset_gaps(session, as_of)}
    )


def kept_gap_units(
    session,
    as_of: dt.date,
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
) -> pd.DataFrame | None:
    """The kept gap counts of the units whose assets the viewer's lists cover (none for an
    aggregate-only role), or None when none are kept for this store version and date."""
    national = materialized.kept_national(session, GAPS_KIND, as_of)
    if national is None:
        return None
    if viewer.role in AGGREGATE_ONLY_ROLES:
        return national.iloc[:0]

    def unit_ids() -> np.ndarray:
        # The units of the lists' org conditions (those on Unit and Administration).
        query = visible_units(viewer, municipality, administration)
        return np.fromiter((row[0] for row in session.execute(query)), dtype=np.int64)

    units = cache.cached(session, ("gap_units", viewer, municipality, administration), unit_ids)
    return national[np.isin(national["unit_id"].to_numpy(), units)]


def listed_by_unit(kept: pd.DataFrame, gap: str, viewer: Viewer) -> pd.Series:
    """Per kept unit row: the rows the viewer's list of ``gap`` shows (assets, or for
    ``OWNERS`` the owners who did not take part)."""
    total = np.zeros(len(kept), dtype=np.int64)
    for column in kept.columns:
        if gap == OWNERS:
            if not column.startswith(_OWNER_PREFIX):
                continue
            listed = True
        elif column.startswith(_GAP_PREFIX):
            listed = int(column.split("|")[1]) & _gap_bits(gap)
        else:
            continue
        protected = int(column.rsplit("|", 1)[1])
        if listed and (not protected or viewer.may_see_security_protection):
            total += kept[column].to_numpy(dtype=np.int64)
    return pd.Series(total, index=kept.index)


def shared_owner_block(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    request: object,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> dict:
    """One block of the grid of shared assets whose owner did not take part."""
    query = shared_owner_gap_select(
        as_of, viewer, municipality=municipality, administration=administration
    )
    ids = query.with_only_columns(AssetOwner.id)  # the same joins and conditions, no columns
    # (Counted in the same pass as the keys: with the kept count instead, picking the keys
    # alone took longer nationally, 214-346 against 156-231 ms.)
    shortcut = Shortcut(ids, ids.order_by(Asset.code, AssetOwner.id), count_with_keys=True)
    return fetch_block(
        session,
        query,
        grid_columns(query, SHARED_OWNER_FIELDS),
        request,
        id_field="id",
        default_order=(Asset.code,),
        tiebreaker=AssetOwner.id,
        shortcut=shortcut,
    )


def shared_owner_count(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> int:
    """Rows of the grid of shared assets whose owner did not take part (kept or counted)."""
    kept = kept_gap_units(session, as_of, viewer, municipality, administration)
    if kept is not None:
        return int(listed_by_unit(kept, OWNERS, viewer).sum())
    query = shared_owner_gap_select(
        as_of, viewer, municipality=municipality, administration=administration
    )
    return count_rows(session, query)


def count_rows(session: Session, query: Select) -> int:
    """Rows of ``query`` counted in SQL."""
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def metric_label(metric: str, lang: str = "sv") -> str:
    m = METRICS[metric]
    return m.label_en if lang == "en" else m.label_sv
