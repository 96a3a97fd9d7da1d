"""Each validation rule: one broken cell, the exact sheet/row/column in the issue.

Validation is a pure function of the raw workbook and the known codes, so these tests build
KnownCodes by hand from the organisation rows (no store needed); tests/test_load.py covers the
same rules end to end on both back ends.
"""

import pytest

from etl import vocab
from etl.reader import fold
from etl.sandboxed_read import read_source
from etl.validate import KnownCodes, validate
from tests.workbooks import (
    TODAY,
    admin_rows,
    object_rows,
    org_rows,
    write_admin,
    write_object,
    write_org,
)


def known_codes() -> KnownCodes:
    org = org_rows()
    known = KnownCodes(
        municipalities={r["code"] for r in org["municipalities"]},
        administrations={r["code"]: r["municipality"] for r in org["administrations"]},
        units={r["code"]: r["administration"] for r in org["units"]},
        providers={"SNIT"},
        governance_objects={"GO-EKO"},
        participants={"GO-EKO": {r["municipality"] for r in org["participants"]}},
        object_providers={"GO-EKO": "SNIT"},
    )
    for code, name in vocab.DEFAULT_MATURITY_AREAS:
        known.areas[fold(code)] = code
        known.areas[fold(name)] = code
    return known


def issues_of(tmp_path, rows, writer=write_admin, known=None):
    parsed, issues = validate(read_source(writer(tmp_path, rows)), known or known_codes(),
                              today=TODAY)  # fmt: skip
    assert (parsed is None) == bool(issues)
    return issues


def where(issues):
    return [(i.sheet, i.row, i.column) for i in issues]


@pytest.mark.parametrize(("writer", "rows"), [(write_org, org_rows), (write_admin, admin_rows),
                                              (write_object, object_rows)])  # fmt: skip
def test_valid_workbooks_have_no_issues(tmp_path, writer, rows):
    assert issues_of(tmp_path, rows(), writer) == []


def test_all_errors_are_collected_at_once(tmp_path):
    rows = admin_rows()
    rows["assets"][0]["name"] = None
    rows["risks"][1]["likelihood"] = 9
    rows["follow_ups"][0]["period"] = "hösten"
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Tillgångar", 2, "Namn"), ("Risker", 3, "Sannolikhet"),
                             ("Uppföljning", 2, "Period")]  # fmt: skip
    assert issues[0].message_sv.startswith("Värde saknas i kolumnen Namn.")
    assert issues[1].value == "9"
    assert issues[1].message_sv == "Sannolikheten 9 ligger utanför skalan 1–4."
    assert all(i.file == "1882-SOC.xlsx" for i in issues)


def test_missing_cover_kind(tmp_path):
    rows = admin_rows()
    rows["cover"][0]["kind"] = None
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Uppgifter", 2, "Typ")]
    assert "Uppgiften Typ saknas" in issues[0].message_sv


def test_unknown_administration_code_on_cover(tmp_path):
    rows = admin_rows()
    rows["cover"][0]["code"] = "1882-XYZ"
    issues = issues_of(tmp_path, rows)
    assert where(issues)[0] == ("Uppgifter", 3, "Kod")
    assert "Förvaltningen 1882-XYZ finns inte" in issues[0].message_sv


def test_unknown_object_code_on_cover(tmp_path):
    rows = object_rows()
    rows["cover"][0]["code"] = "GO-XYZ"
    issues = issues_of(tmp_path, rows, write_object)
    assert ("Uppgifter", 3, "Kod") in where(issues)


def test_missing_required_sheet_and_column(tmp_path):
    from openpyxl import load_workbook

    path = write_admin(tmp_path, admin_rows())
    wb = load_workbook(path)
    del wb["Tillgångar"]
    wb["Risker"].delete_cols(3)  # Beskrivning
    wb.save(path)
    issues = validate(read_source(path), known_codes(), today=TODAY)[1]
    assert ("Tillgångar", None, None) in where(issues)
    assert ("Risker", 1, "Beskrivning") in where(issues)


def test_duplicate_ids_within_the_file(tmp_path):
    rows = admin_rows()
    rows["assets"][2]["code"] = "1882-SOC-T001"
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Tillgångar", 4, "Tillgångs-ID")]
    assert "finns redan på rad 2" in issues[0].message_sv


