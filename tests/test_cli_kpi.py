"""``infosak kpi``: JSON shape, Swedish table, bad dates and empty stores."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from etl.kpi.definitions import METRICS, metrics_for_scope
from infosak_cli import app
from infosak_cli.kpi_cmd import swedish_number
from tests import kpi_data

runner = CliRunner()


@pytest.fixture
def store_url_with_data(store_url, engine):
    kpi_data.build_store(engine)
    return store_url


def test_json_output_has_the_exact_shape(store_url_with_data):
    result = runner.invoke(
        app,
        ["kpi", "--as-of", "2026-11-28", "--format", "json", "--database-url", store_url_with_data],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["as_of", "rows"]
    assert data["as_of"] == "2026-11-28"
    per_scope = {"municipality": 2, "administration": 3, "unit": 5, "governance_object": 1}
    assert len(data["rows"]) == sum(n * len(metrics_for_scope(t)) for t, n in per_scope.items())
    for row in data["rows"]:
        assert list(row) == [
            "scope_type",
            "scope_id",
            "scope_name",
            "metric",
            "value",
            "numerator",
            "denominator",
        ]
        assert row["metric"] in METRICS
        for key in ("value", "numerator", "denominator"):
            if isinstance(row[key], float):
                assert row[key] == round(row[key], 6)
    keys = [(r["scope_type"], r["scope_id"]) for r in data["rows"]]
    assert keys[0] == ("municipality", "1861") and keys[-1] == ("governance_object", "GO-EK")
    soc = {r["metric"]: r for r in data["rows"] if r["scope_id"] == "1882-SOC"}
    assert soc["classification_coverage"]["value"] == 0.5
    assert soc["actions_overdue"] == {
        "scope_type": "administration",
        "scope_id": "1882-SOC",
        "scope_name": "Socialförvaltningen",
        "metric": "actions_overdue",
        "value": 2,
        "numerator": 2,
        "denominator": None,
    }
    assert soc["org_checks_failed"]["value"] == 3


def test_scope_type_filter_and_table_output(store_url_with_data):
    result = runner.invoke(
        app,
        [
            "kpi",
            "--as-of",
            "2026-11-28",
            "--scope-type",
            "municipality",
            "--database-url",
            store_url_with_data,
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Askersund" in result.stdout and "Hallsberg" in result.stdout
    assert "Klassningsgrad" in result.stdout and "50 %" in result.stdout
    assert "Förskola" not in result.stdout  # no unit rows
    as_json = runner.invoke(
        app,
        [
            "kpi",
            "--as-of",
            "2026-11-28",
            "--scope-type",
            "unit",
            "--format",
            "json",
            "--database-url",
            store_url_with_data,
        ],
    )
    assert {r["scope_type"] for r in json.loads(as_json.stdout)["rows"]} == {"unit"}


@pytest.mark.parametrize("bad", ["2026-13-01", "28/11/2026", "igår"])
def test_invalid_date_is_refused_with_exit_2(sqlite_engine, bad):
    url = str(sqlite_engine.url)
    result = runner.invoke(app, ["kpi", "--as-of", bad, "--database-url", url])
    assert result.exit_code == 2
    assert "Ogiltigt datum" in result.output
    assert "Traceback" not in result.output


def test_unknown_scope_type_is_refused(sqlite_engine):
    result = runner.invoke(
        app, ["kpi", "--scope-type", "region", "--database-url", str(sqlite_engine.url)]
    )
    assert result.exit_code == 2
    assert "Okänd nivå" in result.output


def test_empty_store_gives_a_clear_message(sqlite_engine, tmp_path):
    for url in (str(sqlite_engine.url), f"sqlite:///{tmp_path / 'never_migrated.db'}"):
        result = runner.invoke(app, ["kpi", "--as-of", "2026-11-28", "--database-url", url])
        assert result.exit_code == 0
        assert "Databasen innehåller inga uppgifter" in result.stdout


def test_swedish_number_formatting():
    assert swedish_number(1234, "count") == "1 234"
    assert swedish_number(0.77, "rate") == "77 %"
    assert swedish_number(2.6, "level") == "2,6"
    assert swedish_number(1234.5, "count") == "1 234,50"
    assert swedish_number(None, "rate") == "–"
