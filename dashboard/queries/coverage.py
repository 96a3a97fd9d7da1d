"""Coverage: rates per administration/unit/object (from compute_kpis) and the lists behind them
(assets lacking a current classification, a risk analysis or a registerförteckning reference;
shared assets with an owner missing from the latest classification), by the rules compute_kpis
counts with, so a list's length is the metric's number (tests/test_one_truth.py). Säkerhetsskydd
assets are listed only to viewers who may see them.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import ColumnElement, Select, case, literal, select
from sqlalchemy.orm import Session

from dashboard.grid import Shortcut, count_rows, fetch_block, labelled
from dashboard.queries.actions import detail_condition
from dashboard.queries.list_walk import country_wide, grid_columns, walk
from dashboard.queries.viewer import SYSTEM, Viewer, unit_scope_condition
from etl.kpi import coverage_gaps, mart
from etl.kpi.compute import compute_kpis
from etl.kpi.coverage_gaps import GAPS, SHARED_OWNER
from etl.kpi.definitions import METRICS
from etl.kpi.rules import AGGREGATE_ONLY_ROLES
from etl.kpi.viewer import MUNICIPALITY_ROLES
from etl.models import Administration, Asset, AssetOwner, GovernanceObject, Municipality, Unit
from etl.visibility import may_see_protected, shown_asset

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
    metrics: tuple[str, ...] = COVERAGE_METRICS,
    **where: str | None,
) -> pd.DataFrame:
    """Coverage rates per scope of ``level`` (columns of compute_kpis), straight from it;
    ``where``: the global filters (municipality, administration), as everywhere here."""
    scope_types = [level if level in COVERAGE_LEVELS else "administration"]
    df = compute_kpis(
        session, as_of, viewer, scope_types=scope_types, metrics=list(metrics), **where
    )
    return df if df.empty else df[df["metric"].isin(metrics)].reset_index(drop=True)


def metric_label(metric: str, lang: str = "sv") -> str:
    m = METRICS[metric]
    return m.label_en if lang == "en" else m.label_sv


def _org_conditions(
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
    *,
    assets: bool = True,
) -> list[ColumnElement[bool]]:
    """Viewer scope and global filters on a query joined to Unit/Administration, and with
    ``assets`` the säkerhetsskydd rule on Asset. The committee sees aggregates only (DESIGN §5):
    the lists give it no rows at all."""
    conditions = [detail_condition(viewer), unit_scope_condition(viewer)]
    if administration:
        conditions.append(Administration.code == administration)
    if municipality:
        conditions.append(
            Administration.municipality_id.in_(
                select(Municipality.id).where(Municipality.code == municipality)
            )
        )
    if assets:
        conditions.append(shown_asset(viewer.role))
    return [c for c in conditions if c is not None]


def _stored_counts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
) -> dict[str, int] | None:
    """The gap counts kept with the KPI mart (etl.kpi.coverage_gaps) when the list covers whole
    municipalities the mart's rows stand for and the mart holds ``as_of``; else None."""
    if administration or viewer.role in AGGREGATE_ONLY_ROLES or not mart.stands_for(viewer):
        return None
    if viewer.sees_all:
        codes = [municipality] if municipality else None
    elif viewer.role in MUNICIPALITY_ROLES and (
        not municipality or municipality in viewer.municipality_codes
    ):
        codes = [municipality] if municipality else sorted(viewer.municipality_codes)
    else:
        return None
    if not mart.holds(session, as_of):
        return None
    protected = may_see_protected(viewer.role)
    return coverage_gaps.stored_counts(session, as_of, codes, protected=protected)


def summary_counts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    **where: str | None,
) -> tuple[dict[str, int], int]:
    """(visible assets with each gap of GAPS, rows of the shared-owner list): the counts kept
    with the KPI mart when they stand for the viewer, otherwise counted."""
    stored = _stored_counts(session, as_of, viewer, **where)
    if stored is not None:
        return {gap: stored[gap] for gap in GAPS}, stored[SHARED_OWNER]
    counts = coverage_gaps.gap_count_select(as_of, _org_conditions(viewer, **where))
    row = session.execute(counts).one()
    owners = shared_owner_gap_select(as_of, viewer, **where)
    return {gap: int(row._mapping[gap] or 0) for gap in GAPS}, count_rows(session, owners)


