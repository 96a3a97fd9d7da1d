"""``infosak load`` imports what loading needs, not the PDF library or the web app.

Every command module is imported to register its command, so a module-level import of the
report's PDF library (WeasyPrint) or of Dash made each ``infosak load`` pay for them: about a
second of CPU before the first file was read. The load runs in a fresh interpreter here, as a
user starts it, and the modules it ended up with are inspected.
"""

import json
import subprocess
import sys
from pathlib import Path

from tests.workbooks import write_admin, write_org

ROOT = Path(__file__).resolve().parent.parent
UNWANTED = ("weasyprint", "dash", "dash_ag_grid", "plotly")

PROGRAM = """
import json, sys
from infosak_cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
unwanted = UNWANTED
print(json.dumps({"code": code,
                  "modules": sorted(m for m in sys.modules if m.split(".")[0] in unwanted)}))
""".replace("UNWANTED", repr(UNWANTED))


def run_cli(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.stdout.strip(), done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_load_of_a_workbook_imports_neither_weasyprint_nor_dash(tmp_path):
    write_org(tmp_path / "in")
    write_admin(tmp_path / "in")
    url = f"sqlite:///{tmp_path / 'startup.db'}"
    result = run_cli("load", str(tmp_path / "in"), "--database-url", url)
    assert result["code"] == 0
    assert result["modules"] == []
