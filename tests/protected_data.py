"""A säkerhetsskydd asset inside Askersund (1882), added to tests/kpi_data.py's store, with
everything that can name it: its classification, owners, risk analysis, a high risk, actions on
that risk (one of its own unit, one of another 1882 unit inside the shared object GO-EK) and
their responsible person.

X11 "Skyddat larmsystem" (primary unit 1882-SOC-IFO, co-owner 1882-SOC-AO, object GO-EK),
classified 2022-01-10 (expired), analysis RA-X11 with risk R11 (4 × 4, reduce), actions AC11
(1882-SOC-IFO, overdue) and AC12 (1882-KLF-IT, object GO-EK, due within 14 days), both with
responsible "Pia Skydd" <pia@ex.se>; the unit managers have addresses, so reminders go out.

Every pattern in ``PROTECTED`` names or links to X11: nobody but the protection officer may get
any of them from a list, an export, a report or a reminder.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from etl import models as m

PROTECTED = [
    r"\bX11\b",
    "Skyddat larmsystem",
    r"\bRA-X11\b",
    r"\bR11\b",
    "Intrång i larmcentral",
    r"\bAC11\b",
    r"\bAC12\b",
    "Byt larmkoder",
    "Pia Skydd",
]


def add_protected_asset(engine) -> None:
    """Insert X11 and what links to it into the store that kpi_data.build_store made."""
    with Session(engine) as s, s.begin():
        units = {u.code: u for u in s.scalars(select(m.Unit))}
        go = s.scalars(select(m.GovernanceObject).where(m.GovernanceObject.code == "GO-EK")).one()
        source = s.scalars(select(m.Source)).first()
        asset = m.Asset(
            code="X11",
            name="Skyddat larmsystem",
            carrier_name="Larmcentral",
            carrier_type="it_system",
            primary_unit_id=units["1882-SOC-IFO"].id,
            governance_object_id=go.id,
            personal_data="yes",
            security_protection=True,
            source_id=source.id,
        )
        s.add(asset)
        s.flush()
        s.add_all(
            [
                m.AssetOwner(asset_id=asset.id, unit_id=units["1882-SOC-IFO"].id, is_primary=True),
                m.AssetOwner(asset_id=asset.id, unit_id=units["1882-SOC-AO"].id),
                m.Classification(
                    asset_id=asset.id,
                    classified_on=dt.date(2022, 1, 10),
                    confidentiality=4,
                    integrity=3,
                    availability=3,
                    source_id=source.id,
                ),
            ]
        )
        analysis = m.RiskAnalysis(
            code="RA-X11",
            asset_id=asset.id,
            analysed_on=dt.date(2026, 2, 1),
            matrix_size=4,
            source_id=source.id,
        )
        s.add(analysis)
        s.flush()
        risk = m.Risk(
            code="R11",
            risk_analysis_id=analysis.id,
            description="Intrång i larmcentral",
            likelihood=4,
            consequence=4,
            treatment="reduce",
            source_id=source.id,
        )
        s.add(risk)
        s.flush()
        for code, unit, obj, due in (
            ("AC11", "1882-SOC-IFO", None, dt.date(2026, 10, 1)),
            ("AC12", "1882-KLF-IT", go.id, dt.date(2026, 12, 5)),
        ):
            s.add(
                m.Action(
                    code=code,
                    title=f"Byt larmkoder ({code})",
                    risk_id=risk.id,
                    owner_unit_id=units[unit].id,
                    governance_object_id=obj,
                    responsible="Pia Skydd",
                    responsible_email="pia@ex.se",
                    due_on=due,
                    status="in_progress",
                    source_id=source.id,
                )
            )
        for code, address in (("1882-SOC-IFO", "bo@ex.se"), ("1882-KLF-IT", "anna@ex.se")):
            s.execute(update(m.Unit).where(m.Unit.code == code).values(manager_email=address))
