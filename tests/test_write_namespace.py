"""A file writes only in its own namespace, whoever loads it (CLI, web upload).

An administration's or object's workbook creates codes that start with its own code and a
hyphen, and hands assets and actions only to units of its own municipality (an object: of the
municipalities taking part, or to its provider). The organisation workbook keeps every
administration in its municipality's namespace and every unit in its administration's. A
violation rejects the whole file with its location, and the store keeps what it had. Real
workbooks, real stores (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json

import pytest

from etl import namespace
from etl.load import load_paths
from etl.workbook_writer import cover_rows, write_workbook
from tests.store_dump import store_dump
from tests.test_auth_support import login
from tests.test_upload import app, data_url, upload  # noqa: F401 - app is a fixture
from tests.workbooks import (
    TODAY,
    admin_rows,
    object_rows,
    org_rows,
    write_admin,
    write_object,
    write_org,
)


def load(engine, *paths):
    return load_paths(engine, list(paths), today=TODAY)


def only_file(result):
    assert len(result.files) == 1
    return result.files[0]


def located(file):
    return [(i.file, i.sheet, i.row, i.column, i.value) for i in file.issues]


def hallsberg_rows(*assets: str):
    """Hallsberg's social administration (1861-SOC): one asset per code given."""
    return {
        "cover": cover_rows("Förvaltning", "1861-SOC", "Hanna Ek", TODAY),
        "assets": [{"code": code, "name": "Hallsbergs tillgång", "carrier_type": "Pärm",
                    "owners": ["1861-SOC-IFO"], "personal_data": "Nej"} for code in assets],
    }  # fmt: skip


def rename(rows, old: str, new: str):
    """Every cell holding ``old`` (or a list holding it) now holds ``new``."""
    for sheet in rows.values():
        for row in sheet:
            for key, value in row.items():
                if value == old:
                    row[key] = new
                elif isinstance(value, list):
                    row[key] = [new if v == old else v for v in value]
    return rows


@pytest.fixture
def loaded(engine, tmp_path):
    """The organisation and Askersund's 1882-SOC, loaded; the store's rows before the test."""
    result = load(engine, write_org(tmp_path / "org"), write_admin(tmp_path / "v1"))
    assert [f.outcome for f in result.files] == ["accepted", "accepted"]
    return store_dump(engine)


# --------------------------------------------------------------------------- the rule itself


@pytest.mark.parametrize(
    ("code", "owner", "inside"),
    [("1882-SOC-T001", "1882-SOC", True), ("1882-SOC-", "1882-SOC", False),
     ("1882-SOC", "1882-SOC", False), ("1882-SOCX-T1", "1882-SOC", False),
     ("1882-soc-T001", "1882-SOC", False), ("GO-EKO", "GO", True), ("1882-SOC-IFO-T1", "1882-SOC", True)],
)  # fmt: skip
def test_in_namespace(code, owner, inside):
    assert namespace.in_namespace(code, owner) is inside


def test_enclosing_finds_nested_and_equal_namespaces():
    codes = ["1882-SOC", "1882-SOC-IFO", "1882-SOCIAL", "GO-EKO", "GO-EKO", "GO-EKO-X-Y", "1861"]
    assert namespace.enclosing(codes) == {"1882-SOC-IFO": "1882-SOC", "GO-EKO": "GO-EKO",
                                          "GO-EKO-X-Y": "GO-EKO"}  # fmt: skip


# --------------------------------------------------------------------------- actions


def test_action_owned_by_another_municipality_is_refused(engine, tmp_path, loaded):
    rows = admin_rows()
    rows["actions"][1]["owner_unit"] = "1861-SOC-IFO"  # Hallsberg's unit in Askersund's file
    file = only_file(load(engine, write_admin(tmp_path, rows)))
    assert file.outcome == "rejected"
    assert located(file) == [("1882-SOC.xlsx", "Åtgärder", 3, "Ägande enhet", "1861-SOC-IFO")]
    issue = file.issues[0]
    assert issue.message_sv == (
        "Enheten 1861-SOC-IFO hör till kommunen 1861 (förvaltningen 1861-SOC). En fil för "
        "förvaltningen 1882-SOC får bara ge åtgärder till enheter i förvaltningens egen kommun "
        "(1882)."
    )
    assert "may only give actions to units of the administration's own municipality (1882)" in (
        issue.message_en
    )
    assert store_dump(engine) == loaded


