"""The Risker page's matrix, risks by treatment, high risks without action and the risk list.

Which risks count follows risk_facts (docs/metrics.md): risks of analyses dated on or before the
as-of date; an asset's risks belong to its primary unit; an object-level analysis counts for the
object and each participating municipality (not for administrations). Säkerhetsskydd assets'
risks are counted but listed only to viewers who may see them. Counts are summed from the load's
kept parts where they stand for the view (``kept_parts`` in dashboard.queries.actions).
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from dashboard.grid import GridColumn, Shortcut, count_rows, fetch_block, labelled
from dashboard.queries.actions import detail_condition, kept_parts, visible_objects, visible_units
from dashboard.queries.list_walk import country_wide, walk
from dashboard.queries.viewer import SYSTEM, Viewer, unit_scope_condition
from etl import vocab
from etl.kpi import page_aggregates
from etl.kpi.page_aggregates import has_live_action, high_risk_order, is_high, risk_counts_select
from etl.models import Administration, Asset, GovernanceObject, Risk, RiskAnalysis, Unit
from etl.visibility import shown_asset

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
    A restricted selection names its analyses through the indexes (units → assets → analyses):
    an OR over the joined asset and object made SQLite scan every risk even for one municipality.
    """
    if unit_scope_condition(viewer) is None and not municipality and not administration:
        of_asset = Asset.primary_unit_id.in_(visible_units(viewer, None, None))
        of_object = and_(
            RiskAnalysis.asset_id.is_(None),
            RiskAnalysis.governance_object_id.in_(visible_objects(viewer, None, None)),
        )
        return and_(RiskAnalysis.analysed_on <= as_of, or_(of_asset, of_object))
    units = visible_units(viewer, municipality, administration)
    analyses = select(RiskAnalysis.id).where(
        RiskAnalysis.asset_id.in_(select(Asset.id).where(Asset.primary_unit_id.in_(units))),
        RiskAnalysis.analysed_on <= as_of,
    )
    if not administration:  # object-level risks are not shared with administrations
        of_objects = select(RiskAnalysis.id).where(
            RiskAnalysis.governance_object_id.in_(visible_objects(viewer, municipality, None)),
            RiskAnalysis.asset_id.is_(None),
            RiskAnalysis.analysed_on <= as_of,
        )
        analyses = union_all(analyses, of_objects)
    return Risk.risk_analysis_id.in_(analyses)


def risk_counts(
    session: Session, as_of: dt.date, viewer: Viewer = SYSTEM, **where: str | None
) -> pd.DataFrame:
    """Columns likelihood, consequence, treatment, count: the counted risks grouped, one pass
    for both the matrix and the treatment chart; ``where``: the global filters."""
    parts = kept_parts(session, as_of, viewer, **where)
    if parts is not None:
        rows = page_aggregates.risk_counts(session, as_of, *parts)
    else:
        scope = risk_scope_condition(viewer, as_of, **where)
        rows = session.execute(risk_counts_select(scope)).all()
    return pd.DataFrame(
        [(int(lik), int(con), treatment, int(n)) for lik, con, treatment, n in rows],
        columns=["likelihood", "consequence", "treatment", "count"],
    )


def matrix_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Columns likelihood, consequence, count: every cell of the matrix, zeros included; 4×4
    unless a risk lies outside it (at most MAX_SIZE)."""
    size = DEFAULT_SIZE
    if not counts.empty:
        largest = int(max(counts["likelihood"].max(), counts["consequence"].max()))
        size = max(DEFAULT_SIZE, min(largest, MAX_SIZE))
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


def risk_grid_columns(lang: str = "sv") -> dict[str, GridColumn]:
    yes, no = ("Yes", "No") if lang == "en" else ("Ja", "Nej")
    treatment = labelled(Risk.treatment, TREATMENT_LABELS.get(lang, TREATMENT_LABELS["sv"]))
    return {
        "code": GridColumn(Risk.code),
        "description": GridColumn(Risk.description),
        "subject": GridColumn(func.coalesce(Asset.name, GovernanceObject.name)),
        "administration_name": GridColumn(Administration.name),
        "unit_name": GridColumn(Unit.name),
        "likelihood": GridColumn(Risk.likelihood, "number"),
        "consequence": GridColumn(Risk.consequence, "number"),
        "score": GridColumn(Risk.likelihood * Risk.consequence, "number"),
        "treatment": GridColumn(treatment, "set"),
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


def _risk_list(
    as_of: dt.date,
    viewer: Viewer,
    columns: list,
    *,
    shown: bool = False,
    cell: tuple[int, int] | None = None,
    high_without_action: bool = False,
    **where: str | None,
) -> Select:
    """The list's rows as ``columns``; without ``shown`` no joins the shown columns only need."""
    query = (
        select(*columns)
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
    )
    if shown:
        object_id = func.coalesce(RiskAnalysis.governance_object_id, Asset.governance_object_id)
        query = (
            query.outerjoin(Unit, Asset.primary_unit_id == Unit.id)
            .outerjoin(Administration, Unit.administration_id == Administration.id)
            .outerjoin(GovernanceObject, GovernanceObject.id == object_id)
        )
    query = query.where(risk_scope_condition(viewer, as_of, **where))
    # Risks of säkerhetsskydd assets are left out for most viewers (etl.visibility).
    for condition in (shown_asset(viewer.role), detail_condition(viewer)):
        if condition is not None:
            query = query.where(condition)
    if cell is not None:
        query = query.where(Risk.likelihood == cell[0], Risk.consequence == cell[1])
    if high_without_action:
        query = query.where(is_high(), ~has_live_action())
    return query