def _gap_sources(as_of: dt.date, viewer: Viewer, where: dict, narrower: tuple = ()) -> tuple:
    """(the org conditions, ``narrower`` last; latest classification; last risk analysis; the
    condition of each gap): ``narrower`` restricts the rows and the per-asset subqueries alike."""
    conditions = [*_org_conditions(viewer, **where), *narrower]
    latest, analysis = coverage_gaps.gap_sources(as_of, conditions)
    return conditions, latest, analysis, coverage_gaps.gap_conditions(latest, analysis, as_of)


def _asset_gap_ids(
    as_of: dt.date, viewer: Viewer, gap: str, where: dict, narrower: tuple = ()
) -> Select:
    """Ids of asset_gap_select's rows with only the joins its conditions and order need."""
    conditions, latest, analysis, lacks = _gap_sources(as_of, viewer, where, narrower)
    rows = coverage_gaps.asset_gap_from(latest, analysis)
    return rows.where(*conditions, lacks.get(gap, lacks["any"]))


def asset_gap_select(
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    gap: str = "any",
    lang: str = "sv",
    asset_ids: list[int] | None = None,
    narrow_rows: bool = True,
    **where: str | None,
) -> Select:
    """Visible assets with the chosen gap of GAPS (an unknown one: "any"), one row each, labelled
    columns (ASSET_GAP_FIELDS). ``asset_ids`` narrows to those assets (a grid block's rows), the
    per-asset subqueries included; without ``narrow_rows`` only the subqueries (the grid picks
    the rows by key itself: the same list twice made PostgreSQL expect one row and scan every
    asset)."""
    narrower = () if asset_ids is None else (Asset.id.in_(asset_ids),)
    conditions, latest, analysis, lacks = _gap_sources(as_of, viewer, where, narrower)
    current, classified = coverage_gaps.classification_state(latest, as_of)
    labels = STATUS_LABELS.get(lang, STATUS_LABELS["sv"])
    yes, no = YES_NO.get(lang, YES_NO["sv"])
    status = case(
        (current, literal(labels["current"])),
        (classified, literal(labels["expired"])),
        else_=literal(labels["missing"]),
    )
    personal_data = labelled(
        Asset.personal_data, PERSONAL_DATA_LABELS.get(lang, PERSONAL_DATA_LABELS["sv"])
    )
    register = case((coverage_gaps.lacks_register_sql(), literal(yes)), else_=literal(no))
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
            personal_data.label("personal_data"),
            register.label("register_missing"),
        )
        .select_from(Asset)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
        .outerjoin(GovernanceObject, Asset.governance_object_id == GovernanceObject.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(analysis, analysis.c.asset_id == Asset.id)
    )
    on_rows = conditions if narrow_rows else conditions[: len(conditions) - len(narrower)]
    return query.where(*on_rows, lacks.get(gap, lacks["any"]))


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
    owner_ids: list[int] | None = None,
    **where: str | None,
) -> Select:
    """One row per (shared asset, owner unit that did not take part in the asset's latest
    classification) the viewer may see (etl.kpi.coverage_gaps.shared_owner_gap_select);
    ``owner_ids`` narrows to those asset_owner rows (a grid block's)."""
    return coverage_gaps.shared_owner_gap_select(as_of, _org_conditions(viewer, **where), owner_ids)


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

# The country's lists are walked in their default order up to this many rows; further down
# every row is computed and sorted.
WALK_MAX_ROWS = 2_000
# The fewest assets of a group whose gaps the asset walk asks for at once (then twice as many).
WALK_CHUNK = 200
# The shared-owner walk reads this many assets (in code order) at a time.
WALK_ASSETS = 2_000


def _kept_total(as_of: dt.date, viewer: Viewer, where: dict, kept: str):
    """A list's row count kept with the mart under ``kept``, where that stands for the viewer."""

    def total(session: Session) -> int | None:
        stored = _stored_counts(session, as_of, viewer, **where)
        return None if stored is None else stored.get(kept, stored["any"])

    return total


