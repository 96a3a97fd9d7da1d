"""After a load the KPI mart equals a full rebuild, row for row, though only the touched scopes
were computed again (etl.kpi.mart_update).

Store: the generated Sydnärke set (4 municipalities) loaded as a load does, on SQLite and
PostgreSQL. One administration's or one shared object's CSV set is then edited and loaded again,
as the upload page (load_file, then the run's snapshot) or the command line (load_paths) does.
The rebuild: compute_kpis for the system at every date the mart holds, with the mart's dates
removed inside a transaction that is rolled back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM
from etl import models as m
from etl.kpi import mart
from etl.kpi.compute import compute_kpis
from etl.load import load_file, load_paths, new_run_id, record_snapshot
from tests.generated_store import BACKENDS, loaded_generated_store
from tests.store_dump import store_dump
from tests.workbooks import admin_rows, write_admin, write_object, write_org

TODAY = dt.date(2026, 11, 28)
Key = tuple[dt.date, str, str, str]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with loaded_generated_store(request.param, tmp_path, TODAY) as (engine, files):
        yield engine, files


def _number(value) -> float | None:
    return (
        None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


def mart_rows(engine) -> dict[Key, tuple[int, float | None, float | None, float | None]]:
    """(as of, scope type, scope id, metric) -> (row id, value, numerator, denominator)."""
    t = m.KpiMart
    with engine.connect() as conn:
        found = conn.execute(
            select(
                t.as_of,
                t.scope_type,
                t.scope_id,
                t.metric,
                t.id,
                t.value,
                t.numerator,
                t.denominator,
            )  # fmt: skip
        ).all()
    return {
        tuple(r[:4]): (r[4], _number(r[5]), _number(r[6]), _number(r[7]))  # type: ignore[misc]
        for r in found
    }


def rebuilt(engine, today: dt.date) -> dict[Key, tuple[float | None, ...]]:
    """What a full build would hold: compute_kpis for the system at each of the load's dates."""
    with Session(engine) as s:
        s.execute(delete(m.KpiMartDate))  # nothing is read from the mart; rolled back below
        rows = {}
        for day in mart.mart_dates(today):
            frame = compute_kpis(s, day, SYSTEM)
            for r in frame.itertuples(index=False):
                rows[(day, r.scope_type, r.scope_id, r.metric)] = tuple(
                    _number(v) for v in (r.value, r.numerator, r.denominator)
                )
        s.rollback()
    return rows


def assert_mart_is_a_full_rebuild(engine, today: dt.date = TODAY) -> None:
    kept = {key: numbers for key, (_, *numbers) in mart_rows(engine).items()}
    expected = rebuilt(engine, today)
    assert kept.keys() == expected.keys()
    differing = [key for key in expected if tuple(kept[key]) != expected[key]]
    assert not differing, [(k, kept[k], expected[k]) for k in differing[:5]]
    with Session(engine) as s:
        held = dict(s.execute(select(m.KpiMartDate.as_of, m.KpiMartDate.store_version)).all())
        assert sorted(held) == mart.mart_dates(today)
        assert set(held.values()) == {mart.store_version(s)}


def latest_snapshot(engine, day: dt.date) -> dict[tuple[str, str, str], tuple[float | None, ...]]:
    """The last snapshot row as of ``day`` of each (scope type, scope id, metric): what a trend
    shows for that month when ``day`` is its last snapshot (etl.kpi.snapshot.metric_trend)."""
    t = m.MetricSnapshot
    with engine.connect() as conn:
        found = conn.execute(
            select(t.scope_type, t.scope_id, t.metric, t.value, t.numerator, t.denominator)
            .where(t.as_of == day)
            .order_by(t.taken_at, t.id)
        ).all()
    return {tuple(r[:3]): tuple(_number(v) for v in r[3:]) for r in found}


def run_rows(engine, run_id: str) -> int:
    with engine.connect() as conn:
        return len(
            conn.execute(select(m.MetricSnapshot.id).where(m.MetricSnapshot.run_id == run_id)).all()
        )


def assert_snapshot_is_a_full_rebuild(engine, day: dt.date = TODAY) -> None:
    expected = {k[1:]: v for k, v in rebuilt(engine, day).items() if k[0] == day}
    assert latest_snapshot(engine, day) == expected


