"""Loading into a real store (SQLite and PostgreSQL): all or nothing, unchanged, replacement."""

import json
import threading

import pytest
from sqlalchemy import func, select, text

from etl import models
from etl.load import load_file, load_paths
from etl.workbook_writer import write_workbook
from tests.workbooks import (
    ADMIN_COUNTS,
    TODAY,
    admin_rows,
    org_rows,
    write_admin,
    write_admin_csv,
    write_object,
    write_org,
)

TABLES = [m for m in models.Base.metadata.sorted_tables if m.name not in ("load", "load_error")]


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in TABLES}


def load(engine, *paths):
    return load_paths(engine, list(paths), today=TODAY)


def loaded_org(engine, tmp_path):
    result = load(engine, write_org(tmp_path / "org"))
    assert [f.outcome for f in result.files] == ["accepted"]
    return result


def test_organisation_then_data_all_accepted(engine, tmp_path):
    result = load(engine, write_admin(tmp_path), write_object(tmp_path), write_org(tmp_path))
    assert [(f.file_name, f.outcome) for f in result.files] == [
        ("organisation.xlsx", "accepted"), ("1882-SOC.xlsx", "accepted"),
        ("GO-EKO.xlsx", "accepted"),
    ]  # fmt: skip
    assert result.ok
    assert result.files[1].counts == ADMIN_COUNTS
    c = counts(engine)
    assert (c["municipality"], c["administration"], c["unit"], c["role_assignment"]) == (2, 3, 4, 5)
    assert (c["asset"], c["asset_owner"], c["classification"]) == (4, 6, 2)
    assert (c["classification_participant"], c["risk_analysis"], c["risk"]) == (2, 2, 3)
    assert (c["gap_analysis"], c["gap_assessment"], c["action"], c["follow_up_report"]) == (
        1, 2, 3, 2)  # fmt: skip
    assert c["maturity_area"] == 11  # the default catalogue
    with engine.connect() as conn:
        high = conn.execute(text(
            "SELECT r.likelihood, r.consequence, r.treatment FROM risk r WHERE r.code = '1882-SOC-R01'"
        )).one()  # fmt: skip
        provider_action = conn.execute(text(
            "SELECT a.provider_id IS NOT NULL, a.governance_object_id IS NOT NULL FROM action a "
            "WHERE a.code = 'GO-EKO-A01'")).one()  # fmt: skip
        pct = conn.execute(text("SELECT training_completion_pct FROM follow_up_report "
                                "WHERE period = '2026-Q3' AND submitted")).scalar()  # fmt: skip
    assert tuple(high) == (3, 4, "reduce")
    assert tuple(provider_action) == (True, True)
    assert pct == 85.5


def test_one_bad_cell_in_the_last_sheet_changes_nothing(engine, tmp_path):
    loaded_org(engine, tmp_path)
    assert load(engine, write_admin(tmp_path)).ok
    before = counts(engine)
    rows = admin_rows()
    rows["assets"].append({"code": "1882-SOC-T004", "name": "Ny", "carrier_type": "Pärm",
                           "owners": ["1882-SOC-IFO"], "personal_data": "Nej"})  # fmt: skip
    rows["follow_ups"][1]["submitted"] = "kanske"  # last sheet of the workbook
    result = load(engine, write_admin(tmp_path, rows, "1882-SOC-v2.xlsx"))
    file = result.files[0]
    assert not result.ok and file.outcome == "rejected"
    assert [(i.sheet, i.row, i.column) for i in file.issues] == [("Uppföljning", 3, "Inlämnad")]
    assert counts(engine) == before
    with engine.connect() as conn:
        recorded = conn.execute(text(
            "SELECT l.outcome, l.error_count, e.sheet, e.row, e.\"column\", e.value "
            "FROM load l JOIN load_error e ON e.load_id = l.id")).all()  # fmt: skip
    assert [tuple(r) for r in recorded] == [("rejected", 1, "Uppföljning", 3, "Inlämnad", "kanske")]


