"""Täckning's gaps: assets without a current classification, a risk analysis within 36 months
or a registerförteckning reference, and owners of a shared asset who did not take part in its
latest classification; and their counts per municipality, kept beside the KPI mart.

One definition of each gap (``gap_conditions``, ``shared_owner_gap_select``) serves the page's
on-demand lists and counts (dashboard/queries/coverage.py) and the counts kept here (``write``).
Every asset belongs to its primary unit's municipality, so whole municipalities sum their rows.
Kept per (as_of, municipality, gap): ``rows_all`` with the säkerhetsskydd assets (what the
protection officer sees), ``rows_unprotected`` without (etl.visibility); valid while the mart
holds the date (etl.kpi.mart.holds); a missing table, date or row means: count on demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, not_, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import find_tables

from etl.bulk import insert_rows
from etl.kpi import kept_tables
from etl.kpi.rules import (
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
    CoverageGap,
    GovernanceObject,
    Municipality,
    RiskAnalysis,
    Unit,
)

# The asset gaps the page lists, and the shared-owner rows.
GAPS = ("any", "classification", "expired", "risk_analysis", "register")
SHARED_OWNER = "shared_owner"
STORED_GAPS = (*GAPS, SHARED_OWNER)


def scoped_asset_ids(conditions: Sequence[ColumnElement[bool]]) -> Select | None:
    """Ids of the assets under ``conditions`` (on Asset, Unit, Administration; None = all), so
    that the per-asset subqueries only rank the classifications and analyses of those assets."""
    if not conditions:
        return None
    query = select(Asset.id)
    # Every asset has a primary unit and every unit an administration (required keys): the
    # joins only serve conditions on those tables. Conditions on Asset alone (a list's block of
    # ids, a walk's group of units) are left without them, so that the planner reads the few
    # assets by key rather than hashing every unit of the country for each subquery.
    tables = find_tables(
        and_(*conditions), check_columns=True, include_aliases=True, include_selects=True
    )  # any table but Asset (in a subquery too: when in doubt the joins stay)
    if not all(table is Asset.__table__ for table in tables):
        query = query.join(Unit, Asset.primary_unit_id == Unit.id).join(
            Administration, Unit.administration_id == Administration.id
        )
    for condition in conditions:
        query = query.where(condition)
    return query


def _only(query: Select, column, asset_ids: Select | None) -> Select:
    return query if asset_ids is None else query.where(column.in_(asset_ids))


def gap_sources(as_of: dt.date, conditions: Sequence[ColumnElement[bool]]) -> tuple:
    """(latest classification, last risk analysis on or before ``as_of``) subqueries of the
    assets under ``conditions``, to outer-join to Asset."""
    asset_ids = scoped_asset_ids(conditions)
    analysis = _only(
        select(RiskAnalysis.asset_id, func.max(RiskAnalysis.analysed_on).label("analysed_on"))
        .where(RiskAnalysis.asset_id.isnot(None), RiskAnalysis.analysed_on <= as_of)
        .group_by(RiskAnalysis.asset_id),
        RiskAnalysis.asset_id,
        asset_ids,
    ).subquery("last_risk_analysis")
    return latest_classification_sql(as_of, asset_ids), analysis


def classification_state(latest, as_of: dt.date) -> tuple[ColumnElement, ColumnElement]:
    """(current, classified) of an asset outer-joined to its latest classification."""
    current = classification_current_sql(
        latest.c.classification_id, latest.c.classified_on, latest.c.next_review_on, as_of
    )
    return current, latest.c.classification_id.isnot(None)


def lacks_register_sql() -> ColumnElement[bool]:
    """Personal data without a registerförteckning reference."""
    personal = Asset.personal_data.in_(PERSONAL_DATA_CODES)
    registered = and_(Asset.register_ref.isnot(None), func.trim(Asset.register_ref) != "")
    return and_(personal, not_(registered))


def gap_conditions(latest, analysis, as_of: dt.date) -> dict[str, ColumnElement[bool]]:
    """The SQL condition of each gap of GAPS on Asset outer-joined to ``latest`` and
    ``analysis`` (gap_sources); "any" is classification, risk_analysis or register."""
    current, classified = classification_state(latest, as_of)
    analysed = and_(
        analysis.c.analysed_on.isnot(None), risk_analysis_current_sql(analysis.c.analysed_on, as_of)
    )
    lacks = {
        "classification": not_(current),
        "expired": and_(classified, not_(current)),
        "risk_analysis": not_(analysed),
        "register": lacks_register_sql(),
    }
    lacks["any"] = or_(lacks["classification"], lacks["risk_analysis"], lacks["register"])
    return lacks


def asset_gap_from(latest, analysis) -> Select:
    """Asset joined to its unit and administration and outer-joined to ``latest`` and
    ``analysis``: the rows the asset gaps are counted and listed over."""
    return (
        select(Asset.id)
        .select_from(Asset)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(analysis, analysis.c.asset_id == Asset.id)
    )


def gap_count_select(
    as_of: dt.date, conditions: Sequence[ColumnElement[bool]], *, by_municipality: bool = False
) -> Select:
    """How many assets under ``conditions`` have each gap (columns named after GAPS);
    ``by_municipality``: per Administration.municipality_id, also "<gap>_unprotected"."""
    latest, analysis = gap_sources(as_of, conditions)
    lacks = gap_conditions(latest, analysis, as_of)

    def total(condition, label):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(label)

    sums = [total(lacks[gap], gap) for gap in GAPS]
    query = asset_gap_from(latest, analysis).where(*conditions)
    if not by_municipality:
        return query.with_only_columns(*sums)
    unprotected = Asset.security_protection.is_(False)
    sums += [total(and_(lacks[gap], unprotected), f"{gap}_unprotected") for gap in GAPS]
    return query.with_only_columns(Administration.municipality_id, *sums).group_by(
        Administration.municipality_id
    )


def shared_owner_gap_select(
    as_of: dt.date,
    conditions: Sequence[ColumnElement[bool]],
    owner_ids: list[int] | None = None,
) -> Select:
    """One row per (shared asset under ``conditions``, owner unit not in the asset's latest
    classification; every owner of an unclassified one): denominator − numerator of
    shared_owner_participation. ``owner_ids`` narrows the rows and the per-asset subqueries to
    those asset_owner rows (a grid block's) rather than the country's classifications."""
    conditions = list(conditions)
    if owner_ids is not None:
        conditions.append(
            Asset.id.in_(select(AssetOwner.asset_id).where(AssetOwner.id.in_(owner_ids)))
        )
    asset_ids = scoped_asset_ids(conditions)
    latest = latest_classification_sql(as_of, asset_ids)
    owner_unit = aliased(Unit, name="owner_unit")
    owner_administration = aliased(Administration, name="owner_administration")
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
    if owner_ids is not None:
        query = query.where(AssetOwner.id.in_(owner_ids))
    return query


def shared_owner_count_select(as_of: dt.date, conditions: Sequence[ColumnElement[bool]]):
    """Per Administration.municipality_id: shared_owner_gap_select's rows, all and unprotected."""
    unprotected = case((Asset.security_protection.is_(False), 1), else_=0)
    return (
        shared_owner_gap_select(as_of, conditions)
        .with_only_columns(
            Administration.municipality_id,
            func.count().label("rows_all"),
            func.coalesce(func.sum(unprotected), 0).label("rows_unprotected"),
        )
        .group_by(Administration.municipality_id)
    )


def _rows(connection, as_of: dt.date, municipality_ids: Sequence[int] | None) -> list[tuple]:
    """(as_of, municipality code, gap, rows_all, rows_unprotected) of every municipality
    (``municipality_ids``: of those only), zeros included."""
    conditions = []
    municipalities = select(Municipality.id, Municipality.code)
    if municipality_ids is not None:
        conditions.append(Administration.municipality_id.in_(sorted(municipality_ids)))
        municipalities = municipalities.where(Municipality.id.in_(sorted(municipality_ids)))
    found: dict[tuple[int, str], tuple[int, int]] = {}
    for row in connection.execute(gap_count_select(as_of, conditions, by_municipality=True)):
        values = row._mapping
        for gap in GAPS:
            found[(row[0], gap)] = (int(values[gap]), int(values[f"{gap}_unprotected"]))
    unprotected = case((Asset.security_protection.is_(False), 1), else_=0)
    shared = shared_owner_gap_select(as_of, conditions).with_only_columns(
        Administration.municipality_id, func.count(), func.coalesce(func.sum(unprotected), 0)
    )
    for municipality_id, rows_all, rows_unprotected in connection.execute(
        shared.group_by(Administration.municipality_id)
    ):
        found[(municipality_id, SHARED_OWNER)] = (int(rows_all), int(rows_unprotected))
    day = kept_tables.bind_date(connection, CoverageGap, as_of)
    chosen = sorted(connection.execute(municipalities).all(), key=lambda r: r[1])
    return [
        (day, code, gap, *found.get((municipality_id, gap), (0, 0)))
        for municipality_id, code in chosen
        for gap in STORED_GAPS
    ]


_COLUMNS = ("as_of", "municipality_code", "gap", "rows_all", "rows_unprotected")


def counted(
    connection, dates: Iterable[dt.date], municipality_ids: Sequence[int] | None = None
) -> list[tuple]:
    """The rows ``write`` keeps as of ``dates`` for every municipality (``municipality_ids``:
    those only). It only reads: the KPI step counts them on a connection of its own while it
    writes the mart."""
    return [
        row for as_of in sorted(set(dates)) for row in _rows(connection, as_of, municipality_ids)
    ]


def write(
    connection,
    dates: Iterable[dt.date],
    municipality_codes: Iterable[str] | None = None,
    rows: list[tuple] | None = None,
) -> int:
    """Replace the counts as of ``dates`` of the municipalities ``municipality_codes`` (None:
    every municipality) in the caller's transaction; rows written. ``rows``: ``counted`` for
    the same dates and municipalities at the store version being tagged."""
    codes = None if municipality_codes is None else sorted(set(municipality_codes))
    if codes == [] or not kept_tables.present(connection, CoverageGap):
        return 0
    dates = sorted(set(dates))
    removed = delete(CoverageGap).where(CoverageGap.as_of.in_(dates))
    ids = None
    if codes is not None:
        removed = removed.where(CoverageGap.municipality_code.in_(codes))
        chosen = select(Municipality.id).where(Municipality.code.in_(codes))
        ids = list(connection.execute(chosen).scalars())
    connection.execute(removed)
    if rows is None:
        rows = counted(connection, dates, ids)
    insert_rows(connection, CoverageGap.__table__, _COLUMNS, rows)
    return len(rows)


def stored_counts(
    conn, as_of: dt.date, municipality_codes: Sequence[str] | None, *, protected: bool
) -> dict[str, int] | None:
    """The counts of STORED_GAPS over ``municipality_codes`` (None: every municipality) as of
    ``as_of``, with the säkerhetsskydd assets when ``protected``; None when a row is missing.
    Valid only when the mart holds ``as_of`` (etl.kpi.mart.holds, the caller's to ask)."""
    connection = kept_tables.connection_of(conn)
    if not kept_tables.present(connection, CoverageGap):
        return None
    column = CoverageGap.rows_all if protected else CoverageGap.rows_unprotected
    query = select(CoverageGap.gap, func.sum(column), func.count()).where(
        CoverageGap.as_of == as_of
    )
    if municipality_codes is None:
        expected = connection.execute(select(func.count()).select_from(Municipality)).scalar()
    else:
        codes = sorted(set(municipality_codes))
        query = query.where(CoverageGap.municipality_code.in_(codes))
        expected = len(codes)
    found = {
        gap: (total, n) for gap, total, n in connection.execute(query.group_by(CoverageGap.gap))
    }
    if any(found.get(gap, (0, -1))[1] != expected for gap in STORED_GAPS):
        return None
    return {gap: int(found[gap][0] or 0) for gap in STORED_GAPS}
