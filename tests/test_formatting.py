"""Swedish number, percent, change and date formats; the URL form of the global filters."""

import datetime as dt

from dashboard.filters import Filters, parse_query, to_query
from etl.formatting import (
    format_change,
    format_long_date,
    format_number,
    format_percent,
    format_value,
)

NBSP = "\u00a0"
TODAY = dt.date(2026, 11, 28)


def test_swedish_numbers_use_space_grouping_and_decimal_comma():
    assert format_number(1234567.5, 1) == f"1{NBSP}234{NBSP}567,5"
    assert format_number(-3) == "−3"
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(None) == "–"


def test_percent_has_a_space_before_the_sign_in_swedish():
    assert format_percent(0.77) == f"77{NBSP}%"
    assert format_percent(0.771, 1) == f"77,1{NBSP}%"
    assert format_percent(0.77, lang="en") == "77%"
    assert format_value(float("nan"), "rate") == "–"


def test_change_in_percentage_points_agrees_in_number():
    assert format_change(0.06, "rate") == "+6 procentenheter"
    assert format_change(-0.01, "rate") == "−1 procentenhet"
    assert format_change(0.0, "rate") == "±0 procentenheter"
    # A change that rounds to nothing is shown as none, never as "−0,0".
    assert format_change(-0.02, "level") == "±0,0"
    assert format_change(-0.004, "rate") == "±0 procentenheter"
    assert format_change(0.4, "count") == "±0"
    assert format_change(-0.06, "level") == "−0,1"
    assert format_change(0.01, "rate", "en") == "+1 percentage point"
    assert format_change(12, "count") == "+12"
    assert format_change(0.4, "level") == "+0,4"


def test_long_dates_are_written_the_swedish_way():
    assert format_long_date(TODAY) == "28 nov. 2026"
    assert format_long_date(dt.date(2026, 3, 1), "en") == "1 Mar 2026"


def test_filters_round_trip_through_the_url():
    filters = Filters(as_of=dt.date(2026, 9, 30), municipality="1882",
                      administration="1882-SOC", lang="en")  # fmt: skip
    search = to_query(filters, TODAY)
    assert search == "?kommun=1882&forvaltning=1882-SOC&datum=2026-09-30&sprak=en"
    assert parse_query(search, TODAY) == filters


def test_defaults_stay_out_of_the_url_and_garbage_falls_back_to_them():
    assert to_query(Filters(as_of=TODAY), TODAY) == ""
    parsed = parse_query("?datum=2026-02-30&sprak=klingon&kommun=", TODAY)
    assert parsed == Filters(as_of=TODAY)


def test_a_card_marks_only_a_change_it_shows():
    import pandas as pd

    from dashboard.layout import create_kpi_row

    headline = pd.DataFrame(
        [
            {"metric": "maturity_evidence", "kind": "level", "value": 3.7, "change": -0.02},
            {"metric": "actions_overdue", "kind": "count", "value": 417, "change": 46},
        ]
    )
    cards = create_kpi_row(headline, "test", "sv", no_change="–")
    notes = [str(card.children.children.children[2]) for card in cards]
    assert "±0,0 sedan förra kvartalet" in notes[0] and "kpi-note'" in notes[0]
    assert "+46 sedan förra kvartalet" in notes[1] and "kpi-note bad" in notes[1]
    # Better or worse is said in words, not by the colour alone (WCAG 1.4.1).
    assert "(försämring)" in notes[1] and "förbättring" not in notes[0] + notes[1]


def test_months_come_from_the_locale_in_either_language():
    from etl.formatting import format_month

    assert format_month(dt.date(2025, 10, 1)) == "okt. 2025"
    assert format_month(dt.date(2026, 3, 1)) == "mars 2026"
    assert format_month(dt.date(2025, 10, 1), "en") == "Oct 2025"


def test_stored_times_read_in_swedish_time_winter_and_summer():
    from etl.formatting import format_datetime

    # Stored naive UTC: +1 hour in winter, +2 in summer, whatever zone the server runs in.
    assert format_datetime(dt.datetime(2026, 1, 15, 12, 0)) == "2026-01-15 13:00"
    assert format_datetime(dt.datetime(2026, 7, 1, 23, 30, 5), seconds=True) == (
        "2026-07-02 01:30:05"
    )
    assert format_datetime("2026-07-01T10:00:00") == "2026-07-01 12:00"
    assert format_datetime(None) == "–"


def test_loads_are_stamped_in_utc_like_the_audit_log():
    from etl.load import _now

    utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs((_now() - utc).total_seconds()) < 5


def test_maturity_areas_have_english_names_in_one_place():
    from etl.vocab import DEFAULT_MATURITY_AREAS, MATURITY_AREAS_EN, area_name

    assert set(MATURITY_AREAS_EN) == {code for code, _ in DEFAULT_MATURITY_AREAS}
    assert area_name("incidenter", "Incidenthantering", "en") == "Incident management"
    assert area_name("incidenter", "Incidenthantering", "sv") == "Incidenthantering"
    # An organisation's own area keeps the name it was given.
    assert area_name("egen", "Eget område", "en") == "Eget område"


def test_grid_times_read_in_swedish_time_like_the_rest_of_the_app():
    from dashboard.grid import json_value

    assert json_value(dt.datetime(2026, 12, 6, 20, 7)) == "2026-12-06 21:07"
    assert json_value(dt.date(2026, 12, 6)) == "2026-12-06"
