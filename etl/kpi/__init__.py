"""The numbers of DESIGN §4, computed at the etl level: the load builds the KPI mart (snapshot),
the dashboard and ``infosak kpi`` read it or compute on demand with the same code.

definitions: the metric catalogue. rules: the one module of rules. dates: as-of cut-offs and
periods. viewer: who may see what. scope: a viewer's scope as SQL. facts: the aggregated fact
queries. rollup: facts up the organisation. compute: compute_kpis and the charts built from the
same facts. maturity: gap analyses. mart: compute_kpis's rows kept by the load in plain tables;
kept_tables: the tables kept beside it per mart date. snapshot: the load's snapshot (trend
history and mart).
"""
