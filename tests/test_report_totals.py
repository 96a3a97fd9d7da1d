"""The committee report's key-figure table adds up, in every role: under each municipality stand
its administrations and a "Gemensamma förvaltningsobjekt" row, and the rows under it sum to the
municipality's total of every summed count (assets, overdue actions, high risks without action).

Hand count on tests/kpi_data.py as of 2026-11-28: 1861-BUF's units have no overdue action (AC4,
AC8 done; AC9 not due). The shared object GO-EK's provider actions AC5 and AC6 are overdue and
count for Hallsberg, which takes part without naming an administration: Hallsberg 2 = 1861-BUF
0 + shared 2. Askersund takes part
through 1882-KLF, so AC5 and AC6 count for 1882-KLF: Askersund 4 = 1882-KLF 2 + 1882-SOC 2 +
shared 0.
"""

from __future__ import annotations

import pytest

from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.content import SHARED_ROW, SUMMED_METRICS, build_content, kpi_rows
from dashboard.report.gather import gather_report
from etl.db import session_factory
from tests import kpi_data
from tests.kpi_data import AS_OF

ASKERSUND = frozenset({"1882"})
VIEWERS = {
    "system": SYSTEM,
    "admin": Viewer("admin", "root"),
    "ciso": Viewer("ciso", "Eva", municipality_codes=ASKERSUND),
    "committee": Viewer("committee", "Nämnd", municipality_codes=ASKERSUND),
    "committee_hallsberg": Viewer("committee", "Nämnd", municipality_codes=frozenset({"1861"})),
    "dpo": Viewer("dpo", "Ina", municipality_codes=ASKERSUND),
    "protection_officer": Viewer(
        "protection_officer", "Jon", administration_codes=frozenset({"1861-BUF"})
    ),
    "security_officer": Viewer(
        "security_officer", "Gus", administration_codes=frozenset({"1882-KLF"})
    ),
    "admin_head": Viewer("admin_head", "Ada", administration_codes=frozenset({"1882-SOC"})),
    "manager": Viewer("manager", "Bo", unit_codes=frozenset({"1882-SOC-IFO"})),
}
COLUMN = {"assets": 1, "actions_overdue": 4, "risks_high_without_action": 5}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from etl.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('totals') / 'store.db'}")
    migrate(engine)
    kpi_data.build_store(engine)
    yield session_factory(engine)
    engine.dispose()


def _number(text: str) -> int:
    """ "4 (+2)" → 4: the shown count without its change."""
    return int(text.split(" (")[0].replace("\u00a0", "").replace(" ", "").replace("−", "-"))


def _groups(rows: list[list[str]], municipalities: list[str]):
    """(municipality row, rows under it) for each municipality row of the table."""
    groups, current = [], None
    for row in rows:
        if row[0] in municipalities:
            current = (row, [])
            groups.append(current)
        elif current is not None:
            current[1].append(row)
    return groups


@pytest.mark.parametrize("role", list(VIEWERS))
def test_the_rows_under_each_municipality_add_up_to_it(store, role):
    with store() as s:
        data = gather_report(s, AS_OF, VIEWERS[role])
    content = build_content(data)
    names = [f"{m['name']} (hela kommunen)" for m in data["municipalities"]]
    groups = _groups(content.kpi_table.rows, names)
    assert len(groups) == len(names)
    for total, parts in groups:
        assert parts[-1][0] == SHARED_ROW, total[0]
        for metric in SUMMED_METRICS:
            column = COLUMN[metric]
            assert (
                content.kpi_table.headers[column]
                == {
                    "assets": "Tillgångar",
                    "actions_overdue": "Försenade åtgärder",
                    "risks_high_without_action": "Höga risker utan åtgärd",
                }[metric]
            )
            assert _number(total[column]) == sum(_number(p[column]) for p in parts), (
                role,
                total[0],
                metric,
            )
    if not data["objects_visible"] and data["municipalities"]:
        assert SHARED_ROW in content.objects.note


def test_the_shared_row_is_counted_by_hand(store):
    with store() as s:
        data = gather_report(s, AS_OF, SYSTEM)
    rows = {
        (kind, entry["name"]): entry["metrics"].get("actions_overdue", {}).get("value")
        for kind, entry in kpi_rows(data)
    }
    order = [(kind, entry["name"]) for kind, entry in kpi_rows(data)]
    assert rows[("municipality", "Hallsberg")] == 2
    assert rows[("administration", "Barn- och utbildning")] == 0
    assert order.index(("shared", SHARED_ROW)) > order.index(("municipality", "Askersund"))
    shared = [entry for kind, entry in kpi_rows(data) if kind == "shared"]
    by_municipality = dict(
        zip(
            [m["name"] for m in data["municipalities"]],
            [e["metrics"]["actions_overdue"]["value"] for e in shared],
            strict=True,
        )
    )
    assert by_municipality == {"Askersund": 0, "Hallsberg": 2}
    assert rows[("municipality", "Askersund")] == 4


def test_a_report_frozen_before_the_municipality_code_was_kept_groups_by_name(store):
    """Frozen reports hold the data dict as gathered then: administrations without their
    municipality's code are grouped under the municipality of the same name."""
    with store() as s:
        data = gather_report(s, AS_OF, SYSTEM)
    older = {
        **data,
        "administrations": [
            {k: v for k, v in a.items() if k != "municipality_code"}
            for a in data["administrations"]
        ],
    }
    assert build_content(older).kpi_table.rows == build_content(data).kpi_table.rows


@pytest.mark.parametrize("role", list(VIEWERS))
def test_oversikts_organisation_table_adds_up_in_every_role(store, role):
    """Översikt's organisation table: under each municipality its administrations, whose
    security-officer and unit-manager counts ("x av y") add up to the municipality's. (Its
    "Brister" counts failed checks of each row's own scope, not a sum.)"""
    from dashboard.queries.overview import org_check

    with store() as s:
        frame = org_check(s, AS_OF, VIEWERS[role])
    for municipality in frame.loc[frame["scope_type"] == "municipality", "scope_id"].unique():
        rows = frame[frame["municipality_code"] == municipality]
        for metric in ("org_security_officer", "org_unit_managers"):
            own = rows[rows["metric"] == metric]
            total = own[own["scope_type"] == "municipality"].iloc[0]
            parts = own[own["scope_type"] == "administration"]
            assert total.numerator == parts["numerator"].sum(), (role, municipality, metric)
            assert total.denominator == parts["denominator"].sum(), (role, municipality, metric)
