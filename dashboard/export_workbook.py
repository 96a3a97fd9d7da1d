"""A full workbook export of the viewer's own scope: KPIs, and the rows the viewer may see.

Sheets: Nyckeltal (every metric of every visible scope), Tillgångar, Åtgärder and Risker. The
committee gets the KPI sheet only (aggregates, DESIGN §5); säkerhetsskydd assets — and the risks
and actions that belong to them — only reach the protection officer (etl.visibility). The
Åtgärder and Risker sheets are the viewer's actions grid and risk list, read through their own
queries (one scope rule for the page and the export). Every text cell goes through
``etl.report.escape_formula`` (the values come from uploaded files), dates are real date cells.
Each sheet has the shape of ``dashboard.export.write_table``: a title row (what, whose scope,
as of which date), a named table whose first row is the header row, no merged cells.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from dashboard.export import ALL_SCOPE, export_title, table_name, write_table
from dashboard.queries.actions import action_grid_select
from dashboard.queries.risks import risk_list_select
from dashboard.queries.viewer import (
    Viewer,
    governance_object_scope_condition,
    unit_scope_condition,
)
from etl import vocab
from etl.kpi.compute import compute_kpis
from etl.kpi.definitions import METRICS, SCOPE_TYPE_LABELS_SV
from etl.kpi.rules import AGGREGATE_ONLY_ROLES, classification_status, latest_classification_sql
from etl.models import (
    Action,
    Administration,
    Asset,
    Classification,
    GovernanceObject,
    Municipality,
    Risk,
    RiskAnalysis,
    Unit,
)
from etl.report import escape_formula
from etl.visibility import shown_asset

log = logging.getLogger(__name__)

DATE_FORMAT = "yyyy-mm-dd"
SHEETS = ("Nyckeltal", "Tillgångar", "Åtgärder", "Risker")
# The "Klassning aktuell" column per classification_status.
CURRENT_LABELS = {"current": "Ja", "expired": "Förfallen", "missing": "Ej klassad"}


def _cell(value):
    if isinstance(value, str):
        return escape_formula(value)
    return value


def viewer_scope_label(session: Session, viewer: Viewer) -> str:
    """Whose numbers these are, in words: "alla kommuner", "Askersund kommun", or the names of
    the viewer's administrations or units."""
    if viewer.sees_all:
        return ALL_SCOPE["sv"]
    names: list[str] = []
    for model, codes, suffix in (
        (Municipality, viewer.municipality_codes, " kommun"),
        (Administration, viewer.administration_codes, ""),
        (Unit, viewer.unit_codes, ""),
    ):
        if codes:
            found = session.scalars(
                select(model.name).where(model.code.in_(sorted(codes))).order_by(model.name)
            ).all()
            names += [f"{name}{suffix}" for name in found]
    return ", ".join(names) or "–"


def _write_sheet(
    wb: Workbook, title: str, headers: list[str], rows: list[list], heading: str
) -> None:
    """One sheet: the title row, then the named table of ``headers`` and ``rows``."""
    ws = wb.create_sheet(title)
    taken = {t for sheet in wb.worksheets for t in sheet.tables}
    write_table(
        ws,
        title=heading,
        headers=headers,
        rows=([_cell(v) for v in row] for row in rows),
        name=table_name(title, taken),
    )


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
    shown = shown_asset(viewer.role)
    if shown is not None:
        conditions.append(shown)
    return and_(*conditions) if conditions else None


def _assets(session: Session, viewer: Viewer, as_of: dt.date) -> list[list]:
    """One row per visible asset with its latest classification (etl.kpi.rules: the larger id
    wins a tie on the same day) and whether that is current."""
    latest = latest_classification_sql(as_of)
    cls = aliased(Classification)
    query = (
        select(Asset, Unit.name, Administration.name, GovernanceObject.name, cls)
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(Administration, Unit.administration_id == Administration.id)
        .outerjoin(GovernanceObject, Asset.governance_object_id == GovernanceObject.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(cls, cls.id == latest.c.classification_id)
        .order_by(Asset.code)
    )
    condition = visible_asset_condition(viewer)
    if condition is not None:
        query = query.where(condition)
    rows = []
    for asset, unit, admin, obj, c in session.execute(query).all():
        status, review = classification_status(
            c.classified_on if c else None, c.next_review_on if c else None, as_of
        )
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
                CURRENT_LABELS[status],
            ]
        )
    return rows


def _risks(session: Session, viewer: Viewer, as_of: dt.date) -> list[list]:
    """The risks of the viewer's risk list (risk_list_select: the same scope, the same
    säkerhetsskydd rule), so that the workbook never lists a risk the Risker page does not."""
    query = (
        risk_list_select(as_of, viewer, lang="sv")
        .add_columns(RiskAnalysis.code.label("analysis_code"))
        .order_by(RiskAnalysis.code, Risk.code)
    )
    return [
        [
            row.code,
            row.analysis_code,
            row.subject,
            row.analysed_on,
            row.description,
            row.likelihood,
            row.consequence,
            row.score,
            row.treatment,
        ]
        for row in session.execute(query).all()
    ]


def _actions(session: Session, viewer: Viewer, as_of: dt.date) -> list[list]:
    """The actions of the viewer's actions grid (action_grid_select: the same scope, the same
    säkerhetsskydd rule), so that the workbook never lists an action the grid does not."""
    query = action_grid_select(as_of, viewer, lang="sv").order_by(Action.due_on, Action.code)
    return [
        [
            row.code,
            row.title,
            row.owner_name,
            row.governance_object_name,
            row.responsible,
            row.due_on,
            row.status,
            row.completed_on,
            row.days_overdue,
        ]
        for row in session.execute(query).all()
    ]


def build_scope_workbook(session: Session, viewer: Viewer, as_of: dt.date) -> bytes:
    """The viewer's scope as an xlsx workbook (bytes); see the module docstring."""
    wb = Workbook()
    wb.remove(wb.active)
    scope = viewer_scope_label(session, viewer)

    def heading(what: str) -> str:
        return export_title(what, scope, as_of)

    _write_sheet(
        wb,
        "Nyckeltal",
        ["Nivå", "Id", "Namn", "Mått", "Värde", "Täljare", "Nämnare", "Enhet"],
        _kpi_rows(session, viewer, as_of),
        heading("Nyckeltal"),
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
            heading("Tillgångar"),
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
            heading("Åtgärder"),
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
            _risks(session, viewer, as_of),
            heading("Risker"),
        )
    info = wb.create_sheet("Om exporten")
    info.append([escape_formula(heading("Om exporten"))])
    info["A1"].font = Font(bold=True, size=13)
    info.append(["Uttag per", as_of])
    info["B2"].number_format = DATE_FORMAT
    info.append(["Omfång", escape_formula(scope)])
    info.append(["Roll", escape_formula(viewer.role)])
    info.append(["Användare", escape_formula(viewer.name)])
    buffer = io.BytesIO()
    wb.save(buffer)
    log.info("scope workbook for %s (%s) as of %s", viewer.name, viewer.role, as_of)
    return buffer.getvalue()


__all__ = ["build_scope_workbook", "viewer_scope_label", "visible_asset_condition"]
