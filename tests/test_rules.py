"""Every rule of etl.kpi.rules pinned at its edges: the day before, the day, the day after; the
threshold and one below. The Python rules on plain values, their SQL twins on SQLite and
PostgreSQL, and the overdue and classification edges end to end through compute_kpis and the
lists (Min enhet, the workbook export, the reminders) on a store small enough to count by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import Date, Integer, literal, select

from dashboard.export_workbook import build_scope_workbook
from dashboard.queries.my_unit import reviews_due, unit_actions, unit_assets
from etl import models as m
from etl import vocab
from etl.db import session_factory
from etl.kpi import rules
from etl.kpi.compute import compute_kpis
from etl.kpi.viewer import ROLES, SYSTEM
from etl.reminders import build_digests
from tests.xlsx_table import sheet_table

AS_OF = dt.date(2026, 11, 28)
DAY = dt.timedelta(days=1)
OPEN, CLOSED = ("not_started", "in_progress"), ("done", "cancelled")


# --------------------------------------------------------------------------- Python rules


@pytest.mark.parametrize("status", OPEN)
def test_an_open_action_is_overdue_only_when_due_before_the_day(status):
    assert rules.action_is_overdue(status, AS_OF - DAY, AS_OF)
    assert not rules.action_is_overdue(status, AS_OF, AS_OF)  # due today: not yet
    assert not rules.action_is_overdue(status, AS_OF + DAY, AS_OF)


@pytest.mark.parametrize("status", CLOSED)
def test_a_done_or_cancelled_action_is_never_open_or_overdue(status):
    assert not rules.action_is_open(status)
    assert not rules.action_is_overdue(status, AS_OF - 400 * DAY, AS_OF)
    assert all(rules.action_is_open(s) for s in OPEN)
    assert rules.OPEN_ACTION_STATUSES == OPEN


def test_days_overdue_and_aging_buckets_at_each_edge():
    assert rules.days_overdue(AS_OF + DAY, AS_OF) == 0
    assert rules.days_overdue(AS_OF, AS_OF) == 0
    assert rules.days_overdue(AS_OF - DAY, AS_OF) == 1
    expected = {
        0: None,
        1: "actions_overdue_1_30",
        30: "actions_overdue_1_30",
        31: "actions_overdue_31_90",
        90: "actions_overdue_31_90",
        91: "actions_overdue_91_180",
        180: "actions_overdue_91_180",
        181: "actions_overdue_over_180",
        5000: "actions_overdue_over_180",
    }
    for days, bucket in expected.items():
        assert rules.overdue_bucket(days) == bucket, days
        assert rules.overdue_bucket(rules.days_overdue(AS_OF - days * DAY, AS_OF)) == bucket


def test_the_sort_rank_puts_overdue_then_open_then_closed():
    assert rules.action_sort_rank("in_progress", AS_OF - DAY, AS_OF) == 0
    assert rules.action_sort_rank("not_started", AS_OF, AS_OF) == 1  # due today: open, not late
    assert rules.action_sort_rank("not_started", AS_OF + DAY, AS_OF) == 1
    assert rules.action_sort_rank("done", AS_OF - DAY, AS_OF) == 2
    assert rules.action_sort_rank("cancelled", AS_OF + DAY, AS_OF) == 2


def test_only_a_cancelled_action_does_not_count_for_its_risk():
    assert not rules.action_counts_for_risk("cancelled")
    assert all(rules.action_counts_for_risk(s) for s in ("not_started", "in_progress", "done"))


def test_a_classification_is_current_through_its_review_day():
    classified = dt.date(2025, 1, 1)
    assert rules.classification_is_current(classified, AS_OF + DAY, AS_OF)
    assert rules.classification_is_current(classified, AS_OF, AS_OF)  # the review day: current
    assert not rules.classification_is_current(classified, AS_OF - DAY, AS_OF)
    assert rules.classification_status(classified, AS_OF, AS_OF) == ("current", AS_OF)
    assert rules.classification_status(classified, AS_OF - DAY, AS_OF) == (
        "expired",
        AS_OF - DAY,
    )
    assert rules.classification_status(None, None, AS_OF) == ("missing", None)


def test_without_a_review_date_a_classification_lasts_36_months():
    # 2023-11-28 + 36 months = 2026-11-28, the as-of day: current; a day earlier: expired.
    edge = dt.date(2023, 11, 28)
    assert rules.classification_review_date(edge, None) == AS_OF
    assert rules.classification_is_current(edge, None, AS_OF)
    assert rules.classification_is_current(edge + DAY, None, AS_OF)
    assert not rules.classification_is_current(edge - DAY, None, AS_OF)
    # A review date of its own wins over the fallback, either way.
    assert not rules.classification_is_current(edge + DAY, AS_OF - DAY, AS_OF)
    assert rules.classification_is_current(edge - DAY, AS_OF, AS_OF)
    # Month ends clip: 2023-02-28 + 36 months is 2026-02-28; 2024-02-29 + 36 is 2027-02-28.
    assert rules.classification_review_date(dt.date(2024, 2, 29), None) == dt.date(2027, 2, 28)
    assert rules.classification_is_current(dt.date(2023, 2, 28), None, dt.date(2026, 2, 28))
    assert not rules.classification_is_current(dt.date(2023, 2, 27), None, dt.date(2026, 2, 28))


def test_a_review_is_due_from_the_day_through_90_days_ahead():
    classified = dt.date(2025, 1, 1)
    assert not rules.classification_review_is_due(classified, AS_OF - DAY, AS_OF)  # expired
    assert rules.classification_review_is_due(classified, AS_OF, AS_OF)
    assert rules.classification_review_is_due(classified, AS_OF + 90 * DAY, AS_OF)
    assert not rules.classification_review_is_due(classified, AS_OF + 91 * DAY, AS_OF)
    # The 36-month fallback: classified 2024-02-26 reaches 2027-02-26 = as-of + 90 days.
    assert dt.date(2027, 2, 26) == AS_OF + 90 * DAY
    assert rules.classification_review_is_due(dt.date(2024, 2, 26), None, AS_OF)
    assert not rules.classification_review_is_due(dt.date(2024, 2, 27), None, AS_OF)


def test_the_latest_classification_is_the_latest_day_then_the_larger_id():
    rows = [(dt.date(2025, 1, 1), 7), (dt.date(2025, 1, 1), 9), (dt.date(2024, 12, 31), 12)]
    assert max(rows, key=lambda r: rules.latest_classification_key(*r)) == (dt.date(2025, 1, 1), 9)


def test_a_risk_analysis_counts_for_36_months_after_its_day():
    edge = dt.date(2023, 11, 28)  # as-of − 36 months: just outside
    assert not rules.risk_analysis_is_current(edge, AS_OF)
    assert rules.risk_analysis_is_current(edge + DAY, AS_OF)
    assert rules.risk_analysis_is_current(AS_OF, AS_OF)
    assert not rules.risk_analysis_is_current(AS_OF + DAY, AS_OF)  # not yet made
    assert not rules.risk_analysis_is_current(None, AS_OF)


@pytest.mark.parametrize(("size", "threshold"), [(4, 9), (3, 5), (5, 14), (2, 2), (10, 56)])
def test_a_risk_is_high_from_the_threshold_up(size, threshold):
    pairs = [(lik, con) for lik in range(1, size + 1) for con in range(1, size + 1)]
    scores = {lik * con for lik, con in pairs}
    for lik, con in pairs:
        assert rules.is_high_risk(lik, con, size) == (lik * con >= threshold)
    if size == 4:
        assert rules.is_high_risk(3, 3, 4) and not rules.is_high_risk(2, 4, 4)  # 9 and 8
        assert threshold in scores and threshold - 1 in scores


def test_personal_data_means_yes_or_sensitive():
    assert set(rules.PERSONAL_DATA_CODES) == set(vocab.PERSONAL_DATA) - {"no"}
    assert set(rules.PERSONAL_DATA_CODES) == {"yes", "sensitive"}


def test_only_the_committee_is_kept_from_row_level_lists():
    assert {"committee"} == rules.AGGREGATE_ONLY_ROLES
    assert {r for r in ROLES if not rules.sees_detail(r)} == {"committee"}


# --------------------------------------------------------------------------- the SQL twins


def _value(conn, expression):
    return conn.execute(select(expression)).scalar()


def _date(day):
    return literal(day, Date())


def test_the_action_rules_in_sql_agree_with_python_at_the_edges(engine):
    statuses = (*OPEN, *CLOSED)
    days = (-1, 0, 1, 30, 31, 90, 91, 180, 181)
    with engine.connect() as conn:
        for status in statuses:
            for seek in (False, True):
                for back in days:
                    due = AS_OF - back * DAY
                    s, d = literal(status), _date(due)
                    where = f"{status} due {due} seek={seek}"
                    overdue = rules.action_is_overdue(status, due, AS_OF)
                    assert bool(_value(conn, rules.action_open_sql(s, seek=seek))) == (
                        rules.action_is_open(status)
                    ), where
                    assert bool(_value(conn, rules.action_overdue_sql(AS_OF, s, d, seek=seek))) is (
                        overdue
                    ), where
                    assert _value(conn, rules.action_sort_rank_sql(AS_OF, s, d, seek=seek)) == (
                        rules.action_sort_rank(status, due, AS_OF)
                    ), where
                    assert _value(conn, rules.days_overdue_sql(AS_OF, s, d, seek=seek)) == (
                        rules.days_overdue(due, AS_OF) if overdue else None
                    ), where
                    for low, high, metric in rules.OVERDUE_BUCKETS:
                        inside = bool(
                            _value(conn, rules.overdue_bucket_sql(AS_OF, low, high, s, d))
                        )
                        expected = overdue and rules.overdue_bucket(back) == metric
                        assert inside is expected, f"{where} {metric}"
            counts = bool(_value(conn, rules.action_counts_for_risk_sql(literal(status))))
            assert counts is rules.action_counts_for_risk(status)


@pytest.mark.parametrize("status", OPEN)
def test_an_open_action_is_due_soon_from_the_day_to_thirty_days_ahead(status):
    assert not rules.action_is_due_soon(status, AS_OF - DAY, AS_OF)  # overdue instead
    assert rules.action_is_due_soon(status, AS_OF, AS_OF)
    assert rules.action_is_due_soon(status, AS_OF + 30 * DAY, AS_OF)
    assert not rules.action_is_due_soon(status, AS_OF + 31 * DAY, AS_OF)
    for closed in CLOSED:
        assert not rules.action_is_due_soon(closed, AS_OF, AS_OF)


def test_the_due_soon_rule_in_sql_agrees_with_python(engine):
    with engine.connect() as conn:
        for status in (*OPEN, *CLOSED):
            for ahead in (-1, 0, 1, 29, 30, 31):
                due = AS_OF + ahead * DAY
                expression = rules.action_due_soon_sql(AS_OF, literal(status), _date(due))
                assert bool(_value(conn, expression)) is rules.action_is_due_soon(
                    status, due, AS_OF
                ), f"{status} due {due}"


def test_the_classification_and_analysis_rules_in_sql_agree_with_python(engine):
    edge = dt.date(2023, 11, 28)
    cases = [(edge + k * DAY, None) for k in (-1, 0, 1)]
    cases += [(dt.date(2025, 1, 1), AS_OF + k * DAY) for k in (-1, 0, 1)]
    with engine.connect() as conn:
        for classified, review in cases:
            expression = rules.classification_current_sql(
                literal(1, Integer()), _date(classified), literal(review, Date()), AS_OF
            )
            expected = rules.classification_is_current(classified, review, AS_OF)
            assert bool(_value(conn, expression)) is expected, (classified, review)
        due_cases = [(dt.date(2025, 1, 1), AS_OF + k * DAY) for k in (-1, 0, 90, 91)]
        due_cases += [(dt.date(2024, 2, 26) + k * DAY, None) for k in (-1, 0, 1)]
        for classified, review in due_cases:
            expression = rules.classification_review_due_sql(
                literal(1, Integer()), _date(classified), literal(review, Date()), AS_OF
            )
            expected = rules.classification_review_is_due(classified, review, AS_OF)
            assert bool(_value(conn, expression)) is expected, (classified, review)
        unclassified = rules.classification_current_sql(
            literal(None, Integer()), _date(edge), literal(AS_OF, Date()), AS_OF
        )
        assert not _value(conn, unclassified)
        for day in (edge - DAY, edge, edge + DAY, AS_OF):
            expression = rules.risk_analysis_current_sql(_date(day), AS_OF)
            assert bool(_value(conn, expression)) is rules.risk_analysis_is_current(day, AS_OF)


def test_the_high_risk_rule_in_sql_agrees_with_python(engine):
    with engine.connect() as conn:
        # The threshold itself for every size, those the CASE spells out and those past it.
        for size in range(1, 31):
            threshold = _value(conn, rules.high_risk_threshold_sql(literal(size)))
            assert threshold == vocab.high_risk_threshold(size), size
        for size in (2, 3, 4, 5, 10, 12):
            for lik, con in ((1, 1), (2, 4), (3, 3), (size, size), (size - 1, size)):
                expression = rules.high_risk_sql(literal(lik), literal(con), literal(size))
                assert bool(_value(conn, expression)) is rules.is_high_risk(lik, con, size), (
                    size,
                    lik,
                    con,
                )


# --------------------------------------------------------------------------- end to end


def _edge_store(engine) -> dict[str, int]:
    """One unit whose actions sit at every overdue edge and whose assets sit at every
    classification edge. Returns the classification ids of the same-day tie."""
    with session_factory(engine)() as s:
        muni = m.Municipality(code="1882", name="Askersund")
        admin = m.Administration(code="1882-KLF", name="KLF", municipality=muni, is_central=True)
        unit = m.Unit(
            code="1882-KLF-IT",
            name="IT",
            administration=admin,
            manager_name="Anna",
            manager_email="anna@example.org",
        )
        src = m.Source(key="administration:edges", kind="administration")
        s.add_all([muni, admin, unit, src])
        s.flush()

        def asset(code):
            a = m.Asset(
                code=code,
                name=code,
                carrier_type="it_system",
                primary_unit_id=unit.id,
                personal_data="no",
                source_id=src.id,
            )
            s.add(a)
            s.flush()
            s.add(m.AssetOwner(asset_id=a.id, unit_id=unit.id, is_primary=True))
            return a

        def classify(a, on, review):
            c = m.Classification(
                asset_id=a.id,
                classified_on=on,
                next_review_on=review,
                confidentiality=1,
                integrity=1,
                availability=1,
                source_id=src.id,
            )
            s.add(c)
            s.flush()
            return c.id

        def action(code, due, status="in_progress", risk=None):
            s.add(
                m.Action(
                    code=code,
                    title=code,
                    responsible="Bo",
                    responsible_email="bo@example.org",
                    owner_unit_id=unit.id,
                    risk_id=risk,
                    due_on=due,
                    status=status,
                    completed_on=due if status == "done" else None,
                    source_id=src.id,
                )
            )

        def analysed_risk(a):
            ra = m.RiskAnalysis(
                code=f"RA-{a.code}",
                analysed_on=AS_OF - 10 * DAY,
                asset_id=a.id,
                matrix_size=4,
                source_id=src.id,
            )
            s.add(ra)
            s.flush()
            r = m.Risk(
                code=f"R-{a.code}",
                risk_analysis_id=ra.id,
                description="r",
                likelihood=1,
                consequence=1,
                treatment="reduce",
                source_id=src.id,
            )
            s.add(r)
            s.flush()
            return r.id

        # Actions without risk: days overdue 0 (due today), -1 (tomorrow), and each bucket edge.
        for back in (-1, 0, 1, 30, 31, 90, 91, 180, 181):
            action(f"A{back:+04d}", AS_OF - back * DAY)
        action("DONE", AS_OF - 5 * DAY, "done")
        action("CANC", AS_OF - 5 * DAY, "cancelled")

        # Classifications: review on the day (current), the day before (expired), the 36-month
        # fallback at its edge (current) and a day past it (expired).
        classify(asset("C-DAY"), dt.date(2025, 1, 1), AS_OF)
        classify(asset("C-BEFORE"), dt.date(2025, 1, 1), AS_OF - DAY)
        classify(asset("C-36"), dt.date(2023, 11, 28), None)
        classify(asset("C-36-BEFORE"), dt.date(2023, 11, 27), None)
        # Reviews due: the last day of the 90-day window and the day after it.
        classify(asset("C-DUE90"), dt.date(2025, 1, 1), AS_OF + 90 * DAY)
        classify(asset("C-DUE91"), dt.date(2025, 1, 1), AS_OF + 91 * DAY)
        # Two classifications on the same day: the larger id (expired) is the latest.
        tie = asset("C-TIE")
        current_id = classify(tie, dt.date(2026, 1, 1), AS_OF + 400 * DAY)
        expired_id = classify(tie, dt.date(2026, 1, 1), AS_OF - 30 * DAY)
        # A new classification on the as-of day itself is the latest (current).
        today = asset("C-TODAY")
        classify(today, dt.date(2020, 1, 1), AS_OF - DAY)
        classify(today, AS_OF, AS_OF + 1000 * DAY)
        # Loaded newest first: the later day wins although its id is the smaller.
        order = asset("C-ORDER")
        classify(order, dt.date(2026, 1, 1), AS_OF + 400 * DAY)
        classify(order, dt.date(2025, 1, 1), AS_OF - 10 * DAY)
        # Funnel: both currently classified and analysed; one risk's action is due today (on
        # time), the other's yesterday (late).
        on_time, late = asset("F-ONTIME"), asset("F-LATE")
        classify(on_time, dt.date(2026, 1, 1), None)
        classify(late, dt.date(2026, 1, 1), None)
        action("F1", AS_OF, risk=analysed_risk(on_time))
        action("F2", AS_OF - DAY, risk=analysed_risk(late))
        s.commit()
    return {"current": current_id, "expired": expired_id}


@pytest.fixture
def edge_store(engine):
    ids = _edge_store(engine)
    return session_factory(engine), ids


def _unit_numbers(session) -> dict[str, object]:
    frame = compute_kpis(session, AS_OF)
    unit = frame[(frame["scope_type"] == "unit") & (frame["scope_id"] == "1882-KLF-IT")]
    return dict(zip(unit["metric"], unit["value"], strict=True))


def test_overdue_counts_an_action_due_yesterday_but_not_one_due_today(edge_store):
    sessions, _ = edge_store
    with sessions() as s:
        numbers = _unit_numbers(s)
    # Open: the nine edge actions and F1, F2. Overdue: due 1, 30, 31, 90, 91, 180, 181 days ago
    # and F2 (1 day); not the one due today (A+000), tomorrow or F1 (due today).
    assert numbers["actions_open"] == 11
    assert numbers["actions_overdue"] == 8
    assert numbers["actions_overdue_1_30"] == 3  # 1, 30, F2
    assert numbers["actions_overdue_31_90"] == 2  # 31, 90
    assert numbers["actions_overdue_91_180"] == 2  # 91, 180
    assert numbers["actions_overdue_over_180"] == 1  # 181
    # Both funnel assets are current, analysed and planned; only the one whose action is due
    # today is on time.
    assert numbers["funnel_action_planned"] == 2
    assert numbers["funnel_on_time"] == 1


def test_the_classification_edges_through_compute_kpis(edge_store):
    sessions, _ = edge_store
    with sessions() as s:
        numbers = _unit_numbers(s)
    # Current: C-DAY, C-36, C-DUE90, C-DUE91, C-TODAY, C-ORDER, F-ONTIME, F-LATE. Expired:
    # C-BEFORE, C-36-BEFORE and C-TIE (its latest is the larger id, reviewed 30 days ago).
    assert numbers["assets"] == 11
    assert numbers["classified_current"] == 8
    assert numbers["classifications_expired"] == 3
    # Due within 90 days: C-DAY and C-36 (review today) and C-DUE90, not C-DUE91.
    assert numbers["reviews_due_90d"] == 3


def test_min_enhet_lists_use_the_same_edges(edge_store):
    sessions, _ = edge_store
    with sessions() as s:
        assets, _, _ = unit_assets(s, AS_OF, "1882-KLF-IT", SYSTEM)
        actions, _ = unit_actions(s, AS_OF, "1882-KLF-IT", SYSTEM)
    status = dict(zip(assets["asset_code"], assets["status_code"], strict=True))
    assert status == {
        "C-DAY": "current",
        "C-BEFORE": "expired",
        "C-36": "current",
        "C-36-BEFORE": "expired",
        "C-DUE90": "current",
        "C-DUE91": "current",
        "C-TIE": "expired",
        "C-TODAY": "current",
        "C-ORDER": "current",
        "F-ONTIME": "current",
        "F-LATE": "current",
    }
    assert set(reviews_due(assets, AS_OF)["asset_code"]) == {"C-DAY", "C-36", "C-DUE90"}
    late = dict(zip(actions["code"], actions["days_overdue"], strict=True))
    assert late["A+000"] is None or late["A+000"] != late["A+000"]  # due today: not overdue
    assert late["F1"] is None or late["F1"] != late["F1"]
    assert late["A+001"] == 1 and late["A+181"] == 181
    # Overdue first (oldest due first), then open, then closed.
    codes = list(actions["code"])
    assert codes[:8] == ["A+181", "A+180", "A+091", "A+090", "A+031", "A+030", "A+001", "F2"]
    assert set(codes[8:11]) == {"A+000", "F1", "A-001"} and codes[8] in {"A+000", "F1"}
    assert set(codes[11:]) == {"DONE", "CANC"}


def test_the_workbook_export_and_the_reminders_use_the_same_edges(edge_store):
    sessions, _ = edge_store
    with sessions() as s:
        workbook = load_workbook(filename=_as_file(build_scope_workbook(s, SYSTEM, AS_OF)))
        digests = build_digests(s, AS_OF)
    sheet = workbook["Tillgångar"]
    header, data = sheet_table(sheet)
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    current = {code: row["Klassning aktuell"] for code, row in rows.items()}
    assert current["C-DAY"] == "Ja" and current["C-36"] == "Ja"
    assert current["C-BEFORE"] == current["C-36-BEFORE"] == "Förfallen"
    assert current["C-TIE"] == "Förfallen"  # the larger id of the same day
    assert rows["C-TIE"]["Nästa översyn"].date() == AS_OF - 30 * DAY
    assert current["C-TODAY"] == current["C-ORDER"] == "Ja"
    assert rows["C-TODAY"]["Klassad"].date() == AS_OF

    by_name = {d.name: d for d in digests}
    overdue = {item.code for item in by_name["Bo"].overdue}
    due_soon = {item.code for item in by_name["Bo"].due_soon}
    assert {"A+001", "F2", "A+181"} <= overdue
    assert {"A+000", "F1", "A-001"} <= due_soon and not ({"A+000", "F1"} & overdue)
    reviews = {item.asset_code: item for item in by_name["Anna"].reviews}
    assert not reviews["C-DAY"].expired and reviews["C-BEFORE"].expired
    assert reviews["C-TIE"].expired and reviews["C-TIE"].review_on == AS_OF - 30 * DAY
    # Their latest classifications are not due; the older ones would be (expired).
    assert "C-TODAY" not in reviews and "C-ORDER" not in reviews


def _as_file(data: bytes):
    import io

    return io.BytesIO(data)
