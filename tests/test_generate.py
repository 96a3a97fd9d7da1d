"""The sample generator: deterministic, schema-valid, and carrying the documented mess."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl import generate as gen
from etl.config import PROJECT_ROOT
from etl.schema import WORKBOOK_KINDS
from etl.vocab import DEFAULT_MATURITY_AREAS, ROLES

TODAY = dt.date(2026, 11, 28)


def read_workbook(path: Path) -> dict[str, list[dict[str, object]]]:
    """Sheet key → rows keyed by column key, read back with openpyxl (cover as one row)."""
    wb = load_workbook(path, read_only=True)
    kind = WORKBOOK_KINDS[
        {"organisation": "organisation", "GO": "object"}.get(
            path.stem if path.stem == "organisation" else path.stem[:2], "administration"
        )
    ]
    result: dict[str, list[dict[str, object]]] = {}
    for sheet in kind.sheets:
        rows = list(wb[sheet.name].iter_rows(values_only=True))
        by_header = {c.header: c.key for c in sheet.columns}
        if sheet.key_value:
            result[sheet.key] = [{by_header[k]: v for k, v in rows[1:]}]
            continue
        keys = [by_header[h] for h in rows[0]]
        result[sheet.key] = [dict(zip(keys, r, strict=True)) for r in rows[1:]]
    wb.close()
    return result


def day(value: object) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def codes(value: object) -> list[str]:
    return [c.strip() for c in str(value or "").split(",") if c.strip()]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    summary = gen.generate(out, today=TODAY)
    books = {p.stem: read_workbook(p) for p in summary.files}
    return summary, books


def data_books(books):
    return {k: v for k, v in books.items() if k != "organisation"}


def all_rows(books, sheet):
    return [(name, r) for name, b in data_books(books).items() for r in b.get(sheet, [])]


# ----------------------------------------------------------------------------- determinism


def _csv_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv"))}


def test_same_seed_gives_byte_identical_csv(tmp_path):
    gen.generate(tmp_path / "a", fmt="csv", today=TODAY)
    gen.generate(tmp_path / "b", fmt="csv", today=TODAY)
    first, second = _csv_bytes(tmp_path / "a"), _csv_bytes(tmp_path / "b")
    assert len(first) > 100
    assert first == second


def test_other_seed_gives_other_data(tmp_path):
    gen.generate(tmp_path / "a", fmt="csv", today=TODAY)
    gen.generate(tmp_path / "b", fmt="csv", today=TODAY, seed=7)
    first, second = _csv_bytes(tmp_path / "a"), _csv_bytes(tmp_path / "b")
    assert first.keys() == second.keys()
    assert first["1882-SOC.tillgangar.csv"] != second["1882-SOC.tillgangar.csv"]
    assert first["organisation.enheter.csv"] != second["organisation.enheter.csv"]


# ----------------------------------------------------------------------------- shape


def test_default_set_has_sydnarke_and_its_files(sample):
    summary, books = sample
    org = books["organisation"]
    assert [(m["code"], m["name"]) for m in org["municipalities"]] == [
        ("1882", "Askersund"),
        ("1861", "Hallsberg"),
        ("1860", "Laxå"),
        ("1814", "Lekeberg"),
    ]
    assert [p["code"] for p in org["providers"]] == ["SNIT"]
    objects = [o["code"] for o in org["governance_objects"]]
    assert {"GO-EKO", "GO-HRL", "GO-SKOL", "GO-SOC", "GO-EPOST", "GO-NAT"} <= set(objects)
    admins = [a["code"] for a in org["administrations"]]
    assert sorted(p.name for p in summary.files) == sorted(
        ["organisation.xlsx"] + [f"{c}.xlsx" for c in admins + objects]
    )
    askersund_units = [u for u in org["units"] if u["code"].startswith("1882-")]
    assert 38 <= len(askersund_units) <= 42
    central = [a["code"] for a in org["administrations"] if a["is_central"] == "Ja"]
    assert "1882-KLF" in central
    askersund_roles = {r["role"] for r in org["roles"] if r["node"] == "1882"}
    assert {ROLES["ciso"], ROLES["dpo"], ROLES["protection_officer"]} <= askersund_roles
    assert 200 <= summary.assets <= 600


def test_summary_counts_match_the_rows_written(sample):
    summary, books = sample
    org = books["organisation"]
    assert summary.units == len(org["units"])
    assert summary.roles == len(org["roles"])
    assert summary.assets == len(all_rows(books, "assets"))
    assert summary.risks == len(all_rows(books, "risks"))
    assert summary.actions == len(all_rows(books, "actions"))
    assert summary.follow_ups == len(all_rows(books, "follow_ups"))
    assert summary.workbooks == len(summary.files)


def test_people_are_fictional_with_example_addresses(sample):
    _, books = sample
    emails = [u["manager_email"] for u in books["organisation"]["units"] if u["manager_email"]]
    emails += [r["email"] for r in books["organisation"]["roles"]]
    assert emails
    assert all(e.endswith("@example.se") and e.isascii() for e in emails)


# ----------------------------------------------------------------------------- validity


def test_codes_are_globally_unique_and_prefixed_by_their_source(sample):
    _, books = sample
    for sheet in ("assets", "risk_analyses", "risks", "actions"):
        rows = all_rows(books, sheet)
        assert rows, sheet
        counted = Counter(r["code"] for _, r in rows)
        assert counted.most_common(1)[0][1] == 1, sheet
        assert all(r["code"].startswith(f"{src}-") for src, r in rows), sheet
    org = books["organisation"]
    unit_codes = [u["code"] for u in org["units"]]
    assert len(set(unit_codes)) == len(unit_codes)
    assert all(u["code"].startswith(f"{u['administration']}-") for u in org["units"])
    assert all(a["code"].startswith(f"{a['municipality']}-") for a in org["administrations"])


def test_every_reference_resolves(sample):
    _, books = sample
    org = books["organisation"]
    munis = {m["code"] for m in org["municipalities"]}
    admins = {a["code"]: a["municipality"] for a in org["administrations"]}
    units = {u["code"]: u["administration"] for u in org["units"]}
    objects = {o["code"] for o in org["governance_objects"]}
    providers = {p["code"] for p in org["providers"]}
    areas = {a["code"] for a in org["areas"]}
    assert areas == {code for code, _ in DEFAULT_MATURITY_AREAS}
    for role in org["roles"]:
        assert role["node"] in munis | set(admins) | set(units) | objects
        assert role["role"] in ROLES.values()
    for p in org["participants"]:
        assert p["governance_object"] in objects and p["municipality"] in munis
        assert p["administration"] is None or admins[p["administration"]] == p["municipality"]
    participating = {(p["governance_object"], p["municipality"]) for p in org["participants"]}

    for name, book in data_books(books).items():
        assert book["cover"][0]["code"] == name
        assets = {a["code"]: codes(a["owners"]) for a in book["assets"]}
        for a in book["assets"]:
            owners = codes(a["owners"])
            assert owners and all(o in units for o in owners)
            if name in objects:
                assert a["governance_object"] == name
                assert all((name, admins[units[o]]) in participating for o in owners)
            else:
                assert units[owners[0]] == name  # primary owner inside the administration
        for c in book["classifications"]:
            assert c["asset"] in assets
            assert set(codes(c["participants"])) <= set(assets[c["asset"]])
        analyses = {r["code"] for r in book["risk_analyses"]}
        assert all(r["asset"] is None or r["asset"] in assets for r in book["risk_analyses"])
        risks = {r["code"] for r in book["risks"]}
        assert all(r["analysis"] in analyses for r in book["risks"])
        assert all(g["area"] in areas for g in book["gap_analysis"])
        for a in book["actions"]:
            assert (a["risk"] in risks) != (a["area"] in areas)  # exactly one origin
            assert a["owner_unit"] in units or a["provider"] in providers
            if a["owner_unit"] and name not in objects:
                assert units[a["owner_unit"]] == name
        for f in book.get("follow_ups", []):
            assert units[f["unit"]] == name


def test_dates_are_coherent(sample):
    _, books = sample
    for _, c in all_rows(books, "classifications"):
        assert day(c["classified_on"]) <= TODAY
        if c["next_review_on"]:
            assert day(c["next_review_on"]) >= day(c["classified_on"])
    assert all(day(r["analysed_on"]) <= TODAY for _, r in all_rows(books, "risk_analyses"))
    assert all(day(g["assessed_on"]) <= TODAY for _, g in all_rows(books, "gap_analysis"))
    for _, a in all_rows(books, "actions"):
        if a["status"] == "Klar":
            assert a["completed_on"] is not None and day(a["completed_on"]) <= TODAY
        else:
            assert a["completed_on"] is None
    for _, f in all_rows(books, "follow_ups"):
        if f["submitted"] == "Ja":
            assert day(f["last_access_review_on"]) <= day(f["submitted_on"]) <= TODAY
        else:
            assert f["submitted_on"] is None


# ----------------------------------------------------------------------------- the mess


def _review_day(c) -> dt.date:
    return day(c["next_review_on"]) or gen.add_months(day(c["classified_on"]), 36)


def test_some_classifications_are_expired_and_some_due_soon(sample):
    _, books = sample
    reviews = [_review_day(c) for _, c in all_rows(books, "classifications")]
    expired = [r for r in reviews if r < TODAY]
    due_soon = [r for r in reviews if TODAY <= r <= TODAY + dt.timedelta(days=90)]
    assert len(expired) >= len(data_books(books))  # at least one per workbook
    assert len(due_soon) >= len(data_books(books))
    assert len(expired) < len(reviews) / 2


def test_overdue_actions_in_every_aging_bucket_and_other_outcomes(sample):
    _, books = sample
    buckets = Counter()
    outcomes = Counter()
    for _, a in all_rows(books, "actions"):
        due = day(a["due_on"])
        if a["status"] in ("Ej påbörjad", "Pågår") and due < TODAY:
            late = (TODAY - due).days
            buckets[
                "1–30"
                if late <= 30
                else "31–90"
                if late <= 90
                else "91–180"
                if late <= 180
                else ">180"
            ] += 1
        elif a["status"] == "Klar":
            outcomes["on time" if day(a["completed_on"]) <= due else "late"] += 1
        else:
            outcomes[a["status"]] += 1
    assert set(buckets) == {"1–30", "31–90", "91–180", ">180"}
    assert min(buckets.values()) >= 15  # one per administration at least
    assert outcomes["on time"] and outcomes["late"] and outcomes["Avbruten"]


def test_provider_actions_live_in_object_workbooks(sample):
    _, books = sample
    provider_actions = [(src, a) for src, a in all_rows(books, "actions") if a["provider"]]
    assert provider_actions
    assert all(src.startswith("GO-") and a["owner_unit"] is None for src, a in provider_actions)


def test_one_administration_lacks_a_security_officer(sample):
    _, books = sample
    org = books["organisation"]
    with_officer = {r["node"] for r in org["roles"] if r["role"] == ROLES["security_officer"]}
    missing = [a["code"] for a in org["administrations"] if a["code"] not in with_officer]
    assert missing == [gen.NO_SECURITY_OFFICER_ADMIN]


def test_exactly_one_unit_lacks_a_manager(sample):
    _, books = sample
    units = books["organisation"]["units"]
    assert [u["code"] for u in units if not u["manager_name"]] == [gen.UNIT_WITHOUT_MANAGER]
    managers = {r["node"] for r in books["organisation"]["roles"] if r["role"] == ROLES["manager"]}
    assert {u["code"] for u in units} - managers == {gen.UNIT_WITHOUT_MANAGER}


def test_one_unit_never_reported(sample):
    _, books = sample
    reported = {f["unit"] for _, f in all_rows(books, "follow_ups")}
    units = {u["code"] for u in books["organisation"]["units"]}
    assert units - reported == {gen.UNIT_NEVER_REPORTED}
    periods = sorted({f["period"] for _, f in all_rows(books, "follow_ups")})
    assert periods == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert any(f["submitted"] == "Nej" for _, f in all_rows(books, "follow_ups"))


def test_shared_asset_with_an_owner_who_did_not_take_part(sample):
    _, books = sample
    eko = books["GO-EKO"]
    first = eko["assets"][0]
    assert codes(first["owners"]) == [
        "1882-KLF-EKO",
        "1861-KLF-EKO",
        "1860-KLF-EKO",
        "1814-KLF-EKO",
    ]
    latest = [c for c in eko["classifications"] if c["asset"] == first["code"]][-1]
    assert "1814-KLF-EKO" not in codes(latest["participants"])


def test_personal_data_missing_from_the_register(sample):
    _, books = sample
    personal = [a for _, a in all_rows(books, "assets") if a["personal_data"] != "Nej"]
    missing = [a for a in personal if not a["register_ref"]]
    assert 1 <= len(missing) < len(personal) / 3
    assert any(a["code"].startswith("1882-KLF-") for a in missing)


def test_old_analyses_high_risks_without_action_and_protected_assets(sample):
    _, books = sample
    cutoff = gen.add_months(TODAY, -36)
    analyses = [r for _, r in all_rows(books, "risk_analyses")]
    assert 0 < sum(day(r["analysed_on"]) < cutoff for r in analyses) < len(analyses)
    assert any(r["asset"] is None for r in analyses)  # object-level analyses
    with_action = {a["risk"] for _, a in all_rows(books, "actions") if a["risk"]}
    high = [r for _, r in all_rows(books, "risks") if r["likelihood"] * r["consequence"] >= 9]
    assert [r for r in high if r["code"] not in with_action]
    protected = [a for _, a in all_rows(books, "assets") if a["security_protection"] == "Ja"]
    assert 3 <= len(protected) <= 25


def test_gap_analysis_has_two_dates_per_administration(sample):
    _, books = sample
    for name, book in data_books(books).items():
        dates = {day(g["assessed_on"]) for g in book["gap_analysis"]}
        assert len(dates) == (1 if name.startswith("GO-") else 2), name
        assert len(book["gap_analysis"]) == len(dates) * len(DEFAULT_MATURITY_AREAS)


# ----------------------------------------------------------------------------- CSV and scale


def test_csv_sets_one_legacy_administration(tmp_path):
    summary = gen.generate(tmp_path, fmt="csv", today=TODAY)
    legacy = tmp_path / f"{gen.LEGACY_CSV_ADMIN}.tillgangar.csv"
    raw = legacy.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("cp1252").splitlines()[0]
    assert header.startswith("Tillgångs-ID,Namn,")
    utf8 = (tmp_path / "1882-SOC.tillgangar.csv").read_text(encoding="utf-8")
    assert utf8.splitlines()[0].startswith("Tillgångs-ID;Namn;")
    with legacy.open(encoding="cp1252", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any("," in r["Ägande enheter"] for r in rows)  # quoted multi-owner cells
    assert all(p.suffix == ".csv" for p in summary.files)
    # every sheet of each workbook kind has a file, so each prefix is a complete set
    prefixes = Counter(p.name.split(".")[0] for p in summary.files)
    assert prefixes["organisation"] == len(WORKBOOK_KINDS["organisation"].sheets)
    assert prefixes["1882-SOC"] == len(WORKBOOK_KINDS["administration"].sheets)
    assert prefixes["GO-EKO"] == len(WORKBOOK_KINDS["object"].sheets)


def test_more_municipalities_add_fictional_ones_with_unique_codes(tmp_path):
    summary = gen.generate(tmp_path, municipalities=9, fmt="csv", today=TODAY)
    with (tmp_path / "organisation.kommuner.csv").open(encoding="utf-8", newline="") as fh:
        munis = list(csv.DictReader(fh, delimiter=";"))
    municipality_codes = [m["Kommunkod"] for m in munis]
    assert len(municipality_codes) == len(set(municipality_codes)) == 9
    assert all(len(c) == 4 and c.isdigit() for c in municipality_codes)
    assert len({m["Namn"] for m in munis}) == 9
    with (tmp_path / "organisation.forvaltningsobjekt.csv").open(encoding="utf-8") as fh:
        objects = [r["Objektkod"] for r in csv.DictReader(fh, delimiter=";")]
    assert {"GO-SAM01-EKO", "GO-SAM02-SKOL"} <= set(objects)
    assert summary.municipalities == 9
    assert summary.assets > 5 * 300  # fictional municipalities are bigger


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        gen.generate(tmp_path, fmt="ods")
    with pytest.raises(ValueError):
        gen.generate(tmp_path, municipalities=0)


def test_last_quarters_are_complete_quarters_before_today():
    assert gen.last_quarters(dt.date(2026, 1, 15)) == [
        ("2025-Q1", dt.date(2025, 3, 31)),
        ("2025-Q2", dt.date(2025, 6, 30)),
        ("2025-Q3", dt.date(2025, 9, 30)),
        ("2025-Q4", dt.date(2025, 12, 31)),
    ]
    assert gen.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


def test_docs_state_the_default_set_counts(sample):
    summary, _ = sample
    text = " ".join((PROJECT_ROOT / "docs" / "input-format.md").read_text("utf-8").split())
    sv = [f"{n:,}".replace(",", " ") for n in (summary.assets, summary.risks, summary.actions)]
    expected = (
        f"har {sv[0]} tillgångar, {sv[1]} risker och {sv[2]} åtgärder i "
        f"{summary.workbooks} arbetsböcker"
    )
    assert expected in text


# ----------------------------------------------------------------------------- CLI


def test_cli_generate_prints_swedish_summary(tmp_path):
    from typer.testing import CliRunner

    from infosak_cli import app

    out = tmp_path / "ut"
    result = CliRunner().invoke(
        app, ["generate", "--out", str(out), "--format", "csv", "--today", "2026-11-28"]
    )
    assert result.exit_code == 0, result.output
    assert "Informationstillgångar" in result.output and "Åtgärder" in result.output
    expected = gen.generate(tmp_path / "direct", fmt="csv", today=TODAY)
    assert f"{expected.actions:,}".replace(",", "\u00a0") in result.output
    assert _csv_bytes(out) == _csv_bytes(tmp_path / "direct")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "2026-13-01"], "inget datum"),
        (["--format", "ods"], "välj xlsx eller csv"),
        (["--municipalities", "0"], "--municipalities"),
    ],
)
def test_cli_generate_refuses_bad_options_without_traceback(tmp_path, args, message):
    from typer.testing import CliRunner

    from infosak_cli import app

    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------- the loader


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_loader_accepts_every_generated_file(tmp_path, sqlite_engine, fmt):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from etl import models
    from etl.load import load_paths

    summary = gen.generate(tmp_path, fmt=fmt, today=TODAY)
    result = load_paths(sqlite_engine, [tmp_path])
    problems = {
        f.path.name: [i.message_sv for i in f.issues[:3]]
        for f in result.files
        if f.outcome != "accepted"
    }
    assert problems == {}
    assert len(result.files) == summary.workbooks
    with Session(sqlite_engine) as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(models.Unit) == summary.units
        assert count(models.RoleAssignment) == summary.roles
        assert count(models.Asset) == summary.assets
        assert count(models.Classification) == summary.classifications
        assert count(models.Risk) == summary.risks
        assert count(models.Action) == summary.actions
        assert count(models.FollowUpReport) == summary.follow_ups
        assert count(models.GapAssessment) == summary.gap_assessments