def test_id_owned_by_another_source(tmp_path):
    known = known_codes()
    known.taken["actions"] = {"1882-SOC-A02": "administration:1882-KLF"}
    issues = issues_of(tmp_path, admin_rows(), known=known)
    assert where(issues) == [("Åtgärder", 3, "Åtgärds-ID")]
    assert "används redan av Förvaltning 1882-KLF" in issues[0].message_sv


def test_same_source_may_reuse_its_own_ids(tmp_path):
    known = known_codes()
    known.taken["assets"] = {"1882-SOC-T001": "administration:1882-SOC"}
    assert issues_of(tmp_path, admin_rows(), known=known) == []


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "header"),
    [("assets", 1, "owners", ["1882-SOC-XX"], "Ägande enheter"),
     ("assets", 1, "governance_object", "GO-XX", "Förvaltningsobjekt"),
     ("classifications", 0, "asset", "1882-SOC-T999", "Tillgångs-ID"),
     ("risk_analyses", 0, "asset", "1882-SOC-T999", "Tillgångs-ID"),
     ("risks", 0, "analysis", "1882-SOC-RA99", "Analys-ID"),
     ("gap_analysis", 0, "area", "okänt område", "Område"),
     ("actions", 0, "risk", "1882-SOC-R99", "Risk-ID"),
     ("actions", 1, "area", "okänt", "Område"),
     ("actions", 0, "owner_unit", "1882-SOC-XX", "Ägande enhet"),
     ("actions", 0, "provider", "NOPE", "Leverantör"),
     ("follow_ups", 1, "unit", "1882-SOC-XX", "Enhetskod")],
)  # fmt: skip
def test_unknown_codes(tmp_path, sheet, index, column, value, header):
    rows = admin_rows()
    rows[sheet][index][column] = value
    issues = issues_of(tmp_path, rows)
    sheet_names = {"assets": "Tillgångar", "classifications": "Klassningar",
                   "risk_analyses": "Riskanalyser", "risks": "Risker",
                   "gap_analysis": "Nulägesanalys", "actions": "Åtgärder",
                   "follow_ups": "Uppföljning"}  # fmt: skip
    assert (sheet_names[sheet], index + 2, header) in where(issues)
    assert any("finns inte" in i.message_sv for i in issues)


def test_next_review_before_classification(tmp_path):
    rows = admin_rows()
    rows["classifications"][0]["next_review_on"] = "2025-01-01"
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Klassningar", 2, "Nästa översyn")]
    assert "ligger före klassningsdatumet" in issues[0].message_sv


@pytest.mark.parametrize(("sheet", "column", "header"),
                         [("classifications", "classified_on", "Klassningsdatum"),
                          ("risk_analyses", "analysed_on", "Analysdatum"),
                          ("gap_analysis", "assessed_on", "Datum"),
                          ("actions", "completed_on", "Klardatum"),
                          ("follow_ups", "submitted_on", "Inlämningsdatum"),
                          ("follow_ups", "last_access_review_on", "Senaste behörighetsöversyn")])  # fmt: skip
def test_dates_in_the_future(tmp_path, sheet, column, header):
    rows = admin_rows()
    rows[sheet][0][column] = "2026-11-30"  # TODAY + 2 days
    if sheet == "actions":
        rows[sheet][0]["status"] = "Klar"
    issues = issues_of(tmp_path, rows)
    assert (where(issues)[0][1:]) == (2, header)
    assert "ligger i framtiden" in issues[0].message_sv


def test_tomorrow_is_tolerated(tmp_path):
    rows = admin_rows()
    rows["classifications"][0]["classified_on"] = "2026-11-29"
    assert issues_of(tmp_path, rows) == []


def test_done_without_completion_date_and_date_without_done(tmp_path):
    rows = admin_rows()
    rows["actions"][0]["status"] = "Klar"
    rows["actions"][1]["status"] = "Avbruten"
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Åtgärder", 2, "Klardatum"), ("Åtgärder", 3, "Klardatum")]
    assert "Status är Klar men Klardatum saknas" in issues[0].message_sv
    assert "status är Avbruten" in issues[1].message_sv