def test_same_file_twice_is_unchanged(engine, tmp_path):
    loaded_org(engine, tmp_path)
    path = write_admin(tmp_path)
    first = load(engine, path).files[0]
    before = counts(engine)
    second = load(engine, path).files[0]
    assert (first.outcome, second.outcome) == ("accepted", "unchanged")
    assert counts(engine) == before
    with engine.connect() as conn:
        outcomes = conn.execute(text("SELECT outcome FROM load ORDER BY id")).scalars().all()
    assert outcomes == ["accepted", "accepted", "unchanged"]


def test_newer_file_replaces_its_source_only(engine, tmp_path):
    loaded_org(engine, tmp_path)
    assert load(engine, write_admin(tmp_path), write_object(tmp_path)).ok
    rows = admin_rows()
    rows["assets"] = rows["assets"][:1] + [
        {"code": "1882-SOC-T010", "name": "Nytt system", "carrier_type": "Molntjänst",
         "owners": ["1882-SOC-HT"], "personal_data": "Nej"}]  # fmt: skip
    rows["classifications"] = rows["classifications"][:1]
    rows["follow_ups"] = []
    result = load(engine, write_admin(tmp_path / "v2", rows))
    assert result.files[0].outcome == "accepted"
    with engine.connect() as conn:
        codes = conn.execute(text("SELECT code FROM asset ORDER BY code")).scalars().all()
        sources = conn.execute(text(
            "SELECT s.key, l.file_name FROM source s JOIN load l ON l.id = s.current_load_id "
            "ORDER BY s.key")).all()  # fmt: skip
    assert codes == ["1882-SOC-T001", "1882-SOC-T010", "GO-EKO-T001"]
    c = counts(engine)
    assert (c["classification"], c["follow_up_report"], c["action"]) == (1, 0, 3)
    assert [tuple(s) for s in sources] == [
        ("administration:1882-SOC", "1882-SOC.xlsx"), ("object:GO-EKO", "GO-EKO.xlsx"),
        ("organisation:SYDNARKE", "organisation.xlsx")]  # fmt: skip


def test_ids_owned_by_another_source_are_rejected(engine, tmp_path):
    loaded_org(engine, tmp_path)
    assert load(engine, write_admin(tmp_path)).ok
    rows = org_rows()  # not needed: build a KLF workbook reusing a SOC asset code
    klf = {"cover": [{"kind": "Förvaltning", "code": "1882-KLF"}],
           "assets": [{"code": "1882-SOC-T001", "name": "Kopia", "carrier_type": "Pärm",
                       "owners": ["1882-KLF-IT"], "personal_data": "Nej"}]}  # fmt: skip
    del rows
    path = write_workbook(tmp_path / "1882-KLF.xlsx", "administration", klf)
    file = load(engine, path).files[0]
    assert file.outcome == "rejected"
    assert [(i.sheet, i.row, i.column) for i in file.issues] == [("Tillgångar", 2, "Tillgångs-ID")]
    assert "Förvaltning 1882-SOC" in file.issues[0].message_sv


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ";"), ("utf-8-sig", ","),
                                                     ("cp1252", ";"), ("cp1252", ",")])  # fmt: skip
def test_csv_set_loads_the_same_rows_as_the_workbook(engine, tmp_path, encoding, delimiter):
    loaded_org(engine, tmp_path)
    assert load(engine, write_admin(tmp_path)).files[0].outcome == "accepted"
    snapshot = _data_snapshot(engine)
    # Replace by the CSV set: the source's rows are deleted and re-inserted from the CSV files.
    csv_path = write_admin_csv(tmp_path / "csv", encoding=encoding, delimiter=delimiter)
    result = load(engine, csv_path.parent)
    assert [(f.file_name, f.outcome) for f in result.files] == [("1882-SOC.*.csv", "accepted")]
    assert _data_snapshot(engine) == snapshot