def asset_gap_block(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    request: object,
    *,
    gap: str = "any",
    lang: str = "sv",
    **where: str | None,
) -> dict:
    """One block of the asset-gap grid, counted and ordered on the asset ids alone (a window
    over them counts) and the block's rows read by key; the country's blocks walked."""
    query = asset_gap_select(as_of, viewer, gap=gap, lang=lang, **where)
    order = (Administration.name, Unit.name, Asset.code)
    ids = _asset_gap_ids(as_of, viewer, gap, where)

    def block_keys(session: Session, start: int, limit: int) -> list | None:
        """Ids of rows [start, start + limit) of the country's asset list in its default order,
        walking its (administration name, unit name) groups in that order (78 nationally; the
        first block lies in the first group or two, where sorting every asset cost 1–3 s)."""
        if not country_wide(viewer, **where) or start + limit > WALK_MAX_ROWS:
            return None
        units = (
            select(Administration.name, Unit.name, Unit.id)
            .select_from(Unit)
            .join(Administration, Unit.administration_id == Administration.id)
            .where(*_org_conditions(viewer, None, None, assets=False))
            .order_by(Administration.name, Unit.name)
        )
        groups: dict[tuple[str, str], list[int]] = {}  # in the default order
        for administration_name, unit_name, unit_id in session.execute(units):
            groups.setdefault((administration_name, unit_name), []).append(unit_id)

        def group_keys(unit_ids: list[int], take: int) -> list:
            # The group's assets in the list's order, their gaps asked a chunk at a time, so that
            # each chunk's per-asset subqueries read its few assets by key: asking for a whole
            # group (3 300 assets nationally) hashed every classification and risk analysis.
            in_order = session.scalars(
                select(Asset.id)
                .where(Asset.primary_unit_id.in_(unit_ids))
                .order_by(Asset.code, Asset.id)
            ).all()
            keys: list = []
            done, size = 0, max(2 * take, WALK_CHUNK)
            while done < len(in_order) and len(keys) < take:
                chunk = in_order[done : done + size]
                done, size = done + len(chunk), 2 * size
                narrower = (Asset.id.in_(chunk),)
                found = set(session.scalars(_asset_gap_ids(as_of, viewer, gap, {}, narrower)))
                keys += [asset_id for asset_id in chunk if asset_id in found]
            return keys

        parts = ((None, lambda _, take, ids=ids: group_keys(ids, take)) for ids in groups.values())
        return walk(parts, start, limit)

    shortcut = Shortcut(
        ids,
        ids.order_by(*order, Asset.id),
        count_with_keys=True,
        rows_of_keys=lambda keys: asset_gap_select(
            as_of, viewer, gap=gap, lang=lang, asset_ids=keys, narrow_rows=False, **where
        ),
        total=_kept_total(as_of, viewer, where, gap),
        block_keys=block_keys,
    )
    columns = grid_columns(query, ASSET_GAP_FIELDS)
    return fetch_block(
        session,
        query,
        columns,
        request,
        default_order=order,
        tiebreaker=Asset.id,
        shortcut=shortcut,
    )


def shared_owner_block(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    request: object,
    **where: str | None,
) -> dict:
    """One block of the grid of shared assets whose owner did not take part (as asset_gap_block
    on the asset_owner ids)."""
    query = shared_owner_gap_select(as_of, viewer, **where)
    ids = query.with_only_columns(AssetOwner.id)  # the same joins and conditions, no columns

    def block_keys(session: Session, start: int, limit: int) -> list | None:
        """AssetOwner ids of rows [start, start + limit) of the country's shared-owner list in its
        default order, reading the assets in code order WALK_ASSETS at a time, where ranking every
        classification of the country to show the first 100 rows cost 0.5–1 s."""
        if not country_wide(viewer, **where) or start + limit > WALK_MAX_ROWS:
            return None
        conditions = _org_conditions(viewer, None, None)

        def parts():
            lowest = None
            while True:
                # The next codes as a range of the unique code, which both databases read from its
                # index and estimate well (a subquery of ids made PostgreSQL hash every owner).
                following = select(Asset.code).order_by(Asset.code).limit(WALK_ASSETS)
                if lowest is not None:
                    following = following.where(Asset.code > lowest)
                codes = session.scalars(following).all()
                if not codes:
                    return
                lowest = codes[-1]
                chunk = [*conditions, Asset.code >= codes[0], Asset.code <= codes[-1]]
                ids = (
                    coverage_gaps.shared_owner_gap_select(as_of, chunk)
                    .with_only_columns(AssetOwner.id)
                    .order_by(Asset.code, AssetOwner.id)
                )
                yield None, lambda _, take, ids=ids: list(session.scalars(ids.limit(take)))

        return walk(parts(), start, limit)

    shortcut = Shortcut(
        ids,
        ids.order_by(Asset.code, AssetOwner.id),
        count_with_keys=True,
        rows_of_keys=lambda keys: shared_owner_gap_select(as_of, viewer, owner_ids=keys, **where),
        total=_kept_total(as_of, viewer, where, SHARED_OWNER),
        block_keys=block_keys,
    )
    columns = grid_columns(query, SHARED_OWNER_FIELDS)
    order = (Asset.code,)
    return fetch_block(
        session,
        query,
        columns,
        request,
        default_order=order,
        tiebreaker=AssetOwner.id,
        shortcut=shortcut,
    )