def risk_list_select(
    as_of: dt.date, viewer: Viewer = SYSTEM, *, lang: str = "sv", **where: object
) -> Select:
    """Visible risks as labelled rows; ``where``: the global filters, ``cell`` (likelihood,
    consequence) for one cell, ``high_without_action`` for high risks without a live action."""
    columns = [c.expression.label(field) for field, c in risk_grid_columns(lang).items()]
    return _risk_list(as_of, viewer, [Risk.id.label("id"), *columns], shown=True, **where)


# Deeper blocks than this are picked by sorting every row.
WALK_MAX_START = 20_000


def risks_block(
    session: Session,
    viewer: Viewer,
    request: object,
    as_of: dt.date,
    *,
    lang: str = "sv",
    cell: tuple[int, int] | None = None,
    **where: str | None,
) -> dict:
    """One block of the risk list; its first look counts and orders the risks without the
    list's joins and per-row "has action" check, and reads only the block's rows in full."""
    order = ((Risk.likelihood * Risk.consequence).desc(), Risk.code.asc())
    keys = _risk_list(as_of, viewer, [Risk.id], cell=cell, **where)

    @functools.cache
    def kept_cells(session: Session) -> dict[tuple[int, int], int] | None:
        # The list's rows per matrix cell from the kept counts where they stand for the viewer.
        parts = None
        if detail_condition(viewer) is None:
            parts = kept_parts(session, as_of, viewer, **where)
        if parts is None:
            return None
        shown = viewer.may_see_security_protection
        return page_aggregates.risk_cells(session, as_of, *parts, protected=shown, cell=cell)

    def total(session: Session) -> int | None:
        cells = kept_cells(session)
        return None if cells is None else sum(cells.values())

    def block_keys(session: Session, start: int, limit: int) -> list | None:
        # From the kept rows per matrix cell: each score the block spans is read in code order
        # only as far as the block needs, where sorting every risk of the country cost a second.
        cells = kept_cells(session) if country_wide(viewer, **where) else None
        if cells is None or start > WALK_MAX_START:
            return None
        by_score: dict[int, list[tuple[int, int]]] = {}
        for lik, con in cells:
            by_score.setdefault(lik * con, []).append((lik, con))
        ids = _risk_list(as_of, viewer, [Risk.id], cell=cell)

        def part(score: int):
            pairs = by_score[score]
            in_score = or_(
                *[and_(Risk.likelihood == li, Risk.consequence == co) for li, co in pairs]
            )

            def read(skip: int, take: int) -> list:
                query = ids.where(in_score).order_by(Risk.code, Risk.id)
                return list(session.scalars(query.limit(take).offset(skip)))

            return sum(cells[c] for c in pairs), read

        return walk([part(score) for score in sorted(by_score, reverse=True)], start, limit)

    return fetch_block(
        session,
        risk_list_select(as_of, viewer, lang=lang, cell=cell, **where),
        risk_grid_columns(lang),
        request,
        default_order=order,
        tiebreaker=Risk.id,
        shortcut=Shortcut(keys, keys.order_by(*order, Risk.id), total=total, block_keys=block_keys),
    )


def high_risks_without_action(
    session: Session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
    limit: int = HIGH_RISK_LIST_LIMIT,
    **where: str | None,
) -> tuple[pd.DataFrame, int]:
    """(the first ``limit`` high risks without action, highest score first; how many in all)."""
    order = high_risk_order()
    ids = _risk_list(as_of, viewer, [Risk.id], high_without_action=True, **where)
    parts = kept_parts(session, as_of, viewer, **where)
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
        total = count_rows(session, ids)
    picked = list(session.scalars(ids.order_by(*order).limit(limit)))
    query = risk_list_select(as_of, viewer, lang=lang, high_without_action=True, **where)
    result = session.execute(query.where(Risk.id.in_(picked)).order_by(*order))
    return pd.DataFrame(result.all(), columns=list(result.keys())), int(total)


def hidden_protected_count(
    session: Session, as_of: dt.date, viewer: Viewer, **where: str | None
) -> int:
    """Counted risks that lists leave out because their asset is under säkerhetsskydd."""
    if viewer.may_see_security_protection:
        return 0
    parts = kept_parts(session, as_of, viewer, **where)
    if parts is not None:
        return page_aggregates.protected_risk_count(session, as_of, *parts)
    query = (
        select(func.count())
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .join(Asset, Asset.id == RiskAnalysis.asset_id)
        .where(risk_scope_condition(viewer, as_of, **where), Asset.security_protection.is_(True))
    )
    return int(session.scalar(query) or 0)


def parse_cell(data: object, size: int = MAX_SIZE) -> tuple[int, int] | None:
    """A (likelihood, consequence) pair from the page's store or a heatmap click; None if bad."""
    if isinstance(data, dict) and "points" in data:
        points = data.get("points") or []
        point = points[0] if points and isinstance(points[0], dict) else {}
        data = {"likelihood": point.get("y"), "consequence": point.get("x")}
    if not isinstance(data, dict):
        return None
    try:
        cell = int(data.get("likelihood")), int(data.get("consequence"))
    except (TypeError, ValueError):
        return None
    return cell if all(1 <= level <= size for level in cell) else None
