"""The import contracts of pyproject.toml hold: etl never imports the dashboard (the command line
aside until it is a package of its own), and the store does not import reading, checking,
loading or the KPIs. Checked by import-linter's ``lint-imports``, as CI runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def test_the_import_contracts_hold():
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout and "2 kept" in done.stdout
