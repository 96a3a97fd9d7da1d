"""A small program run in a new interpreter from the checkout, as a user's command starts: what
it imported or did is its own, not this test process's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def json_printed_by(program: str, *args: str) -> object:
    """The JSON value on the last line ``program`` (run with ``args``) printed."""
    done = subprocess.run([sys.executable, "-c", program, *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=False)  # fmt: skip
    assert done.stdout.strip(), done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
