"""The Risker page's aggregates and lists: the likelihood × consequence matrix, risks by
treatment, high risks without action, and the risk list behind a matrix cell.

Which risks count follows risk_facts in the KPI layer (docs/metrics.md): risks of analyses dated
on or before the as-of date; an asset's risks belong to its primary unit; an object-level analysis
counts for the object and each participating municipality (not for administrations). So for one
municipality or administration the matrix adds up to compute_kpis' ``risks``.
Säkerhetsskydd assets' risks are counted but never listed unless the viewer may see them.

A view of several municipalities (the country above all) sums the counts the load keeps per
municipality and governance object (etl.kpi.page_aggregates, where the counting statements
live) when the KPI mart holds the date; any other view is counted on demand by the same
statements (``kept_parts`` in dashboard.queries.actions decides).
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from dashboard.grid import GridColumn, Shortcut, fetch_block, labelled
from dashboard.queries.actions import detail_condition, kept_parts, visible_objects, visible_units
from dashboard.queries.viewer import SYSTEM, Viewer, unit_scope_condition
from etl import vocab
from etl.kpi import page_aggregates
from etl.kpi.page_aggregates import has_live_action, high_risk_order, is_high, risk_counts_select
from etl.models import Administration, Asset, GovernanceObject, Risk, RiskAnalysis, Unit
from etl.visibility import shown_asset

log = logging.getLogger(__name__)

DEFAULT_SIZE = vocab.DEFAULT_MATRIX_SIZE
MAX_SIZE = 10
HIGH_RISK_LIST_LIMIT = page_aggregates.HIGH_RISK_LIST_LIMIT
TREATMENT_LABELS = {
    "sv": dict(vocab.TREATMENTS),
    "en": {"reduce": "Reduce", "accept": "Accept", "transfer": "Transfer", "avoid": "Avoid"},
}
LIKELIHOOD_LABELS = {
    "sv": dict(vocab.LIKELIHOOD_LEVELS),
    "en": {1: "Low", 2: "Medium", 3: "High", 4: "Very high"},
}
CONSEQUENCE_LABELS = {
    "sv": dict(vocab.CONSEQUENCE_LEVELS),
    "en": {1: "Minor", 2: "Moderate", 3: "Significant", 4: "Severe"},
}


def risk_scope_condition(
    viewer: Viewer,
    as_of: dt.date,
    municipality: str | None = None,
    administration: str | None = None,
) -> ColumnElement[bool]:
    """Risks (joined to RiskAnalysis and, outer, Asset) that count for the viewer's selection.

    A restricted selection names its analyses through the indexes (units → assets → analyses →
    risks): an OR over the joined asset and the analysis' object made SQLite scan every risk of
    the country even for one municipality."""
    if unit_scope_condition(viewer) is None and not municipality and not administration:
        of_asset = Asset.primary_unit_id.in_(visible_units(viewer, None, None))
        of_object = and_(
            RiskAnalysis.asset_id.is_(None),
            RiskAnalysis.governance_object_id.in_(visible_objects(viewer, None, None)),
        )
        return and_(RiskAnalysis.analysed_on <= as_of, or_(of_asset, of_object))
    return Risk.risk_analysis_id.in_(
        scoped_analysis_ids(viewer, as_of, municipality, administration)
    )


def scoped_analysis_ids(
    viewer: Viewer, as_of: dt.date, municipality: str | None, administration: str | None
):
    """Ids of the analyses (dated on or before ``as_of``) whose risks count for the selection:
    those of assets of the visible units, and object-level ones of the visible objects (not for
    an administration: object-level risks are not shared with administrations)."""
    assets = select(Asset.id).where(
        Asset.primary_unit_id.in_(visible_units(viewer, municipality, administration))
    )
    of_assets = select(RiskAnalysis.id).where(
        RiskAnalysis.asset_id.in_(assets), RiskAnalysis.analysed_on <= as_of
    )
    if administration:
        return of_assets
    of_objects = select(RiskAnalysis.id).where(
        RiskAnalysis.governance_object_id.in_(visible_objects(viewer, municipality, None)),
        RiskAnalysis.asset_id.is_(None),
        RiskAnalysis.analysed_on <= as_of,
    )
    return union_all(of_assets, of_objects)


def matrix_size(frame: pd.DataFrame) -> int:
    """The heatmap's size: 4×4 unless a risk lies outside it (capped at MAX_SIZE)."""
    if frame.empty:
        return DEFAULT_SIZE
    largest = int(max(frame["likelihood"].max(), frame["consequence"].max()))
    return max(DEFAULT_SIZE, min(largest, MAX_SIZE))


