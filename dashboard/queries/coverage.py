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

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    false,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from dashboard.grid import GridColumn, Shortcut, fetch_block
from dashboard.queries.viewer import SYSTEM, Viewer, unit_scope_condition
from etl.kpi import coverage_gaps, mart
from etl.kpi.compute import compute_kpis
from etl.kpi.coverage_gaps import (
    GAPS,
    SHARED_OWNER,
    asset_gap_from,
    classification_state,
    gap_conditions,
    gap_count_select,
    gap_sources,
    lacks_register_sql,
)
from etl.kpi.definitions import METRICS
from etl.kpi.rules import AGGREGATE_ONLY_ROLES, latest_classification_sql
from etl.kpi.viewer import MUNICIPALITY_ROLES
from etl.models import (
    Administration,
    Asset,
    AssetOwner,
    GovernanceObject,
    Municipality,
    Unit,
)
from etl.visibility import may_see_protected, shown_asset

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
# What the asset list can show: the gap an asset has (GAPS, etl.kpi.coverage_gaps).

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


def _latest_classification(as_of: dt.date, asset_ids: Select | None = None):
    return latest_classification_sql(as_of, asset_ids)


def _unit_conditions(
    viewer: Viewer, municipality: str | None, administration: str | None
) -> list[ColumnElement[bool]]:
    """Viewer scope and global filters on a query joined to Unit/Administration. The committee
    sees aggregates only (DESIGN §5): asset lists give it no rows at all."""
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
    return conditions


def _org_conditions(
    viewer: Viewer, municipality: str | None, administration: str | None
) -> list[ColumnElement[bool]]:
    """_unit_conditions and säkerhetsskydd, on a query of Asset joined to Unit/Administration."""
    conditions = _unit_conditions(viewer, municipality, administration)
    shown = shown_asset(viewer.role)
    if shown is not None:
        conditions.append(shown)
    return conditions


def _stored_counts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    municipality: str | None,
    administration: str | None,
) -> dict[str, int] | None:
    """The gap counts of whole municipalities kept with the KPI mart (etl.kpi.coverage_gaps),
    when the viewer's list covers whole municipalities (the mart's rows stand for the viewer,
    no administration chosen) and the mart holds ``as_of`` at the store's version; else None."""
    if administration or viewer.role in AGGREGATE_ONLY_ROLES or not mart.stands_for(viewer):
        return None
    if viewer.sees_all:
        codes = None if not municipality else [municipality]
    elif viewer.role in MUNICIPALITY_ROLES:
        codes = sorted(viewer.municipality_codes)
        if municipality:
            if municipality not in viewer.municipality_codes:
                return None
            codes = [municipality]
    else:
        return None
    if not mart.holds(session, as_of):
        return None
    return coverage_gaps.stored_counts(
        session, as_of, codes, protected=may_see_protected(viewer.role)
    )


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
    return (conditions, *gap_sources(as_of, conditions))


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
    *,
    narrow_rows: bool = True,
) -> tuple[Select, dict[str, ColumnElement[bool]], tuple]:
    """The scoped asset list (every visible asset), the SQL condition of each gap and the
    sources they read (_gap_sources). Without ``narrow_rows`` the ``narrower`` conditions
    restrict the per-asset subqueries only (the caller restricts the rows itself)."""
    sources = _gap_sources(as_of, viewer, municipality, administration, narrower)
    conditions, latest, analysis = sources
    current, classified = classification_state(latest, as_of)
    lacks = gap_conditions(latest, analysis, as_of)
    lacks_register = lacks_register_sql()
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
    # _gap_sources puts ``narrower`` last.
    on_rows = conditions if narrow_rows else conditions[: len(conditions) - len(narrower)]
    for condition in on_rows:
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
    conditions, latest, analysis = _gap_sources(
        as_of, viewer, municipality, administration, narrower
    )
    lacks = gap_conditions(latest, analysis, as_of)
    ids = asset_gap_from(latest, analysis).where(*conditions)
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
    narrow_rows: bool = True,
) -> Select:
    """Visible assets with the chosen gap, one row each, labelled columns (see ASSET_GAP_FIELDS).

    gap: "classification" (no current classification: missing or expired), "expired" (the latest
    classification is expired), "risk_analysis" (no risk analysis within 36 months),
    "register" (personal data without a registerförteckning reference) or "any" of the first,
    third and fourth. An unknown gap means "any". ``asset_ids`` narrows to those assets (a
    grid block's rows), the per-asset subqueries included; without ``narrow_rows`` only the
    subqueries (the grid picks the block's rows by key itself: the same list twice made
    PostgreSQL expect one row and scan every asset)."""
    narrower = () if asset_ids is None else (Asset.id.in_(asset_ids),)
    query, lacks, _ = _asset_gap_sources(
        as_of, viewer, lang, municipality, administration, narrower, narrow_rows=narrow_rows
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
    """How many visible assets have each gap: the counts kept with the KPI mart when they
    stand for the viewer (_stored_counts), otherwise in one aggregated query."""
    stored = _stored_counts(session, as_of, viewer, municipality, administration)
    if stored is not None:
        return {gap: stored[gap] for gap in GAPS}
    conditions = _org_conditions(viewer, municipality, administration)
    row = session.execute(gap_count_select(as_of, conditions)).one()
    return {gap: int(row._mapping[gap] or 0) for gap in GAPS}


def summary_counts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> tuple[dict[str, int], int]:
    """(gap_counts, shared_owner_count) for the page's summary, the stored counts read once."""
    stored = _stored_counts(session, as_of, viewer, municipality, administration)
    if stored is not None:
        return {gap: stored[gap] for gap in GAPS}, stored[SHARED_OWNER]
    conditions = _org_conditions(viewer, municipality, administration)
    row = session.execute(gap_count_select(as_of, conditions)).one()
    owners = shared_owner_gap_select(
        as_of, viewer, municipality=municipality, administration=administration
    )
    return {gap: int(row._mapping[gap] or 0) for gap in GAPS}, count_rows(session, owners)


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
    owner_ids: list[int] | None = None,
) -> Select:
    """One row per (shared asset, owner unit that did not take part in the asset's latest
    classification) the viewer may see (etl.kpi.coverage_gaps.shared_owner_gap_select);
    ``owner_ids`` narrows to those asset_owner rows (a grid block's)."""
    return coverage_gaps.shared_owner_gap_select(
        as_of, _org_conditions(viewer, municipality, administration), owner_ids
    )


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


