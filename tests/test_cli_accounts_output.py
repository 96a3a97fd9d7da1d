"""What a new user reads from ``infosak demo`` and ``infosak users``: the demo accounts with
their roles, whole user names in a narrow terminal, and an unknown role refused before a
password is asked for. The real CLI in a subprocess on a real SQLite store.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dashboard.auth.roles import USER_ROLES, role_label

INFOSAK = Path(sys.executable).with_name("infosak")
SECRET = "k" * 48
LONG_NAME = "anna-karin.langnamn@socialforvaltningen.askersund.example.se"


def _cli(tmp_path, *args: str, columns: int = 200, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        INFOSAK_DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
        INFOSAK_SECRET_KEY=SECRET,
        COLUMNS=str(columns),
    )
    return subprocess.run([str(INFOSAK), *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


def test_demo_prints_the_accounts_with_roles_and_password(tmp_path):
    done = _cli(tmp_path, "demo", "--no-serve", "--sample-dir", str(tmp_path / "sample"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Demokonton (lösenord: demo)" in out
    # One row per role: the user name, the role's Swedish name, its code and the scope.
    for name, role, scope in (
        ("ciso", "ciso", "Askersund"),
        ("handlaggare", "security_officer", "Socialförvaltningen"),
        ("chef", "manager", "Biståndsenheten"),
        ("dataskyddsombud", "dpo", "Askersund"),
        ("admin", "admin", "allt"),
    ):
        row = next(line for line in out.splitlines() if f" {name} " in line)
        assert role_label(role) in row and f" {role} " in row and scope in row, row
    for role in USER_ROLES:
        assert role in out
    assert 'Alla demokonton har lösenordet "demo"' in out
    # Printed, not created: a store prepared without serving holds no known password.
    listed = _cli(tmp_path, "users", "list")
    assert "Inga konton" in listed.stdout


def test_demo_accounts_stay_whole_in_a_narrow_terminal(tmp_path):
    done = _cli(
        tmp_path, "demo", "--no-serve", "--sample-dir", str(tmp_path / "sample"), columns=60
    )
    assert done.returncode == 0, done.stderr
    assert "sakerhetsskyddschef | Säkerhetsskyddschef | protection_officer | Askersund" in (
        done.stdout
    )
    assert "…" not in done.stdout


def test_users_list_keeps_a_long_name_whole_at_60_columns(tmp_path):
    added = _cli(tmp_path, "users", "add", LONG_NAME, "--role", "admin", "--password-stdin",
                 stdin="Ett-langt-losenord-42!\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    narrow = _cli(tmp_path, "users", "list", columns=60)
    assert narrow.returncode == 0, narrow.stderr
    assert LONG_NAME in narrow.stdout
    assert "…" not in narrow.stdout
    assert f"{LONG_NAME} | Administratör | allt" in narrow.stdout
    # Where it fits, the table stays.
    wide = _cli(tmp_path, "users", "list", columns=200)
    assert "┃ Användare" in wide.stdout and LONG_NAME in wide.stdout


def test_users_add_refuses_an_unknown_role_before_the_password(tmp_path):
    # No password on stdin: the old command asked for one and failed on end of input.
    done = _cli(tmp_path, "users", "add", "anna", "--role", "chefen")
    assert done.returncode == 2
    assert "Lösenord" not in done.stdout + done.stderr
    assert "Okänd roll ”chefen”. Giltiga roller:" in done.stderr
    for role in USER_ROLES:
        assert f"  {role}  {role_label(role)}" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Inga konton" in _cli(tmp_path, "users", "list").stdout
