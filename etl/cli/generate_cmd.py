"""Placeholder: filled in by the generate_cmd owner."""

from etl.cli.app import app  # noqa: F401
