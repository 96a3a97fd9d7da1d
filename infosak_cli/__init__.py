"""Command line entry point. ``main`` keeps tracebacks away from users (DESIGN §8)."""

from __future__ import annotations

import logging
import sys

from infosak_cli.app import app

# Importing a command module registers its commands on ``app``.
from infosak_cli import (  # noqa: E402,F401  isort: skip
    backup_cmd,
    doctor_cmd,
    generate_cmd,
    kpi_cmd,
    load_cmd,
    mart_cmd,
    remind_cmd,
    report_cmd,
    serve_cmd,
    template_cmd,
    users_cmd,
)

log = logging.getLogger(__name__)


def main() -> None:
    """Run the CLI; an unexpected error is logged and reported in one line, exit code 1."""
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence before a user
        log.debug("unexpected error", exc_info=True)
        print(f"Fel: {exc}", file=sys.stderr)
        sys.exit(1)


__all__ = ["app", "main"]
