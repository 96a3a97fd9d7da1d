"""Each cell parser: the accepted forms, and errors for the rest (pure functions)."""

import datetime as dt

import pytest

from etl.parsing import (
    CellError,
    parse_action_status,
    parse_bool,
    parse_class_level,
    parse_code,
    parse_code_list,
    parse_consequence,
    parse_date,
    parse_int,
    parse_likelihood,
    parse_maturity_level,
    parse_percent,
    parse_period,
    parse_personal_data,
    parse_role,
    parse_text,
    parse_treatment,
    parse_workbook_kind,
)

MARCH_1 = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    "raw",
    [MARCH_1, dt.datetime(2026, 3, 1, 14, 30), 46082, 46082.0, "2026-03-01",
     "2026-03-01 00:00:00", "1/3/2026", "01/03/2026", "1 mars 2026", "1 Mars 2026", "1 mar. 2026",
     "20260301", 20260301, "  2026-03-01  "],
)  # fmt: skip
def test_dates_in_every_accepted_form(raw):
    assert parse_date(raw) == MARCH_1


def test_swedish_abbreviated_month_as_shown_in_the_ui():
    assert parse_date("28 nov. 2026") == dt.date(2026, 11, 28)


@pytest.mark.parametrize("raw", ["2026-02-30", "30/2/2026", "20260230", "31 april 2026"])
def test_impossible_dates_are_errors(raw):
    with pytest.raises(CellError) as err:
        parse_date(raw)
    assert "finns inte i kalendern" in err.value.message_sv
    assert "does not exist" in err.value.message_en


@pytest.mark.parametrize("raw", ["igår", "2026/13", "mars 2026", True])
def test_unreadable_dates_are_errors(raw):
    with pytest.raises(CellError, match="cannot be read"):
        parse_date(raw)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_cells_are_none(raw):
    assert parse_date(raw) is None
    assert parse_class_level(raw) is None
    assert parse_text(raw) is None


@pytest.mark.parametrize("raw", ["2", 2, 2.0, "Betydande", "2 Betydande", " betydande ", "2,0"])
def test_class_level_numbers_and_labels(raw):
    assert parse_class_level(raw) == 2


def test_class_level_out_of_range_says_so():
    with pytest.raises(CellError) as err:
        parse_class_level(5)
    assert err.value.message_sv == "Nivån 5 ligger utanför skalan 0–4."


def test_class_level_unknown_word_lists_the_choices():
    with pytest.raises(CellError) as err:
        parse_class_level("hög")
    assert "0 Försumbar" in err.value.message_sv


def test_maturity_and_risk_scales():
    assert parse_maturity_level("Optimerad") == 5
    assert parse_maturity_level("0") == 0
    assert parse_likelihood("Mycket hög") == 4
    assert parse_consequence("1 Liten") == 1
    assert parse_likelihood(5, matrix_size=5) == 5
    with pytest.raises(CellError, match="outside the scale 1–4"):
        parse_likelihood(5)
    with pytest.raises(CellError):
        parse_consequence(0)


@pytest.mark.parametrize(("raw", "value"), [("Ja", True), ("nej", False), (" JA ", True),
                                             (1, True), (0.0, False), ("x", True)])  # fmt: skip
def test_yes_no(raw, value):
    assert parse_bool(raw) is value


def test_yes_no_error():
    with pytest.raises(CellError) as err:
        parse_bool("kanske")
    assert err.value.message_sv == "«kanske» är inte Ja eller Nej. Skriv Ja eller Nej."


@pytest.mark.parametrize(("raw", "value"), [("85", 85.0), ("85 %", 85.0), ("85%", 85.0),
                                             ("85,5", 85.5), (0.85, 85.0), (85, 85.0),
                                             (1.0, 100.0), ("0", 0.0)])  # fmt: skip
def test_percent(raw, value):
    assert parse_percent(raw) == value


@pytest.mark.parametrize("raw", ["101", "-5", "mycket"])
def test_percent_errors(raw):
    with pytest.raises(CellError):
        parse_percent(raw)


@pytest.mark.parametrize("raw", ["2026-Q3", "2026 Q3", "Q3 2026", "2026q3", " q3-2026 ", "2026-K3"])
def test_period_quarters(raw):
    assert parse_period(raw) == "2026-Q3"


def test_period_half_year_and_error():
    assert parse_period("2026-H1") == "2026-H1"
    with pytest.raises(CellError) as err:
        parse_period("Q5 2026")
    assert "2026-Q3" in err.value.message_sv


def test_codes_keep_case_and_drop_spaces_and_float_tails():
    assert parse_code("  1882-SOC ") == "1882-SOC"
    assert parse_code(1882.0) == "1882"
    assert parse_code_list("A, B;C\nA") == ["A", "B", "C"]


def test_vocabularies():
    assert parse_treatment("reducera") == "reduce"
    assert parse_treatment("Överför") == "transfer"
    assert parse_action_status("KLAR") == "done"
    assert parse_action_status("Ej påbörjad") == "not_started"
    assert parse_personal_data("känsliga") == "sensitive"
    assert parse_role("CISO") == "ciso"
    assert parse_role("Informationssäkerhetshandläggare") == "security_officer"
    assert parse_workbook_kind("förvaltning") == "administration"
    with pytest.raises(CellError) as err:
        parse_treatment("ignorera")
    assert "Reducera" in err.value.message_sv


def test_int():
    assert parse_int("3") == 3
    assert parse_int(3.0) == 3
    with pytest.raises(CellError):
        parse_int("3,5")