def test_action_owned_by_another_administration_of_the_same_municipality_is_accepted(
    engine, tmp_path, loaded
):
    rows = admin_rows()
    rows["actions"][1]["owner_unit"] = "1882-KLF-IT"  # Askersund's IT unit: same municipality
    assert only_file(load(engine, write_admin(tmp_path, rows))).outcome == "accepted"


def test_asset_co_owned_by_another_municipality_is_refused(engine, tmp_path, loaded):
    rows = admin_rows()
    rows["assets"][2]["owners"] = ["1882-SOC-IFO", "1861-SOC-IFO"]
    file = only_file(load(engine, write_admin(tmp_path, rows)))
    assert located(file) == [("1882-SOC.xlsx", "Tillgångar", 4, "Ägande enheter",
                              "1861-SOC-IFO")]  # fmt: skip
    assert "får bara ge tillgångar till enheter i förvaltningens egen kommun (1882)" in (
        file.issues[0].message_sv
    )
    assert store_dump(engine) == loaded


# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize(
    ("old", "new", "sheet", "row", "header"),
    [("1882-SOC-T003", "1861-SOC-T999", "Tillgångar", 4, "Tillgångs-ID"),
     ("1882-SOC-RA01", "1861-SOC-RA01", "Riskanalyser", 2, "Analys-ID"),
     ("1882-SOC-R02", "1861-SOC-R02", "Risker", 3, "Risk-ID"),
     ("1882-SOC-A01", "1861-SOC-A01", "Åtgärder", 2, "Åtgärds-ID")],
)  # fmt: skip
def test_code_in_another_administrations_namespace_is_refused(engine, tmp_path, loaded, old,
                                                              new, sheet, row, header):  # fmt: skip
    rows = rename(admin_rows(), old, new)
    file = only_file(load(engine, write_admin(tmp_path, rows)))
    assert file.outcome == "rejected"
    assert located(file) == [("1882-SOC.xlsx", sheet, row, header, new)]
    suffix = new.rpartition("-")[2]
    assert file.issues[0].message_sv == (
        f"{header} {new} ligger utanför filens kodområde. En fil för förvaltningen 1882-SOC får "
        f"bara skapa koder som börjar med 1882-SOC-, t.ex. 1882-SOC-{suffix}."
    )
    assert "may only create codes that start with 1882-SOC-" in file.issues[0].message_en
    assert store_dump(engine) == loaded


def test_squatted_asset_code_leaves_the_owner_free_to_load(engine, tmp_path, loaded):
    """Askersund's file cannot take 1861-SOC-T999 first; Hallsberg's own upload then loads."""
    rows = admin_rows()
    rows["assets"].append({"code": "1861-SOC-T999", "name": "Kapad kod", "carrier_type": "Pärm",
                           "owners": ["1882-SOC-IFO"], "personal_data": "Nej"})  # fmt: skip
    squat = only_file(load(engine, write_admin(tmp_path, rows)))
    assert squat.outcome == "rejected"
    assert located(squat) == [("1882-SOC.xlsx", "Tillgångar", 5, "Tillgångs-ID", "1861-SOC-T999")]
    assert store_dump(engine) == loaded
    path = write_workbook(tmp_path / "1861-SOC.xlsx", "administration",
                          hallsberg_rows("1861-SOC-T999"))  # fmt: skip
    assert only_file(load(engine, path)).outcome == "accepted"


def test_code_without_the_hyphen_is_refused(engine, tmp_path, loaded):
    """1882-SOCX is not in 1882-SOC's namespace (it would be in an administration 1882-SOCX's)."""
    rows = rename(admin_rows(), "1882-SOC-T002", "1882-SOCT002")
    file = only_file(load(engine, write_admin(tmp_path, rows)))
    assert located(file) == [("1882-SOC.xlsx", "Tillgångar", 3, "Tillgångs-ID", "1882-SOCT002")]


def test_code_taken_outside_the_namespace_names_its_owner_and_the_namespace(engine, tmp_path,
                                                                           loaded):  # fmt: skip
    klf = {"cover": cover_rows("Förvaltning", "1882-KLF"),
           "assets": [{"code": "1882-SOC-T001", "name": "Kopia", "carrier_type": "Pärm",
                       "owners": ["1882-KLF-IT"], "personal_data": "Nej"}]}  # fmt: skip
    file = only_file(load(engine, write_workbook(tmp_path / "1882-KLF.xlsx", "administration",
                                                 klf)))  # fmt: skip
    assert located(file) == [("1882-KLF.xlsx", "Tillgångar", 2, "Tillgångs-ID", "1882-SOC-T001")]
    assert "används redan av Förvaltning 1882-SOC" in file.issues[0].message_sv
    assert "börjar med 1882-KLF-, t.ex. 1882-KLF-T001" in file.issues[0].message_sv
    assert store_dump(engine) == loaded


