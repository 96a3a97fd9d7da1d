"""Small, valid, hand-countable input workbooks for the ETL tests.

Each builder returns fresh rows keyed by sheet key and column key (as etl.schema declares), so a
test can break one cell and write the file with ``write_org``/``write_admin``/``write_object``
(through etl.workbook_writer, so the headers are exactly the schema's).

Contents (as of TODAY = 2026-11-28):
- organisation: municipalities 1882 Askersund and 1861 Hallsberg; administrations 1882-KLF
  (central), 1882-SOC and 1861-SOC; units 1882-KLF-IT, 1882-SOC-IFO, 1882-SOC-HT, 1861-SOC-IFO;
  five role assignments; provider SNIT; governance object GO-EKO with two participants.
- administration 1882-SOC: 3 assets (T001 shared by IFO and HT), 2 classifications, 1 risk
  analysis with 2 risks, 1 gap analysis with 2 areas, 2 actions, 2 follow-up reports.
- object GO-EKO: 1 asset, 1 object-level risk analysis with 1 risk, 1 provider action.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from etl.workbook_writer import cover_rows, write_csv_set, write_workbook

TODAY = dt.date(2026, 11, 28)
D = dt.date

Rows = dict[str, list[dict[str, object]]]

ORG: Rows = {
    "cover": cover_rows("Organisation", "SYDNARKE", "Kim Testsson", D(2026, 11, 1)),
    "municipalities": [
        {"code": "1882", "name": "Askersund"},
        {"code": "1861", "name": "Hallsberg"},
    ],
    "administrations": [
        {"code": "1882-KLF", "name": "Kommunledningsförvaltningen", "municipality": "1882",
         "is_central": "Ja"},
        {"code": "1882-SOC", "name": "Socialförvaltningen", "municipality": "1882",
         "is_central": "Nej"},
        {"code": "1861-SOC", "name": "Socialförvaltningen Hallsberg", "municipality": "1861"},
    ],
    "units": [
        {"code": "1882-KLF-IT", "name": "IT-enheten", "administration": "1882-KLF",
         "manager_name": "Alva Berg", "manager_email": "alva.berg@example.se"},
        {"code": "1882-SOC-IFO", "name": "Individ- och familjeomsorg",
         "administration": "1882-SOC", "manager_name": "Erik Lund"},
        {"code": "1882-SOC-HT", "name": "Hemtjänst", "administration": "1882-SOC",
         "manager_name": "Sara Ek"},
        {"code": "1861-SOC-IFO", "name": "IFO Hallsberg", "administration": "1861-SOC"},
    ],
    "roles": [
        {"person_name": "Anna Holm", "email": "anna.holm@example.se", "role": "CISO",
         "node": "1882"},
        {"person_name": "Olle Strand", "role": "Informationssäkerhetshandläggare",
         "node": "1882-SOC"},
        {"person_name": "Lisa Nord", "role": "Dataskyddsombud", "node": "1882"},
        {"person_name": "Per Vik", "role": "Säkerhetsskyddschef", "node": "1882"},
        {"person_name": "Maja Sten", "role": "Funktionsansvarig", "node": "GO-EKO"},
    ],
    "providers": [{"code": "SNIT", "name": "Sydnärke IT"}],
    "governance_objects": [
        {"code": "GO-EKO", "name": "Ekonomisystem", "provider": "SNIT",
         "description": "Gemensamt ekonomisystem"},
    ],
    "participants": [
        {"governance_object": "GO-EKO", "municipality": "1882", "administration": "1882-KLF"},
        {"governance_object": "GO-EKO", "municipality": "1861"},
    ],
}  # fmt: skip

ADMIN: Rows = {
    "cover": cover_rows("Förvaltning", "1882-SOC", "Olle Strand", D(2026, 11, 20)),
    "assets": [
        {"code": "1882-SOC-T001", "name": "Journalsystem", "carrier_name": "Procapita",
         "carrier_type": "IT-system", "owners": ["1882-SOC-IFO", "1882-SOC-HT"],
         "personal_data": "Känsliga", "register_ref": "RF-12", "security_protection": "Nej"},
        {"code": "1882-SOC-T002", "name": "Schemaplanering", "carrier_type": "Molntjänst",
         "owners": ["1882-SOC-HT"], "personal_data": "Ja"},
        {"code": "1882-SOC-T003", "name": "Pärm med avtal", "carrier_type": "Pärm",
         "owners": ["1882-SOC-IFO"], "personal_data": "Nej", "security_protection": "Ja"},
    ],
    "classifications": [
        {"asset": "1882-SOC-T001", "classified_on": D(2026, 1, 15),
         "next_review_on": D(2027, 1, 15), "confidentiality": "3 Allvarlig", "integrity": 2,
         "availability": "Betydande", "participants": ["1882-SOC-IFO", "1882-SOC-HT"],
         "model_version": "KLASSA 5"},
        {"asset": "1882-SOC-T002", "classified_on": D(2022, 6, 1), "confidentiality": 1,
         "integrity": 1, "availability": 2, "traceability": 1},
    ],
    "risk_analyses": [
        {"code": "1882-SOC-RA01", "asset": "1882-SOC-T001", "analysed_on": D(2026, 2, 1),
         "responsible": "Erik Lund"},
    ],
    "risks": [
        {"code": "1882-SOC-R01", "analysis": "1882-SOC-RA01", "description": "Obehörig åtkomst",
         "likelihood": 3, "consequence": "Allvarlig", "treatment": "Reducera"},
        {"code": "1882-SOC-R02", "analysis": "1882-SOC-RA01", "description": "Driftstopp",
         "likelihood": "Låg", "consequence": 2, "treatment": "Acceptera"},
    ],
    "gap_analysis": [
        {"assessed_on": D(2026, 3, 1), "area": "organisation", "level": 2},
        {"assessed_on": D(2026, 3, 1), "area": "Styrdokument", "level": "3 Definierad",
         "comment": "Riktlinjer finns"},
    ],
    "actions": [
        {"code": "1882-SOC-A01", "title": "Inför tvåfaktorsinloggning", "risk": "1882-SOC-R01",
         "owner_unit": "1882-SOC-IFO", "responsible": "Erik Lund", "due_on": D(2026, 12, 31),
         "status": "Pågår"},
        {"code": "1882-SOC-A02", "title": "Revidera riktlinjer", "area": "styrdokument",
         "owner_unit": "1882-SOC-HT", "due_on": D(2026, 6, 30), "status": "Klar",
         "completed_on": D(2026, 6, 15)},
    ],
    "follow_ups": [
        {"unit": "1882-SOC-IFO", "period": "2026-Q3", "submitted": "Ja",
         "submitted_on": D(2026, 10, 5), "training_completion_pct": 85.5,
         "last_access_review_on": D(2026, 9, 1)},
        {"unit": "1882-SOC-HT", "period": "2026-Q3", "submitted": "Nej"},
    ],
}  # fmt: skip

OBJECT: Rows = {
    "cover": cover_rows("Förvaltningsobjekt", "GO-EKO", "Maja Sten", D(2026, 11, 2)),
    "assets": [
        {"code": "GO-EKO-T001", "name": "Ekonomisystemet", "carrier_type": "IT-system",
         "owners": ["1882-KLF-IT", "1861-SOC-IFO"], "governance_object": "GO-EKO",
         "personal_data": "Ja", "register_ref": "RF-3"},
    ],
    "risk_analyses": [
        {"code": "GO-EKO-RA01", "analysed_on": D(2026, 4, 1), "responsible": "Maja Sten"},
    ],
    "risks": [
        {"code": "GO-EKO-R01", "analysis": "GO-EKO-RA01", "description": "Leverantörsberoende",
         "likelihood": 2, "consequence": 3, "treatment": "Överföra"},
    ],
    "actions": [
        {"code": "GO-EKO-A01", "title": "Exitplan", "risk": "GO-EKO-R01", "provider": "SNIT",
         "due_on": D(2026, 9, 30), "status": "Ej påbörjad"},
    ],
}  # fmt: skip

# Rows each valid workbook adds to the store, per sheet key.
ORG_COUNTS = {"municipalities": 2, "administrations": 3, "units": 4, "roles": 5, "providers": 1,
              "governance_objects": 1, "participants": 2}  # fmt: skip
ADMIN_COUNTS = {"assets": 3, "classifications": 2, "risk_analyses": 1, "risks": 2,
                "gap_analysis": 2, "actions": 2, "follow_ups": 2}  # fmt: skip


def org_rows() -> Rows:
    return copy.deepcopy(ORG)


def admin_rows() -> Rows:
    return copy.deepcopy(ADMIN)


def object_rows() -> Rows:
    return copy.deepcopy(OBJECT)


def write_org(directory: Path, rows: Rows | None = None, name: str = "organisation.xlsx") -> Path:
    return write_workbook(directory / name, "organisation", rows or org_rows())


def write_admin(directory: Path, rows: Rows | None = None, name: str = "1882-SOC.xlsx") -> Path:
    return write_workbook(directory / name, "administration", rows or admin_rows())


def write_object(directory: Path, rows: Rows | None = None, name: str = "GO-EKO.xlsx") -> Path:
    return write_workbook(directory / name, "object", rows or object_rows())


def write_admin_csv(directory: Path, rows: Rows | None = None, **kwargs) -> Path:
    """The administration workbook as a CSV set; returns the path of its asset file."""
    paths = write_csv_set(directory, "1882-SOC", "administration", rows or admin_rows(), **kwargs)
    return next(p for p in paths if p.name.endswith(".tillgangar.csv"))
