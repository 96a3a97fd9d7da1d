"""The README's roles table lists every role code with its Swedish name, as the code has them."""

from __future__ import annotations

from pathlib import Path

from dashboard.auth.roles import USER_ROLES, role_label

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_lists_every_role_with_its_swedish_name():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Roles\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    codes = [row.split("`")[1] for row in rows]
    assert codes == list(USER_ROLES)
    for role, row in zip(USER_ROLES, rows, strict=True):
        assert f"| {role_label(role)} |" in row, row
