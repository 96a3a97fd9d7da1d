"""Placeholder: filled in by the serve_cmd owner."""

from etl.cli.app import app  # noqa: F401