# --------------------------------------------------------------------------- governance objects


def org_with_outsider():
    """The organisation plus Kumla (1881), which does not take part in GO-EKO, and a provider
    that does not run it."""
    rows = org_rows()
    rows["municipalities"].append({"code": "1881", "name": "Kumla"})
    rows["administrations"].append({"code": "1881-SOC", "name": "Socialförvaltningen Kumla",
                                    "municipality": "1881"})  # fmt: skip
    rows["units"].append({"code": "1881-SOC-IFO", "name": "IFO Kumla",
                          "administration": "1881-SOC"})  # fmt: skip
    rows["providers"].append({"code": "ANNAN", "name": "Annan leverantör"})
    return rows


@pytest.fixture
def loaded_object(engine, tmp_path):
    result = load(engine, write_org(tmp_path / "org", org_with_outsider()),
                  write_object(tmp_path / "v1"))  # fmt: skip
    assert [f.outcome for f in result.files] == ["accepted", "accepted"]
    return store_dump(engine)


def test_object_action_owned_by_a_participants_unit_is_accepted(engine, tmp_path, loaded_object):
    rows = object_rows()
    rows["actions"].append({"code": "GO-EKO-A02", "title": "Behörighetsöversyn",
                            "risk": "GO-EKO-R01", "owner_unit": "1861-SOC-IFO",
                            "due_on": "2026-12-31", "status": "Pågår"})  # fmt: skip
    file = only_file(load(engine, write_object(tmp_path, rows)))
    assert (file.outcome, file.issues) == ("accepted", [])


@pytest.mark.parametrize(
    ("sheet", "column", "value", "header", "row", "message"),
    [("actions", "owner_unit", "1881-SOC-IFO", "Ägande enhet", 3,
      "Enheten 1881-SOC-IFO hör till kommunen 1881 (förvaltningen 1881-SOC). En fil för "
      "förvaltningsobjektet GO-EKO får bara ge åtgärder till enheter i kommuner som deltar i "
      "objektet (1861, 1882) eller leverantören SNIT."),
     ("actions", "provider", "ANNAN", "Leverantör", 3,
      "Leverantören ANNAN driver inte förvaltningsobjektet GO-EKO."),
     ("assets", "owners", ["1882-KLF-IT", "1881-SOC-IFO"], "Ägande enheter", 2,
      "får bara ge tillgångar till enheter i kommuner som deltar i objektet (1861, 1882).")],
)  # fmt: skip
def test_object_workbook_outside_its_participants_is_refused(engine, tmp_path, loaded_object,
                                                             sheet, column, value, header, row,
                                                             message):  # fmt: skip
    rows = object_rows()
    if sheet == "actions":
        rows["actions"].append({"code": "GO-EKO-A02", "title": "Behörighetsöversyn",
                                "risk": "GO-EKO-R01", "due_on": "2026-12-31",
                                "status": "Pågår", column: value})  # fmt: skip
    else:
        rows[sheet][0][column] = value
    file = only_file(load(engine, write_object(tmp_path, rows)))
    assert file.outcome == "rejected"
    shown = value if isinstance(value, str) else value[1]
    assert located(file) == [("GO-EKO.xlsx", {"actions": "Åtgärder", "assets": "Tillgångar"}[sheet],
                              row, header, shown)]  # fmt: skip
    assert message in file.issues[0].message_sv
    assert store_dump(engine) == loaded_object


def test_object_code_namespace(engine, tmp_path, loaded_object):
    rows = rename(object_rows(), "GO-EKO-R01", "1882-SOC-R77")
    file = only_file(load(engine, write_object(tmp_path, rows)))
    assert located(file) == [("GO-EKO.xlsx", "Risker", 2, "Risk-ID", "1882-SOC-R77")]
    assert "En fil för förvaltningsobjektet GO-EKO får bara skapa koder som börjar med GO-EKO-" in (
        file.issues[0].message_sv
    )
    assert store_dump(engine) == loaded_object