def _data_snapshot(engine):
    with engine.connect() as conn:
        return {
            "asset": conn.execute(
                text(
                    "SELECT code, name, carrier_name, carrier_type, personal_data, register_ref, "
                    "security_protection FROM asset ORDER BY code"
                )
            ).all(),  # fmt: skip
            "classification": conn.execute(
                text(
                    "SELECT classified_on, next_review_on, confidentiality, integrity, availability, "
                    "traceability FROM classification ORDER BY classified_on"
                )
            ).all(),  # fmt: skip
            "action": conn.execute(
                text("SELECT code, due_on, status, completed_on FROM action ORDER BY code")
            ).all(),
            "follow_up": conn.execute(
                text(
                    "SELECT period, submitted, submitted_on, training_completion_pct "
                    "FROM follow_up_report ORDER BY submitted"
                )
            ).all(),  # fmt: skip
        }


def test_organisation_upsert_keeps_ids_and_refuses_to_drop_used_units(engine, tmp_path):
    loaded_org(engine, tmp_path)
    assert load(engine, write_admin(tmp_path)).ok
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM unit")).all())
    rows = org_rows()
    rows["units"][2]["name"] = "Hemtjänsten"
    rows["units"] = rows["units"][:3]  # 1861-SOC-IFO (unused) disappears
    assert load(engine, write_org(tmp_path / "v2", rows)).files[0].outcome == "accepted"
    with engine.connect() as conn:
        after = dict(conn.execute(text("SELECT code, id FROM unit")).all())
        name = conn.execute(text("SELECT name FROM unit WHERE code='1882-SOC-HT'")).scalar()
    assert after == {k: v for k, v in ids.items() if k != "1861-SOC-IFO"}
    assert name == "Hemtjänsten"
    before = counts(engine)
    rows["units"] = rows["units"][:2]  # 1882-SOC-HT owns assets: must not go
    file = load(engine, write_org(tmp_path / "v3", rows)).files[0]
    assert file.outcome == "rejected"
    assert {(i.sheet, i.column, i.value) for i in file.issues} == {("Enheter", "Enhetskod",
                                                                    "1882-SOC-HT")}  # fmt: skip
    assert "används fortfarande av" in file.issues[0].message_sv
    assert counts(engine) == before


def test_upload_for_another_administration_is_refused(engine, tmp_path):
    loaded_org(engine, tmp_path)
    file = load_file(engine, write_admin(tmp_path), allowed_administrations={"1882-KLF"})
    assert file.outcome == "rejected"
    assert "får bara läsa in filer för 1882-KLF" in file.issues[0].message_sv
    assert load_file(engine, write_admin(tmp_path), allowed_administrations={"1882-SOC"},
                     today=TODAY).outcome == "accepted"  # fmt: skip


def test_hostile_file_is_rejected_and_recorded(engine, tmp_path):
    path = tmp_path / "bild.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    file = load(engine, path).files[0]
    assert file.outcome == "rejected" and file.load_id is not None
    with engine.connect() as conn:
        message = conn.execute(text("SELECT message_sv FROM load_error")).scalar()
    assert "ingen Excel-arbetsbok" in message


def test_counts_and_lineage_recorded(engine, tmp_path):
    loaded_org(engine, tmp_path)
    file = load_paths(engine, [write_admin(tmp_path)], loaded_by="olle", today=TODAY).files[0]
    with engine.connect() as conn:
        row = conn.execute(text("SELECT outcome, loaded_by, rows_total, counts_json, sha256 "
                                "FROM load WHERE id = :id"), {"id": file.load_id}).one()  # fmt: skip
    assert row[:3] == ("accepted", "olle", sum(ADMIN_COUNTS.values()))
    assert json.loads(row[3]) == ADMIN_COUNTS
    assert len(row[4]) == 64


def test_concurrent_loads_never_interleave(engine, tmp_path):
    loaded_org(engine, tmp_path)
    paths = [write_admin(tmp_path / "a"), write_object(tmp_path / "b")]
    results = {}

    def run(path):
        results[path.name] = load_file(engine, path, today=TODAY)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(r.outcome for r in results.values())
    assert "rejected" not in outcomes
    c = counts(engine)
    assert (c["asset"], c["action"]) == (4, 3)
