"""Placeholder: filled in by the load_cmd owner."""

from etl.cli.app import app  # noqa: F401
