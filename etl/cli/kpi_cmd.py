"""Placeholder: filled in by the kpi_cmd owner."""

from etl.cli.app import app  # noqa: F401
