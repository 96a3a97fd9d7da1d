"""A flat delivery folder: every CSV set found with one listing, loaded like per-set folders."""

import os

from etl import sources
from etl.load import load_paths
from etl.workbook_writer import write_csv_set
from tests.workbooks import TODAY, admin_rows, org_rows, write_org


def flat_folder(tmp_path):
    folder = tmp_path / "flat"
    write_csv_set(folder, "1882-SOC", "administration", admin_rows())
    write_csv_set(folder, "ORG", "organisation", org_rows())
    (folder / "notes.txt").write_text("not a source", "utf-8")
    (folder / "~$lock.xlsx").write_bytes(b"lock file")
    write_org(folder, name="z-organisation.xlsx")
    return folder


def test_flat_folder_is_listed_once_and_grouped_by_prefix(tmp_path, monkeypatch):
    folder = flat_folder(tmp_path)
    listings = []
    real_scandir = os.scandir

    def counting_scandir(path):  # the real listing, counted
        listings.append(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting_scandir)
    found = sources.order_sources(sources.expand_sources([folder]))
    assert len(listings) == 1
    labels = [s.label for s in found]
    # Organisation sets first (CSV set and workbook), then the administration set; one each.
    assert sorted(labels[:2]) == ["ORG.*.csv", "z-organisation.xlsx"]
    assert labels[2:] == ["1882-SOC.*.csv"]
    admin = found[2]
    assert admin.path == admin.members[1][0]
    assert [p.name for p in admin.members[1]] == sorted(
        p.name for p in folder.glob("1882-SOC.*.csv")
    )


def test_flat_folder_loads_every_set(engine, tmp_path):
    result = load_paths(engine, [flat_folder(tmp_path)], today=TODAY)
    outcomes = {f.file_name: f.outcome for f in result.files}
    assert outcomes == {
        "ORG.*.csv": "accepted",
        "z-organisation.xlsx": "accepted",
        "1882-SOC.*.csv": "accepted",
    }


def test_one_file_of_a_set_names_the_set_and_keeps_its_path(engine, tmp_path):
    folder = flat_folder(tmp_path)
    load_paths(engine, [folder / "z-organisation.xlsx"], today=TODAY)
    risks = folder / "1882-SOC.risker.csv"
    result = load_paths(engine, [risks], today=TODAY)
    assert [(f.file_name, f.outcome) for f in result.files] == [("1882-SOC.*.csv", "accepted")]
