"""A tiny store whose every number can be counted by hand (as of 2026-11-28, period 2026-Q3).

Organisation
  1882 Askersund: 1882-KLF (central; unit 1882-KLF-IT) and 1882-SOC (units 1882-SOC-IFO and
  1882-SOC-AO, the latter without manager). 1861 Hallsberg: 1861-BUF (central; units
  1861-BUF-GR and 1861-BUF-FS). Governance object GO-EK run by provider SIT, participants
  (1882, 1882-KLF) and (1861, no administration).
Roles: ciso on 1882 and on 1861-BUF (central); security officers on 1882-KLF and 1861-BUF (not on
  1882-SOC); dpo on 1882; protection officer on 1861-BUF.
Assets (primary unit; object) and what makes them count — see the table in tests/test_kpi.py.
"""

from __future__ import annotations

import datetime as dt

from etl import models as m

AS_OF = dt.date(2026, 11, 28)
D = dt.date


def build(session) -> None:
    """Insert the whole store into ``session`` (the caller commits)."""
    s = session
    m1 = m.Municipality(code="1882", name="Askersund")
    m2 = m.Municipality(code="1861", name="Hallsberg")
    a1 = m.Administration(
        code="1882-KLF", name="Kommunledningsförvaltningen", municipality=m1, is_central=True
    )
    a2 = m.Administration(code="1882-SOC", name="Socialförvaltningen", municipality=m1)
    a3 = m.Administration(
        code="1861-BUF", name="Barn- och utbildning", municipality=m2, is_central=True
    )
    u1 = m.Unit(code="1882-KLF-IT", name="IT-enheten", administration=a1, manager_name="Anna")
    u2 = m.Unit(
        code="1882-SOC-IFO", name="Individ och familj", administration=a2, manager_name="Bo"
    )
    u3 = m.Unit(code="1882-SOC-AO", name="Äldreomsorg", administration=a2, manager_name=" ")
    u4 = m.Unit(code="1861-BUF-GR", name="Grundskola", administration=a3, manager_name="Cia")
    u5 = m.Unit(code="1861-BUF-FS", name="Förskola", administration=a3, manager_name="Dan")
    provider = m.Provider(code="SIT", name="Sydnärke IT")
    go = m.GovernanceObject(code="GO-EK", name="Ekonomisystem", provider=provider)
    s.add_all([m1, m2, a1, a2, a3, u1, u2, u3, u4, u5, provider, go])
    s.flush()
    s.add_all(
        [
            m.GovernanceParticipant(
                governance_object_id=go.id, municipality_id=m1.id, administration_id=a1.id
            ),
            m.GovernanceParticipant(governance_object_id=go.id, municipality_id=m2.id),
            m.RoleAssignment(person_name="Eva", role="ciso", municipality_id=m1.id),
            m.RoleAssignment(person_name="Fia", role="ciso", administration_id=a3.id),
            m.RoleAssignment(person_name="Gus", role="security_officer", administration_id=a1.id),
            m.RoleAssignment(person_name="Hal", role="security_officer", administration_id=a3.id),
            m.RoleAssignment(person_name="Ina", role="dpo", municipality_id=m1.id),
            m.RoleAssignment(person_name="Jon", role="protection_officer", administration_id=a3.id),
            m.RoleAssignment(person_name="Kim", role="manager", unit_id=u1.id),
        ]
    )
    src = m.Source(key="administration:test", kind="administration")
    s.add(src)
    s.flush()
    sid = src.id

    def asset(code, unit, *, obj=None, personal="no", ref=None, owners=(), protected=False):
        a = m.Asset(
            code=code,
            name=f"Tillgång {code}",
            carrier_type="it_system",
            primary_unit_id=unit.id,
            governance_object_id=obj.id if obj else None,
            personal_data=personal,
            register_ref=ref,
            security_protection=protected,
            source_id=sid,
        )
        s.add(a)
        s.flush()
        s.add(m.AssetOwner(asset_id=a.id, unit_id=unit.id, is_primary=True))
        for other in owners:
            s.add(m.AssetOwner(asset_id=a.id, unit_id=other.id))
        return a

    def classify(a, on, review=None, participants=()):
        c = m.Classification(
            asset_id=a.id,
            classified_on=on,
            next_review_on=review,
            confidentiality=2,
            integrity=2,
            availability=2,
            source_id=sid,
        )
        s.add(c)
        s.flush()
        for unit in participants:
            s.add(m.ClassificationParticipant(classification_id=c.id, unit_id=unit.id))

    def analysis(code, on, a=None, obj=None):
        ra = m.RiskAnalysis(
            code=code,
            analysed_on=on,
            asset_id=a.id if a else None,
            governance_object_id=obj.id if obj else None,
            matrix_size=4,
            source_id=sid,
        )
        s.add(ra)
        s.flush()
        return ra

    def risk(code, ra, likelihood, consequence, treatment):
        r = m.Risk(
            code=code,
            risk_analysis_id=ra.id,
            description=code,
            likelihood=likelihood,
            consequence=consequence,
            treatment=treatment,
            source_id=sid,
        )
        s.add(r)
        s.flush()
        return r

    def action(code, due, status, *, unit=None, r=None, obj=None, completed=None):
        s.add(
            m.Action(
                code=code,
                title=code,
                risk_id=r.id if r else None,
                owner_unit_id=unit.id if unit else None,
                provider_id=provider.id if unit is None else None,
                governance_object_id=obj.id if obj else None,
                due_on=due,
                status=status,
                completed_on=completed,
                source_id=sid,
            )
        )

    x1 = asset("X1", u1, obj=go, personal="yes", ref="REG-1", owners=[u4])
    classify(x1, D(2025, 1, 10), D(2027, 1, 10), participants=[u1])
    ra = analysis("RA-X1", D(2025, 2, 1), a=x1)
    r1 = risk("R1", ra, 3, 3, "reduce")
    risk("R2", ra, 1, 2, "accept")
    action("AC1", D(2026, 12, 31), "in_progress", unit=u1, r=r1)
    action("AC10", D(2025, 1, 1), "cancelled", unit=u1)

    x2 = asset("X2", u1, personal="sensitive")
    classify(x2, D(2022, 6, 1))
    risk("R3", analysis("RA-X2", D(2022, 1, 1), a=x2), 4, 4, "accept")

    asset("X3", u2)

    x4 = asset("X4", u2)
    classify(x4, D(2021, 1, 1), D(2030, 1, 1))
    classify(x4, D(2024, 3, 1), D(2026, 10, 1))
    classify(x4, D(2027, 1, 1), D(2030, 1, 1))  # after as_of: ignored

    x5 = asset("X5", u2, obj=go, personal="yes", ref="  ", owners=[u3])
    classify(x5, D(2026, 6, 1), participants=[u2, u3])
    r4 = risk("R4", analysis("RA-X5", D(2026, 5, 1), a=x5), 3, 4, "reduce")
    action("AC2", D(2026, 9, 1), "cancelled", unit=u2, r=r4)
    action("AC7", D(2026, 10, 15), "not_started", unit=u2)

    x6 = asset("X6", u3)
    classify(x6, D(2023, 12, 15))
    r5 = risk("R5", analysis("RA-X6", D(2025, 10, 1), a=x6), 2, 2, "reduce")
    action("AC3", D(2026, 11, 20), "not_started", unit=u3, r=r5)

    x7 = asset("X7", u4, personal="yes", ref="REG-7", protected=True)
    classify(x7, D(2026, 1, 10), D(2029, 1, 10))
    r6 = risk("R6", analysis("RA-X7", D(2026, 2, 1), a=x7), 4, 3, "transfer")
    action("AC4", D(2026, 4, 1), "done", unit=u4, r=r6, completed=D(2026, 3, 1))
    action("AC8", D(2026, 6, 1), "done", unit=u4, completed=D(2026, 6, 10))

    x8 = asset("X8", u5)
    risk("R7", analysis("RA-X8", D(2023, 11, 29), a=x8), 2, 2, "accept")

    x9 = asset("X9", u5, owners=[u4, u1])
    classify(x9, D(2025, 5, 5), D(2026, 11, 28))
    analysis("RA-X9", D(2023, 11, 28), a=x9)
    action("AC9", D(2026, 12, 31), "done", unit=u5, completed=D(2026, 12, 5))

    ra_go = analysis("RA-GO", D(2026, 3, 1), obj=go)
    r8 = risk("R8", ra_go, 3, 3, "reduce")
    risk("R9", ra_go, 1, 1, "accept")
    action("AC5", D(2026, 8, 1), "in_progress", r=r8, obj=go)
    action("AC6", D(2026, 5, 1), "not_started", obj=go)

    def report(unit, period, submitted, pct=None, review=None):
        s.add(
            m.FollowUpReport(
                unit_id=unit.id,
                period=period,
                submitted=submitted,
                training_completion_pct=pct,
                last_access_review_on=review,
                source_id=sid,
            )
        )

    report(u1, "2026-Q3", True, 80.0, D(2026, 1, 15))
    report(u2, "2026-Q3", True, 60.0, D(2025, 6, 1))
    report(u3, "2026-Q2", True, 50.0, D(2026, 5, 1))
    report(u3, "2026-Q3", False)
    report(u4, "2026-Q4", True, 90.0, D(2026, 11, 1))  # a later period: ignored
    report(u5, "2026-Q3", True)

    areas = [
        m.MaturityArea(code=c, name=n, sort_order=i)
        for i, (c, n) in enumerate(
            [
                ("organisation", "Organisation och roller"),
                ("styrdokument", "Styrdokument"),
                ("klassning", "Informationsklassning"),
            ]
        )
    ]
    s.add_all(areas)
    s.flush()

    def gap(on, levels, *, adm=None, obj=None):
        g = m.GapAnalysis(
            assessed_on=on,
            administration_id=adm.id if adm else None,
            governance_object_id=obj.id if obj else None,
            source_id=sid,
        )
        s.add(g)
        s.flush()
        for area, level in zip(areas, levels, strict=True):
            s.add(m.GapAssessment(gap_analysis_id=g.id, area_id=area.id, level=level))

    gap(D(2025, 10, 1), (1, 1, 1), adm=a1)
    gap(D(2026, 10, 1), (2, 3, 4), adm=a1)
    gap(D(2026, 12, 15), (5, 5, 5), adm=a2)  # after as_of: ignored
    gap(D(2026, 4, 1), (1, 2, 0), adm=a2)
    gap(D(2026, 9, 1), (2, 2, 2), obj=go)
    s.flush()


def build_store(engine) -> None:
    from etl.db import session_factory

    with session_factory(engine)() as s, s.begin():
        build(s)
