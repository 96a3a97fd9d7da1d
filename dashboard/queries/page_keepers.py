"""The pages' own national frames, kept by every load beside the KPI facts (etl.kpi.snapshot's
PAGE_KEEPERS): the Risker page's counts, the asset lists' gap counts, the open actions by month
and Min enhet's unit rows. Registered when the dashboard's queries are imported (the package
imports this module), so every process that serves pages or uploads files, and ``infosak load``,
builds them; the ETL itself never imports the dashboard."""

from __future__ import annotations

from dashboard.queries import _risk_counts_kept
from dashboard.queries.actions import keep_open_rows
from dashboard.queries.coverage import keep_asset_gaps
from dashboard.queries.my_unit import keep_unit_rows
from etl.kpi.snapshot import register_page_keeper

register_page_keeper(
    "risk_counts", lambda session, as_of, _rows: _risk_counts_kept.keep(session, as_of)
)
register_page_keeper("asset_gaps", lambda session, as_of, _rows: keep_asset_gaps(session, as_of))
register_page_keeper("open_by_month", lambda session, as_of, _rows: keep_open_rows(session, as_of))
register_page_keeper("unit_rows", keep_unit_rows)