# The country's list in its default order (administration name, unit name, asset code) is
# read group by group of (administration name, unit name), the gaps computed for the groups
# reached only, up to this many rows; further down every asset's gaps are computed and sorted.
WALK_MAX_ROWS = 2_000
# The fewest assets of a group whose gaps the walk asks for at once (then twice as many).
WALK_CHUNK = 200


def _walk_gap_keys(
    session: Session, as_of: dt.date, viewer: Viewer, gap: str, start: int, limit: int
) -> list | None:
    """Ids of rows [start, start + limit) of the country's asset list in its default order
    (then Asset.id), walking the (administration name, unit name) groups in that order; None
    beyond WALK_MAX_ROWS. The country has few such names (78 pairs nationally) and the first
    block lies in the first group or two, where sorting every asset of the country cost 1–3 s."""
    wanted = start + limit
    if wanted > WALK_MAX_ROWS:
        return None
    units = (
        select(Administration.name, Unit.name, Unit.id)
        .select_from(Unit)
        .join(Administration, Unit.administration_id == Administration.id)
        .where(*_unit_conditions(viewer, None, None))
        .order_by(Administration.name, Unit.name)
    )
    groups: dict[tuple[str, str], list[int]] = {}  # in the default order
    for administration_name, unit_name, unit_id in session.execute(units):
        groups.setdefault((administration_name, unit_name), []).append(unit_id)
    keys: list = []
    for unit_ids in groups.values():
        # The group's assets in the list's order (by unit id, so that the database reads them
        # by their unit), their gaps asked a chunk at a time in that order: each chunk's
        # per-asset subqueries read its few assets by key. Asking for the whole group (3 300
        # assets nationally) hashed every classification and risk analysis of the country.
        in_order = session.scalars(
            select(Asset.id)
            .where(Asset.primary_unit_id.in_(unit_ids))
            .order_by(Asset.code, Asset.id)
        ).all()
        done, size = 0, max(2 * (wanted - len(keys)), WALK_CHUNK)
        while done < len(in_order) and len(keys) < wanted:
            chunk = in_order[done : done + size]
            done, size = done + len(chunk), 2 * size
            narrower = (Asset.id.in_(chunk),)
            found = set(session.scalars(_asset_gap_ids(as_of, viewer, gap, None, None, narrower)))
            keys += [asset_id for asset_id in chunk if asset_id in found]
        if len(keys) >= wanted:
            break
    return keys[start:wanted]
    return keys[start:wanted]


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
        return asset_gap_select(
            as_of, viewer, gap=gap, lang=lang, asset_ids=keys, narrow_rows=False, **where
        )

    def total(session: Session) -> int | None:
        stored = _stored_counts(session, as_of, viewer, municipality, administration)
        return None if stored is None else stored.get(gap, stored["any"])

    def block_keys(session: Session, start: int, limit: int) -> list | None:
        if not viewer.sees_all or municipality or administration:
            return None  # a municipality's rows are sorted whole at little cost
        return _walk_gap_keys(session, as_of, viewer, gap, start, limit)

    shortcut = Shortcut(
        ids,
        ids.order_by(*order, Asset.id),
        count_with_keys=True,
        rows_of_keys=rows_of_keys,
        total=total,
        block_keys=block_keys,
    )
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


