"""A full workbook export of the viewer's own scope: KPIs, and the rows the viewer may see.

Sheets: Nyckeltal (every metric of every visible scope), Tillgångar, Åtgärder and Risker. The
committee gets the KPI sheet only (aggregates, DESIGN §5); säkerhetsskydd assets — and the risks
and actions that belong to them — only reach the protection officer. Every text cell goes through
``etl.report.escape_formula`` (the values come from uploaded files), dates are real date cells.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from dashboard.queries.viewer import (
    Viewer,
    governance_object_scope_condition,
    unit_scope_condition,
)
from etl import vocab
from etl.kpi.compute import compute_kpis
from etl.kpi.dates import CLASSIFICATION_VALID_MONTHS, add_months
from etl.kpi.definitions import METRICS, SCOPE_TYPE_LABELS_SV
from etl.models import (
    Action,
    Administration,
    Asset,
    Classification,
    GovernanceObject,
    Provider,
    Risk,
    RiskAnalysis,
    Unit,
)
from etl.report import escape_formula

log = logging.getLogger(__name__)

DATE_FORMAT = "yyyy-mm-dd"
AGGREGATE_ONLY_ROLES = frozenset({"committee"})
SHEETS = ("Nyckeltal", "Tillgångar", "Åtgärder", "Risker")


def _cell(value):
    if isinstance(value, str):
        return escape_formula(value)
    return value


def _write_sheet(wb: Workbook, title: str, headers: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for column_cells in ws.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(header) + 4))
    ws.freeze_panes = "A2"


def _kpi_rows(session: Session, viewer: Viewer, as_of: dt.date) -> list[list]:
    frame = compute_kpis(session, as_of, viewer)
    rows = []
    for r in frame.itertuples(index=False):
        metric = METRICS[r.metric]
        rows.append(
            [
                SCOPE_TYPE_LABELS_SV[r.scope_type],
                r.scope_id,
                r.scope_name,
                metric.label_sv,
                r.value,
                r.numerator,
                r.denominator,
                {"rate": "andel 0–1", "level": "nivå 0–5", "count": "antal"}[metric.kind],
            ]
        )
    return rows


def visible_asset_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Assets whose primary unit the viewer sees, or whose governance object it sees; never
    säkerhetsskydd assets unless the viewer may see them. None = every asset."""
    units = unit_scope_condition(viewer)
    objects = governance_object_scope_condition(viewer)
    conditions = []
    if units is not None or objects is not None:
        in_units = Asset.primary_unit_id.in_(
            select(Unit.id).where(units) if units is not None else select(Unit.id)
        )
        in_objects = Asset.governance_object_id.in_(
            select(GovernanceObject.id).where(objects)
            if objects is not None
            else select(GovernanceObject.id)
        )
        conditions.append(or_(in_units, in_objects))
    if not viewer.may_see_security_protection:
        conditions.append(Asset.security_protection.is_(False))
    return and_(*conditions) if conditions else None


def _assets(session: Session, viewer: Viewer, as_of: dt.date) -> list[list]:
    latest = (
        select(
            Classification.asset_id.label("asset_id"),
            func.max(Classification.classified_on).label("classified_on"),
        )
        .where(Classification.classified_on <= as_of)
        .group_by(Classification.asset_id)
        .subquery()
    )
    cls = aliased(Classification)
    query = (
        select(Asset, Unit.name, Administration.name, GovernanceObject.name, cls)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
        .outerjoin(GovernanceObject, Asset.governance_object_id == GovernanceObject.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(
            cls,
            and_(cls.asset_id == Asset.id, cls.classified_on == latest.c.classified_on),
        )
        .order_by(Asset.code, cls.id)
    )
    condition = visible_asset_condition(viewer)
    if condition is not None:
        query = query.where(condition)
    rows, seen = [], set()
    for asset, unit, admin, obj, c in session.execute(query).all():
        if asset.id in seen:  # two classifications on the same day: keep one row per asset
            continue
        seen.add(asset.id)
        review = None
        if c is not None:
            review = c.next_review_on or add_months(c.classified_on, CLASSIFICATION_VALID_MONTHS)
        rows.append(
            [
                asset.code,
                asset.name,
                asset.carrier_name,
                vocab.CARRIER_TYPES.get(asset.carrier_type, asset.carrier_type),
                obj,
                unit,
                admin,
                vocab.PERSONAL_DATA.get(asset.personal_data, asset.personal_data),
                asset.register_ref,
                "Ja" if asset.security_protection else "Nej",
                c.classified_on if c else None,
                review,
                c.confidentiality if c else None,
                c.integrity if c else None,
                c.availability if c else None,
                ("Ja" if review >= as_of else "Förfallen") if c else "Ej klassad",
            ]
        )
    return rows


def _risk_asset_visible(viewer: Viewer, analysis) -> ColumnElement[bool] | None:
    """A risk analysis the viewer may see: of a visible asset, or of a visible governance object
    (object-level analyses belong to no asset, so no säkerhetsskydd flag applies)."""
    assets = visible_asset_condition(viewer)
    objects = governance_object_scope_condition(viewer)
    of_asset = analysis.asset_id.in_(
        select(Asset.id).where(assets) if assets is not None else select(Asset.id)
    )
    of_object = and_(
        analysis.asset_id.is_(None),
        analysis.governance_object_id.in_(
            select(GovernanceObject.id).where(objects)
            if objects is not None
            else select(GovernanceObject.id)
        ),
    )
    if assets is None and objects is None:
        return None
    return or_(of_asset, of_object)


def _risks(session: Session, viewer: Viewer) -> list[list]:
    subject = func.coalesce(Asset.name, GovernanceObject.name)
    query = (
        select(Risk, RiskAnalysis, subject)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, RiskAnalysis.asset_id == Asset.id)
        .outerjoin(GovernanceObject, RiskAnalysis.governance_object_id == GovernanceObject.id)
        .order_by(RiskAnalysis.code, Risk.code)
    )
    condition = _risk_asset_visible(viewer, RiskAnalysis)
    if condition is not None:
        query = query.where(condition)
    return [
        [
            risk.code,
            analysis.code,
            name,
            analysis.analysed_on,
            risk.description,
            risk.likelihood,
            risk.consequence,
            risk.likelihood * risk.consequence,
            vocab.TREATMENTS.get(risk.treatment, risk.treatment),
        ]
        for risk, analysis, name in session.execute(query).all()
    ]