def test_action_without_origin_or_owner(tmp_path):
    rows = admin_rows()
    rows["actions"][0]["risk"] = None
    rows["actions"][0]["owner_unit"] = None
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Åtgärder", 2, "Risk-ID"), ("Åtgärder", 2, "Ägande enhet")]
    assert "varken" not in issues[0].message_sv
    assert "saknar både Risk-ID och Område" in issues[0].message_sv
    assert "saknar ägare" in issues[1].message_sv


def test_participant_who_is_not_an_owner(tmp_path):
    rows = admin_rows()
    rows["classifications"][0]["participants"] = ["1882-SOC-IFO", "1882-KLF-IT"]
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Klassningar", 2, "Deltagande ägare")]
    assert issues[0].value == "1882-KLF-IT"
    assert "äger inte tillgången 1882-SOC-T001" in issues[0].message_sv


def test_primary_owner_outside_the_administration(tmp_path):
    rows = admin_rows()
    rows["assets"][1]["owners"] = ["1861-SOC-IFO", "1882-SOC-HT"]
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Tillgångar", 3, "Ägande enheter")]
    assert "hör till förvaltningen 1861-SOC, inte 1882-SOC" in issues[0].message_sv


def test_object_workbook_may_have_owners_anywhere_and_object_level_analyses(tmp_path):
    assert issues_of(tmp_path, object_rows(), write_object) == []


def test_administration_risk_analysis_needs_an_asset(tmp_path):
    rows = admin_rows()
    rows["risk_analyses"][0]["asset"] = None
    assert where(issues_of(tmp_path, rows)) == [("Riskanalyser", 2, "Tillgångs-ID")]


def test_sheet_of_another_kind(tmp_path):
    from openpyxl import load_workbook

    path = write_object(tmp_path, object_rows())
    wb = load_workbook(path)
    wb.create_sheet("Uppföljning").append(["Enhetskod", "Period", "Inlämnad"])
    wb.save(path)
    issues = validate(read_source(path), known_codes(), today=TODAY)[1]
    assert where(issues) == [("Uppföljning", None, None)]


def test_long_value_is_truncated_in_the_issue(tmp_path):
    rows = admin_rows()
    rows["assets"][0]["name"] = "x" * 400
    issues = issues_of(tmp_path, rows)
    assert where(issues) == [("Tillgångar", 2, "Namn")]
    assert len(issues[0].value) == 200
    assert "högst 300 tecken" in issues[0].message_sv


def test_organisation_references_resolve_within_the_file(tmp_path):
    rows = org_rows()
    rows["units"][0]["administration"] = "1882-NOPE"
    rows["roles"][1]["node"] = "1882-NOPE"
    rows["participants"][0]["administration"] = "1861-SOC"  # belongs to 1861, not 1882
    rows["municipalities"][1]["code"] = "1882"
    issues = issues_of(tmp_path, rows, write_org, KnownCodes())
    assert where(issues) == [
        ("Kommuner", 3, "Kommunkod"),
        ("Förvaltningar", 4, "Kommunkod"),
        ("Enheter", 2, "Förvaltningskod"),
        ("Deltagare", 2, "Förvaltningskod"),
        ("Deltagare", 3, "Kommunkod"),
        ("Roller", 3, "Organisation"),
    ]


def test_every_future_date_of_a_column_is_flagged_in_row_order(tmp_path):
    """A column is checked whole once it holds one future date: each such row is flagged where
    it stands, the rows in between are not, and a column without one stays silent."""
    rows = admin_rows()
    assert len(rows["classifications"]) >= 2
    rows["classifications"][-1]["classified_on"] = "2026-12-01"
    rows["classifications"][0]["classified_on"] = "2027-01-05"
    issues = issues_of(tmp_path, rows)
    last = len(rows["classifications"]) + 1  # the header is row 1
    assert where(issues) == [("Klassningar", 2, "Klassningsdatum"),
                             ("Klassningar", last, "Klassningsdatum")]  # fmt: skip
    assert "2027-01-05 ligger i framtiden" in issues[0].message_sv
    assert "2026-12-01 ligger i framtiden" in issues[1].message_sv