# The country's shared-owner list (in asset code order) is read this many assets at a time.
WALK_ASSETS = 2_000


def _walk_owner_keys(
    session: Session, as_of: dt.date, viewer: Viewer, start: int, limit: int
) -> list | None:
    """AssetOwner ids of rows [start, start + limit) of the country's shared-owner list in its
    default order (asset code, then owner row id), reading the assets in code order
    WALK_ASSETS at a time (through the code's unique index) and the list's rows of those
    assets only; None beyond WALK_MAX_ROWS. Ranking every classification of the country to show
    the first 100 rows cost 0.5–1 s."""
    wanted = start + limit
    if wanted > WALK_MAX_ROWS:
        return None
    conditions = _org_conditions(viewer, None, None)
    keys: list = []
    lowest = None
    while True:
        # The next WALK_ASSETS codes; as a range of the unique code, which both databases
        # read from its index and estimate well (a subquery of ids made PostgreSQL hash every
        # owner and classification of the country).
        following = select(Asset.code).order_by(Asset.code).limit(WALK_ASSETS)
        if lowest is not None:
            following = following.where(Asset.code > lowest)
        codes = session.scalars(following).all()
        if not codes:
            break
        chunk = [Asset.code >= codes[0], Asset.code <= codes[-1]]
        lowest = codes[-1]
        ids = coverage_gaps.shared_owner_gap_select(as_of, [*conditions, *chunk]).with_only_columns(
            AssetOwner.id
        )
        keys += session.scalars(ids.order_by(Asset.code, AssetOwner.id).limit(wanted - len(keys)))
        if len(keys) >= wanted:
            break
    return keys[start:wanted]


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
    where = {"municipality": municipality, "administration": administration}
    query = shared_owner_gap_select(as_of, viewer, **where)
    ids = query.with_only_columns(AssetOwner.id)  # the same joins and conditions, no columns

    def rows_of_keys(keys: list) -> Select:
        return shared_owner_gap_select(as_of, viewer, owner_ids=keys, **where)

    def total(session: Session) -> int | None:
        stored = _stored_counts(session, as_of, viewer, municipality, administration)
        return None if stored is None else stored[SHARED_OWNER]

    def block_keys(session: Session, start: int, limit: int) -> list | None:
        if not viewer.sees_all or municipality or administration:
            return None  # a municipality's rows are sorted whole at little cost
        return _walk_owner_keys(session, as_of, viewer, start, limit)

    shortcut = Shortcut(
        ids,
        ids.order_by(Asset.code, AssetOwner.id),
        count_with_keys=True,
        rows_of_keys=rows_of_keys,
        total=total,
        block_keys=block_keys,
    )
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
    """Rows of the grid of shared assets whose owner did not take part (kept with the KPI
    mart when they stand for the viewer, _stored_counts)."""
    stored = _stored_counts(session, as_of, viewer, municipality, administration)
    if stored is not None:
        return stored[SHARED_OWNER]
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
