"""Placeholder: filled in by the template_cmd owner."""

from etl.cli.app import app  # noqa: F401
