"""The template: every sheet with dropdowns, date checks, input messages and a Hjälp sheet; a
filled-in template passes the validator; docs/input-format.md matches the schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.config import PROJECT_ROOT
from etl.reader import fold
from etl.sandboxed_read import read_source
from etl.schema import CHOICES, WORKBOOK_KINDS, ColumnType
from etl.template import (
    DOC_BEGIN,
    DOC_END,
    HELP_SHEET,
    generated_section,
    input_format_markdown,
    write_template,
)
from etl.validate import KnownCodes, validate
from etl.vocab import DEFAULT_MATURITY_AREAS

TODAY = dt.date(2026, 11, 28)
D = dt.date
DOC = PROJECT_ROOT / "docs" / "input-format.md"


def validations_by_range(ws) -> dict[str, object]:
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


@pytest.mark.parametrize("kind", ["organisation", "administration", "object"])
def test_template_has_every_sheet_with_headers_and_help_first(tmp_path, kind):
    path = write_template(tmp_path / f"{kind}.xlsx", kind)
    wb = load_workbook(path)
    schema = WORKBOOK_KINDS[kind]
    assert wb.sheetnames == [HELP_SHEET] + [s.name for s in schema.sheets]
    assert wb.active.title == HELP_SHEET
    help_text = "\n".join(
        str(c.value) for row in wb[HELP_SHEET].iter_rows() for c in row if c.value
    )
    for sheet in schema.sheets:
        assert sheet.name in help_text
        for column in sheet.columns:
            assert column.header in help_text
            assert column.help_sv in help_text
        if sheet.key_value:
            continue
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
        assert ws.max_row == 1  # no data rows, nothing pre-filled


def test_choice_bool_and_date_columns_get_validations(tmp_path):
    wb = load_workbook(write_template(tmp_path / "a.xlsx", "administration"))
    actions = validations_by_range(wb["Åtgärder"])
    status = actions["J2:J2000"]
    assert status.type == "list"
    assert status.formula1 == '"Ej påbörjad,Pågår,Klar,Avbruten"'
    assert actions["I2:I2000"].type == "date"  # Förfallodatum
    assert actions["K2:K2000"].type == "date"  # Klardatum
    assets = validations_by_range(wb["Tillgångar"])
    assert assets["I2:I2000"].formula1 == '"Ja,Nej"'  # Säkerhetsskydd
    assert assets["D2:D2000"].formula1 == '"IT-system,Molntjänst,Pärm,Dokumentskåp,Annat"'
    levels = validations_by_range(wb["Klassningar"])["D2:D2000"]  # Konfidentialitet
    assert (
        levels.formula1 == '"0 Försumbar,1 Måttlig,2 Betydande,3 Allvarlig,4 Synnerligen allvarlig"'
    )
    # every validated column in every sheet: exactly the choice, bool and date columns
    for sheet in WORKBOOK_KINDS["administration"].sheets[1:]:
        ws = wb[sheet.name]
        typed = {str(dv.sqref)[0] for dv in ws.data_validations.dataValidation if dv.type}
        expected = {
            chr(ord("A") + i)
            for i, c in enumerate(sheet.columns)
            if c.type in CHOICES or c.type == ColumnType.DATE
        }
        assert typed == expected, sheet.name


def test_every_header_cell_has_an_input_message(tmp_path):
    wb = load_workbook(write_template(tmp_path / "o.xlsx", "organisation"))
    for sheet in WORKBOOK_KINDS["organisation"].sheets[1:]:
        prompts = validations_by_range(wb[sheet.name])
        for i, column in enumerate(sheet.columns):
            dv = prompts[f"{chr(ord('A') + i)}1"]
            assert dv.showInputMessage and dv.promptTitle == column.header[:32]
            assert column.help_sv in dv.prompt and len(dv.prompt) <= 255
    roles = validations_by_range(wb["Roller"])["C2:C2000"]
    assert "Informationssäkerhetshandläggare" in roles.formula1


def test_cover_is_prefilled_with_typ_and_offers_the_kinds(tmp_path):
    for kind, label in [
        ("organisation", "Organisation"),
        ("administration", "Förvaltning"),
        ("object", "Förvaltningsobjekt"),
    ]:
        ws = load_workbook(write_template(tmp_path / f"{kind}.xlsx", kind))["Uppgifter"]
        assert [ws["A2"].value, ws["B2"].value] == ["Typ", label]
        assert ws["A3"].value == "Kod" and ws["B3"].value is None
        typ = validations_by_range(ws)["B2"]
        assert typ.formula1 == '"Organisation,Förvaltning,Förvaltningsobjekt"'
        assert validations_by_range(ws)["B5"].type == "date"


def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_template(tmp_path / "x.xlsx", "budget")


# ----------------------------------------------------------------------------- filled in

ORG_ROWS = {
    "cover": {"code": "TESTORG"},
    "municipalities": [{"code": "1882", "name": "Askersund"}],
    "administrations": [
        {
            "code": "1882-KLF",
            "name": "Kommunledningsförvaltningen",
            "municipality": "1882",
            "is_central": "Ja",
        },
        {
            "code": "1882-SOC",
            "name": "Socialförvaltningen",
            "municipality": "1882",
            "is_central": "Nej",
        },
    ],
    "units": [
        {
            "code": "1882-SOC-IFO",
            "name": "IFO",
            "administration": "1882-SOC",
            "manager_name": "Eva Lind",
            "manager_email": "eva.lind@example.se",
        },
        {
            "code": "1882-SOC-HT",
            "name": "Hemtjänst",
            "administration": "1882-SOC",
            "manager_name": "Per Ek",
        },
    ],
    "roles": [
        {
            "person_name": "Anna Holm",
            "role": "Informationssäkerhetssamordnare (CISO)",
            "node": "1882",
        },
        {
            "person_name": "Olle Strand",
            "role": "Informationssäkerhetshandläggare",
            "node": "1882-SOC",
        },
    ],
    "providers": [{"code": "SNIT", "name": "Sydnärke IT"}],
    "governance_objects": [{"code": "GO-EKO", "name": "Ekonomisystem", "provider": "SNIT"}],
    "participants": [{"governance_object": "GO-EKO", "municipality": "1882"}],
}
ADMIN_ROWS = {
    "cover": {"code": "1882-SOC", "prepared_by": "Olle Strand", "prepared_on": D(2026, 11, 1)},
    "assets": [
        {
            "code": "1882-SOC-T001",
            "name": "Utredningar",
            "carrier_type": "IT-system",
            "owners": "1882-SOC-IFO, 1882-SOC-HT",
            "personal_data": "Känsliga",
            "register_ref": "RF-12",
            "security_protection": "Nej",
        },
    ],
    "classifications": [
        {
            "asset": "1882-SOC-T001",
            "classified_on": D(2025, 3, 1),
            "confidentiality": "4 Synnerligen allvarlig",
            "integrity": "2 Betydande",
            "availability": "1 Måttlig",
            "participants": "1882-SOC-IFO",
        },
    ],
    "risk_analyses": [
        {"code": "1882-SOC-RA001", "asset": "1882-SOC-T001", "analysed_on": D(2025, 4, 1)}
    ],
    "risks": [
        {
            "code": "1882-SOC-R0001",
            "analysis": "1882-SOC-RA001",
            "description": "Obehörig åtkomst",
            "likelihood": "3 Hög",
            "consequence": "4 Allvarlig",
            "treatment": "Reducera",
        }
    ],
    "gap_analysis": [{"assessed_on": D(2026, 10, 1), "area": "klassning", "level": "2 Upprepbar"}],
    "actions": [
        {
            "code": "1882-SOC-A0001",
            "title": "Inför tvåfaktorsautentisering",
            "risk": "1882-SOC-R0001",
            "owner_unit": "1882-SOC-IFO",
            "due_on": D(2026, 6, 30),
            "status": "Klar",
            "completed_on": D(2026, 6, 1),
        }
    ],
    "follow_ups": [
        {
            "unit": "1882-SOC-IFO",
            "period": "2026-Q3",
            "submitted": "Ja",
            "submitted_on": D(2026, 10, 10),
            "training_completion_pct": 80,
        }
    ],
}


def fill(path: Path, kind: str, rows: dict) -> Path:
    """Type rows into a template the way an owner would: under the headers, cover in column B."""
    wb = load_workbook(path)
    for sheet in WORKBOOK_KINDS[kind].sheets:
        ws = wb[sheet.name]
        if sheet.key_value:
            fields = {c.header: c.key for c in sheet.columns}
            for row in range(2, ws.max_row + 1):
                key = fields.get(ws.cell(row, 1).value)
                if key in rows["cover"]:
                    ws.cell(row, 2, rows["cover"][key])
            continue
        for values in rows.get(sheet.key, []):
            ws.append([values.get(c.key) for c in sheet.columns])
    wb.save(path)
    return path


def known_from(org: dict) -> KnownCodes:
    known = KnownCodes()
    known.municipalities = {m["code"] for m in org["municipalities"]}
    known.administrations = {a["code"]: a["municipality"] for a in org["administrations"]}
    known.units = {u["code"]: u["administration"] for u in org["units"]}
    known.providers = {p["code"] for p in org["providers"]}
    known.governance_objects = {o["code"] for o in org["governance_objects"]}
    for code, name in DEFAULT_MATURITY_AREAS:
        known.areas[fold(code)] = code
        known.areas[fold(name)] = code
    return known


def test_filled_templates_pass_validation(tmp_path):
    org = fill(write_template(tmp_path / "org.xlsx", "organisation"), "organisation", ORG_ROWS)
    parsed, issues = validate(read_source(org), KnownCodes(), today=TODAY)
    assert issues == [] and parsed is not None
    admin = fill(write_template(tmp_path / "soc.xlsx"), "administration", ADMIN_ROWS)
    parsed, issues = validate(read_source(admin), known_from(ORG_ROWS), today=TODAY)
    assert issues == []
    assert len(parsed.rows("assets")) == 1 and len(parsed.rows("actions")) == 1


def test_filled_template_with_a_bad_value_is_caught(tmp_path):
    rows = {**ADMIN_ROWS, "actions": [{**ADMIN_ROWS["actions"][0], "completed_on": None}]}
    admin = fill(write_template(tmp_path / "soc.xlsx"), "administration", rows)
    parsed, issues = validate(read_source(admin), known_from(ORG_ROWS), today=TODAY)
    assert parsed is None
    assert [(i.sheet, i.row) for i in issues] == [("Åtgärder", 2)]


# ----------------------------------------------------------------------------- documentation


def test_docs_contain_exactly_the_generated_input_format():
    document = DOC.read_text(encoding="utf-8")
    assert document.count(DOC_BEGIN) == 1 and document.count(DOC_END) == 1
    assert generated_section(document) == input_format_markdown()


def test_input_format_markdown_lists_every_sheet_and_column():
    text = input_format_markdown()
    for kind in WORKBOOK_KINDS.values():
        assert f"## Arbetsbok: {kind.label_sv}" in text
        for sheet in kind.sheets:
            assert f"`<prefix>.{sheet.slug}.csv`" in text
            for column in sheet.columns:
                assert f"| {column.header} | {'Ja' if column.required else 'Nej'} |" in text


def test_cli_template_writes_the_kind_asked_for(tmp_path):
    from typer.testing import CliRunner

    from infosak_cli import app

    out = tmp_path / "mall.xlsx"
    result = CliRunner().invoke(app, ["template", str(out), "--kind", "object"])
    assert result.exit_code == 0, result.output
    assert "förvaltningsobjekt" in result.output
    assert load_workbook(out)["Uppgifter"]["B2"].value == "Förvaltningsobjekt"
    bad = CliRunner().invoke(app, ["template", str(tmp_path / "x.xlsx"), "--kind", "budget"])
    assert bad.exit_code == 2 and "välj organisation" in bad.output
    assert not (tmp_path / "x.xlsx").exists()


def test_filled_templates_load_into_the_store(tmp_path, sqlite_engine):
    from etl.load import load_paths

    org = fill(write_template(tmp_path / "org.xlsx", "organisation"), "organisation", ORG_ROWS)
    admin = fill(write_template(tmp_path / "soc.xlsx"), "administration", ADMIN_ROWS)
    result = load_paths(sqlite_engine, [admin, org])
    assert [(f.path.name, f.outcome) for f in result.files] == [
        ("org.xlsx", "accepted"),
        ("soc.xlsx", "accepted"),
    ]
    assert result.files[1].counts["assets"] == 1