def risk_counts(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> pd.DataFrame:
    """Columns likelihood, consequence, treatment, count: the counted risks grouped, in one pass
    for both the matrix and the treatment chart (each risk joins one analysis and at most one
    asset, so the join counts every risk once)."""
    parts = kept_parts(session, as_of, viewer, municipality, administration)
    if parts is not None:
        rows = page_aggregates.risk_counts(session, as_of, *parts)
    else:
        where = risk_scope_condition(viewer, as_of, municipality, administration)
        rows = session.execute(risk_counts_select(where)).all()
    return pd.DataFrame(
        [(int(lik), int(con), treatment, int(n)) for lik, con, treatment, n in rows],
        columns=["likelihood", "consequence", "treatment", "count"],
    )


def matrix_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Columns likelihood, consequence, count: every cell of the matrix, zeros included."""
    size = matrix_size(counts)
    by_cell: dict[tuple[int, int], int] = {}
    for lik, con, n in zip(
        counts["likelihood"], counts["consequence"], counts["count"], strict=True
    ):
        by_cell[(int(lik), int(con))] = by_cell.get((int(lik), int(con)), 0) + int(n)
    cells = [
        {"likelihood": lik, "consequence": con, "count": by_cell.get((lik, con), 0)}
        for lik in range(1, size + 1)
        for con in range(1, size + 1)
    ]
    return pd.DataFrame(cells, columns=["likelihood", "consequence", "count"])


def treatments_from_counts(counts: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """Columns treatment, label, count for every treatment (zeros included), in vocab order."""
    by_treatment: dict[str, int] = {}
    for treatment, n in zip(counts["treatment"], counts["count"], strict=True):
        by_treatment[treatment] = by_treatment.get(treatment, 0) + int(n)
    labels = TREATMENT_LABELS.get(lang, TREATMENT_LABELS["sv"])
    return pd.DataFrame(
        [{"treatment": k, "label": labels[k], "count": by_treatment.get(k, 0)} for k in labels],
        columns=["treatment", "label", "count"],
    )


# --------------------------------------------------------------------------- lists


def treatment_label_expression(lang: str) -> ColumnElement[str]:
    return labelled(Risk.treatment, TREATMENT_LABELS.get(lang, TREATMENT_LABELS["sv"]))


def risk_grid_columns(lang: str = "sv") -> dict[str, GridColumn]:
    yes, no = ("Yes", "No") if lang == "en" else ("Ja", "Nej")
    return {
        "code": GridColumn(Risk.code),
        "description": GridColumn(Risk.description),
        "subject": GridColumn(func.coalesce(Asset.name, GovernanceObject.name)),
        "administration_name": GridColumn(Administration.name),
        "unit_name": GridColumn(Unit.name),
        "likelihood": GridColumn(Risk.likelihood, "number"),
        "consequence": GridColumn(Risk.consequence, "number"),
        "score": GridColumn(Risk.likelihood * Risk.consequence, "number"),
        "treatment": GridColumn(treatment_label_expression(lang), "set"),
        "has_action": GridColumn(case((has_live_action(), literal(yes)), else_=literal(no)), "set"),
        "analysed_on": GridColumn(RiskAnalysis.analysed_on, "date"),
    }


RISK_FIELDS: dict[str, tuple[str, str, str]] = {
    "code": ("text", "Id", "Id"),
    "description": ("text", "Risk", "Risk"),
    "subject": ("text", "Tillgång/objekt", "Asset/object"),
    "administration_name": ("text", "Förvaltning", "Administration"),
    "unit_name": ("text", "Enhet", "Unit"),
    "likelihood": ("number", "Sannolikhet", "Likelihood"),
    "consequence": ("number", "Konsekvens", "Consequence"),
    "score": ("number", "Riskvärde", "Score"),
    "treatment": ("set", "Hantering", "Treatment"),
    "has_action": ("set", "Har åtgärd", "Has action"),
    "analysed_on": ("date", "Analyserad", "Analysed"),
}


def _list_conditions(
    viewer: Viewer,
    as_of: dt.date,
    municipality: str | None,
    administration: str | None,
    cell: tuple[int, int] | None,
    high_without_action: bool,
) -> list[ColumnElement[bool]]:
    """What a list's rows must meet (on Risk joined to RiskAnalysis and, outer, Asset)."""
    conditions = [risk_scope_condition(viewer, as_of, municipality, administration)]
    # Risks of säkerhetsskydd assets are left out for most viewers (etl.visibility).
    for condition in (shown_asset(viewer.role), detail_condition(viewer)):
        if condition is not None:
            conditions.append(condition)
    if cell is not None:
        conditions.extend([Risk.likelihood == cell[0], Risk.consequence == cell[1]])
    if high_without_action:
        conditions.extend([is_high(), ~has_live_action()])
    return conditions


def risk_list_select(
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
    municipality: str | None = None,
    administration: str | None = None,
    cell: tuple[int, int] | None = None,
    high_without_action: bool = False,
) -> Select:
    """Visible risks as labelled rows; ``cell`` = (likelihood, consequence) narrows to one cell."""
    columns = risk_grid_columns(lang)
    query = (
        select(
            Risk.id.label("id"),
            *[column.expression.label(field) for field, column in columns.items()],
        )
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
        .outerjoin(Unit, Asset.primary_unit_id == Unit.id)
        .outerjoin(Administration, Unit.administration_id == Administration.id)
        .outerjoin(
            GovernanceObject,
            GovernanceObject.id
            == func.coalesce(RiskAnalysis.governance_object_id, Asset.governance_object_id),
        )
    )
    conditions = _list_conditions(
        viewer, as_of, municipality, administration, cell, high_without_action
    )
    return query.where(*conditions)


def risk_list_ids(
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
    cell: tuple[int, int] | None = None,
    high_without_action: bool = False,
) -> Select:
    """The ids of risk_list_select's rows, without the joins and columns only shown."""
    conditions = _list_conditions(
        viewer, as_of, municipality, administration, cell, high_without_action
    )
    return (
        select(Risk.id)
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
        .where(*conditions)
    )


# Deeper blocks than this are picked by sorting every row, as before.
WALK_MAX_START = 20_000


def _walk_risk_keys(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    cells: dict[tuple[int, int], int],
    cell: tuple[int, int] | None,
    start: int,
    limit: int,
) -> list:
    """Ids of rows [start, start + limit) of the list in its default order (score, highest
    first, then code), from its kept rows per matrix cell: the scores the block spans are known
    from the counts, and each is read in code order only as far as the block needs (the code
    index walked from its start), where sorting every risk of the country cost about a second."""
    by_score: dict[int, list[tuple[int, int]]] = {}
    for lik, con in cells:
        by_score.setdefault(lik * con, []).append((lik, con))
    ids = risk_list_ids(as_of, viewer, cell=cell)
    keys: list = []
    first = 0  # the position of the score's first row in the list
    end = start + limit
    for score in sorted(by_score, reverse=True):
        count = sum(cells[c] for c in by_score[score])
        if first + count > start:
            skip = max(start - first, 0)
            take = min(end, first + count) - first - skip
            in_score = or_(
                *[
                    and_(Risk.likelihood == lik, Risk.consequence == con)
                    for lik, con in by_score[score]
                ]
            )
            keys += session.scalars(
                ids.where(in_score).order_by(Risk.code, Risk.id).limit(take).offset(skip)
            )
        first += count
        if first >= end:
            break
    return keys


def risks_block(
    session: Session,
    viewer: Viewer,
    request: object,
    as_of: dt.date,
    *,
    lang: str = "sv",
    municipality: str | None = None,
    administration: str | None = None,
    cell: tuple[int, int] | None = None,
) -> dict:
    where = {"municipality": municipality, "administration": administration, "cell": cell}
    query = risk_list_select(as_of, viewer, lang=lang, **where)
    order = ((Risk.likelihood * Risk.consequence).desc(), Risk.code.asc())
    # The first look counts and orders the risks without the list's joins and its per-row
    # "has action" check, and reads only the block's rows in full.
    keys = risk_list_ids(as_of, viewer, **where)

    read: dict[str, dict | None] = {}

    def kept_cells(session: Session) -> dict[tuple[int, int], int] | None:
        # The list's rows per matrix cell: the counted risks less, for most viewers, the
        # säkerhetsskydd assets' ones, from the kept counts where they stand for the viewer
        # (read once for the row count and the block).
        if "cells" not in read:
            read["cells"] = None
            parts = None
            if detail_condition(viewer) is None:
                parts = kept_parts(session, as_of, viewer, municipality, administration)
            if parts is not None:
                shown = viewer.may_see_security_protection
                read["cells"] = page_aggregates.risk_cells(
                    session, as_of, *parts, protected=shown, cell=cell
                )
        return read["cells"]

    def total(session: Session) -> int | None:
        cells = kept_cells(session)
        return None if cells is None else sum(cells.values())

    def block_keys(session: Session, start: int, limit: int) -> list | None:
        if not viewer.sees_all or municipality or administration or start > WALK_MAX_START:
            return None  # a municipality's risks are sorted whole at little cost
        cells = kept_cells(session)
        if cells is None:
            return None
        return _walk_risk_keys(session, as_of, viewer, cells, cell, start, limit)

    shortcut = Shortcut(
        count_query=keys,
        keys_query=keys.order_by(*order, Risk.id),
        total=total,
        block_keys=block_keys,
    )
    return fetch_block(
        session,
        query,
        risk_grid_columns(lang),
        request,
        default_order=order,
        tiebreaker=Risk.id,
        shortcut=shortcut,
    )


def high_risks_without_action(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
    municipality: str | None = None,
    administration: str | None = None,
    limit: int = HIGH_RISK_LIST_LIMIT,
) -> tuple[pd.DataFrame, int]:
    """(the first ``limit`` high risks without action, highest score first; how many in all)."""
    order = high_risk_order()
    where = {"municipality": municipality, "administration": administration}
    ids = risk_list_ids(as_of, viewer, high_without_action=True, **where)
    parts = kept_parts(session, as_of, viewer, municipality, administration)
    if parts is not None and detail_condition(viewer) is None and limit <= HIGH_RISK_LIST_LIMIT:
        # Counted from the parts' kept counts, and picked among the parts' kept first rows
        # under the list's own conditions.
        shown = viewer.may_see_security_protection
        total = page_aggregates.high_risk_count(session, as_of, *parts, protected=shown)
        candidates = page_aggregates.high_risk_candidates(
            as_of, *parts, protected=shown, limit=limit
        )
        ids = ids.where(Risk.id.in_(candidates))
    else:
        # Counted and picked on the ids alone (no shown columns per row), then the rows read.
        total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    picked = list(session.scalars(ids.order_by(*order).limit(limit)))
    query = risk_list_select(
        as_of,
        viewer,
        lang=lang,
        municipality=municipality,
        administration=administration,
        high_without_action=True,
    )
    result = session.execute(query.where(Risk.id.in_(picked)).order_by(*order))
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    return frame, int(total)


def hidden_protected_count(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> int:
    """Counted risks that lists leave out because their asset is under säkerhetsskydd."""
    if viewer.may_see_security_protection:
        return 0
    parts = kept_parts(session, as_of, viewer, municipality, administration)
    if parts is not None:
        return page_aggregates.protected_risk_count(session, as_of, *parts)
    return int(
        session.scalar(
            select(func.count())
            .select_from(Risk)
            .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
            .join(Asset, Asset.id == RiskAnalysis.asset_id)
            .where(
                risk_scope_condition(viewer, as_of, municipality, administration),
                Asset.security_protection.is_(True),
            )
        )
        or 0
    )


def parse_cell(data: object, size: int = MAX_SIZE) -> tuple[int, int] | None:
    """A (likelihood, consequence) pair from the page's store or a heatmap click; None if bad."""
    if isinstance(data, dict) and "points" in data:
        points = data.get("points") or []
        point = points[0] if points and isinstance(points[0], dict) else {}
        data = {"likelihood": point.get("y"), "consequence": point.get("x")}
    if not isinstance(data, dict):
        return None
    try:
        likelihood = int(data.get("likelihood"))
        consequence = int(data.get("consequence"))
    except (TypeError, ValueError):
        return None
    if 1 <= likelihood <= size and 1 <= consequence <= size:
        return likelihood, consequence
    return None