def edit_csv(path: Path, edit) -> None:
    """Rewrite the CSV ``path`` with ``edit(rows)`` (rows incl. header), in its own encoding and
    delimiter (the generator varies both, as deliveries do)."""
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        encoding = "cp1252"
        text = raw.decode(encoding)
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    edit(rows)
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def csv_rows(path: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    edit_csv(path, rows.extend)
    return rows


def set_cell(path: Path, row_code: str, column: str, value: str) -> None:
    def edit(rows):
        index = rows[0].index(column)
        row = next(r for r in rows[1:] if r[0] == row_code)
        row[index] = value

    edit_csv(path, edit)


def upload(engine, path: Path, today: dt.date = TODAY) -> str:
    """Load ``path`` as the upload page does (one file, then the run's snapshot); the run id."""
    run_id = new_run_id()
    result = load_file(engine, path, run_id=run_id, today=today)
    assert result.outcome == "accepted", result.issues
    record_snapshot(engine, run_id, today)
    return run_id


def after_keys(engine) -> list[Key]:
    return list(mart_rows(engine))


def moved_ids(before: dict, after: dict) -> set[tuple[str, str]]:
    """The (scope type, scope id) whose mart rows were written again (new row ids)."""
    return {(k[1], k[2]) for k, row in after.items() if before.get(k, (None,))[0] != row[0]}


def test_a_changed_administration_workbook_updates_its_scopes_only(store):
    engine, files = store
    before = mart_rows(engine)
    # 1814-BUF's first asset gets its library as primary owner (the preschool stays an owner).
    assets = files / "1814-BUF.tillgangar.csv"
    set_cell(assets, "1814-BUF-T001", "Ägande enheter", "1814-BUF-BIBL, 1814-BUF-FSK")
    run_id = upload(engine, assets)
    assert_mart_is_a_full_rebuild(engine)
    after = mart_rows(engine)
    moved = moved_ids(before, after)
    # Rewritten: the administration, its municipality, and units and objects of that file only.
    assert {
        ("administration", "1814-BUF"),
        ("municipality", "1814"),
        ("unit", "1814-BUF-FSK"),
        ("unit", "1814-BUF-BIBL"),
    } <= moved
    changed = {(k[1], k[2]) for k, row in after.items() if before[k][1:] != row[1:]}
    assert ("unit", "1814-BUF-BIBL") in changed
    for scope_type, code in moved:
        assert scope_type == "governance_object" or code.startswith("1814"), (scope_type, code)
        if scope_type in ("unit", "administration"):
            assert code.startswith("1814-BUF"), code
    # Every other scope's rows keep their ids: the other municipalities, 1814's other
    # administrations and their units.
    untouched = {k: row[0] for k, row in before.items() if (k[1], k[2]) not in moved}
    assert untouched and all(after[k][0] == i for k, i in untouched.items())
    assert any(k[2].startswith("1814-KLF") for k in untouched)
    assert len(moved) < len({(k[1], k[2]) for k in before}) / 4
    # The day's snapshot shows every scope as the rebuild has them; the run wrote the rows of
    # the scopes it changed (the load's first snapshot of the day wrote every scope).
    assert_snapshot_is_a_full_rebuild(engine)
    assert run_rows(engine, run_id) == sum(
        1 for k in after if k[0] == TODAY and (k[1], k[2]) in moved
    )


def test_a_shared_object_workbook_updates_the_object_and_its_participants(store):
    engine, files = store
    before = mart_rows(engine)
    # GO-EARK (shared by 1882 and 1861): its provider's action is done, late.
    actions = files / "GO-EARK.atgarder.csv"
    header, *rows_before = csv_rows(actions)
    provider = next(r for r in rows_before if not r[4])
    set_cell(actions, provider[0], "Status", "Klar")
    set_cell(actions, provider[0], "Klardatum", "2026-11-01")
    assert header[4] == "Ägande enhet"
    assert load_paths(engine, [actions], today=TODAY).ok
    assert_mart_is_a_full_rebuild(engine)
    assert_snapshot_is_a_full_rebuild(engine)
    moved = moved_ids(before, mart_rows(engine))
    assert ("governance_object", "GO-EARK") in moved
    # Its shared rows count for each participating municipality, so those are written again,
    # and nothing of the municipalities that do not take part.
    assert {("municipality", "1882"), ("municipality", "1861")} <= moved
    assert not {code for _, code in moved if code.startswith(("1814", "1860"))}


def test_an_action_whose_due_date_moves_changes_overdue_on_every_date(store):
    engine, files = store
    actions = files / "1860-SOC.atgarder.csv"
    header, *lines = csv_rows(actions)
    status, due = header.index("Status"), header.index("Förfallodatum")
    open_action = next(
        r for r in lines if r[status] in ("Pågår", "Ej påbörjad") and r[due] > TODAY.isoformat()
    )
    # Due the day before the load (it was not due yet): overdue on the load day, not on the
    # quarter-ends before.
    set_cell(actions, open_action[0], "Förfallodatum", "2026-11-27")
    assert open_action[due] != "2026-11-27"
    before = mart_rows(engine)
    upload(engine, actions)
    assert_mart_is_a_full_rebuild(engine)
    assert_snapshot_is_a_full_rebuild(engine)
    after = mart_rows(engine)
    assert {code for _, code in moved_ids(before, after)} >= {"1860-SOC", "1860"}
    assert all(code.startswith("1860") for _, code in moved_ids(before, after))
    overdue = {k[0]: after[k][1] - before[k][1] for k in after
               if k[1:] == ("administration", "1860-SOC", "actions_overdue")}  # fmt: skip
    assert overdue[TODAY] == 1 and overdue[dt.date(2026, 9, 30)] == 0


def test_a_load_on_a_new_day_computes_the_new_dates_whole_and_updates_the_others(store):
    engine, files = store
    later = TODAY + dt.timedelta(days=1)  # 2026-11-29: new load day and quarter-before
    set_cell(files / "1861-KLF.tillgangar.csv", "1861-KLF-T001", "Namn", "Diarium (ny)")
    before = mart_rows(engine)
    run_id = upload(engine, files / "1861-KLF.tillgangar.csv", later)
    assert_mart_is_a_full_rebuild(engine, later)
    assert_snapshot_is_a_full_rebuild(engine, later)  # the day's first: every scope
    assert run_rows(engine, run_id) == sum(1 for k in after_keys(engine) if k[0] == later)
    after = mart_rows(engine)
    kept_dates = set(mart.mart_dates(TODAY)) & set(mart.mart_dates(later))
    assert kept_dates == {dt.date(2026, 6, 30), dt.date(2026, 9, 30)}
    rewritten = {(k[1], k[2]) for k in after if k[0] in kept_dates and after[k][0] != before[k][0]}
    assert rewritten and all(code.startswith("1861") for _, code in rewritten)


def test_a_rejected_workbook_or_an_unchanged_one_changes_no_table(store):
    engine, files = store
    before = store_dump(engine)
    assets = files / "1882-SOC.tillgangar.csv"
    original = assets.read_bytes()
    set_cell(assets, "1882-SOC-T001", "Ägande enheter", "9999-NOPE")
    result = load_paths(engine, [assets], today=TODAY)
    assert [f.outcome for f in result.files] == ["rejected"]
    assert store_dump(engine) == before
    assets.write_bytes(original)
    result = load_paths(engine, [assets], today=TODAY)
    assert [f.outcome for f in result.files] == ["unchanged"]
    assert store_dump(engine) == before
    assert_mart_is_a_full_rebuild(engine)


def test_uploads_in_a_row_keep_the_mart_and_the_days_snapshot_right(store):
    engine, files = store
    set_cell(files / "1882-KLF.tillgangar.csv", "1882-KLF-T001", "Personuppgifter", "Känsliga")
    upload(engine, files / "1882-KLF.tillgangar.csv")
    actions = files / "GO-EARK.atgarder.csv"
    header, *rows = csv_rows(actions)
    provider = next(r[0] for r in rows if not r[header.index("Ägande enhet")])
    for column, value in (("Status", "Pågår"), ("Klardatum", ""), ("Förfallodatum", "2026-11-27")):
        set_cell(actions, provider, column, value)
    run_id = upload(engine, actions)
    assert_mart_is_a_full_rebuild(engine)
    assert_snapshot_is_a_full_rebuild(engine)
    # The second run wrote the rows of GO-EARK and its two participants only.
    written = run_rows(engine, run_id)
    assert 0 < written < sum(1 for k in mart_rows(engine) if k[0] == TODAY) / 4


def test_a_load_by_another_process_makes_the_next_snapshot_rebuild_the_mart(store, tmp_path):
    """This process cannot know what that load replaced: it builds everything again."""
    engine, files = store
    set_cell(files / "1861-SOC.tillgangar.csv", "1861-SOC-T001", "Personuppgifter", "Nej")
    script = (
        "import datetime as dt, sys; from pathlib import Path; from etl.db import make_engine; "
        "from etl.load import load_paths; "
        "run = load_paths(make_engine(sys.argv[1]), [Path(sys.argv[2])], "
        "today=dt.date(2026, 11, 28), snapshot=False); sys.exit(0 if run.ok else 1)"
    )
    url = engine.url.render_as_string(hide_password=False)
    subprocess.run(
        [sys.executable, "-c", script, url, str(files / "1861-SOC.tillgangar.csv")], check=True
    )
    assets = files / "1814-KLF.tillgangar.csv"
    set_cell(assets, "1814-KLF-T001", "Namn", "Ny version")
    run_id = upload(engine, assets)
    assert_mart_is_a_full_rebuild(engine)
    assert_snapshot_is_a_full_rebuild(engine)
    # Built whole: the run's snapshot holds every scope, not only 1814-KLF's.
    assert run_rows(engine, run_id) == sum(1 for k in mart_rows(engine) if k[0] == TODAY)


def test_a_newer_administration_file_rewrites_exactly_its_hand_counted_scopes(engine, tmp_path):
    """Sydnärke's small test set: 1882-SOC's file holds rows of its units IFO and HT only (no
    shared object), so the update writes those two units, 1882-SOC and Askersund (1882), and
    no other scope: not 1882-KLF, its unit, Hallsberg or GO-EKO."""
    first = load_paths(
        engine, [write_org(tmp_path / "org"), write_admin(tmp_path), write_object(tmp_path)],
        today=TODAY,
    )  # fmt: skip
    assert first.ok
    before = mart_rows(engine)
    rows = admin_rows()
    rows["follow_ups"][1]["submitted"] = "Ja"  # Hemtjänst reported after all
    assert load_paths(engine, [write_admin(tmp_path, rows, "1882-SOC-v2.xlsx")], today=TODAY).ok
    assert_mart_is_a_full_rebuild(engine)
    assert moved_ids(before, mart_rows(engine)) == {
        ("unit", "1882-SOC-IFO"),
        ("unit", "1882-SOC-HT"),
        ("administration", "1882-SOC"),
        ("municipality", "1882"),
    }