def _actions(session: Session, viewer: Viewer, as_of: dt.date) -> list[list]:
    units = unit_scope_condition(viewer)
    objects = governance_object_scope_condition(viewer)
    owner = aliased(Unit)
    query = (
        select(Action, owner.name, Provider.name, GovernanceObject.name)
        .outerjoin(owner, Action.owner_unit_id == owner.id)
        .outerjoin(Provider, Action.provider_id == Provider.id)
        .outerjoin(GovernanceObject, Action.governance_object_id == GovernanceObject.id)
        .outerjoin(Risk, Action.risk_id == Risk.id)
        .outerjoin(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .order_by(Action.due_on, Action.code)
    )
    conditions = []
    if units is not None or objects is not None:
        conditions.append(
            or_(
                Action.owner_unit_id.in_(
                    select(Unit.id).where(units) if units is not None else select(Unit.id)
                ),
                Action.governance_object_id.in_(
                    select(GovernanceObject.id).where(objects)
                    if objects is not None
                    else select(GovernanceObject.id)
                ),
            )
        )
    if not viewer.may_see_security_protection:
        protected = select(Asset.id).where(Asset.security_protection.is_(True))
        conditions.append(
            or_(RiskAnalysis.asset_id.is_(None), RiskAnalysis.asset_id.notin_(protected))
        )
    if conditions:
        query = query.where(and_(*conditions))
    rows = []
    for action, unit, provider, obj in session.execute(query).all():
        is_open = action.status not in vocab.CLOSED_ACTION_STATUSES
        overdue = (as_of - action.due_on).days if is_open and action.due_on < as_of else None
        rows.append(
            [
                action.code,
                action.title,
                unit or provider,
                obj,
                action.responsible,
                action.due_on,
                vocab.ACTION_STATUSES.get(action.status, action.status),
                action.completed_on,
                overdue,
            ]
        )
    return rows


def build_scope_workbook(session: Session, viewer: Viewer, as_of: dt.date) -> bytes:
    """The viewer's scope as an xlsx workbook (bytes); see the module docstring."""
    wb = Workbook()
    wb.remove(wb.active)
    _write_sheet(
        wb,
        "Nyckeltal",
        ["Nivå", "Id", "Namn", "Mått", "Värde", "Täljare", "Nämnare", "Enhet"],
        _kpi_rows(session, viewer, as_of),
    )
    if viewer.role not in AGGREGATE_ONLY_ROLES:
        _write_sheet(
            wb,
            "Tillgångar",
            [
                "Id",
                "Namn",
                "Informationsbärare",
                "Bärartyp",
                "Förvaltningsobjekt",
                "Ägarenhet",
                "Förvaltning",
                "Personuppgifter",
                "Registerförteckning",
                "Säkerhetsskydd",
                "Klassad",
                "Nästa översyn",
                "K",
                "R",
                "T",
                "Klassning aktuell",
            ],
            _assets(session, viewer, as_of),
        )
        _write_sheet(
            wb,
            "Åtgärder",
            [
                "Id",
                "Åtgärd",
                "Ägare",
                "Förvaltningsobjekt",
                "Ansvarig",
                "Klart senast",
                "Status",
                "Klar datum",
                "Dagar försenad",
            ],
            _actions(session, viewer, as_of),
        )
        _write_sheet(
            wb,
            "Risker",
            [
                "Id",
                "Riskanalys",
                "Tillgång / objekt",
                "Analysdatum",
                "Beskrivning",
                "Sannolikhet",
                "Konsekvens",
                "Riskvärde",
                "Behandling",
            ],
            _risks(session, viewer),
        )
    info = wb.create_sheet("Om exporten")
    info.append(["Uttag per", as_of])
    info["B1"].number_format = DATE_FORMAT
    info.append(["Roll", escape_formula(viewer.role)])
    info.append(["Användare", escape_formula(viewer.name)])
    buffer = io.BytesIO()
    wb.save(buffer)
    log.info("scope workbook for %s (%s) as of %s", viewer.name, viewer.role, as_of)
    return buffer.getvalue()


__all__ = ["build_scope_workbook", "visible_asset_condition"]
