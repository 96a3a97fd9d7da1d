"""The numbers of DESIGN §4, computed at the etl level: the load builds what it keeps for the
pages (snapshot), the dashboard and ``infosak kpi`` read them.

definitions: the metric catalogue. dates: as-of cut-offs and periods. viewer: who may see what.
scope: a viewer's scope as SQL. facts: the aggregated fact queries. rollup: facts up the
organisation. compute: compute_kpis and the charts built from the same facts. maturity: gap
analyses. kept: national fact frames kept by the load. headline_kept: the cards' kept rows.
cache: the in-process result cache keyed by store version. snapshot: the load's snapshot.
"""