def test_administration_asset_in_an_object_its_municipality_is_not_in(engine, tmp_path,
                                                                      loaded_object):  # fmt: skip
    kumla = {"cover": cover_rows("Förvaltning", "1881-SOC"),
             "assets": [{"code": "1881-SOC-T001", "name": "Ekonomi", "carrier_type": "IT-system",
                         "owners": ["1881-SOC-IFO"], "governance_object": "GO-EKO",
                         "personal_data": "Nej"}]}  # fmt: skip
    path = write_workbook(tmp_path / "1881-SOC.xlsx", "administration", kumla)
    file = only_file(load(engine, path))
    assert located(file) == [("1881-SOC.xlsx", "Tillgångar", 2, "Förvaltningsobjekt", "GO-EKO")]
    assert "Kommunen 1881 deltar inte i förvaltningsobjektet GO-EKO" in file.issues[0].message_sv
    assert store_dump(engine) == loaded_object


# --------------------------------------------------------------------------- organisation


@pytest.mark.parametrize(
    ("change", "sheet", "row", "header", "value", "message"),
    [(lambda r: r["units"].append({"code": "1861-SOC-X", "name": "Kapad",
                                   "administration": "1882-SOC"}),
      "Enheter", 6, "Enhetskod", "1861-SOC-X",
      "Enhetskoden 1861-SOC-X ligger utanför förvaltningen 1882-SOC:s kodområde: den ska börja "
      "med 1882-SOC-, t.ex. 1882-SOC-X."),
     (lambda r: r["administrations"].append({"code": "1861-IT", "name": "Kapad",
                                             "municipality": "1882"}),
      "Förvaltningar", 5, "Förvaltningskod", "1861-IT",
      "Förvaltningskoden 1861-IT ligger utanför kommunen 1882:s kodområde: den ska börja med "
      "1882-, t.ex. 1882-IT."),
     (lambda r: r["administrations"].append({"code": "1882-SOC-IFO", "name": "Inuti SOC",
                                             "municipality": "1882"}),
      "Förvaltningar", 5, "Förvaltningskod", "1882-SOC-IFO",
      "Koden 1882-SOC-IFO ligger inom 1882-SOC:s kodområde (1882-SOC-…)"),
     (lambda r: r["governance_objects"].append({"code": "1861-SOC-GEM", "name": "Objekt i fel "
                                                "kodområde"}),
      "Förvaltningsobjekt", 3, "Objektkod", "1861-SOC-GEM",
      "Objektkoden 1861-SOC-GEM ska börja med GO- och något mer, t.ex. GO-1861-SOC-GEM"),
     (lambda r: r["governance_objects"].append({"code": "GO-EKO-LON", "name": "Inuti GO-EKO"}),
      "Förvaltningsobjekt", 3, "Objektkod", "GO-EKO-LON",
      "Koden GO-EKO-LON ligger inom GO-EKO:s kodområde (GO-EKO-…)")],
)  # fmt: skip
def test_organisation_keeps_codes_in_their_municipality(engine, tmp_path, change, sheet, row,
                                                        header, value, message):  # fmt: skip
    assert only_file(load(engine, write_org(tmp_path / "v1"))).outcome == "accepted"
    before = store_dump(engine)
    rows = org_rows()
    change(rows)
    file = only_file(load(engine, write_org(tmp_path / "v2", rows)))
    assert file.outcome == "rejected"
    assert located(file) == [("organisation.xlsx", sheet, row, header, value)]
    assert file.issues[0].message_sv.startswith(message)
    assert file.issues[0].message_en
    assert store_dump(engine) == before


# --------------------------------------------------------------------------- the web upload


def test_upload_of_another_municipalitys_action_is_refused(app, sqlite_engine, tmp_path):  # noqa: F811
    """A security officer of 1882-SOC uploads through the browser: the same rule holds."""
    rows = admin_rows()
    rows["actions"][0]["owner_unit"] = "1861-SOC-IFO"
    before = store_dump(sqlite_engine)
    client = app.server.test_client()
    login(client, "so")
    answer = upload(client, app, {"1882-SOC.xlsx": data_url(write_admin(tmp_path, rows))})
    text = json.dumps(answer["upload-result"], ensure_ascii=False)
    assert "Avvisad" in text
    assert "Enheten 1861-SOC-IFO hör till kommunen 1861" in text
    assert store_dump(sqlite_engine) == before


def test_cli_load_of_a_squatting_file_exits_1(engine, tmp_path, loaded):
    from typer.testing import CliRunner

    from infosak_cli.app import app as cli

    rows = rename(admin_rows(), "1882-SOC-T003", "1861-SOC-T999")
    path = write_admin(tmp_path, rows)
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["load", str(path), "--database-url", url])
    assert result.exit_code == 1, result.output
    assert "1861-SOC-T999" in result.output and "1882-SOC-" in result.output
    assert store_dump(engine) == loaded
