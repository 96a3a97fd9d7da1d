"""Infosäk benchmarks: ETL, queries, payload, memory and load, measured against bare baselines.

Run everything with ``python -m benchmarks.run`` (see docs/performance.md).
"""
